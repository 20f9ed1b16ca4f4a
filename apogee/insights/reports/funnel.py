"""Funnel and conversion of one pipeline, from the recorded stage history over a period.

The cohort is every deal in scope that moved into a stage of the pipeline during the period
(creation counts: it records a move into the first stage). Two aggregates over the stage
changes of the period — distinct deals per stage entered, and each deal's furthest stage —
feed computations.funnel_steps; neither reads the deals' current stage.
"""

import json
from collections import defaultdict

from django.db import connection
from django.db.models import Case, Count, IntegerField, Max, QuerySet, Value, When
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
    drill_url,
    query_pairs,
    stage_changes,
)

WON_CELL = "won"


def _group_column(spec: ReportSpec) -> str | None:
    return f"deal__{spec.grouping.column}" if spec.grouping else None


def _furthest(changes: QuerySet[StageChange], stages, group_column: str | None) -> list[tuple]:
    """(group value, furthest stage index, deals, won deals): one GROUP BY over a per-deal GROUP BY."""
    # The stage's index in pipeline order, spelled out in SQL so no join to the stages is needed.
    index = Case(
        *[When(to_stage_id=stage.pk, then=Value(i)) for i, stage in enumerate(stages)],
        output_field=IntegerField(),
    )
    won = Case(
        When(deal__status=DealStatus.WON, then=Value(1)), default=Value(0), output_field=IntegerField()
    )
    keys = ["deal_id", *([group_column] if group_column else [])]
    per_deal = changes.values(*keys).annotate(furthest=Max(index), won=Max(won)).order_by()
    sql, params = per_deal.query.sql_with_params()
    # The inner query's columns come in the order of `keys`, then the two annotations; a CTE with
    # a column list names them the same way on SQLite and PostgreSQL.
    names = ["deal_id", *(["grp"] if group_column else []), "furthest", "won"]
    selected, grouped = ("grp, ", "grp, ") if group_column else ("NULL, ", "")
    # Only constant names and Django's own compiled SQL are formatted in; values stay parameters.
    outer = (
        f"WITH per_deal({', '.join(names)}) AS ({sql}) "  # noqa: S608
        f"SELECT {selected}furthest, COUNT(*), SUM(won) FROM per_deal GROUP BY {grouped}furthest"
    )
    with connection.cursor() as cursor:
        cursor.execute(outer, params)
        return cursor.fetchall()


def build(user: User, spec: ReportSpec, params) -> Report:
    pipeline = spec.pipeline
    stages = list(pipeline.stages.order_by("position", "id")) if pipeline else []
    title = _("Funnel and conversion")
    if not stages:
        return Report(kind="funnel", title=title, tables=[], notes=[_("Choose a pipeline that has stages.")])
    changes = stage_changes(user, spec, stages)
    group_column = _group_column(spec)
    grouping = spec.grouping

    entered: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    entered_keys = ["to_stage_id", *([group_column] if group_column else [])]
    for row in changes.values(*entered_keys).annotate(n=Count("deal_id", distinct=True)).order_by():
        for key in grouping.keys_of(row[group_column]) if grouping else [""]:
            entered[key][row["to_stage_id"]] += row["n"]

    furthest: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    won: dict[str, int] = defaultdict(int)
    for raw_group, index, deals, won_deals in _furthest(changes, stages, group_column):
        raw = _decode(raw_group) if grouping else None
        for key in grouping.keys_of(raw) if grouping else [""]:
            furthest[key][index] += deals
            won[key] += won_deals or 0

    positions = [(stage.pk, i) for i, stage in enumerate(stages)]
    if grouping is None:
        return _single(
            spec, params, stages, funnel_steps(positions, entered[""], furthest[""], won[""]), won[""]
        )
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
