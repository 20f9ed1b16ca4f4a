"""Forecast: open deals' value and probability-weighted value by expected close month, per pipeline.

Weighted value is the value times the win probability of the deal's current stage. Deals
whose expected close date has passed are flagged in an "Overdue" line of their own, and
deals with no date in a "No date" line, so neither hides in a month. Amounts are converted
at today's rate: they are not money yet. The period defaults to this month and the next
eleven; the aggregate groups by expected date, currency and pipeline (or the chosen field).
"""

from collections import defaultdict
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, DecimalField, ExpressionWrapper, F, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from apogee.accounts.models import User
from apogee.deals.models import Deal, DealStatus
from apogee.insights.computations import bucket_end, bucket_start, buckets_between
from apogee.insights.spec import ReportSpec
from apogee.pipelines.models import Pipeline

from .base import COUNT, MONEY, TEXT, Column, Money, Report, Row, Series, Table, drill_url, scoped_deals
from .labels import bucket_label

OVERDUE, NO_DATE = "overdue", "none"
CENT = Decimal("0.01")


def default_forecast_period(today: date) -> tuple[date, date]:
    start = today.replace(day=1)
    month = start.month - 1 + 11
    last = date(start.year + month // 12, month % 12 + 1, 1)
    return start, bucket_end(last, "month")


def _open_deals(user: User, spec: ReportSpec) -> QuerySet[Deal]:
    return scoped_deals(user, spec).filter(status=DealStatus.OPEN)


def _window(spec: ReportSpec, today: date) -> Q:
    """Open deals expected in the period, plus the overdue and the undated."""
    return (
        Q(expected_close_date__gte=max(spec.start, today), expected_close_date__lte=spec.end)
        | Q(expected_close_date__lt=today)
        | Q(expected_close_date__isnull=True)
    )


def build(user: User, spec: ReportSpec, params) -> Report:
    money = Money()
    today = timezone.localdate()
    grouping = spec.grouping
    series_column = grouping.column if grouping else "pipeline_id"
    weighted = ExpressionWrapper(F("value") * F("stage__probability"), output_field=DecimalField())
    rows = (
        _open_deals(user, spec)
        .filter(_window(spec, today))
        .values("expected_close_date", "currency", series_column)
        .annotate(n=Count("id"), total=Sum("value"), weighted=Sum(weighted))
        .order_by()
    )
    count: dict = defaultdict(lambda: defaultdict(int))
    value: dict = defaultdict(lambda: defaultdict(lambda: Decimal("0")))
    weighted_value: dict = defaultdict(lambda: defaultdict(lambda: Decimal("0")))
    for row in rows:
        expected = row["expected_close_date"]
        bucket = (
            NO_DATE if expected is None else OVERDUE if expected < today else bucket_start(expected, "month")
        )
        total = money.convert(row["total"], row["currency"], today)
        weight = money.convert(Decimal(row["weighted"] or 0) / 100, row["currency"], today)
        raw = row[series_column]
        for key in grouping.keys_of(raw) if grouping else [str(raw)]:
            count[bucket][key] += row["n"]
            if total is not None:
                value[bucket][key] += total
                weighted_value[bucket][key] += weight.quantize(CENT, rounding=ROUND_HALF_UP)

    series_keys = sorted({k for per in count.values() for k in per})
    if grouping:
        series_labels = grouping.labels(series_keys)
        series_title = grouping.label
    else:
        names = dict(Pipeline.objects.filter(pk__in=[int(k) for k in series_keys]).values_list("pk", "name"))
        series_labels = {k: names.get(int(k), k) for k in series_keys}
        series_title = _("Pipeline")
    series_keys.sort(key=lambda k: (k == "", series_labels[k].lower()))

    months = buckets_between(max(spec.start, today), spec.end, "month") if spec.end >= today else []
    buckets = [OVERDUE, *months, NO_DATE]
    bucket_names = {OVERDUE: _("Overdue"), NO_DATE: _("No date")}
    bucket_names.update({m: bucket_label(m, "month") for m in months})

    table = Table(
        title=_("Forecast"),
        columns=[
            Column("month", _("Expected close"), TEXT),
            Column("series", series_title, TEXT),
            Column("deals", _("Deals"), COUNT),
            Column("value", _("Value"), MONEY),
            Column("weighted", _("Weighted value"), MONEY),
        ],
    )
    for bucket in buckets:
        cell_bucket = bucket if isinstance(bucket, str) else bucket.isoformat()
        for key in series_keys:
            if not count[bucket][key]:
                continue
            link = drill_url("forecast", params, bucket=cell_bucket, g=key)
            table.rows.append(
                Row(
                    cells=[
                        bucket_names[bucket],
                        series_labels[key],
                        count[bucket][key],
                        value[bucket][key],
                        weighted_value[bucket][key],
                    ],
                    links={"deals": link, "value": link, "weighted": link},
                    flagged=bucket == OVERDUE,
                )
            )
    table.rows.append(
        Row(
            cells=[
                _("Total"),
                "",
                sum(sum(per.values()) for per in count.values()),
                sum((sum(per.values(), Decimal("0")) for per in value.values()), Decimal("0")),
                sum((sum(per.values(), Decimal("0")) for per in weighted_value.values()), Decimal("0")),
            ],
            is_total=True,
        )
    )
    series = [
        Series(
            label=series_labels[key],
            data=[weighted_value[b][key] for b in buckets],
            links=[
                drill_url("forecast", params, bucket=b if isinstance(b, str) else b.isoformat(), g=key)
                for b in buckets
            ],
            stack="weighted",
        )
        for key in series_keys
    ]
    notes = money.note()
    overdue = sum(count[OVERDUE].values())
    if overdue:
        notes.insert(
            0,
            ngettext(
                "%(count)d open deal has an expected close date in the past: update it or close it.",
                "%(count)d open deals have an expected close date in the past: update them or close them.",
                overdue,
            )
            % {"count": overdue},
        )
    return Report(
        kind="forecast",
        title=_("Forecast"),
        tables=[table],
        labels=[bucket_names[b] for b in buckets],
        series=series,
        currency=money.base,
        notes=notes,
        stacked=True,
    )


def deals(user: User, spec: ReportSpec, cell: dict[str, str]) -> QuerySet[Deal]:
    today = timezone.localdate()
    result = _open_deals(user, spec).filter(_window(spec, today))
    key = cell.get("g")
    if key is not None:
        if spec.grouping is not None:
            result = result.filter(spec.grouping.deal_q(key))
        elif key.isdigit():
            result = result.filter(pipeline_id=int(key))
    bucket = cell.get("bucket", "")
    if bucket == OVERDUE:
        result = result.filter(expected_close_date__lt=today)
    elif bucket == NO_DATE:
        result = result.filter(expected_close_date__isnull=True)
    elif bucket:
        try:
            first = date.fromisoformat(bucket)
        except ValueError:
            return Deal.objects.none()
        result = result.filter(
            expected_close_date__gte=max(first, today), expected_close_date__lte=bucket_end(first, "month")
        )
    return result
