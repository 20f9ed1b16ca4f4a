"""Deal filters from a query string, shared by the board, the list, CSV export, saved views and the API.

Parameters: pipeline, stage, owner (repeatable), status (open|won|lost|all),
organization, end_customer, q (title contains), currency, value_min, value_max, close_from,
close_to, and f=<custom key>:<operator>:<value> (repeatable) for custom fields,
e.g. f=opportunity_type:eq:esa or f=product_line:has:motor or f=mission:empty:.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from django.db.models import Q
from django.utils.translation import gettext as _

from apogee.customfields.filters import InvalidFilter, custom_value_q
from apogee.customfields.queries import definitions_for

from .models import DealStatus

FILTER_PARAMS = (
    "pipeline",
    "stage",
    "owner",
    "status",
    "organization",
    "end_customer",
    "q",
    "currency",
    "value_min",
    "value_max",
    "close_from",
    "close_to",
    "f",
)


@dataclass
class DealFilter:
    q: Q = field(default_factory=Q)
    errors: dict[str, list[str]] = field(default_factory=dict)
    status: str = "open"
    custom: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def is_valid(self) -> bool:
        return not self.errors


MAX_ID = 2**63 - 1
MAX_AMOUNT = Decimal("1e12")


def _ints(values) -> list[int] | None:
    """Ids as integers, or None when one is not an id (text, zero, negative, beyond a 64-bit key)."""
    try:
        ids = [int(v) for v in values if str(v).strip()]
    except (TypeError, ValueError):
        return None
    return ids if all(0 < i <= MAX_ID for i in ids) else None


def _has_nul(values) -> bool:
    # PostgreSQL refuses NUL in text parameters; no real search contains one.
    return any("\x00" in str(v) for v in values)


def parse_deal_filter(params, *, default_status: str = "open") -> DealFilter:
    """Compile query parameters (a QueryDict or a dict of lists) into one Q; collect errors by parameter."""
    get_list = params.getlist if hasattr(params, "getlist") else (lambda k: list(params.get(k, [])))
    result = DealFilter()
    cond = Q()
    for name in FILTER_PARAMS:
        if _has_nul(get_list(name)):
            result.errors[name] = [_("Text may not contain NUL characters.")]
    if result.errors:
        return result

    status = (get_list("status") or [default_status])[-1] or default_status
    if status not in (*DealStatus.values, "all"):
        result.errors["status"] = [_("Choose open, won, lost or all.")]
    else:
        result.status = status
        if status != "all":
            cond &= Q(status=status)

    for name, lookup in (
        ("pipeline", "pipeline_id__in"),
        ("stage", "stage_id__in"),
        ("owner", "owner_id__in"),
        ("organization", "organization_id__in"),
        ("end_customer", "end_customer_id__in"),
    ):
        values = get_list(name)
        if values:
            ids = _ints(values)
            if ids is None:
                result.errors[name] = [_("Give numeric ids.")]
            elif ids:
                cond &= Q(**{lookup: ids})

    text = " ".join(get_list("q")).strip()
    if text:
        cond &= Q(title__icontains=text) | Q(organization__name__icontains=text)
    currencies = [c.upper() for c in get_list("currency") if c]
    if currencies:
        cond &= Q(currency__in=currencies)

    for name, lookup in (("value_min", "value__gte"), ("value_max", "value__lte")):
        raw = (get_list(name) or [""])[-1]
        if raw:
            try:
                number = Decimal(raw)
                if not number.is_finite() or abs(number) >= MAX_AMOUNT:
                    raise InvalidOperation
                cond &= Q(**{lookup: number})
            except (InvalidOperation, ValueError):
                result.errors[name] = [_("Enter a number.")]
    for name, lookup in (
        ("close_from", "expected_close_date__gte"),
        ("close_to", "expected_close_date__lte"),
    ):
        raw = (get_list(name) or [""])[-1]
        if raw:
            try:
                cond &= Q(**{lookup: date.fromisoformat(raw)})
            except ValueError:
                result.errors[name] = [_("Enter a date as YYYY-MM-DD.")]

    raw_custom = [f for f in get_list("f") if f]
    if raw_custom:
        definitions = {d.key: d for d in definitions_for("deal")}
        for raw in raw_custom:
            key, _sep, rest = raw.partition(":")
            op, _sep, value = rest.partition(":")
            definition = definitions.get(key)
            if definition is None:
                result.errors.setdefault("f", []).append(_("Unknown field: %s") % key)
                continue
            try:
                cond &= custom_value_q(definition, op or "eq", value)
                result.custom.append((key, op or "eq", value))
            except InvalidFilter as error:
                result.errors.setdefault("f", []).append(f"{definition.label}: {error}")
    result.q = cond
    return result
