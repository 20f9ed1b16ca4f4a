"""Cycle time: average and median days spent in each stage of a pipeline, and from creation to won.

Stays counted are those that began in the period (see computations.time_in_stages for how a
stay ends). Creation to won covers the deals won in the period.
"""

from django.db.models import Min, QuerySet
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from apogee.accounts.models import User
from apogee.deals.models import Deal, DealStatus, StageChange
from apogee.insights.computations import durations_in_days, mean, median, time_in_stages
from apogee.insights.spec import ReportSpec

from .base import (
    COUNT,
    DAYS,
    TEXT,
    Column,
    Report,
    Row,
    Series,
    Table,
    drill_url,
    period_bounds,
    scoped_deals,
    stage_changes,
)


def build(user: User, spec: ReportSpec, params) -> Report:
    stages = list(spec.pipeline.stages.order_by("position", "id")) if spec.pipeline else []
    title = _("Cycle time")
    if not stages:
        return Report(
            kind="cycle-time", title=title, tables=[], notes=[_("Choose a pipeline that has stages.")]
        )
    start, end = period_bounds(spec)
    deal_ids = stage_changes(user, spec, stages).values("deal_id")
    # Every later move of those deals ends a stay, even one into another pipeline or after the period.
    moves = list(
        StageChange.objects.filter(deal_id__in=deal_ids, changed_at__gte=start).values_list(
            "deal_id", "to_stage_id", "changed_at"
        )
    )
    closed = dict(
        Deal.objects.filter(pk__in=deal_ids)
        .exclude(status=DealStatus.OPEN)
        .annotate(closed=Coalesce("won_at", "lost_at"))
        .values_list("pk", "closed")
    )
    times = time_in_stages(moves, closed, started_before=end)
    table = Table(
        title=_("Days in each stage"),
        columns=[
            Column("stage", _("Stage"), TEXT),
            Column("deals", _("Deals"), COUNT),
            Column("mean", _("Average days"), DAYS),
            Column("median", _("Median days"), DAYS),
        ],
    )
    for stage in stages:
        entry = times.get(stage.pk)
        link = drill_url("cycle-time", params, stage_cell=stage.pk)
        table.rows.append(
            Row(
                cells=[
                    stage.name,
                    entry.deals if entry else 0,
                    entry.mean_days if entry else None,
                    entry.median_days if entry else None,
                ],
                links={"deals": link},
            )
        )
    won_pairs = list(
        scoped_deals(user, spec)
        .filter(status=DealStatus.WON, won_at__gte=start, won_at__lt=end)
        # Creation is the first recorded move (an imported deal keeps its original date there).
        .annotate(created=Min("stage_changes__changed_at"))
        .values_list("created", "won_at")
    )
    to_won = durations_in_days(won_pairs)
    table.rows.append(
        Row(
            cells=[_("Creation → won"), len(to_won), mean(to_won), median(to_won)],
            links={"deals": drill_url("cycle-time", params, stage_cell="won")},
            is_total=True,
        )
    )
    return Report(
        kind="cycle-time",
        title=title,
        tables=[table],
        labels=[stage.name for stage in stages],
        series=[
            Series(
                label=_("Median days"),
                data=[times[s.pk].median_days if s.pk in times else None for s in stages],
                links=[drill_url("cycle-time", params, stage_cell=s.pk) for s in stages],
            ),
            Series(
                label=_("Average days"),
                data=[times[s.pk].mean_days if s.pk in times else None for s in stages],
                links=[drill_url("cycle-time", params, stage_cell=s.pk) for s in stages],
            ),
        ],
        notes=[_("A stay still running (an open deal in its current stage) is not counted.")],
    )


def deals(user: User, spec: ReportSpec, cell: dict[str, str]) -> QuerySet[Deal]:
    stages = list(spec.pipeline.stages.order_by("position", "id")) if spec.pipeline else []
    which = cell.get("stage_cell", "")
    if which == "won":
        start, end = period_bounds(spec)
        return scoped_deals(user, spec).filter(status=DealStatus.WON, won_at__gte=start, won_at__lt=end)
    changes = stage_changes(user, spec, stages)
    if which.isdigit():
        changes = changes.filter(to_stage_id=int(which))
    return Deal.objects.filter(pk__in=changes.values("deal_id"))
