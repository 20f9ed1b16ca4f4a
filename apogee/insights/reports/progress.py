"""Deal progress: how many deals entered each stage of a pipeline, per week, month, quarter or year.

Read from the stage history: a deal that entered a stage several times in one bucket counts
once there; in two buckets, once in each. Grouped by a field, the report follows one stage
(the `stage` parameter, by default the first: new deals) with one series per group.
"""

from collections import defaultdict
from datetime import date

from django.db.models import QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from apogee.accounts.models import User
from apogee.deals.models import Deal
from apogee.insights.computations import bucket_end, bucket_start, buckets_between
from apogee.insights.spec import ReportSpec

from .base import (
    COUNT,
    TEXT,
    Column,
    Report,
    Row,
    Series,
    Table,
    drill_url,
    period_bounds,
    query_pairs,
    stage_changes,
)
from .labels import bucket_label


def build(user: User, spec: ReportSpec, params) -> Report:
    stages = list(spec.pipeline.stages.order_by("position", "id")) if spec.pipeline else []
    title = _("Deal progress")
    if not stages:
        return Report(
            kind="progress", title=title, tables=[], notes=[_("Choose a pipeline that has stages.")]
        )
    grouping = spec.grouping
    followed = stages if grouping is None else [spec.stage or stages[0]]
    zone = timezone.get_current_timezone()
    columns = ["deal_id", "to_stage_id", "day", *([f"deal__{grouping.column}"] if grouping else [])]
    rows = (
        stage_changes(user, spec, followed)
        .annotate(day=TruncDate("changed_at", tzinfo=zone))
        .values_list(*columns)
        .distinct()
        .order_by()
    )
    seen: dict[tuple[date, str], set[int]] = defaultdict(set)
    for deal_id, stage_id, day, *group in rows:
        keys = grouping.keys_of(group[0]) if grouping else [str(stage_id)]
        for key in keys:
            seen[(bucket_start(day, spec.interval), key)].add(deal_id)

    if grouping is None:
        series_keys = [(str(s.pk), s.name) for s in stages]
        table_title = _("Deals that entered each stage")
    else:
        found = sorted({key for _bucket, key in seen})
        labels = grouping.labels(found)
        found.sort(key=lambda k: (k == "", labels[k].lower()))
        series_keys = [(key, labels[key]) for key in found]
        table_title = _("Deals that entered “%(stage)s”, by %(field)s") % {
            "stage": followed[0].name,
            "field": grouping.label,
        }

    def link(bucket: date, key: str) -> str:
        if grouping is None:
            return drill_url("progress", params, bucket=bucket.isoformat(), stage_cell=key)
        return drill_url(
            "progress",
            [*query_pairs(params), ("g", key)],
            bucket=bucket.isoformat(),
            stage_cell=followed[0].pk,
        )

    buckets = buckets_between(spec.start, spec.end, spec.interval)
    table = Table(
        title=table_title,
        columns=[Column("period", _("Period"), TEXT)]
        + [Column(f"s-{key}", name, COUNT) for key, name in series_keys],
    )
    for bucket in buckets:
        table.rows.append(
            Row(
                cells=[
                    bucket_label(bucket, spec.interval),
                    *[len(seen[(bucket, key)]) for key, _n in series_keys],
                ],
                links={f"s-{key}": link(bucket, key) for key, _n in series_keys},
            )
        )
    return Report(
        kind="progress",
        title=title,
        tables=[table],
        labels=[bucket_label(b, spec.interval) for b in buckets],
        series=[
            Series(
                label=name, data=[len(seen[(b, key)]) for b in buckets], links=[link(b, key) for b in buckets]
            )
            for key, name in series_keys
        ],
    )


def deals(user: User, spec: ReportSpec, cell: dict[str, str]) -> QuerySet[Deal]:
    stages = list(spec.pipeline.stages.order_by("position", "id")) if spec.pipeline else []
    changes = stage_changes(user, spec, stages)
    if spec.grouping is not None and "g" in cell:
        changes = changes.filter(spec.grouping.deal_q(cell["g"], prefix="deal__"))
    stage = cell.get("stage_cell", "")
    if stage.isdigit():
        changes = changes.filter(to_stage_id=int(stage))
    if cell.get("bucket"):
        try:
            first = date.fromisoformat(cell["bucket"])
        except ValueError:
            return Deal.objects.none()
        narrowed = ReportSpec(
            start=max(first, spec.start), end=min(bucket_end(first, spec.interval), spec.end)
        )
        start, end = period_bounds(narrowed)
        changes = changes.filter(changed_at__gte=start, changed_at__lt=end)
    return Deal.objects.filter(pk__in=changes.values("deal_id"))
