"""The deal list: user-chosen columns, sorting, the shared filters, pagination and CSV export."""

from dataclasses import dataclass

from django.db.models import F, QuerySet
from django.db.models.fields.json import KeyTextTransform
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apogee.core.money import format_money
from apogee.core.queries import BaseConverter
from apogee.customfields.queries import ValueFormatter, definitions_for

from .models import Deal


@dataclass(frozen=True)
class ColumnSpec:
    key: str
    label: str
    sort: str | None  # the ORM ordering, or None when the column cannot sort
    numeric: bool = False


BUILT_IN_COLUMNS = [
    ColumnSpec("title", _("Title"), "title"),
    ColumnSpec("organization", _("Organization"), "organization__name"),
    ColumnSpec("end_customer", _("End customer"), "end_customer__name"),
    ColumnSpec("tender_reference", _("Tender reference"), "tender_reference"),
    ColumnSpec("submission_deadline", _("Submission deadline"), "submission_deadline"),
    ColumnSpec("pipeline", _("Pipeline"), "pipeline__position"),
    ColumnSpec("stage", _("Stage"), "stage__position"),
    ColumnSpec("status", _("Status"), "status"),
    ColumnSpec("value", _("Value"), "value", numeric=True),
    ColumnSpec("value_base", _("Value (base currency)"), None, numeric=True),
    ColumnSpec("weighted", _("Weighted value (base)"), None, numeric=True),
    ColumnSpec("expected_close_date", _("Expected close"), "expected_close_date"),
    ColumnSpec("owner", _("Owner"), "owner__first_name"),
    ColumnSpec("created_at", _("Created"), "created_at"),
    ColumnSpec("updated_at", _("Updated"), "updated_at"),
]
DEFAULT_COLUMNS = [
    "title",
    "organization",
    "pipeline",
    "stage",
    "status",
    "value",
    "expected_close_date",
    "owner",
]


def available_columns() -> list[ColumnSpec]:
    custom = [ColumnSpec(f"cf_{d.key}", d.label, f"cf_{d.key}") for d in definitions_for("deal")]
    return BUILT_IN_COLUMNS + custom


def chosen_columns(keys: list[str]) -> list[ColumnSpec]:
    by_key = {c.key: c for c in available_columns()}
    chosen = [by_key[k] for k in keys if k in by_key]
    return chosen or [by_key[k] for k in DEFAULT_COLUMNS]


def apply_sort(deals: QuerySet[Deal], sort: str, columns: list[ColumnSpec]) -> tuple[QuerySet[Deal], str]:
    """Sort by a known column (prefix '-' for descending); anything else falls back to newest first."""
    descending = sort.startswith("-")
    key = sort.lstrip("-")
    spec = next((c for c in available_columns() if c.key == key and c.sort), None)
    if spec is None:
        return deals.order_by("-id"), ""
    if spec.sort.startswith("cf_"):
        deals = deals.annotate(_sort=KeyTextTransform(spec.sort[3:], "custom_values"))
        expression = F("_sort")
    else:
        expression = F(spec.sort)
    ordered = expression.desc(nulls_last=True) if descending else expression.asc(nulls_last=True)
    return deals.order_by(ordered, "-id"), sort


class RowFormatter:
    """Formats one page (or one CSV chunk) of deals; references resolved in one query per kind."""

    def __init__(self, deals: list[Deal], columns: list[ColumnSpec], convert: BaseConverter):
        self.columns = columns
        self.convert = convert
        self.custom = ValueFormatter(list(definitions_for("deal")), [d.custom_values for d in deals])

    def cells(self, deal: Deal) -> list[str]:
        return [self.cell(deal, c.key) for c in self.columns]

    def cell(self, deal: Deal, key: str) -> str:
        if key.startswith("cf_"):
            return self.custom.format(key[3:], deal.custom_values.get(key[3:]))
        if key == "organization":
            return deal.organization.name if deal.organization_id else ""
        if key == "end_customer":
            return deal.end_customer.name if deal.end_customer_id else ""
        if key == "pipeline":
            return deal.pipeline.name
        if key == "stage":
            return deal.stage.name
        if key == "status":
            return str(deal.get_status_display())
        if key == "value":
            return format_money(deal.value, deal.currency)
        if key in ("value_base", "weighted"):
            amount = self.convert(deal.value, deal.currency)
            if amount is None:
                return "?"
            if key == "weighted":
                amount = amount * deal.stage.probability / 100
            return format_money(amount, self.convert.base)
        if key == "owner":
            return str(deal.owner)
        if key in ("created_at", "updated_at"):
            return getattr(deal, key).strftime("%Y-%m-%d")
        if key == "submission_deadline":
            moment = deal.submission_deadline
            return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""
        value = getattr(deal, key)
        return "" if value is None else str(value)
