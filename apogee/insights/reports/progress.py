"""Deal progress: how many deals entered each stage of a pipeline, per week, month, quarter or year.

Read from the stage history: a deal that entered a stage twice in the same bucket counts once
there; in two buckets, once in each.
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

from .base import COUNT, TEXT, Column, Report, Row, Series, Table, drill_url, period_bounds, stage_changes
from .labels import bucket_label


def build(user: User, spec: ReportSpec, params) -> Report:
    stages = list(spec.pipeline.stages.order_by("position", "id")) if spec.pipeline else []
    title = _("Deal progress")
    if not stages:
        return Report(
            kind="progress", title=title, tables=[], notes=[_("Choose a pipeline that has stages.")]
        )
    zone = timezone.get_current_timezone()
    # Distinct deals per stage and day, then per bucket: a deal entering twice on one day counts once.
    # Across days of one bucket a revisit would count twice, so the per-bucket distinct count is
    # taken from (deal, stage, bucket) triples.
    seen: dict[tuple[date, int], set[int]] = defaultdict(set)
    rows = (
        stage_changes(user, spec, stages)
        .annotate(day=TruncDate("changed_at", tzinfo=zone))
        .values_list("deal_id", "to_stage_id", "day")
        .distinct()
        .order_by()
    )
    for deal_id, stage_id, day in rows:
        seen[(bucket_start(day, spec.interval), stage_id)].add(deal_id)
    buckets = buckets_between(spec.start, spec.end, spec.interval)
    table = Table(
        title=_("Deals that entered each stage"),
        columns=[Column("period", _("Period"), TEXT)]
        + [Column(f"stage-{s.pk}", s.name, COUNT) for s in stages],
    )
    for bucket in buckets:
        links = {
            f"stage-{s.pk}": drill_url("progress", params, bucket=bucket.isoformat(), stage_cell=s.pk)
            for s in stages
        }
        table.rows.append(
            Row(
                cells=[bucket_label(bucket, spec.interval), *[len(seen[(bucket, s.pk)]) for s in stages]],
                links=links,
            )
        )
    series = [
        Series(
            label=stage.name,
            data=[len(seen[(b, stage.pk)]) for b in buckets],
            links=[drill_url("progress", params, bucket=b.isoformat(), stage_cell=stage.pk) for b in buckets],
        )
        for stage in stages
    ]
    return Report(
        kind="progress",
        title=title,
        tables=[table],
        labels=[bucket_label(b, spec.interval) for b in buckets],
        series=series,
    )


def deals(user: User, spec: ReportSpec, cell: dict[str, str]) -> QuerySet[Deal]:
    stages = list(spec.pipeline.stages.order_by("position", "id")) if spec.pipeline else []
    changes = stage_changes(user, spec, stages)
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
