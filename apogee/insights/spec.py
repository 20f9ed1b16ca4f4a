"""What a report is asked for, read from a query string: period, pipeline, interval, grouping, deal filters.

The same parameters drive the report page, its drill-down, the API and saved reports:
from, to (YYYY-MM-DD, inclusive; default the last twelve months), pipeline, interval
(week|month|quarter|year), group (see grouping.py), and every deal filter of
apogee.deals.filters (owner, organization, end_customer, currency, value_min, f=…).
"""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from apogee.deals.filters import parse_deal_filter
from apogee.pipelines.models import Pipeline, Stage

from .computations import INTERVALS
from .grouping import Grouping, parse_grouping

# A report's own parameters; every other one is a deal filter.
REPORT_PARAMS = ("from", "to", "pipeline", "interval", "group", "type", "stage")
# A deal status would contradict the report (won/lost looks at closed deals, forecast at open ones).
IGNORED_DEAL_PARAMS = ("status", "pipeline", "stage")
MAX_DAYS = 366 * 20
MIN_YEAR, MAX_YEAR = 1900, 2200


@dataclass
class ReportSpec:
    start: date
    end: date
    pipeline: Pipeline | None = None
    interval: str = "month"
    grouping: Grouping | None = None
    deal_q: Q = field(default_factory=Q)
    activity_type: int | None = None
    group_key: str = ""
    # One stage of the pipeline, for the progress report grouped by a field.
    stage: Stage | None = None
    owners: list[int] = field(default_factory=list)
    errors: dict[str, list[str]] = field(default_factory=dict)

    @property
    def is_valid(self) -> bool:
        return not self.errors


def default_period(today: date | None = None) -> tuple[date, date]:
    """The last twelve months, whole months: from the first of the month eleven months ago to today."""
    today = today or timezone.localdate()
    month = today.month - 11
    year = today.year + (month - 1) // 12
    return date(year, (month - 1) % 12 + 1, 1), today


def main_pipeline(pipelines: list[Pipeline]) -> Pipeline:
    """The pipeline others hand off to (Sales, where every firm offer ends up), else the first."""
    targets = {p.handoff_target_id for p in pipelines if p.handoff_target_id}
    return next((p for p in pipelines if p.pk in targets), pipelines[0])


def _get(params, name: str) -> str:
    values = params.getlist(name) if hasattr(params, "getlist") else list(params.get(name, []))
    return (values[-1] if values else "") or ""


def _deal_params(params):
    """The deal-filter part of the query string, without the report's own parameters."""
    if hasattr(params, "copy") and hasattr(params, "getlist"):
        params = params.copy()
        for name in (*REPORT_PARAMS, *IGNORED_DEAL_PARAMS):
            params.pop(name, None)
        return params
    return {k: v for k, v in params.items() if k not in REPORT_PARAMS and k not in IGNORED_DEAL_PARAMS}


def parse_spec(
    params,
    *,
    needs_pipeline: bool = False,
    period=default_period,
    own_groups: tuple[str, ...] | None = None,
    pipelines=None,
) -> ReportSpec:
    """Read a report's parameters; every problem becomes a field error, none raises.

    `period(today)` gives the default period; `own_groups`, when given, are the only group
    keys the report accepts (the activities report groups by owner or type, not by deal field).
    """
    errors: dict[str, list[str]] = {}
    start, end = period(timezone.localdate())
    for name in ("from", "to"):
        raw = _get(params, name).strip()
        if not raw:
            continue
        try:
            value = date.fromisoformat(raw)
        except ValueError:
            errors[name] = [_("Enter a date as YYYY-MM-DD.")]
            continue
        if not MIN_YEAR <= value.year <= MAX_YEAR:
            errors[name] = [
                _("Choose a date between %(first)d and %(last)d.") % {"first": MIN_YEAR, "last": MAX_YEAR}
            ]
            continue
        if name == "from":
            start = value
        else:
            end = value
    if not errors and start > end:
        errors["to"] = [_("The end of the period comes before its start.")]
    elif not errors and (end - start).days > MAX_DAYS:
        errors["from"] = [_("Choose a period of at most twenty years.")]

    pipelines = list(pipelines if pipelines is not None else Pipeline.objects.filter(is_archived=False))
    pipeline = None
    raw_pipeline = _get(params, "pipeline")
    if raw_pipeline:
        pipeline = next((p for p in pipelines if str(p.pk) == raw_pipeline), None)
        if pipeline is None:
            errors["pipeline"] = [_("Choose a pipeline from the list.")]
    elif needs_pipeline and pipelines:
        pipeline = main_pipeline(pipelines)

    stage = None
    raw_stage = _get(params, "stage")
    if raw_stage and pipeline is not None:
        stage = (
            pipeline.stages.filter(pk=int(raw_stage)).first()
            if raw_stage.isdigit() and len(raw_stage) < 19
            else None
        )
        if stage is None:
            errors["stage"] = [_("Choose a stage of the pipeline.")]

    interval = _get(params, "interval") or "month"
    if interval not in INTERVALS:
        errors["interval"] = [_("Choose week, month, quarter or year.")]
        interval = "month"

    grouping = None
    raw_group = _get(params, "group")
    if raw_group and own_groups is not None:
        if raw_group not in own_groups:
            errors["group"] = [_("This field cannot group this report.")]
    elif raw_group:
        grouping = parse_grouping(raw_group)
        if grouping is None:
            errors["group"] = [_("This field cannot group a report.")]

    activity_type = None
    raw_type = _get(params, "type")
    if raw_type:
        if raw_type.isdigit() and int(raw_type) < 2**63:
            activity_type = int(raw_type)
        else:
            errors["type"] = [_("Give a numeric id.")]

    dfilter = parse_deal_filter(_deal_params(params), default_status="all")
    errors.update(dfilter.errors)
    owners = []
    if "owner" not in errors:
        raw_owners = params.getlist("owner") if hasattr(params, "getlist") else list(params.get("owner", []))
        owners = [int(o) for o in raw_owners if str(o).strip()]
    return ReportSpec(
        start=start,
        end=end,
        pipeline=pipeline,
        interval=interval,
        grouping=grouping,
        deal_q=dfilter.q if dfilter.is_valid else Q(),
        activity_type=activity_type,
        group_key=raw_group,
        stage=stage,
        owners=owners,
        errors=errors,
    )
