"""Pipedrive API JSON → the normalized records of `records.py`. Pure: no Django, no HTTP.

One function per entity turns one raw item (a dict as the API returns it inside `data`) into a
`Converted`: the record, plus the `ConversionIssue`s met on the way. Nothing here raises on bad
data, so one odd item never stops an import:

    convert(entity, item, *, version, fields=None, field_entity=None, deal_id=None) -> Converted
    convert_user(item)                                     v1 /users
    convert_pipeline(item, *, version)                     v2 and v1 /pipelines
    convert_stage(item, *, version)                        v2 and v1 /stages
    convert_field(item, *, version, entity)                v2 /dealFields…, v1 /leadFields, /noteFields
    convert_organization(item, *, version, fields=None)
    convert_person(item, *, version, fields=None)
    convert_deal(item, *, version, fields=None)
    convert_stage_change(item, *, deal_id=None)            v1 /deals/{id}/flow (and /changelog) items
    convert_lead_label(item)                               v1 /leadLabels
    convert_lead(item, *, fields=None)                     v1 /leads, /leads/archived (deal fields)
    convert_activity_type(item)                            v1 /activityTypes
    convert_activity(item, *, version)
    convert_note(item)                                     v1 /notes
    convert_product(item, *, version, fields=None)
    convert_deal_product(item, *, version, deal_id=None)   /deals/{id}/products
    initial_stage_change(deal, changes) -> StageChange | None
    label_options(item) -> list[FieldOption] | None        the built-in `label` field's options

Reading `Converted`
    record set: converted, maybe with warnings in `issues` (a value that could not be read is
    left empty or kept raw, and named). record None with issues: the item is malformed (no id,
    no stage on a stage change, not an object) and must be reported and skipped. record None
    and no issues: the item is not of this kind and is ignored on purpose (built-in field
    definitions, flow items other than stage changes).

Versions
    `version` is "v1" or "v2". Scalar keys are read under either version's name (`owner_id` or
    v1's `user_id` object, `emails` or `email`, `is_deleted` or `active_flag`), so the version
    only decides where custom fields live: v2 nests them in `custom_fields`, v1 puts them at the
    root under their hash key with `_currency`, `_until`, `_route`… siblings. Times are read as
    RFC 3339 (with or without Z, with or without fraction), v1's "YYYY-MM-DD HH:MM:SS" (UTC) or
    epoch seconds, and returned as aware UTC datetimes; flags as true/false, 0/1, "0"/"1".

Custom fields
    `fields` maps a field key to its `Field` definition (from `convert_field`, the entity's own:
    lead items take the *deal* definitions). Values are normalized as `records.py` says: enum →
    OptionRef with the definition's label, even for an option deleted since; set → list of
    OptionRef (from [1, 2], "1,2", [{id, label}] or {"values": […]}); monetary → Money; double
    and int → Decimal; date → date; daterange → DateRange; address → Address; user / org /
    people → Ref; varchar, text, phone… → str; boolean → bool. An option id the definitions do
    not know gives OptionRef(id, label=None) (or the label the item itself carries) and an issue;
    a key without a definition, or a value its type cannot read, is kept raw with an issue;
    other types (time, timerange, deal, lead, project…) are kept raw (v1 siblings gathered into
    a dict). Null and empty values are left out. With `fields=None` every custom value is kept
    raw, without issues.

Deal stage history
    The flow lists `dealChange` items; only those with `data.field_key == "stage_id"` become
    StageChange (source id = the change log id, `log_time` as the moment). The research does not
    show the flow recording a deal's first stage; an `add_time` dealChange (which some sync tools
    read) most likely logs an *edit* of the creation date and names no stage, so it is ignored
    like every other kind. The importer rebuilds the entry into the first stage with
    `initial_stage_change(deal, changes)`: at the deal's `add_time`, into the `from_stage` of its
    earliest recorded change, or into its current stage when it never moved.

Deal products
    `discount` is a percentage: an amount discount (`discount_type: "amount"`) is converted to
    the percentage of quantity × item price it represents.
"""

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from apogee.integrations.pipedrive.records import (
    Activity,
    ActivityType,
    Address,
    Contact,
    DateRange,
    Deal,
    DealProduct,
    Field,
    FieldOption,
    Lead,
    LeadLabel,
    Money,
    Note,
    OptionRef,
    Organization,
    Person,
    Pipeline,
    Product,
    Record,
    Ref,
    Stage,
    StageChange,
    User,
)

VERSIONS = ("v1", "v2")
HASH_KEY_RE = re.compile(r"^[0-9a-f]{40}$")
CLOCK_RE = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?$")
ADDRESS_PARTS = (
    "street_number",
    "route",
    "sublocality",
    "locality",
    "admin_area_level_1",
    "admin_area_level_2",
    "postal_code",
    "country",
)
TEXT_TYPES = frozenset({"varchar", "text", "varchar_auto", "varchar_options", "phone"})
NUMBER_TYPES = frozenset({"double", "int"})
REFERENCE_TYPES = frozenset({"user", "org", "people"})
# v1 spreads these types over `<key>_<suffix>` root keys; kept raw, the siblings gathered.
RAW_SIBLINGS = ("until", "timezone_id", "timezone_name")
DEAL_STATUSES = frozenset({"open", "won", "lost", "deleted"})

# An entity's custom field definitions by key, from `convert_field`; None: no definitions at hand.
Fields = Mapping[str, Field] | None


@dataclass(frozen=True)
class ConversionIssue:
    entity: str  # one of records.ENTITIES
    source_id: str | None
    message: str


@dataclass(frozen=True)
class Converted:
    record: Record | None
    issues: tuple[ConversionIssue, ...] = ()

    @property
    def ignored(self) -> bool:
        """Not an item of this kind (a built-in field, a flow item that is no stage change)."""
        return self.record is None and not self.issues


class _Malformed(Exception):
    """The item cannot become a record; the message says why."""


# Plain value readers: None for null or empty, ValueError for what cannot be read.


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and (not value.strip() or value.startswith("0000-00-00")))


def _as_id(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, Mapping):  # v1 {value, name} objects, webhook {id} objects
        return _as_id(value.get("value", value.get("id")))
    raise ValueError(f"{value!r} is not an id")


def _as_ref(value: Any, name: Any = None) -> Ref:
    if isinstance(value, Mapping):
        name = value.get("name") or name
    return Ref(id=_as_id(value), name=_as_text(name).strip() or None)


def _as_decimal(value: Any) -> Decimal | None:
    if _blank(value):
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        raise ValueError(f"{value!r} is not a number")
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        number = Decimal("NaN")
    if not number.is_finite():
        raise ValueError(f"{value!r} is not a number")
    return number


def _as_int(value: Any) -> int | None:
    number = _as_decimal(value)
    return None if number is None else int(number.to_integral_value())


def _as_flag(value: Any) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in ("", "0", "1", "true", "false"):
        text = value.strip().lower()
        return None if not text else text in ("1", "true")
    raise ValueError(f"{value!r} is not a flag")


def _flag_or(value: Any, default: bool) -> bool:
    try:
        flag = _as_flag(value)
    except ValueError:
        return default
    return default if flag is None else flag


def _as_moment(value: Any) -> datetime | None:
    if _blank(value):
        return None
    try:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return datetime.fromtimestamp(value, tz=UTC)
        moment = datetime.fromisoformat(value.strip())
    except (ValueError, AttributeError, OverflowError, OSError):
        raise ValueError(f"{value!r} is not a time") from None
    # v1 times carry no zone and are UTC.
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _as_date(value: Any) -> date | None:
    if _blank(value):
        return None
    try:
        # A date field is a calendar date: the date part as written, whatever time may follow.
        return date.fromisoformat(value.strip()[:10])
    except (ValueError, AttributeError):
        raise ValueError(f"{value!r} is not a date") from None


def _clock(value: Any, what: str) -> tuple[int, int] | None:
    if _blank(value):
        return None
    match = CLOCK_RE.match(value.strip()) if isinstance(value, str) else None
    if not match or int(match[2]) > 59:
        raise ValueError(f"{value!r} is not a {what}")
    return int(match[1]), int(match[2])


def _as_time_of_day(value: Any) -> str | None:
    """ "15:00:00" (v2) or "15:00" (v1) → "15:00"."""
    clock = _clock(value, "time of day")
    if clock and clock[0] > 23:
        raise ValueError(f"{value!r} is not a time of day")
    return f"{clock[0]:02d}:{clock[1]:02d}" if clock else None


def _as_minutes(value: Any) -> int | None:
    """A duration "HH:MM:SS" (v2) or "HH:MM" (v1) → minutes."""
    clock = _clock(value, "duration")
    return clock[0] * 60 + clock[1] if clock else None


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Mapping) and "value" in value:  # webhook-style {"type": …, "value": …}
        return _as_text(value["value"])
    return value if isinstance(value, str) else str(value)


def _as_list(value: Any) -> list[Any]:
    """A JSON list, a "1,2" string (v1 sets and labels) or one bare value, as a list."""
    if value is None:
        return []
    if isinstance(value, str):
        return [part for part in value.split(",") if part.strip()]
    return value if isinstance(value, list) else [value]


def _is_empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _scalar(raw: Any) -> Any:
    """Unwraps webhook-style {"type": …, "value": …} custom values."""
    return raw.get("value") if isinstance(raw, Mapping) else raw


class _Item:
    """One raw item being converted: tolerant typed reads that collect issues instead of raising."""

    def __init__(self, entity: str, data: Mapping[str, Any], issues: list[ConversionIssue] | None = None):
        self.entity = entity
        self.data = data
        self.source_id: str | None = None
        self.issues: list[ConversionIssue] = [] if issues is None else issues

    def warn(self, message: str) -> None:
        self.issues.append(ConversionIssue(self.entity, self.source_id, message))

    def raw(self, *keys: str) -> Any:
        """The value of the first of `keys` present and not null."""
        return next((self.data[key] for key in keys if self.data.get(key) is not None), None)

    def read(self, parse: Callable[[Any], Any], *keys: str, default: Any = None) -> Any:
        """The first of `keys` that `parse` reads to a value; an unreadable one is named and skipped."""
        for key in keys:
            try:
                parsed = parse(self.data.get(key))
            except ValueError as exc:
                self.warn(f"{key}: {exc}; left empty")
                continue
            if parsed is not None:
                return parsed
        return default

    def require_id(self, *keys: str) -> str:
        self.source_id = self.read(_as_id, *keys)
        if self.source_id is None:
            raise _Malformed(f"no {keys[0]}")
        return self.source_id

    def text(self, *keys: str) -> str:
        return _as_text(self.raw(*keys)).strip()

    def required_text(self, *keys: str) -> str:
        text = self.text(*keys)
        if not text:
            self.warn(f"no {keys[0]}")
        return text

    def ref(self, *keys: str, name_key: str | None = None, name: Any = None) -> Ref:
        """A reference: an id, or v1's {value, name} object; `name_key` names a sibling name key."""
        name = (self.data.get(name_key) if name_key else None) or name
        return (
            self.read(lambda value: None if value is None else _as_ref(value, name) or None, *keys) or Ref()
        )

    def moment(self, *keys: str) -> datetime | None:
        return self.read(_as_moment, *keys)

    def day(self, *keys: str) -> date | None:
        return self.read(_as_date, *keys)

    def decimal(self, *keys: str, default: Decimal | None = None) -> Decimal | None:
        return self.read(_as_decimal, *keys, default=default)

    def integer(self, *keys: str) -> int | None:
        return self.read(_as_int, *keys)

    def flag(self, *keys: str, default: bool = False) -> bool:
        return self.read(_as_flag, *keys, default=default)

    def is_deleted(self, *, active_keys: tuple[str, ...] = ("active_flag", "active")) -> bool:
        """v2 `is_deleted`, v1 `deleted`, or a v1 active flag set to false."""
        return (
            any(self.flag(key) for key in ("is_deleted", "deleted"))
            or self.read(_as_flag, *active_keys) is False
        )

    def labels(self) -> list[str]:
        """Label ids: v2 `label_ids` [1, 2], v1 `label` "1,2" or 1."""
        labels = []
        for value in _as_list(self.raw("label_ids", "label")):
            try:
                label = _as_id(value)
            except ValueError:
                self.warn(f"labels: {value!r} is not a label id; skipped")
                continue
            if label:
                labels.append(label)
        return labels

    def contacts(self, *keys: str) -> list[Contact]:
        """v2 `emails`/`phones`, v1 `email`/`phone`: [{value, label, primary}] (or bare strings)."""
        raw = self.raw(*keys)
        contacts = []
        for entry in [raw] if isinstance(raw, str) else _as_list(raw):
            entry = entry if isinstance(entry, Mapping) else {"value": entry}
            value = _as_text(entry.get("value")).strip()
            if value:
                label = _as_text(entry.get("label")).strip()
                contacts.append(Contact(value, label, _flag_or(entry.get("primary"), False)))
        return contacts

    def money(self, amount: Any, currency: Any, what: str) -> Money | None:
        try:
            number = _as_decimal(amount)
        except ValueError as exc:
            self.warn(f"{what}: {exc}; left empty")
            return None
        if number is None:
            return None
        code = _as_text(currency).strip().upper()
        if not code:
            self.warn(f"{what}: {number} without a currency")
        return Money(amount=number, currency=code)


def _address(value: Any, part: Callable[[str], Any]) -> Address | None:
    parts = {name: _as_text(part(name)).strip() for name in ADDRESS_PARTS}
    text = _as_text(value).strip() or _as_text(part("formatted_address")).strip()
    if not text and not any(parts.values()):
        return None
    return Address(value=text, **parts)


# Custom fields


def _option(it: _Item, key: str, definition: Field, raw: Any) -> OptionRef:
    carried = None
    if isinstance(raw, Mapping):  # include_option_labels {id, label}, webhook {type, id}
        carried, raw = raw.get("label"), raw.get("id")
    option_id = _as_id(raw)
    label = next((option.label for option in definition.options if option.id == option_id), None)
    if label is None:
        it.warn(f"custom field {key}: option {option_id} is not among the field's options")
    return OptionRef(id=option_id, label=label if label is not None else carried or None)


def _custom_value(it: _Item, key: str, definition: Field, raw: Any, sibling: Callable[[str], Any]) -> Any:
    kind = definition.field_type
    if kind in TEXT_TYPES:
        return _as_text(raw)
    if kind in NUMBER_TYPES:
        return _as_decimal(_scalar(raw))
    if kind == "boolean":
        return _as_flag(_scalar(raw))
    if kind == "date":
        return _as_date(_scalar(raw))
    if kind in REFERENCE_TYPES:
        return _as_ref(raw)
    if kind == "enum":
        return _option(it, key, definition, raw)
    if kind == "set":
        if isinstance(raw, Mapping):  # webhook {"type": "set", "values": [{"id": 13}]}
            raw = raw.get("values")
        return [_option(it, key, definition, item) for item in _as_list(raw) if not _is_empty(item)]
    if kind == "monetary":
        if isinstance(raw, Mapping):
            return it.money(raw.get("value"), raw.get("currency"), f"custom field {key}")
        return it.money(raw, sibling("currency"), f"custom field {key}")
    if kind == "daterange":
        if isinstance(raw, Mapping):
            return DateRange(_as_date(raw.get("value", raw.get("from"))), _as_date(raw.get("until")))
        return DateRange(_as_date(raw), _as_date(sibling("until")))
    if kind == "address":
        return _address(raw.get("value"), raw.get) if isinstance(raw, Mapping) else _address(raw, sibling)
    siblings = {suffix: sibling(suffix) for suffix in RAW_SIBLINGS if sibling(suffix) is not None}
    return {"value": raw, **siblings} if siblings else raw


def _custom_fields(it: _Item, version: str, fields: Fields) -> dict[str, Any]:
    """{field key: normalized value} from v2 `custom_fields` or v1 root-level hash keys."""
    data = it.data
    if version == "v2":
        values = data.get("custom_fields") or {}
        if not isinstance(values, Mapping):
            it.warn("custom_fields is not an object; ignored")
            return {}
    else:
        known = fields or {}
        values = {key: data.get(key) for key in known}
        values.update({key: data[key] for key in data if HASH_KEY_RE.match(key) and key not in known})
    custom: dict[str, Any] = {}
    for key, raw in values.items():
        if _is_empty(raw):
            continue
        definition = fields.get(key) if fields is not None else None
        if definition is None:
            if fields is not None:
                it.warn(f"custom field {key} has no definition; value kept as is")
            custom[key] = raw
            continue
        try:
            value = _custom_value(it, key, definition, raw, _siblings(data, key, version))
        except ValueError as exc:
            it.warn(f"custom field {key} ({definition.field_type}): {exc}; value kept as is")
            value = raw
        if not _is_empty(value):
            custom[key] = value
    return custom


def _siblings(data: Mapping[str, Any], key: str, version: str) -> Callable[[str], Any]:
    """v1 spreads composite values over `<key>_<suffix>` root keys; v2 nests them in the value."""
    if version == "v2":
        return lambda _suffix: None
    return lambda suffix: data.get(f"{key}_{suffix}")


# Entities


def _user(it: _Item) -> User:
    return User(
        source_id=it.require_id("id"),
        name=it.required_text("name"),
        email=it.text("email"),
        is_active=it.flag("active_flag", "is_active", default=True),
    )


def _pipeline(it: _Item) -> Pipeline:
    return Pipeline(
        source_id=it.require_id("id"),
        name=it.required_text("name"),
        order=it.integer("order_nr") or 0,
        is_deleted=it.is_deleted(),
    )


def _stage(it: _Item) -> Stage:
    source_id = it.require_id("id")
    pipeline = it.ref("pipeline_id", name_key="pipeline_name")
    if not pipeline:
        it.warn("no pipeline_id")
    rot_enabled = it.read(_as_flag, "is_deal_rot_enabled", "rotten_flag")
    return Stage(
        source_id=source_id,
        name=it.required_text("name"),
        pipeline=pipeline,
        order=it.integer("order_nr") or 0,
        probability=it.integer("deal_probability"),
        rotting_days=None if rot_enabled is False else (it.integer("days_to_rotten", "rotten_days") or None),
        is_deleted=it.is_deleted(),
    )


def _field(it: _Item, entity: str) -> Field | None:
    key = it.require_id("field_code", "key")
    custom = it.read(_as_flag, "is_custom_field", "edit_flag")
    if custom is False or (custom is None and not HASH_KEY_RE.match(key)):
        return None
    options: dict[str, FieldOption] = {}
    # Deleted first, active last: an id listed in both stays active.
    for raw_options, is_deleted in ((it.raw("options_deleted"), True), (it.raw("options"), False)):
        for option in raw_options if isinstance(raw_options, list) else []:
            try:
                option_id = _as_id(option.get("id")) if isinstance(option, Mapping) else None
            except ValueError:
                option_id = None
            if option_id is None:
                it.warn(f"an option without id: {option!r}; skipped")
                continue
            options[option_id] = FieldOption(option_id, _as_text(option.get("label")).strip(), is_deleted)
    field_type = it.required_text("field_type")
    return Field(
        source_id=key,
        entity=entity,
        name=it.text("field_name", "name") or key,
        field_type=field_type,
        options=sorted(options.values(), key=lambda option: option.is_deleted),
    )


def _organization(it: _Item, version: str, fields: Fields) -> Organization:
    source_id = it.require_id("id")
    raw_address = it.data.get("address")
    if isinstance(raw_address, Mapping):
        address = _address(raw_address.get("value"), raw_address.get)
    else:  # v1: the full address in `address`, its parts in flat `address_<part>` keys
        address = _address(raw_address, lambda part: it.data.get(f"address_{part}"))
    return Organization(
        source_id=source_id,
        name=it.required_text("name"),
        owner=it.ref("owner_id", name_key="owner_name"),
        address=address,
        website=it.text("website"),
        labels=it.labels(),
        add_time=it.moment("add_time"),
        update_time=it.moment("update_time"),
        is_deleted=it.is_deleted(),
        custom=_custom_fields(it, version, fields),
    )


def _person(it: _Item, version: str, fields: Fields) -> Person:
    source_id = it.require_id("id")
    first_name, last_name = it.text("first_name"), it.text("last_name")
    name = it.text("name") or f"{first_name} {last_name}".strip()
    if not name:
        it.warn("no name")
    return Person(
        source_id=source_id,
        name=name,
        first_name=first_name,
        last_name=last_name,
        organization=it.ref("org_id", name_key="org_name"),
        owner=it.ref("owner_id", name_key="owner_name"),
        emails=it.contacts("emails", "email"),
        phones=it.contacts("phones", "phone"),
        job_title=it.text("job_title"),
        labels=it.labels(),
        add_time=it.moment("add_time"),
        update_time=it.moment("update_time"),
        is_deleted=it.is_deleted(),
        custom=_custom_fields(it, version, fields),
    )


def _deal(it: _Item, version: str, fields: Fields) -> Deal:
    source_id = it.require_id("id")
    status = it.text("status").lower()
    if not status:
        it.warn("no status; taken as open")
        status = "open"
    elif status not in DEAL_STATUSES:
        it.warn(f"unknown status {status!r}; kept")
    stage = it.ref("stage_id")
    if not stage:
        it.warn("no stage_id")
    return Deal(
        source_id=source_id,
        title=it.required_text("title"),
        pipeline=it.ref("pipeline_id"),
        stage=stage,
        status=status,
        value=it.decimal("value", default=Decimal("0")),
        currency=it.text("currency").upper(),
        owner=it.ref("owner_id", "user_id", name_key="owner_name"),
        organization=it.ref("org_id", name_key="org_name"),
        person=it.ref("person_id", name_key="person_name"),
        expected_close_date=it.day("expected_close_date"),
        add_time=it.moment("add_time"),
        update_time=it.moment("update_time"),
        stage_change_time=it.moment("stage_change_time"),
        won_time=it.moment("won_time"),
        lost_time=it.moment("lost_time"),
        close_time=it.moment("close_time"),
        lost_reason=it.text("lost_reason"),
        labels=it.labels(),
        probability=it.integer("probability"),
        is_archived=it.flag("is_archived"),
        # v1's `active` means "open", not "not deleted": only the deletion marks count.
        is_deleted=status == "deleted" or it.is_deleted(active_keys=()),
        visible_to=it.text("visible_to"),
        custom=_custom_fields(it, version, fields),
    )


def _stage_change(it: _Item, deal_id: Any) -> StageChange | None:
    if "object" in it.data:  # a /flow item; a /changelog entry is the change itself
        if it.data.get("object") != "dealChange":
            return None
        if not isinstance(it.data.get("data"), Mapping):
            raise _Malformed("dealChange without data")
        change = _Item(it.entity, it.data["data"], it.issues)
    else:
        change = it
    if change.data.get("field_key") != "stage_id":
        return None
    it.source_id = change.require_id("id")
    deal = change.ref("item_id") or _as_ref(deal_id)
    if not deal:
        raise _Malformed("no item_id (the deal)")
    at = change.moment("log_time", "time") or it.moment("timestamp")
    if at is None:
        raise _Malformed("no log_time")
    names = change.data.get("additional_data")
    names = names if isinstance(names, Mapping) else {}
    to_stage = change.ref("new_value", name=names.get("new_value_formatted"))
    if not to_stage.id:
        raise _Malformed("no new_value (the stage moved to)")
    return StageChange(
        source_id=it.source_id,
        deal=Ref(id=deal.id),
        from_stage=change.ref("old_value", name=names.get("old_value_formatted")),
        to_stage=to_stage,
        at=at,
        user=change.ref("user_id", "actor_user_id"),
    )


def _lead_label(it: _Item) -> LeadLabel:
    return LeadLabel(source_id=it.require_id("id"), name=it.required_text("name"), color=it.text("color"))


def _lead(it: _Item, fields: Fields) -> Lead:
    source_id = it.require_id("id")
    raw_value, value = it.raw("value"), None
    if isinstance(raw_value, Mapping):
        value = it.money(raw_value.get("amount", raw_value.get("value")), raw_value.get("currency"), "value")
    elif raw_value is not None:
        it.warn(f"value: {raw_value!r} is not an {{amount, currency}} object; left empty")
    labels = []
    for label in _as_list(it.raw("label_ids")):
        try:
            labels.append(Ref(id=_as_id(label)))
        except ValueError:
            it.warn(f"label_ids: {label!r} is not a label id; skipped")
    return Lead(
        source_id=source_id,
        title=it.required_text("title"),
        owner=it.ref("owner_id"),
        person=it.ref("person_id"),
        organization=it.ref("organization_id", "org_id"),
        labels=labels,
        value=value,
        expected_close_date=it.day("expected_close_date"),
        source_name=it.text("source_name"),
        add_time=it.moment("add_time"),
        update_time=it.moment("update_time"),
        is_archived=it.flag("is_archived"),
        custom=_custom_fields(it, "v1", fields),
    )


def _activity_type(it: _Item) -> ActivityType:
    return ActivityType(
        source_id=it.require_id("key_string"),
        name=it.required_text("name"),
        icon_key=it.text("icon_key"),
        is_active=it.flag("active_flag", "is_active", default=True),
    )


def _activity(it: _Item) -> Activity:
    source_id = it.require_id("id")
    kind = it.required_text("type")
    participants, primary = [], Ref()
    raw_participants = it.raw("participants")
    for entry in raw_participants if isinstance(raw_participants, list) else []:
        person = _Item(it.entity, entry, it.issues).ref("person_id") if isinstance(entry, Mapping) else Ref()
        if not person:
            it.warn(f"participants: {entry!r} names no person; skipped")
            continue
        participants.append(person)
        if not primary and _flag_or(entry.get("primary", entry.get("primary_flag")), False):
            primary = person
    return Activity(
        source_id=source_id,
        subject=it.text("subject"),
        type=Ref(id=kind or None),
        due_date=it.day("due_date"),
        due_time=it.read(_as_time_of_day, "due_time", default=""),
        duration_minutes=it.read(_as_minutes, "duration"),
        owner=it.ref("owner_id", "user_id", name_key="owner_name"),
        deal=it.ref("deal_id", name_key="deal_title"),
        lead=it.ref("lead_id"),
        # v2 sets the person through the primary participant; `person_id` is read-only there.
        person=it.ref("person_id", name_key="person_name") or primary,
        organization=it.ref("org_id", name_key="org_name"),
        participants=participants,
        done=it.flag("done"),
        done_time=it.moment("marked_as_done_time"),
        note=it.text("note"),
        add_time=it.moment("add_time"),
        update_time=it.moment("update_time"),
        is_deleted=it.is_deleted(),
    )


def _note(it: _Item) -> Note:
    def related_name(key: str, name_key: str) -> Any:
        related = it.data.get(key)
        return related.get(name_key) if isinstance(related, Mapping) else None

    return Note(
        source_id=it.require_id("id"),
        content=_as_text(it.raw("content")),  # HTML kept as is: the importer sanitizes it
        user=it.ref("user_id", name=related_name("user", "name")),
        deal=it.ref("deal_id", name=related_name("deal", "title")),
        lead=it.ref("lead_id"),
        person=it.ref("person_id", name=related_name("person", "name")),
        organization=it.ref("org_id", name=related_name("organization", "name")),
        # One flag per parent in Pipedrive; Apogee pins a note once, so pinned anywhere is pinned.
        pinned=any(
            it.flag(f"pinned_to_{parent}_flag") for parent in ("deal", "lead", "organization", "person")
        ),
        add_time=it.moment("add_time"),
        update_time=it.moment("update_time"),
    )


def _product(it: _Item, version: str, fields: Fields) -> Product:
    source_id = it.require_id("id")
    raw_prices = it.raw("prices")
    prices = [
        it.money(entry.get("price"), entry.get("currency"), "prices")
        for entry in (raw_prices if isinstance(raw_prices, list) else [])
        if isinstance(entry, Mapping)
    ]
    return Product(
        source_id=source_id,
        name=it.required_text("name"),
        code=it.text("code"),
        unit=it.text("unit"),
        prices=[price for price in prices if price is not None],
        is_deleted=it.is_deleted(),
        custom=_custom_fields(it, version, fields),
    )


def _deal_product(it: _Item, deal_id: Any) -> DealProduct:
    source_id = it.require_id("id")
    deal = it.ref("deal_id") or _as_ref(deal_id)
    if not deal:
        raise _Malformed("no deal_id")
    product = it.ref("product_id")
    if not product:
        raise _Malformed("no product_id")
    quantity = it.decimal("quantity", default=Decimal("1"))
    item_price = it.decimal("item_price", default=Decimal("0"))
    discount = it.decimal("discount", "discount_percentage", default=Decimal("0"))
    if discount and it.text("discount_type").lower() == "amount":
        if gross := quantity * item_price:
            discount = (discount * 100 / gross).quantize(Decimal("0.0001")).normalize()
        else:
            it.warn(f"discount of {discount} on a line worth 0; dropped")
            discount = Decimal("0")
    return DealProduct(
        source_id=source_id,
        deal=Ref(id=deal.id),
        product=Ref(id=product.id, name=it.text("name") or None),
        quantity=quantity,
        item_price=item_price,
        currency=it.text("currency").upper(),
        discount=discount,
    )


# Public API


def _run(entity: str, item: Any, build: Callable[[_Item], Record | None]) -> Converted:
    if not isinstance(item, Mapping):
        return Converted(
            None, (ConversionIssue(entity, None, f"expected an object, got {type(item).__name__}"),)
        )
    it = _Item(entity, item)
    try:
        record = build(it)
    except _Malformed as exc:
        it.warn(f"skipped: {exc}")
        return Converted(None, tuple(it.issues))
    except (LookupError, TypeError, ValueError, AttributeError, ArithmeticError) as exc:
        # A shape nobody foresaw: report the item rather than stop the import.
        it.warn(f"skipped: unexpected shape ({type(exc).__name__}: {exc})")
        return Converted(None, tuple(it.issues))
    return Converted(record, tuple(it.issues))


def _check_version(version: str) -> None:
    if version not in VERSIONS:
        raise ValueError(f"version must be one of {VERSIONS}, not {version!r}")


def convert_user(item: Mapping[str, Any]) -> Converted:
    return _run("user", item, _user)


def convert_pipeline(item: Mapping[str, Any], *, version: str) -> Converted:
    _check_version(version)
    return _run("pipeline", item, _pipeline)


def convert_stage(item: Mapping[str, Any], *, version: str) -> Converted:
    _check_version(version)
    return _run("stage", item, _stage)


def convert_field(item: Mapping[str, Any], *, version: str, entity: str) -> Converted:
    """A custom field definition of `entity` (deal, person, …); built-in fields are ignored."""
    _check_version(version)
    return _run("field", item, lambda it: _field(it, entity))


def convert_organization(item: Mapping[str, Any], *, version: str, fields: Fields = None) -> Converted:
    _check_version(version)
    return _run("organization", item, lambda it: _organization(it, version, fields))


def convert_person(item: Mapping[str, Any], *, version: str, fields: Fields = None) -> Converted:
    _check_version(version)
    return _run("person", item, lambda it: _person(it, version, fields))


def convert_deal(item: Mapping[str, Any], *, version: str, fields: Fields = None) -> Converted:
    _check_version(version)
    return _run("deal", item, lambda it: _deal(it, version, fields))


def convert_stage_change(item: Mapping[str, Any], *, deal_id: str | int | None = None) -> Converted:
    """A v1 deal flow item (or changelog entry); `deal_id` serves when the item names no deal."""
    return _run("stage_change", item, lambda it: _stage_change(it, deal_id))


def convert_lead_label(item: Mapping[str, Any]) -> Converted:
    return _run("lead_label", item, _lead_label)


def convert_lead(item: Mapping[str, Any], *, fields: Fields = None) -> Converted:
    """A v1 lead; `fields` are the *deal* field definitions, which leads inherit."""
    return _run("lead", item, lambda it: _lead(it, fields))


def convert_activity_type(item: Mapping[str, Any]) -> Converted:
    return _run("activity_type", item, _activity_type)


def convert_activity(item: Mapping[str, Any], *, version: str) -> Converted:
    _check_version(version)
    return _run("activity", item, _activity)


def convert_note(item: Mapping[str, Any]) -> Converted:
    return _run("note", item, _note)


def convert_product(item: Mapping[str, Any], *, version: str, fields: Fields = None) -> Converted:
    _check_version(version)
    return _run("product", item, lambda it: _product(it, version, fields))


def convert_deal_product(
    item: Mapping[str, Any], *, version: str, deal_id: str | int | None = None
) -> Converted:
    _check_version(version)
    return _run("deal_product", item, lambda it: _deal_product(it, deal_id))


V1_ONLY = frozenset({"user", "stage_change", "lead_label", "lead", "activity_type", "note"})


def convert(
    entity: str,
    item: Mapping[str, Any],
    *,
    version: str,
    fields: Fields = None,
    field_entity: str | None = None,
    deal_id: str | int | None = None,
) -> Converted:
    """Converts one item of `entity` (records.ENTITIES). An unknown entity, a version Pipedrive
    lacks for it or a field definition without `field_entity` is a programming error and raises
    ValueError; bad data never raises."""
    _check_version(version)
    if entity in V1_ONLY and version != "v1":
        raise ValueError(f"Pipedrive has no {version} API for {entity}")
    match entity:
        case "user":
            return convert_user(item)
        case "pipeline":
            return convert_pipeline(item, version=version)
        case "stage":
            return convert_stage(item, version=version)
        case "field" if field_entity:
            return convert_field(item, version=version, entity=field_entity)
        case "field":
            raise ValueError("field definitions need field_entity (deal, person, organization, …)")
        case "organization":
            return convert_organization(item, version=version, fields=fields)
        case "person":
            return convert_person(item, version=version, fields=fields)
        case "deal":
            return convert_deal(item, version=version, fields=fields)
        case "stage_change":
            return convert_stage_change(item, deal_id=deal_id)
        case "lead_label":
            return convert_lead_label(item)
        case "lead":
            return convert_lead(item, fields=fields)
        case "activity_type":
            return convert_activity_type(item)
        case "activity":
            return convert_activity(item, version=version)
        case "note":
            return convert_note(item)
        case "product":
            return convert_product(item, version=version, fields=fields)
        case "deal_product":
            return convert_deal_product(item, version=version, deal_id=deal_id)
    raise ValueError(f"unknown entity {entity!r}")


def initial_stage_change(deal: Deal, changes: Iterable[StageChange]) -> StageChange | None:
    """The deal's entry into its first stage, which the flow does not record.

    At the deal's `add_time`, into the `from_stage` of its earliest stage change, or into its
    current stage when it never moved (never later than that first move); None without an
    `add_time`. The source id
    "<deal id>:created" is stable, so a re-import finds the same entry.
    """
    if deal.add_time is None:
        return None
    own = sorted((change for change in changes if change.deal.id == deal.source_id), key=lambda c: c.at)
    first_stage = own[0].from_stage if own and own[0].from_stage else deal.stage
    if not first_stage:
        return None
    # An edited creation date can fall after the first move; the entry must still come first.
    at = min(deal.add_time, own[0].at) if own else deal.add_time
    return StageChange(
        source_id=f"{deal.source_id}:created",
        deal=Ref(id=deal.source_id),
        from_stage=Ref(),
        to_stage=first_stage,
        at=at,
    )


def label_options(item: Mapping[str, Any]) -> list[FieldOption] | None:
    """The options of the built-in `label` field of deals, persons or organizations.

    Records carry label *ids* (`labels`); their names live only in this built-in field's
    definition, which `convert_field` ignores. None for any other field definition.
    """
    if not isinstance(item, Mapping) or (item.get("field_code") or item.get("key")) not in (
        "label",
        "label_ids",
    ):
        return None
    options = []
    for option in item.get("options") or []:
        if isinstance(option, Mapping) and isinstance(option.get("id"), int | str):
            options.append(FieldOption(str(option["id"]), _as_text(option.get("label")).strip()))
    return options
