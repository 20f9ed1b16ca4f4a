"""JSON API of insights: every report with the same parameters as its page, the deals behind a number,
saved reports and dashboards.

Numbers are computed with the caller's permissions. Money cells are decimals as strings in the
workspace's base currency (`currency`); rates are percentages with one decimal, as strings;
days are numbers. Bad parameters answer 422 with the field at fault.
"""

from datetime import date
from decimal import Decimal
from typing import Annotated, Literal

from django.http import Http404
from ninja import Field, Query, Router, Schema

from apogee.core.errors import ValidationFailed

from . import queries
from .reports.base import CELL_PARAMS, Report
from .reports.registry import REPORTS

router = Router(tags=["insights"])

Id = Annotated[int, Field(ge=1, le=2**63 - 1)]
ReportKey = Literal["funnel", "progress", "won-lost", "forecast", "cycle-time", "activities"]
assert set(ReportKey.__args__) == set(REPORTS), "the API names every report"


class ReportQuery(Schema):
    """The parameters of the report pages (see apogee.insights.spec and apogee.deals.filters)."""

    from_: date | None = Field(None, alias="from", description="Start of the period (inclusive).")
    to: date | None = Field(None, description="End of the period (inclusive).")
    pipeline: Id | None = None
    interval: Literal["week", "month", "quarter", "year"] | None = None
    group: str | None = Field(None, max_length=80, description="owner, pipeline, stage, … or cf:<field key>.")
    owner: list[Id] = Field(default_factory=list)
    type: Id | None = Field(None, description="Activity type (activities report).")
    organization: list[Id] = Field(default_factory=list)
    end_customer: list[Id] = Field(default_factory=list)
    currency: list[Annotated[str, Field(max_length=3)]] = Field(default_factory=list)
    value_min: Decimal | None = Field(None, ge=-(10**12), le=10**12)
    value_max: Decimal | None = Field(None, ge=-(10**12), le=10**12)
    close_from: date | None = None
    close_to: date | None = None
    q: str | None = Field(None, max_length=200)
    f: list[Annotated[str, Field(max_length=300)]] = Field(
        default_factory=list, description="Custom-field condition <key>:<op>:<value>, repeatable."
    )

    def as_params(self) -> dict[str, list[str]]:
        params: dict[str, list[str]] = {}
        for name, value in self.model_dump(by_alias=True).items():
            if value is None or value == []:
                continue
            values = value if isinstance(value, list) else [value]
            params[name] = [v.isoformat() if isinstance(v, date) else str(v) for v in values]
        return params


class CellQuery(Schema):
    stage_cell: str | None = Field(None, max_length=40)
    bucket: str | None = Field(None, max_length=20)
    g: str | None = Field(None, max_length=200)
    outcome: Literal["won", "lost"] | None = None
    reason: str | None = Field(None, max_length=20)
    limit: int = Field(50, ge=1, le=500)
    offset: int = Field(0, ge=0, le=10**9)


class ColumnOut(Schema):
    key: str
    label: str
    kind: str = Field(..., description="text, count, money, percent or days.")


class RowOut(Schema):
    cells: list[str | int | float | None]
    is_total: bool
    flagged: bool = Field(..., description="Needs attention: overdue dates, overdue activities.")


class TableOut(Schema):
    title: str
    columns: list[ColumnOut]
    rows: list[RowOut]


class SeriesOut(Schema):
    label: str
    data: list[str | int | float | None]


class ReportOut(Schema):
    kind: str
    title: str
    currency: str
    labels: list[str]
    series: list[SeriesOut]
    tables: list[TableOut]
    notes: list[str]


class ReportKindOut(Schema):
    key: str
    title: str
    description: str
    needs_pipeline: bool
    uses_interval: bool


class DealRefOut(Schema):
    id: int
    title: str
    status: str
    pipeline_id: int
    stage_id: int
    owner_id: int
    value: str
    currency: str


class DealPageOut(Schema):
    count: int
    results: list[DealRefOut]


class SavedReportOut(Schema):
    id: int
    name: str
    kind: str
    query: str = Field(..., description="The report's query string.")
    chart: str
    owner_id: int
    is_shared: bool


class DashboardItemOut(Schema):
    report_id: int
    report_name: str
    position: int
    width: str


class DashboardOut(Schema):
    id: int
    name: str
    owner_id: int
    is_shared: bool
    is_default: bool
    items: list[DashboardItemOut]


def _json(value):
    if isinstance(value, Decimal):
        return str(value)
    return value


def _report_out(report: Report) -> dict:
    return {
        "kind": report.kind,
        "title": report.title,
        "currency": report.currency,
        "labels": [str(label) for label in report.labels],
        "series": [{"label": s.label, "data": [_json(v) for v in s.data]} for s in report.series],
        "tables": [
            {
                "title": t.title,
                "columns": [{"key": c.key, "label": c.label, "kind": c.kind} for c in t.columns],
                "rows": [
                    {"cells": [_json(v) for v in r.cells], "is_total": r.is_total, "flagged": r.flagged}
                    for r in t.rows
                ],
            }
            for t in report.tables
        ],
        "notes": [str(n) for n in report.notes],
    }


def _spec_or_422(kind, params):
    spec = kind.parse(params)
    if not spec.is_valid:
        raise ValidationFailed("Invalid report parameters.", fields=spec.errors)
    return spec


@router.get("/insights/reports", response=list[ReportKindOut])
def list_reports(request):
    return [
        {
            "key": k.key,
            "title": str(k.title),
            "description": str(k.description),
            "needs_pipeline": k.needs_pipeline,
            "uses_interval": k.uses_interval,
        }
        for k in REPORTS.values()
    ]


@router.get("/insights/reports/{kind}", response=ReportOut)
def run_report(request, kind: ReportKey, query: Query[ReportQuery]):
    report_kind = REPORTS[kind]
    params = query.as_params()
    spec = _spec_or_422(report_kind, params)
    return _report_out(report_kind.build(request.auth, spec, params))


@router.get("/insights/reports/{kind}/deals", response=DealPageOut)
def report_deals(request, kind: ReportKey, query: Query[ReportQuery], cell: Query[CellQuery]):
    """The deals behind one number of a report: the same parameters plus the cell's coordinates."""
    report_kind = REPORTS[kind]
    if report_kind.deals is None:
        raise Http404("This report does not list deals")
    params = query.as_params()
    spec = _spec_or_422(report_kind, params)
    coordinates = {name: getattr(cell, name) for name in CELL_PARAMS if getattr(cell, name) is not None}
    deals = report_kind.deals(request.auth, spec, coordinates).order_by("-id")
    page = deals[cell.offset : cell.offset + cell.limit]
    return {
        "count": deals.count(),
        "results": [
            {
                "id": d.pk,
                "title": d.title,
                "status": d.status,
                "pipeline_id": d.pipeline_id,
                "stage_id": d.stage_id,
                "owner_id": d.owner_id,
                "value": str(d.value),
                "currency": d.currency,
            }
            for d in page
        ],
    }


@router.get("/insights/saved-reports", response=list[SavedReportOut])
def list_saved_reports(request):
    return [
        {
            "id": r.pk,
            "name": r.name,
            "kind": r.kind,
            "query": r.query_string(),
            "chart": r.chart,
            "owner_id": r.owner_id,
            "is_shared": r.is_shared,
        }
        for r in queries.reports_visible_to(request.auth)
    ]


@router.get("/insights/dashboards", response=list[DashboardOut])
def list_dashboards(request):
    dashboards = queries.dashboards_visible_to(request.auth).prefetch_related("items__report")
    return [
        {
            "id": d.pk,
            "name": d.name,
            "owner_id": d.owner_id,
            "is_shared": d.is_shared,
            "is_default": d.is_default,
            "items": [
                {
                    "report_id": i.report_id,
                    "report_name": i.report.name,
                    "position": i.position,
                    "width": i.width,
                }
                for i in d.items.all()
            ],
        }
        for d in dashboards
    ]
