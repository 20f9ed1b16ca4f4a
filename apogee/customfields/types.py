"""The field-type registry: one class per type that validates, parses and formats values.

Pure: works on plain values and a FieldSpec, so it is shared by forms, API and
importers and tested without a database. References (user, person,
organization) are checked through a callable the caller supplies.
"""

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlparse

TEXT_MAX = 255
LONG_TEXT_MAX = 20_000
NUMBER_LIMIT = Decimal("1e15")
CURRENCY_RE = re.compile(r"^[A-Z]{3}$")

ReferenceExists = Callable[[str, int], bool]


def gettext_noop(message: str) -> str:
    """Marks a message for translation without importing Django; the caller translates it."""
    return message


class FieldValueError(ValueError):
    """A value that the field's type refuses; `message % params` is shown to the user."""

    def __init__(self, message: str, **params: Any):
        super().__init__(message)
        self.message = message
        self.params = params

    def __str__(self) -> str:
        return self.message % self.params if self.params else self.message


@dataclass(frozen=True)
class FieldSpec:
    key: str
    field_type: str
    option_keys: Sequence[str] = field(default_factory=tuple)


def _no_references(kind: str, pk: int) -> bool:
    return True


class FieldType:
    key = ""
    is_reference = False
    #: filter operators this type understands
    operators: tuple[str, ...] = ("eq", "ne", "empty", "not_empty")

    def validate(self, value: Any, spec: FieldSpec, exists: ReferenceExists = _no_references) -> Any:
        """Return the value as stored (JSON), or raise FieldValueError."""
        raise NotImplementedError

    def parse(self, raw: Any) -> Any:
        """Turn a form string (or list of strings) into a value for validate()."""
        return raw

    def to_text(self, value: Any) -> str:
        """The value as a form input shows it."""
        if value is None:
            return ""
        return str(value)


class TextType(FieldType):
    key = "text"
    max_length = TEXT_MAX
    operators = ("eq", "ne", "contains", "empty", "not_empty")

    def validate(self, value, spec, exists=_no_references):
        if not isinstance(value, str):
            raise FieldValueError(gettext_noop("Enter text."))
        value = value.strip()
        if len(value) > self.max_length:
            raise FieldValueError(gettext_noop("At most %(limit)s characters."), limit=self.max_length)
        if "\x00" in value:
            raise FieldValueError(gettext_noop("Text may not contain NUL characters."))
        return value


class LongTextType(TextType):
    key = "long_text"
    max_length = LONG_TEXT_MAX


def _to_decimal(value: Any) -> Decimal:
    if isinstance(value, bool):
        raise FieldValueError(gettext_noop("Enter a number."))
    try:
        number = Decimal(str(value).strip().replace("\u2019", "").replace("'", "").replace(" ", ""))
    except (InvalidOperation, ValueError):
        raise FieldValueError(gettext_noop("Enter a number.")) from None
    if not number.is_finite():
        raise FieldValueError(gettext_noop("Enter a number."))
    if abs(number) >= NUMBER_LIMIT:
        raise FieldValueError(gettext_noop("This number is too large."))
    return number


def _json_number(number: Decimal) -> int | float:
    # Stored as a JSON number so that range filters compare numerically in SQL.
    return int(number) if number == number.to_integral_value() else float(round(number, 6))


class NumberType(FieldType):
    key = "number"
    operators = ("eq", "ne", "gt", "gte", "lt", "lte", "empty", "not_empty")

    def validate(self, value, spec, exists=_no_references):
        return _json_number(_to_decimal(value))


class MonetaryType(FieldType):
    """{"amount": 1200.5, "currency": "EUR"}; filters compare the amount."""

    key = "monetary"
    operators = ("gt", "gte", "lt", "lte", "empty", "not_empty")

    def validate(self, value, spec, exists=_no_references):
        if not isinstance(value, dict) or "amount" not in value:
            raise FieldValueError(gettext_noop("Enter an amount and a currency."))
        currency = str(value.get("currency") or "").upper()
        if not CURRENCY_RE.match(currency):
            raise FieldValueError(gettext_noop("Choose a currency (three-letter code)."))
        return {"amount": _json_number(_to_decimal(value["amount"])), "currency": currency}

    def parse(self, raw):
        if isinstance(raw, dict):
            return raw
        text = str(raw or "").strip()
        parts = text.split()
        if len(parts) == 2 and CURRENCY_RE.match(parts[0].upper()):
            return {"currency": parts[0].upper(), "amount": parts[1]}
        if len(parts) == 2 and CURRENCY_RE.match(parts[1].upper()):
            return {"currency": parts[1].upper(), "amount": parts[0]}
        return {"amount": text, "currency": ""}

    def to_text(self, value):
        if not value:
            return ""
        return f"{value.get('currency', '')} {value.get('amount', '')}".strip()


class DateType(FieldType):
    key = "date"
    operators = ("eq", "ne", "gt", "gte", "lt", "lte", "empty", "not_empty")

    def validate(self, value, spec, exists=_no_references):
        if isinstance(value, datetime):
            # A datetime is a date too; without this it is stored with its time and sorts wrongly.
            value = value.date()
        if isinstance(value, date):
            return value.isoformat()
        try:
            return date.fromisoformat(str(value).strip()).isoformat()
        except ValueError:
            raise FieldValueError(gettext_noop("Enter a date as YYYY-MM-DD.")) from None


class SingleOptionType(FieldType):
    key = "single_option"

    def validate(self, value, spec, exists=_no_references):
        if not isinstance(value, str) or value not in spec.option_keys:
            raise FieldValueError(gettext_noop("Choose one of the options."))
        return value


class MultipleOptionsType(FieldType):
    key = "multiple_options"
    operators = ("has", "empty", "not_empty")

    def validate(self, value, spec, exists=_no_references):
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
            raise FieldValueError(gettext_noop("Choose options from the list."))
        unknown = [v for v in value if v not in spec.option_keys]
        if unknown:
            raise FieldValueError(gettext_noop("Unknown option: %(options)s"), options=", ".join(unknown))
        # Stored in the definition's order, without repeats, so equal choices compare equal.
        return [k for k in spec.option_keys if k in set(value)]

    def parse(self, raw):
        if isinstance(raw, list | tuple):
            return [r for r in raw if r]
        return [r.strip() for r in str(raw or "").split(",") if r.strip()]

    def to_text(self, value):
        return ", ".join(value or [])


class BooleanType(FieldType):
    key = "boolean"
    operators = ("eq", "empty", "not_empty")
    _TRUE = {"true", "1", "yes", "on", "oui"}
    _FALSE = {"false", "0", "no", "off", "non"}

    def validate(self, value, spec, exists=_no_references):
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in self._TRUE:
            return True
        if text in self._FALSE:
            return False
        raise FieldValueError(gettext_noop("Enter yes or no."))


class UrlType(FieldType):
    key = "url"
    operators = ("eq", "contains", "empty", "not_empty")

    def validate(self, value, spec, exists=_no_references):
        if not isinstance(value, str):
            raise FieldValueError(gettext_noop("Enter a web address."))
        value = value.strip()
        if any(ord(c) < 32 or ord(c) == 127 for c in value):
            # Control characters are never part of a link, and PostgreSQL's jsonb refuses NUL.
            raise FieldValueError(gettext_noop("Enter a web address starting with http:// or https://."))
        parsed = urlparse(value)
        # Only web links: a javascript: or data: URL rendered as a link would run script.
        if parsed.scheme not in ("http", "https") or not parsed.netloc or len(value) > 2000:
            raise FieldValueError(gettext_noop("Enter a web address starting with http:// or https://."))
        return value


class ReferenceType(FieldType):
    is_reference = True
    reference_kind = ""

    def validate(self, value, spec, exists=_no_references):
        if isinstance(value, bool):
            raise FieldValueError(gettext_noop("Choose an existing record."))
        try:
            pk = int(str(value).strip())
        except (TypeError, ValueError):
            raise FieldValueError(gettext_noop("Choose an existing record.")) from None
        if pk <= 0 or not exists(self.reference_kind, pk):
            raise FieldValueError(gettext_noop("This record does not exist."))
        return pk


class UserType(ReferenceType):
    key = "user"
    reference_kind = "user"


class PersonType(ReferenceType):
    key = "person"
    reference_kind = "person"


class OrganizationType(ReferenceType):
    key = "organization"
    reference_kind = "organization"


REGISTRY: dict[str, FieldType] = {
    t.key: t
    for t in (
        TextType(),
        LongTextType(),
        NumberType(),
        MonetaryType(),
        DateType(),
        SingleOptionType(),
        MultipleOptionsType(),
        UserType(),
        PersonType(),
        OrganizationType(),
        BooleanType(),
        UrlType(),
    )
}


def field_type(key: str) -> FieldType:
    return REGISTRY[key]


def is_empty(value: Any) -> bool:
    # False and 0 are answers; only absence, None, "" and [] mean "not filled in".
    return value is None or value == "" or value == [] or value == {}


def clean_values(
    specs: Sequence[FieldSpec], values: dict[str, Any], exists: ReferenceExists = _no_references
) -> tuple[dict[str, Any], dict[str, FieldValueError]]:
    """Validate every submitted value: returns (cleaned, errors by key). Empty values clear the field."""
    by_key = {s.key: s for s in specs}
    cleaned: dict[str, Any] = {}
    errors: dict[str, FieldValueError] = {}
    for key, value in values.items():
        spec = by_key.get(key)
        if spec is None:
            errors[key] = FieldValueError(gettext_noop("Unknown field."))
            continue
        if is_empty(value) or (isinstance(value, str) and not value.strip()):
            # Blank text clears the field too: stored as "", a gate saw it as missing while the
            # "empty" filter (a missing key) did not.
            cleaned[key] = None
            continue
        try:
            cleaned[key] = REGISTRY[spec.field_type].validate(value, spec, exists)
        except FieldValueError as error:
            errors[key] = error
    return cleaned, errors
