"""Won and lost: count and value in the base currency per period (or per group), lost reasons, win rate.

A deal counts by its outcome as it stands: won in the period it was won, lost in the period
it was lost. A deal lost, reopened and then won counts once, as won. Each amount is converted
at the rate in force on the day the deal closed, so the aggregate groups by that day and
currency (a few thousand rows at most) and the conversion happens here.
"""

from collections import defaultdict
from decimal import Decimal

from django.db.models import Count, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from apogee.accounts.models import User
from apogee.deals.models import Deal, DealStatus
from apogee.insights.computations import bucket_end, bucket_start, buckets_between, rate
from apogee.insights.spec import ReportSpec

from .base import (
    COUNT,
    MONEY,
    PERCENT,
    TEXT,
    Column,
    Money,
    Report,
    Row,
    Series,
    Table,
    drill_url,
    period_bounds,
    scoped_deals,
)
from .labels import bucket_label

OUTCOMES = {DealStatus.WON: "won_at", DealStatus.LOST: "lost_at"}


def _closed(user: User, spec: ReportSpec, status: str) -> QuerySet[Deal]:
    start, end = period_bounds(spec)
    moment = OUTCOMES[status]
    return scoped_deals(user, spec).filter(status=status, **{f"{moment}__gte": start, f"{moment}__lt": end})


def build(user: User, spec: ReportSpec, params) -> Report:
    money = Money()
    grouping = spec.grouping
    zone = timezone.get_current_timezone()
    # counts[outcome][row key], values[outcome][row key]
    counts: dict[str, dict] = {s: defaultdict(int) for s in OUTCOMES}
    values: dict[str, dict] = {s: defaultdict(lambda: Decimal("0")) for s in OUTCOMES}
    reasons = _Reasons()
    for status, moment in OUTCOMES.items():
        keys = ["day", "currency", *([grouping.column] if grouping else [])]
        if status == DealStatus.LOST:
            # The lost-reasons table comes from the same aggregate: one scan of the lost deals.
            keys += ["lost_reason_id", "lost_reason__label"]
        rows = (
            _closed(user, spec, status)
            .annotate(day=TruncDate(moment, tzinfo=zone))
            .values(*keys)
            .annotate(n=Count("id"), total=Sum("value"))
            .order_by()
        )
        for row in rows:
            converted = money.convert(row["total"], row["currency"], row["day"])
            if status == DealStatus.LOST:
                reasons.add(row, converted)
            for key in (
                grouping.keys_of(row[grouping.column])
                if grouping
                else [bucket_start(row["day"], spec.interval)]
            ):
                counts[status][key] += row["n"]
                if converted is not None:
                    values[status][key] += converted
    if grouping:
        keys = sorted(set(counts[DealStatus.WON]) | set(counts[DealStatus.LOST]))
        labels = grouping.labels(keys)
        keys.sort(key=lambda k: (k == "", labels[k].lower()))
        first_column = Column("group", grouping.label, TEXT)
        cell_of = {k: {"g": k} for k in keys}
    else:
        keys = buckets_between(spec.start, spec.end, spec.interval)
        labels = {k: bucket_label(k, spec.interval) for k in keys}
        first_column = Column("period", _("Period"), TEXT)
        cell_of = {k: {"bucket": k.isoformat()} for k in keys}

    table = Table(
        title=_("Won and lost"),
        columns=[
            first_column,
            Column("won", _("Won"), COUNT),
            Column("won_value", _("Won value"), MONEY),
            Column("lost", _("Lost"), COUNT),
            Column("lost_value", _("Lost value"), MONEY),
            Column("win_rate", _("Win rate"), PERCENT),
        ],
    )
    won_series, lost_series = [], []
    for key in keys:
        won, lost = counts[DealStatus.WON][key], counts[DealStatus.LOST][key]
        won_link = drill_url("won-lost", params, outcome="won", **cell_of[key])
        lost_link = drill_url("won-lost", params, outcome="lost", **cell_of[key])
        table.rows.append(
            Row(
                cells=[
                    labels[key],
                    won,
                    values[DealStatus.WON][key],
                    lost,
                    values[DealStatus.LOST][key],
                    rate(won, won + lost),
                ],
                links={"won": won_link, "won_value": won_link, "lost": lost_link, "lost_value": lost_link},
            )
        )
        won_series.append((values[DealStatus.WON][key], won_link))
        lost_series.append((values[DealStatus.LOST][key], lost_link))
    total_won = sum(counts[DealStatus.WON].values())
    total_lost = sum(counts[DealStatus.LOST].values())
    table.rows.append(
        Row(
            cells=[
                _("Total"),
                total_won,
                sum(values[DealStatus.WON].values(), Decimal("0")),
                total_lost,
                sum(values[DealStatus.LOST].values(), Decimal("0")),
                rate(total_won, total_won + total_lost),
            ],
            links={
                "won": drill_url("won-lost", params, outcome="won"),
                "lost": drill_url("won-lost", params, outcome="lost"),
            },
            is_total=True,
        )
    )
    return Report(
        kind="won-lost",
        title=_("Won and lost"),
        tables=[table, reasons.table(params)],
        labels=[labels[k] for k in keys],
        series=[
            Series(_("Won value"), [v for v, _link in won_series], [link for _v, link in won_series]),
            Series(_("Lost value"), [v for v, _link in lost_series], [link for _v, link in lost_series]),
        ],
        currency=money.base,
        notes=money.note(),
    )


class _Reasons:
    """The lost reasons, summed from the lost deals' aggregate rows."""

    def __init__(self):
        self.counts: dict = defaultdict(int)
        self.values: dict = defaultdict(lambda: Decimal("0"))
        self.names: dict = {}

    def add(self, row: dict, converted: Decimal | None) -> None:
        key = row["lost_reason_id"]
        self.names[key] = row["lost_reason__label"] or _("(no reason given)")
        self.counts[key] += row["n"]
        if converted is not None:
            self.values[key] += converted

    def table(self, params) -> Table:
        table = Table(
            title=_("Lost reasons"),
            columns=[
                Column("reason", _("Lost reason"), TEXT),
                Column("lost", _("Lost"), COUNT),
                Column("lost_value", _("Lost value"), MONEY),
            ],
        )
        for key in sorted(self.counts, key=lambda k: (-self.counts[k], self.names[k])):
            link = drill_url("won-lost", params, outcome="lost", reason=key if key is not None else "none")
            table.rows.append(
                Row(
                    cells=[self.names[key], self.counts[key], self.values[key]],
                    links={"lost": link, "lost_value": link},
                )
            )
        return table


def deals(user: User, spec: ReportSpec, cell: dict[str, str]) -> QuerySet[Deal]:
    outcome = DealStatus.LOST if cell.get("outcome") == "lost" else DealStatus.WON
    result = _closed(user, spec, outcome)
    if spec.grouping is not None and "g" in cell:
        result = result.filter(spec.grouping.deal_q(cell["g"]))
    if cell.get("bucket"):
        try:
            from datetime import date

            first = date.fromisoformat(cell["bucket"])
        except ValueError:
            return Deal.objects.none()
        narrowed = ReportSpec(
            start=max(first, spec.start), end=min(bucket_end(first, spec.interval), spec.end)
        )
        start, end = period_bounds(narrowed)
        moment = OUTCOMES[outcome]
        result = result.filter(**{f"{moment}__gte": start, f"{moment}__lt": end})
    reason = cell.get("reason")
    if reason == "none":
        result = result.filter(lost_reason__isnull=True)
    elif reason and reason.isdigit():
        result = result.filter(lost_reason_id=int(reason))
    return result
