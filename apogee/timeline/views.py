"""The timeline panel of deal, lead, person and organization pages, and the admins' audit trail."""

import csv

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from apogee.core.spreadsheet import Echo, safe_cell
from apogee.notes.queries import get_target_for_user_or_404
from apogee.workspace.views import admin_required

from . import kinds as k
from .describe import describe
from .forms import AuditFilterForm
from .queries import audit_events, timeline_for

AUDIT_PAGE_SIZE = 50
# The CSV export is for a bounded period; past this, narrow the filters.
AUDIT_EXPORT_LIMIT = 100_000
CSV_HEADER = ["id", "when", "who", "source", "event", "record", "record_id", "text", "changes"]
KIND_LABELS = [
    (k.CHANGE, _("Changes")),
    (k.STAGE, _("Stages")),
    (k.ACTIVITY, _("Activities")),
    (k.NOTE, _("Notes")),
    (k.BID, _("Bid and offers")),
    (k.STATUS, _("Status")),
]


def wanted_kinds(values) -> list[str]:
    return [value for value in values if value in k.KINDS]


@login_required
@require_GET
def panel(request: HttpRequest, kind: str, record_id: int) -> HttpResponse:
    record = get_target_for_user_or_404(request.user, kind, record_id)
    kinds = wanted_kinds(request.GET.getlist("kind"))
    try:
        offset = max(0, int(request.GET.get("offset", 0)))
    except ValueError:
        offset = 0
    page = timeline_for(request.user, record, kinds=kinds, offset=offset)
    context = {"record_kind": kind, "record": record, "page": page, "kinds": kinds, "all_kinds": KIND_LABELS}
    # "Show more" asks for the next entries alone, appended under the ones shown.
    template = "timeline/_entries.html" if offset else "timeline/_panel.html"
    return render(request, template, context)


@admin_required
@require_GET
def audit(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET or None)
    events = (
        audit_events(form.filters()) if (form.is_bound and form.is_valid()) or not form.is_bound else None
    )
    page = (
        Paginator(events, AUDIT_PAGE_SIZE).get_page(request.GET.get("page")) if events is not None else None
    )
    entries = describe(page.object_list) if page is not None else []
    query = request.GET.copy()
    query.pop("page", None)
    context = {"section": "audit", "form": form, "page": page, "entries": entries, "query": query.urlencode()}
    return render(request, "settings/audit.html", context)


@admin_required
@require_GET
def audit_export(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        return audit(request)
    events = audit_events(form.filters())[:AUDIT_EXPORT_LIMIT]

    def rows():
        writer = csv.writer(Echo())
        yield writer.writerow(
            ["id", "when", "who", "source", "event", "record", "record_id", "text", "changes"]
        )
        batch = []
        for event in events.iterator(chunk_size=1000):
            batch.append(event)
            if len(batch) == 1000:
                yield from _csv_rows(writer, batch)
                batch = []
        yield from _csv_rows(writer, batch)

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="apogee-audit.csv"'
    return response


def _csv_rows(writer, events):
    for entry in describe(events):
        changes = "; ".join(f"{label}: {old} → {new}" for label, old, new in entry.changes)
        cells = [entry.when.isoformat(), entry.who, entry.source, entry.name, entry.subject_type]
        yield writer.writerow(
            [entry.id, *map(safe_cell, cells), entry.subject_id, safe_cell(entry.text), safe_cell(changes)]
        )
