"""The page of one run: its live region (status, progress, actions, counts, reconciliation) and its issues.

The live region refreshes itself with htmx while the run is active: a poller inside the stable
#run-live frame asks for the region again and swaps its inner HTML (hx-select picks the region
out of the answer). Once the run has stopped the server leaves the poller out, and answers the
last poll with HX-Refresh so that the issues below it are shown whole.
"""

from datetime import timedelta
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from apogee.integrations.pipedrive.forms import TokenForm
from apogee.integrations.pipedrive.importer.reports import entity_lines, reconciliation
from apogee.integrations.pipedrive.models import ImportIssue, ImportRun, RunSource, RunStatus
from apogee.workspace.views import admin_required

from . import display

ISSUES_PER_PAGE = 50
# Seconds between two refreshes of the live region: a run waiting for tomorrow's API budget
# changes only when the budget is back, so a page left open overnight asks far less often.
POLL_SECONDS = {RunStatus.WAITING_FOR_BUDGET: 60}
POLL_DEFAULT_SECONDS = 2
# How long an interrupted run's worker must have been quiet before Resume is offered.
STOPPING_QUIET = timedelta(seconds=10)


def get_run(run_id: int) -> ImportRun:
    return get_object_or_404(ImportRun.objects.select_related("started_by"), pk=run_id)


@admin_required
@require_GET
def run_detail(request: HttpRequest, run_id: int) -> HttpResponse:
    run = get_run(run_id)
    if request.htmx and request.htmx.target == "run-live":
        context = live_context(run)
        response = render(request, "pipedrive/_run_live.html", context)
        if context["poll_seconds"] is None:
            # The run has just stopped: show the page whole, with every issue it reported.
            response["HX-Refresh"] = "true"
        return response
    return run_page(request, run)


def run_page(
    request: HttpRequest,
    run: ImportRun,
    *,
    resume_form: TokenForm | None = None,
    real_form: TokenForm | None = None,
    status: int = 200,
) -> HttpResponse:
    context = live_context(run, resume_form=resume_form, real_form=real_form)
    context.update(_issues_context(request, run))
    context["section"] = "pipedrive"
    return render(request, "pipedrive/run.html", context, status=status)


def live_context(
    run: ImportRun,
    *,
    resume_form: TokenForm | None = None,
    real_form: TokenForm | None = None,
) -> dict:
    report = reconciliation(run) if run.status == RunStatus.DONE and not run.dry_run else None
    totals = [
        {"currency": currency, "legacy": legacy, "apogee": new, "difference": new - legacy}
        for currency, (legacy, new) in (report.totals.items() if report else ())
    ]
    lines = report.entities if report else entity_lines(run)
    for line in lines:
        line.label = display.ENTITY_PLURALS.get(line.entity, line.entity)
    stopping = is_stopping(run)
    can_resume = (
        run.status in (RunStatus.INTERRUPTED, RunStatus.FAILED, RunStatus.WAITING_FOR_BUDGET) and not stopping
    )
    can_import_for_real = run.dry_run and run.status == RunStatus.DONE
    if can_resume and resume_form is None:
        resume_form = TokenForm(needs_token=resume_needs_token(run), prefix="resume")
    if can_import_for_real and real_form is None:
        real_form = TokenForm(needs_token=run.source == RunSource.API, prefix="real")
    # A refused action the run no longer offers (it ended meanwhile): its errors are shown alone.
    action_errors = [
        message
        for form, offered in ((resume_form, can_resume), (real_form, can_import_for_real))
        if form is not None and form.is_bound and not offered
        for messages_of_field in form.errors.values()
        for message in messages_of_field
    ]
    return {
        "run": run,
        "action_errors": action_errors,
        "progress": display.progress_parts(run),
        "stopping": stopping,
        "poll_seconds": POLL_SECONDS.get(run.status, POLL_DEFAULT_SECONDS)
        if run.is_active or stopping
        else None,
        "budget": display.api_budget(run),
        "lines": lines,
        "report": report,
        "totals": totals,
        "values_missing": any(total["difference"] < 0 for total in totals),
        "values_extra": any(total["difference"] > 0 for total in totals),
        "resume_form": resume_form if can_resume else None,
        "real_form": real_form if can_import_for_real else None,
        "files": [
            (display.ENTITY_PLURALS.get(entity, entity), info.get("bytes", 0))
            for entity, info in sorted(run.files.items(), key=lambda item: display.entity_order(item[0]))
        ]
        if isinstance(run.files, dict)
        else [],
        "columns": _columns(run),
        "later_run": _later_real_run(run),
        "duration": display.duration(run),
        "dry_run_of": _dry_run_of(run),
        "real_runs": _real_runs_of(run) if can_import_for_real else [],
    }


def is_stopping(run: ImportRun) -> bool:
    """Interrupted, but its worker wrote a moment ago: it may still be finishing a record.

    Resume is offered only once the worker has gone quiet, so that a quick Interrupt then Resume
    does not leave the old worker running beside the new one (it stops only on "interrupted")."""
    return (
        run.status == RunStatus.INTERRUPTED
        and run.heartbeat_at is not None
        and run.heartbeat_at > timezone.now() - STOPPING_QUIET
    )


def resume_needs_token(run: ImportRun) -> bool:
    return run.source == RunSource.API and not run.token_encrypted


def _dry_run_of(run: ImportRun) -> int | None:
    origin = run.options.get("from_dry_run") if isinstance(run.options, dict) else None
    return origin if isinstance(origin, int) else None


def _real_runs_of(run: ImportRun) -> list[int]:
    return list(ImportRun.objects.filter(options__from_dry_run=run.pk).values_list("pk", flat=True))


def _later_real_run(run: ImportRun) -> int | None:
    """A real run started after this one: it has read the records since, and their links now
    name it, so this run's side "in Apogee" is no longer its own (the later run's page has it)."""
    if run.dry_run:
        return None
    return (
        ImportRun.objects.filter(pk__gt=run.pk, dry_run=False)
        .exclude(status=RunStatus.PENDING)
        .order_by("pk")
        .values_list("pk", flat=True)
        .first()
    )


COLUMN_KINDS = {
    "field": gettext_lazy("field"),
    "custom": gettext_lazy("custom field"),
    "linked": gettext_lazy("link to another record"),
    "ignored": gettext_lazy("not read"),
}


def _columns(run: ImportRun) -> list[tuple[str, list[dict]]]:
    """How each file's columns were read (recorded before any record was written)."""
    if not isinstance(run.files, dict):
        return []
    return [
        (
            display.ENTITY_PLURALS.get(entity, entity),
            [
                {**column, "kind_label": COLUMN_KINDS.get(column["kind"], column["kind"])}
                for column in info["columns"]
            ],
        )
        for entity, info in sorted(run.files.items(), key=lambda item: display.entity_order(item[0]))
        if info.get("columns")
    ]


def _issues_context(request: HttpRequest, run: ImportRun) -> dict:
    counts: dict[str, dict[str, int]] = {}
    for row in ImportIssue.objects.filter(run=run).values("level", "entity").annotate(n=Count("id")):
        counts.setdefault(row["level"], {})[row["entity"]] = row["n"]
    level = request.GET.get("level", "")
    if level not in dict(display.ISSUE_TABS):
        level = ""
    entity = request.GET.get("entity", "")
    by_entity: dict[str, int] = {}
    for level_key, entities in counts.items():
        if not level or level_key == level:
            for name, n in entities.items():
                by_entity[name] = by_entity.get(name, 0) + n
    if entity not in by_entity:
        entity = ""
    issues = ImportIssue.objects.filter(run=run).order_by("id")
    if level:
        issues = issues.filter(level=level)
    if entity:
        issues = issues.filter(entity=entity)
    page = Paginator(issues, ISSUES_PER_PAGE).get_page(request.GET.get("page"))
    for issue in page.object_list:
        issue.entity_label = display.ENTITY_NAMES.get(issue.entity, issue.entity)
    total = sum(sum(entities.values()) for entities in counts.values())
    tabs = [{"label": _("All"), "count": total, "active": not level, "query": _query(entity=entity)}]
    tabs += [
        {
            "label": label,
            "count": sum(counts.get(key, {}).values()),
            "active": level == key,
            "query": _query(level=key, entity=entity),
        }
        for key, label in display.ISSUE_TABS
    ]
    return {
        "issue_tabs": tabs,
        "issue_level": level,
        "issue_entity": entity,
        "issue_entities": sorted(
            ((name, display.ENTITY_NAMES.get(name, name), n) for name, n in by_entity.items()),
            key=lambda e: str(e[1]),
        ),
        "issues_page": page,
        "issues_total": total,
        "issues_query": _query(level=level, entity=entity),
    }


def _query(**params: str) -> str:
    return urlencode({key: value for key, value in params.items() if value})
