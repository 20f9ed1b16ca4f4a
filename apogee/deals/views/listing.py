"""The deal list page, its CSV export, and saving the current filters as a named view."""

import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, QueryDict, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apogee.core.errors import DomainError
from apogee.core.queries import BaseConverter
from apogee.core.spreadsheet import Echo, safe_cell
from apogee.deals import queries, services
from apogee.deals.filters import parse_deal_filter
from apogee.deals.forms import SaveViewForm
from apogee.deals.listing import RowFormatter, apply_sort, available_columns, chosen_columns
from apogee.pipelines.queries import active_pipelines

from .board import filter_context

PAGE_SIZE = 50
CSV_CHUNK = 1000


def _listed(request: HttpRequest):
    dfilter = parse_deal_filter(request.GET, default_status="all")
    deals = queries.deals_visible_to(request.user).select_related(
        "organization", "end_customer", "pipeline", "stage", "owner"
    )
    if dfilter.is_valid:
        deals = deals.filter(dfilter.q)
    columns = chosen_columns(request.GET.getlist("col"))
    deals, sort = apply_sort(deals, request.GET.get("sort", ""), columns)
    return dfilter, deals, columns, sort


@login_required
def deal_list(request: HttpRequest) -> HttpResponse:
    dfilter, deals, columns, sort = _listed(request)
    page = Paginator(deals, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    formatter = RowFormatter(rows, columns, BaseConverter())
    params = request.GET.copy()
    params.pop("page", None)
    sort_params = params.copy()
    sort_params.pop("sort", None)
    context = {
        "page": page,
        "rows": [(deal, list(zip(formatter.cells(deal), columns, strict=True))) for deal in rows],
        "columns": columns,
        "all_columns": available_columns(),
        "chosen_keys": [c.key for c in columns],
        "sort": sort,
        "page_query": params.urlencode(),
        "sort_query": sort_params.urlencode(),
        "pipelines": active_pipelines(),
        "selected_pipelines": request.GET.getlist("pipeline"),
        **filter_context(request, dfilter),
    }
    return render(request, "deals/list.html", context)


@login_required
def export_csv(request: HttpRequest) -> StreamingHttpResponse:
    """The current view (filters, sort, columns), every page, as CSV for Excel (UTF-8 with BOM)."""
    _filter, deals, columns, _sort = _listed(request)
    convert = BaseConverter()
    writer = csv.writer(Echo())

    def rows():
        yield "\ufeff" + writer.writerow([str(c.label) for c in columns])
        chunk: list = []
        for deal in deals.iterator(chunk_size=CSV_CHUNK):
            chunk.append(deal)
            if len(chunk) == CSV_CHUNK:
                yield from _chunk_rows(chunk, columns, convert, writer)
                chunk = []
        yield from _chunk_rows(chunk, columns, convert, writer)

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="deals.csv"'
    return response


def _chunk_rows(chunk, columns, convert, writer):
    formatter = RowFormatter(chunk, columns, convert)
    for deal in chunk:
        yield writer.writerow([safe_cell(v) for v in formatter.cells(deal)])


@login_required
@require_POST
def save_view(request: HttpRequest) -> HttpResponse:
    form = SaveViewForm(request.POST)
    target = request.POST.get("next") or reverse("deals:board")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("deals:board")
    if not form.is_valid():
        messages.error(request, _("Give the view a name."))
        return redirect(target)
    query = QueryDict(form.cleaned_data["query"] or "")
    params = [[k, v] for k, values in query.lists() for v in values if k not in ("view", "page")]
    try:
        view = services.save_view(
            actor=request.user,
            name=form.cleaned_data["name"],
            params=params,
            pipeline=form.cleaned_data["pipeline"],
            is_shared=form.cleaned_data["is_shared"],
        )
    except DomainError as error:
        messages.error(request, error.message)
        return redirect(target)
    messages.success(request, _("View “%s” saved.") % view.name)
    return redirect(target)


@login_required
@require_POST
def delete_view(request: HttpRequest, view_id: int) -> HttpResponse:
    view = queries.saved_views_for(request.user).filter(pk=view_id).first()
    if view is None:
        raise Http404("No such view")
    try:
        services.delete_view(view=view, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("View “%s” deleted.") % view.name)
    return redirect(reverse("deals:board"))
