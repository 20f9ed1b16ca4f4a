"""Funnel and conversion of one pipeline, from the recorded stage history over a period.

The cohort is every deal in scope that moved into a stage of the pipeline during the period
(creation counts: it records a move into the first stage). Two aggregates over the stage
changes of the period — distinct deals per stage entered, and each deal's furthest stage —
feed computations.funnel_steps; neither reads the deals' current stage.
"""

import json
from collections import defaultdict

from django.db import connection
from django.db.models import Case, IntegerField, Max, QuerySet, Value, When
from django.utils.translation import gettext as _

from apogee.accounts.models import User
from apogee.deals.models import Deal, DealStatus, StageChange
from apogee.insights.computations import funnel_steps, rate
from apogee.insights.spec import ReportSpec

from .base import (
    COUNT,
    PERCENT,
    TEXT,
    Column,
    Report,
    Row,
    Series,
    Table,
    deal_scope,
    drill_url,
    period_bounds,
    query_pairs,
    stage_changes,
)

WON_CELL = "won"


def _aggregate(user: User, spec: ReportSpec, stages) -> list[tuple]:
    """Rows of (group value, furthest stage index, deals, won deals, entered stage 0, … stage n-1).

    One pass: the stage changes of the period are reduced to one row per deal (its furthest
    stage and a flag per stage entered) before they meet the deals table, which is then read
    once per deal for visibility, filters, status and grouping — not once per change.
    """
    start, end = period_bounds(spec)
    # The stage's index in pipeline order, spelled out in SQL so no join to the stages is needed.
    index = Case(
        *[When(to_stage_id=stage.pk, then=Value(i)) for i, stage in enumerate(stages)],
        output_field=IntegerField(),
    )
    flags = {
        f"s{i}": Max(
            Case(When(to_stage_id=stage.pk, then=Value(1)), default=Value(0), output_field=IntegerField())
        )
        for i, stage in enumerate(stages)
    }
    per_deal = (
        StageChange.objects.filter(
            to_stage_id__in=[s.pk for s in stages], changed_at__gte=start, changed_at__lt=end
        )
        .values("deal_id")
        .annotate(furthest=Max(index), **flags)
        .order_by()
    )
    columns = ["id", "status", *([spec.grouping.column] if spec.grouping else [])]
    deals = Deal.objects.filter(deal_scope(user, spec, with_pipeline=False)).values(*columns).order_by()
    if not user.is_authenticated or not user.is_active:
        return []
    per_deal_sql, per_deal_params = per_deal.query.sql_with_params()
    deals_sql, deals_params = deals.query.sql_with_params()
    stage_names = [f"s{i}" for i in range(len(stages))]
    grp = "scoped.grp" if spec.grouping else "NULL"
    # PostgreSQL would otherwise inline the per-deal step into a parallel plan that recomputes it.
    materialized = "MATERIALIZED " if connection.vendor == "postgresql" else ""
    sums = ", ".join(f"SUM(per_deal.{name})" for name in stage_names)
    won = "SUM(CASE WHEN scoped.status = %s THEN 1 ELSE 0 END)"
    # Only constant names and Django's own compiled SQL are formatted in; values stay parameters.
    sql = (
        f"WITH per_deal(deal_id, furthest, {', '.join(stage_names)}) AS {materialized}({per_deal_sql}), "  # noqa: S608
        f"scoped(id, status{', grp' if spec.grouping else ''}) AS ({deals_sql}) "
        f"SELECT {grp}, per_deal.furthest, COUNT(*), {won}, {sums} "
        "FROM per_deal JOIN scoped ON scoped.id = per_deal.deal_id "
        f"GROUP BY {'scoped.grp, ' if spec.grouping else ''}per_deal.furthest"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*per_deal_params, *deals_params, DealStatus.WON])
        return cursor.fetchall()


def build(user: User, spec: ReportSpec, params) -> Report:
    pipeline = spec.pipeline
    stages = list(pipeline.stages.order_by("position", "id")) if pipeline else []
    title = _("Funnel and conversion")
    if not stages:
        return Report(kind="funnel", title=title, tables=[], notes=[_("Choose a pipeline that has stages.")])
    grouping = spec.grouping
    entered: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    furthest: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    won: dict[str, int] = defaultdict(int)
    for raw_group, index, deals, won_deals, *stage_counts in _aggregate(user, spec, stages):
        for key in grouping.keys_of(_decode(raw_group)) if grouping else [""]:
            furthest[key][index] += deals
            won[key] += won_deals or 0
            for stage, count in zip(stages, stage_counts, strict=True):
                entered[key][stage.pk] += count or 0
    positions = [(stage.pk, i) for i, stage in enumerate(stages)]
    if grouping is None:
        steps = funnel_steps(positions, entered[""], furthest[""], won[""])
        return _single(spec, params, stages, steps, won[""])
    return _grouped(spec, params, stages, positions, entered, furthest, won)


def _decode(raw):
    """A JSON value from the raw cursor: SQLite hands back JSON text for lists, PostgreSQL for everything."""
    if isinstance(raw, str) and (raw[:1] in ("[", '"') or raw in ("true", "false", "null")):
        try:
            return json.loads(raw)
        except ValueError:
            return raw
    return raw


def _single(spec, params, stages, steps, won) -> Report:
    table = Table(
        title=_("Stage by stage"),
        columns=[
            Column("stage", _("Stage"), TEXT),
            Column("entered", _("Entered in the period"), COUNT),
            Column("reached", _("Reached (entered or passed)"), COUNT),
            Column("conversion", _("Went on to the next stage"), PERCENT),
        ],
    )
    for stage, step in zip(stages, steps, strict=True):
        link = drill_url("funnel", params, stage_cell=stage.pk)
        table.rows.append(
            Row(
                cells=[stage.name, step.entered, step.reached, step.conversion],
                links={
                    "entered": link,
                    "reached": drill_url("funnel", params, stage_cell=f"reached-{stage.pk}"),
                },
            )
        )
    first = steps[0].reached if steps else 0
    table.rows.append(
        Row(
            cells=[_("Won"), won, won, rate(won, first)],
            links={"entered": drill_url("funnel", params, stage_cell=WON_CELL)},
            is_total=True,
        )
    )
    labels = [stage.name for stage in stages] + [_("Won")]
    reached_links = [drill_url("funnel", params, stage_cell=f"reached-{s.pk}") for s in stages]
    return Report(
        kind="funnel",
        title=_("Funnel and conversion"),
        tables=[table],
        labels=labels,
        series=[
            Series(
                label=_("Reached"),
                data=[s.reached for s in steps] + [won],
                links=[*reached_links, drill_url("funnel", params, stage_cell=WON_CELL)],
            )
        ],
        notes=[_("Overall win rate of the deals that entered the pipeline in the period: the Won line.")],
    )


def _grouped(spec, params, stages, positions, entered, furthest, won) -> Report:
    grouping = spec.grouping
    keys = sorted(set(entered) | set(furthest))
    labels = grouping.labels(keys)
    keys.sort(key=lambda k: (k == "", labels[k].lower()))
    columns = [Column("group", grouping.label, TEXT)]
    columns += [Column(f"stage-{s.pk}", s.name, COUNT) for s in stages]
    columns += [Column("won", _("Won"), COUNT), Column("win_rate", _("Win rate"), PERCENT)]
    table = Table(
        title=_("Deals that reached each stage, by %(field)s") % {"field": grouping.label}, columns=columns
    )
    series = []
    for key in keys:
        steps = funnel_steps(positions, entered[key], furthest[key], won[key])
        group_params = [*query_pairs(params), ("g", key)]
        links = {
            f"stage-{s.pk}": drill_url("funnel", group_params, stage_cell=f"reached-{s.pk}") for s in stages
        }
        links["won"] = drill_url("funnel", group_params, stage_cell=WON_CELL)
        first = steps[0].reached if steps else 0
        table.rows.append(
            Row(
                cells=[labels[key], *[s.reached for s in steps], won[key], rate(won[key], first)], links=links
            )
        )
        series.append(
            Series(
                label=labels[key],
                data=[s.reached for s in steps] + [won[key]],
                links=[*[links[f"stage-{s.pk}"] for s in stages], links["won"]],
            )
        )
    return Report(
        kind="funnel",
        title=_("Funnel and conversion"),
        tables=[table],
        labels=[s.name for s in stages] + [_("Won")],
        series=series,
    )


def deals(user: User, spec: ReportSpec, cell: dict[str, str]) -> QuerySet[Deal]:
    """The deals behind a funnel number: entered a stage, reached it, or won, in the period."""
    stages = list(spec.pipeline.stages.order_by("position", "id")) if spec.pipeline else []
    changes = stage_changes(user, spec, stages)
    if spec.grouping is not None and "g" in cell:
        changes = changes.filter(spec.grouping.deal_q(cell["g"], prefix="deal__"))
    which = cell.get("stage_cell", "")
    if which == WON_CELL:
        changes = changes.filter(deal__status=DealStatus.WON)
    elif which.startswith("reached-"):
        ids = [s.pk for s in stages]
        wanted = which.removeprefix("reached-")
        if wanted.isdigit() and int(wanted) in ids:
            changes = changes.filter(to_stage_id__in=ids[ids.index(int(wanted)) :])
        else:
            return Deal.objects.none()
    elif which.isdigit():
        changes = changes.filter(to_stage_id=int(which))
    return Deal.objects.filter(pk__in=changes.values("deal_id"))
