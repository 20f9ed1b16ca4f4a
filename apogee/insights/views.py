"""Insights pages: the reports with their chart and table, drill-down to deals, saved reports, dashboards.

Every number is computed with the reader's permissions (a shared report or dashboard shares
the question, not the answer). Bars and table cells link to the deals behind them.
"""

import csv
from datetime import date
from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from apogee.activities.queries import active_types
from apogee.core.errors import DomainError
from apogee.core.spreadsheet import safe_cell
from apogee.customfields.queries import definitions_for
from apogee.pipelines.models import Pipeline

from . import queries, services
from .charts import chart_config
from .computations import bucket_end, bucket_start
from .grouping import available_groupings
from .models import ChartKind, Width
from .reports.base import CELL_PARAMS
from .reports.registry import REPORTS
from .spec import default_period

DRILL_PAGE_SIZE = 50


def _kind_or_404(kind: str):
    if kind not in REPORTS:
        raise Http404("No such report")
    return REPORTS[kind]


def _run(request: HttpRequest, kind, params):
    spec = kind.parse(params)
    report = kind.build(request.user, spec, params) if spec.is_valid else None
    return spec, report


def _filter_context(request: HttpRequest, kind, spec, params) -> dict:
    definitions = list(definitions_for("deal"))
    custom_rows = []
    for raw in params.getlist("f"):
        key, _sep, rest = raw.partition(":")
        op, _sep, value = rest.partition(":")
        custom_rows.append((key, op, value))
    return {
        "pipelines": Pipeline.objects.filter(is_archived=False),
        "users": get_user_model().objects.filter(is_active=True),
        "selected_owners": params.getlist("owner"),
        "groupings": [] if kind.own_groups == () else _groupings(kind),
        "definitions": definitions,
        "custom_rows": custom_rows,
        "activity_types": active_types() if kind.key == "activities" else [],
        "intervals": [
            ("week", _("Week")),
            ("month", _("Month")),
            ("quarter", _("Quarter")),
            ("year", _("Year")),
        ],
        "params": params,
        "presets": _presets(params),
    }


def _presets(params: QueryDict) -> list[tuple[str, str]]:
    """Quick periods as (label, URL query): this month, this quarter, this year, last year, last 12 months."""
    today = timezone.localdate()
    quarter = bucket_start(today, "quarter")
    last_year = today.year - 1
    periods = [
        (_("This month"), today.replace(day=1), bucket_end(today.replace(day=1), "month")),
        (_("This quarter"), quarter, bucket_end(quarter, "quarter")),
        (_("This year"), date(today.year, 1, 1), date(today.year, 12, 31)),
        (_("Last year"), date(last_year, 1, 1), date(last_year, 12, 31)),
        (_("Last 12 months"), *default_period(today)),
    ]
    base = params.copy()
    for name in (*CELL_PARAMS, "from", "to", "page"):
        base.pop(name, None)
    presets = []
    for label, start, end in periods:
        query = base.copy()
        query["from"], query["to"] = start.isoformat(), end.isoformat()
        presets.append((label, query.urlencode()))
    return presets


def _groupings(kind) -> list[tuple[str, str]]:
    if kind.own_groups:
        names = {"owner": _("User"), "type": _("Type")}
        return [(key, names.get(key, key)) for key in kind.own_groups]
    return available_groupings()


def _saved_query(params: QueryDict) -> str:
    cleaned = params.copy()
    for name in (*CELL_PARAMS, "saved", "page"):
        cleaned.pop(name, None)
    return cleaned.urlencode()


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """Insights home: the default dashboard's reports, every report to start from, saved ones."""
    dashboards = list(queries.dashboards_visible_to(request.user))
    context = {
        "kinds": list(REPORTS.values()),
        "saved_reports": queries.reports_visible_to(request.user),
        "dashboards": dashboards,
        "default_dashboard": queries.default_dashboard_for(request.user),
        "board_period": request.GET.get("period", "")[:40] or _current_quarter(),
        "languages": settings.LANGUAGES,
    }
    return render(request, "insights/index.html", context)


def _current_quarter() -> str:
    today = timezone.localdate()
    return f"{today.year}-Q{(today.month - 1) // 3 + 1}"


BOARD_FORMATS = {
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@login_required
@require_GET
def board_pack(request: HttpRequest) -> HttpResponse:
    """The board-meeting deck (format=pptx) or workbook (format=xlsx) for a period, in the reader's language.

    Built in the request: a few seconds on a real workspace, matplotlib included.
    """
    from .board.collect import build_pack
    from .board.period import parse_period

    fmt = request.GET.get("format", "pptx")
    text = request.GET.get("period", "").strip()
    try:
        if fmt not in BOARD_FORMATS:
            raise ValueError(fmt)
        period = parse_period(text)
    except ValueError:
        messages.error(
            request,
            _("Enter a period such as %(examples)s.")
            % {"examples": "2026, 2026-Q4, 2026-11, 2026-10-01..2026-12-31"},
        )
        return redirect(f"{reverse('insights:index')}?period={quote(text[:40])}#board-pack")
    language = request.GET.get("language") or translation.get_language() or "en"
    if language not in dict(settings.LANGUAGES):
        language = settings.LANGUAGE_CODE
    pack = build_pack(period, user=request.user, language=language)
    if fmt == "pptx":
        from .board.deck import build_deck as build
    else:
        from .board.workbook import build_workbook as build
    response = HttpResponse(build(pack), content_type=BOARD_FORMATS[fmt])
    response["Content-Disposition"] = f'attachment; filename="{pack.filename(fmt)}"'
    return response


@login_required
@require_GET
def report(request: HttpRequest, kind: str) -> HttpResponse:
    kind = _kind_or_404(kind)
    params = request.GET
    saved = None
    if params.get("saved"):
        saved = queries.get_report_for_user_or_404(request.user, params["saved"])
    spec, built = _run(request, kind, params)
    context = {
        "kind": kind,
        "spec": spec,
        "report": built,
        "chart": chart_config(built, saved.chart if saved else ChartKind.BAR) if built else None,
        "saved": saved,
        "can_edit_saved": saved is not None and queries.can_edit(request.user, saved),
        "query": _saved_query(params),
        "chart_kinds": ChartKind.choices,
        **_filter_context(request, kind, spec, params),
    }
    return render(request, "insights/report.html", context)


@login_required
@require_GET
def export_csv(request: HttpRequest, kind: str) -> HttpResponse:
    """Every table of the report as CSV, numbers unformatted (a spreadsheet will want to sum them)."""
    kind = _kind_or_404(kind)
    spec, built = _run(request, kind, request.GET)
    if built is None:
        messages.error(request, _("Correct the report's filters first."))
        return redirect(f"{reverse('insights:report', args=[kind.key])}?{_saved_query(request.GET)}")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{kind.key}-{spec.start}-{spec.end}.csv"'
    writer = csv.writer(response)
    for index, table in enumerate(built.tables):
        if index:
            writer.writerow([])
        writer.writerow([safe_cell(table.title)])
        writer.writerow([safe_cell(column.label) for column in table.columns])
        for row in table.rows:
            writer.writerow(["" if value is None else safe_cell(str(value)) for value in row.cells])
    return response


@login_required
@require_GET
def drill(request: HttpRequest, kind: str) -> HttpResponse:
    """The deals behind one number of a report."""
    kind = _kind_or_404(kind)
    if kind.deals is None:
        raise Http404("This report does not list deals")
    spec = kind.parse(request.GET)
    if not spec.is_valid:
        return render(request, "insights/drill.html", {"kind": kind, "spec": spec, "page": None}, status=400)
    cell = {name: request.GET[name] for name in CELL_PARAMS if name in request.GET}
    deals = (
        kind.deals(request.user, spec, cell)
        .select_related("pipeline", "stage", "owner", "organization")
        .order_by("-id")
    )
    page = Paginator(deals, DRILL_PAGE_SIZE).get_page(request.GET.get("page"))
    back = f"{reverse('insights:report', args=[kind.key])}?{_saved_query(request.GET)}"
    query = request.GET.copy()
    query.pop("page", None)
    context = {"kind": kind, "spec": spec, "page": page, "back": back, "query": query}
    return render(request, "insights/drill.html", context)


def _safe_next(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, {request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


@login_required
@require_POST
def save_report(request: HttpRequest) -> HttpResponse:
    """Save the report on screen as a new saved report, or update the one it came from."""
    kind = _kind_or_404(request.POST.get("kind", ""))
    existing = None
    if request.POST.get("saved") and request.POST.get("mode") == "update":
        existing = queries.get_report_for_user_or_404(request.user, request.POST["saved"])
    params = QueryDict(request.POST.get("query", ""))
    pairs = [(k, v) for k, values in params.lists() for v in values]
    fallback = f"{reverse('insights:report', args=[kind.key])}?{params.urlencode()}"
    try:
        saved = services.save_report(
            actor=request.user,
            name=request.POST.get("name", ""),
            kind=kind.key,
            params=pairs,
            chart=request.POST.get("chart", ChartKind.BAR),
            is_shared=request.POST.get("is_shared") == "on",
            report=existing,
        )
    except DomainError as error:
        messages.error(request, error.message + " " + " ".join(m for ms in error.fields.values() for m in ms))
        return redirect(fallback)
    messages.success(request, _("Report “%(name)s” saved.") % {"name": saved.name})
    return redirect(f"{reverse('insights:report', args=[kind.key])}?{saved.query_string()}&saved={saved.pk}")


@login_required
@require_POST
def delete_report(request: HttpRequest, pk: int) -> HttpResponse:
    saved = queries.get_report_for_user_or_404(request.user, pk)
    try:
        services.delete_report(report=saved, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect(reverse("insights:index"))
    messages.success(request, _("Report “%(name)s” deleted.") % {"name": saved.name})
    return redirect(reverse("insights:index"))


@login_required
@require_GET
def report_card(request: HttpRequest, pk: int) -> HttpResponse:
    """One saved report as a dashboard card (loaded by htmx)."""
    saved = queries.get_card_report_for_user_or_404(request.user, pk)
    kind = _kind_or_404(saved.kind)
    params = QueryDict(saved.query_string())
    spec, built = _run(request, kind, params)
    context = {
        "saved": saved,
        "kind": kind,
        "spec": spec,
        "report": built,
        "chart": chart_config(built, saved.chart, compact=True) if built else None,
        "open_url": f"{reverse('insights:report', args=[kind.key])}?{saved.query_string()}&saved={saved.pk}",
        "chart_id": f"card-chart-{saved.pk}",
        "compact": True,
    }
    return render(request, "insights/_card.html", context)


@login_required
@require_GET
def dashboard(request: HttpRequest, pk: int) -> HttpResponse:
    board = queries.get_dashboard_for_user_or_404(request.user, pk)
    context = {
        "dashboard": board,
        "items": list(queries.items_of(board)),
        "can_edit": queries.can_edit(request.user, board),
        "addable": queries.reports_visible_to(request.user).exclude(dashboard_items__dashboard=board),
        "dashboards": queries.dashboards_visible_to(request.user),
        "widths": Width.choices,
    }
    return render(request, "insights/dashboard.html", context)


@login_required
@require_POST
def save_dashboard(request: HttpRequest) -> HttpResponse:
    """Create a dashboard, or rename / share / make default the one given by `dashboard`."""
    existing = None
    if request.POST.get("dashboard"):
        existing = queries.get_dashboard_for_user_or_404(request.user, request.POST["dashboard"])
    is_default = None
    if request.user.is_workspace_admin and existing is not None:
        is_default = request.POST.get("is_default") == "on"
    try:
        board = services.save_dashboard(
            actor=request.user,
            name=request.POST.get("name", ""),
            is_shared=request.POST.get("is_shared") == "on",
            is_default=is_default,
            dashboard=existing,
        )
    except DomainError as error:
        messages.error(request, error.message)
        return redirect(
            reverse("insights:dashboard", args=[existing.pk]) if existing else reverse("insights:index")
        )
    return redirect(reverse("insights:dashboard", args=[board.pk]))


@login_required
@require_POST
def delete_dashboard(request: HttpRequest, pk: int) -> HttpResponse:
    board = queries.get_dashboard_for_user_or_404(request.user, pk)
    try:
        services.delete_dashboard(dashboard=board, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect(reverse("insights:dashboard", args=[board.pk]))
    messages.success(request, _("Dashboard “%(name)s” deleted.") % {"name": board.name})
    return redirect(reverse("insights:index"))


@login_required
@require_POST
def add_item(request: HttpRequest, pk: int) -> HttpResponse:
    board = queries.get_dashboard_for_user_or_404(request.user, pk)
    saved = queries.get_report_for_user_or_404(request.user, request.POST.get("report"))
    try:
        services.add_report_to_dashboard(
            dashboard=board, report=saved, actor=request.user, width=request.POST.get("width", Width.HALF)
        )
    except DomainError as error:
        messages.error(request, error.message)
    return redirect(_safe_next(request, reverse("insights:dashboard", args=[board.pk])))


@login_required
@require_POST
def remove_item(request: HttpRequest, pk: int, item_id: int) -> HttpResponse:
    board = queries.get_dashboard_for_user_or_404(request.user, pk)
    item = board.items.filter(pk=item_id).select_related("report", "dashboard").first()
    if item is None:
        raise Http404("No such item")
    try:
        services.remove_dashboard_item(item=item, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    return redirect(reverse("insights:dashboard", args=[board.pk]))


@login_required
@require_POST
def move_item(request: HttpRequest, pk: int, item_id: int) -> HttpResponse:
    board = queries.get_dashboard_for_user_or_404(request.user, pk)
    item = board.items.filter(pk=item_id).select_related("dashboard").first()
    if item is None:
        raise Http404("No such item")
    try:
        services.move_dashboard_item(
            item=item, offset=-1 if request.POST.get("direction") == "up" else 1, actor=request.user
        )
    except DomainError as error:
        messages.error(request, error.message)
    return redirect(reverse("insights:dashboard", args=[board.pk]))
