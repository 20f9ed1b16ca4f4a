"""What every report returns, and what they share: the deals in scope, period bounds, money in base currency.

A report is a list of tables (the first is the main one) and one chart whose bars link to
the deals behind them. Tables hold raw numbers (Decimal, int, float, None); formatting is
the template's and the API's business, so the XLSX, the page and the JSON agree.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from apogee.accounts.models import User
from apogee.core.money import MissingExchangeRate, convert_to_base
from apogee.core.queries import rates_by_currency
from apogee.deals.models import Deal, StageChange
from apogee.deals.queries import visibility_q
from apogee.insights.spec import ReportSpec

TEXT, COUNT, MONEY, PERCENT, DAYS = "text", "count", "money", "percent", "days"


@dataclass
class Column:
    key: str
    label: str
    kind: str = TEXT


@dataclass
class Row:
    cells: list[Any]
    # Drill-down links per column key: the deals behind a number.
    links: dict[str, str] = field(default_factory=dict)
    is_total: bool = False
    flagged: bool = False


@dataclass
class Table:
    title: str
    columns: list[Column]
    rows: list[Row] = field(default_factory=list)


@dataclass
class Series:
    label: str
    data: list[Any]
    links: list[str | None]
    stack: str | None = None


@dataclass
class Report:
    kind: str
    title: str
    tables: list[Table]
    labels: list[str] = field(default_factory=list)
    series: list[Series] = field(default_factory=list)
    currency: str = ""
    notes: list[str] = field(default_factory=list)
    stacked: bool = False


def prefixed(q: Q, prefix: str) -> Q:
    """The same condition seen from a related model (`deal__` from a stage change)."""
    clone = Q()
    clone.connector, clone.negated = q.connector, q.negated
    clone.children = [
        prefixed(child, prefix) if isinstance(child, Q) else (f"{prefix}{child[0]}", child[1])
        for child in q.children
    ]
    return clone


def deal_scope(user: User, spec: ReportSpec, prefix: str = "", *, with_pipeline: bool = True) -> Q:
    """The deals a report may count: visible to the user, not deleted, matching the filters, and
    in the report's pipeline — unless the report reads stage history, where a deal counts in the
    pipelines it passed through (with_pipeline=False, or seen from a stage change)."""
    cond = visibility_q(user, prefix) & Q(**{f"{prefix}deleted_at__isnull": True})
    if spec.deal_q:
        cond &= prefixed(spec.deal_q, prefix)
    if with_pipeline and spec.pipeline is not None and prefix == "":
        cond &= Q(pipeline=spec.pipeline)
    return cond


def scoped_deals(user: User, spec: ReportSpec) -> QuerySet[Deal]:
    if not user.is_authenticated or not user.is_active:
        return Deal.objects.none()
    return Deal.objects.filter(deal_scope(user, spec))


def period_bounds(spec: ReportSpec) -> tuple[datetime, datetime]:
    """[start, end) as aware datetimes in the reader's time zone: the whole of both end days."""
    zone = timezone.get_current_timezone()
    start = timezone.make_aware(datetime.combine(spec.start, time.min), zone)
    end = timezone.make_aware(datetime.combine(spec.end + timedelta(days=1), time.min), zone)
    return start, end


def stage_changes(user: User, spec: ReportSpec, stages) -> QuerySet[StageChange]:
    """Moves into the given stages during the period, of deals in scope."""
    start, end = period_bounds(spec)
    return StageChange.objects.filter(
        deal_scope(user, spec, prefix="deal__"),
        to_stage_id__in=[s.pk for s in stages],
        changed_at__gte=start,
        changed_at__lt=end,
    )


class Money:
    """Sums amounts in the base currency, each converted at the rate in force on its own date."""

    def __init__(self):
        self.base = settings.APOGEE_BASE_CURRENCY
        self.rates = rates_by_currency()
        self.missing: set[str] = set()

    def convert(self, amount: Decimal | None, currency: str, on: date) -> Decimal | None:
        if amount is None:
            return Decimal("0")
        try:
            return convert_to_base(amount, currency, base=self.base, on=on, rates=self.rates)
        except MissingExchangeRate:
            self.missing.add(currency)
            return None

    def note(self) -> list[str]:
        if not self.missing:
            return []
        return [
            _("No exchange rate for %(currencies)s: those deals are counted but their value is left out.")
            % {"currencies": ", ".join(sorted(self.missing))}
        ]


CELL_PARAMS = ("stage_cell", "bucket", "g", "outcome", "reason")


def query_pairs(params) -> list[tuple[str, str]]:
    """(name, value) pairs of a QueryDict, a dict or a list of pairs."""
    if hasattr(params, "lists"):
        return [(k, v) for k, values in params.lists() for v in values]
    return list(params.items()) if isinstance(params, dict) else list(params)


def drill_url(kind: str, params, **cell: Any) -> str:
    """The deals behind one number: the report's own query plus the cell's coordinates."""
    pairs = [(k, v) for k, v in query_pairs(params) if k not in CELL_PARAMS or (k == "g" and "g" not in cell)]
    pairs += [(k, str(v)) for k, v in cell.items() if v is not None]
    return f"{reverse('insights:drill', args=[kind])}?{urlencode(pairs)}"
