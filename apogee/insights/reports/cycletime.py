"""Cycle time: average and median days spent in each stage of a pipeline, and from creation to won.

Stays counted are those that began in the period (see computations.time_in_stages for how a
stay ends). Creation — the deal's first recorded move, which an import keeps — to won covers
the deals won in the period. Grouped by a field, the table shows each group's medians.
"""

from collections import defaultdict

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
    query_pairs,
    scoped_deals,
    stage_changes,
)

WON_CELL = "won"


def _won_durations(user: User, spec: ReportSpec) -> dict[str, list[float]]:
    start, end = period_bounds(spec)
    grouping = spec.grouping
    columns = ["created", "won_at", *([grouping.column] if grouping else [])]
    rows = (
        scoped_deals(user, spec)
        .filter(status=DealStatus.WON, won_at__gte=start, won_at__lt=end)
        .annotate(created=Min("stage_changes__changed_at"))
        .values_list(*columns)
    )
    durations: dict[str, list[float]] = defaultdict(list)
    for created, won_at, *group in rows:
        for key in grouping.keys_of(group[0]) if grouping else [""]:
            durations[key] += durations_in_days([(created, won_at)])
    return durations


def build(user: User, spec: ReportSpec, params) -> Report:
    stages = list(spec.pipeline.stages.order_by("position", "id")) if spec.pipeline else []
    title = _("Cycle time")
    if not stages:
        return Report(
            kind="cycle-time", title=title, tables=[], notes=[_("Choose a pipeline that has stages.")]
        )
    start, end = period_bounds(spec)
    grouping = spec.grouping
    deal_ids = stage_changes(user, spec, stages).values("deal_id")
    # Every later move of those deals ends a stay, even one into another pipeline or after the period.
    moves = list(
        StageChange.objects.filter(deal_id__in=deal_ids, changed_at__gte=start).values_list(
            "deal_id", "to_stage_id", "changed_at"
        )
    )
    deals = Deal.objects.filter(pk__in=deal_ids)
    closed = dict(
        deals.exclude(status=DealStatus.OPEN)
        .annotate(closed=Coalesce("won_at", "lost_at"))
        .values_list("pk", "closed")
    )
    to_won = _won_durations(user, spec)
    if grouping is None:
        return _single(spec, params, stages, time_in_stages(moves, closed, started_before=end), to_won[""])
    groups_of = defaultdict(list)
    for pk, raw in deals.values_list("pk", grouping.column):
        groups_of[pk] = grouping.keys_of(raw)
    moves_by_group = defaultdict(list)
    for move in moves:
        for key in groups_of.get(move[0], ()):
            moves_by_group[key].append(move)
    times = {
        key: time_in_stages(group_moves, closed, started_before=end)
        for key, group_moves in moves_by_group.items()
    }
    return _grouped(spec, params, stages, times, to_won)


def _single(spec, params, stages, times, to_won) -> Report:
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
        table.rows.append(
            Row(
                cells=[
                    stage.name,
                    entry.deals if entry else 0,
                    entry.mean_days if entry else None,
                    entry.median_days if entry else None,
                ],
                links={"deals": drill_url("cycle-time", params, stage_cell=stage.pk)},
            )
        )
    table.rows.append(
        Row(
            cells=[_("Creation → won"), len(to_won), mean(to_won), median(to_won)],
            links={"deals": drill_url("cycle-time", params, stage_cell=WON_CELL)},
            is_total=True,
        )
    )
    links = [drill_url("cycle-time", params, stage_cell=s.pk) for s in stages]
    return Report(
        kind="cycle-time",
        title=_("Cycle time"),
        tables=[table],
        labels=[stage.name for stage in stages],
        series=[
            Series(
                _("Median days"), [times[s.pk].median_days if s.pk in times else None for s in stages], links
            ),
            Series(
                _("Average days"), [times[s.pk].mean_days if s.pk in times else None for s in stages], links
            ),
        ],
        notes=[_("A stay still running (an open deal in its current stage) is not counted.")],
    )


def _grouped(spec, params, stages, times, to_won) -> Report:
    grouping = spec.grouping
    keys = sorted(set(times) | set(to_won))
    labels = grouping.labels(keys)
    keys.sort(key=lambda k: (k == "", labels[k].lower()))
    table = Table(
        title=_("Median days in each stage, by %(field)s") % {"field": grouping.label},
        columns=[Column("group", grouping.label, TEXT)]
        + [Column(f"stage-{s.pk}", s.name, DAYS) for s in stages]
        + [Column("to_won", _("Creation → won"), DAYS), Column("won", _("Won"), COUNT)],
    )
    series = []
    for key in keys:
        per_stage = times.get(key, {})
        medians = [per_stage[s.pk].median_days if s.pk in per_stage else None for s in stages]
        group_params = [*query_pairs(params), ("g", key)]
        links = {f"stage-{s.pk}": drill_url("cycle-time", group_params, stage_cell=s.pk) for s in stages}
        links["won"] = drill_url("cycle-time", group_params, stage_cell=WON_CELL)
        table.rows.append(
            Row(
                cells=[labels[key], *medians, median(to_won.get(key, [])), len(to_won.get(key, []))],
                links=links,
            )
        )
        series.append(Series(labels[key], medians, [links[f"stage-{s.pk}"] for s in stages]))
    return Report(
        kind="cycle-time",
        title=_("Cycle time"),
        tables=[table],
        labels=[stage.name for stage in stages],
        series=series,
        notes=[_("A stay still running (an open deal in its current stage) is not counted.")],
    )


def deals(user: User, spec: ReportSpec, cell: dict[str, str]) -> QuerySet[Deal]:
    stages = list(spec.pipeline.stages.order_by("position", "id")) if spec.pipeline else []
    which = cell.get("stage_cell", "")
    if which == WON_CELL:
        start, end = period_bounds(spec)
        result = scoped_deals(user, spec).filter(status=DealStatus.WON, won_at__gte=start, won_at__lt=end)
        if spec.grouping is not None and "g" in cell:
            result = result.filter(spec.grouping.deal_q(cell["g"]))
        return result
    changes = stage_changes(user, spec, stages)
    if spec.grouping is not None and "g" in cell:
        changes = changes.filter(spec.grouping.deal_q(cell["g"], prefix="deal__"))
    if which.isdigit():
        changes = changes.filter(to_stage_id=int(which))
    return Deal.objects.filter(pk__in=changes.values("deal_id"))
