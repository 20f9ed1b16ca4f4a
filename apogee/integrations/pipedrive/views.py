"""The Pipedrive migration settings pages (administrators): start a run, follow it, act on it, read
its report.

The run page's live region (status, progress, actions, counts, reconciliation) refreshes itself
with htmx while the run is active: a poller inside the stable #run-live frame asks for the
region again and swaps its inner HTML; once the run has stopped the server leaves the poller
out, and answers the last poll with HX-Refresh so that the issues below are shown whole.
The API token is a password field that is never rendered back, and is kept out of error
reports (sensitive_post_parameters).
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_POST

from apogee.core.errors import DomainError
from apogee.integrations.pipedrive import services
from apogee.integrations.pipedrive.forms import StartImportForm, TokenForm
from apogee.integrations.pipedrive.importer.reports import entity_lines, reconciliation, report_csv
from apogee.integrations.pipedrive.models import ImportIssue, ImportRun, IssueLevel, RunSource, RunStatus
from apogee.workspace.views import admin_required

RUNS_PER_PAGE = 20
ISSUES_PER_PAGE = 50
# Seconds between two refreshes of the live region: a run waiting for tomorrow's API budget
# changes only when the budget is back, so a page left open overnight asks far less often.
POLL_SECONDS = {RunStatus.WAITING_FOR_BUDGET: 60}
POLL_DEFAULT_SECONDS = 2

# The tabs of the issues table, in the order a reviewer deals with them.
ISSUE_TABS = (
    (IssueLevel.ERROR, gettext_lazy("Errors")),
    (IssueLevel.UNMAPPED, gettext_lazy("Unmapped")),
    (IssueLevel.DUPLICATE, gettext_lazy("Suspected duplicates")),
    (IssueLevel.WARNING, gettext_lazy("Warnings")),
)
ENTITY_PLURALS = {
    "organization": gettext_lazy("Organizations"),
    "person": gettext_lazy("Persons"),
    "product": gettext_lazy("Products"),
    "deal": gettext_lazy("Deals"),
    "lead": gettext_lazy("Leads"),
    "activity": gettext_lazy("Activities"),
    "note": gettext_lazy("Notes"),
}
ENTITY_NAMES = {
    "organization": gettext_lazy("Organization"),
    "person": gettext_lazy("Person"),
    "product": gettext_lazy("Product"),
    "deal": gettext_lazy("Deal"),
    "lead": gettext_lazy("Lead"),
    "activity": gettext_lazy("Activity"),
    "note": gettext_lazy("Note"),
    "user": gettext_lazy("User"),
    "pipeline": gettext_lazy("Pipeline"),
    "stage": gettext_lazy("Stage"),
    "field": gettext_lazy("Custom field"),
    "map": gettext_lazy("Map"),
    "lead_label": gettext_lazy("Lead label"),
    "activity_type": gettext_lazy("Activity type"),
    "stage_change": gettext_lazy("Stage change"),
    "deal_product": gettext_lazy("Product line"),
}
# What the runner is reading (ImportRun.phase: the source's listing).
PHASES = {
    **ENTITY_PLURALS,
    "archived_deal": gettext_lazy("archived deals"),
    "deleted_deal": gettext_lazy("deleted deals"),
    "archived_deleted_deal": gettext_lazy("archived deleted deals"),
    "archived_lead": gettext_lazy("archived leads"),
    "lead_label": gettext_lazy("lead labels"),
    "activity_type": gettext_lazy("activity types"),
}


def _number(value: int) -> str:
    return number_format(value, force_grouping=True)


# Index: the start form and the runs ------------------------------------------------------------


@admin_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    return _index(request, StartImportForm())


@admin_required
@require_POST
@sensitive_post_parameters("token")
def start(request: HttpRequest) -> HttpResponse:
    form = StartImportForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            run = services.start_import(actor=request.user, **form.start_arguments())
        except DomainError as error:
            form.add_domain_error(error)
        else:
            if run.dry_run:
                messages.success(request, _("Dry run #%d started: nothing is written.") % run.pk)
            else:
                messages.success(request, _("Import #%d started.") % run.pk)
            return redirect("pipedrive:run", run_id=run.pk)
    return _index(request, form, status=422)


def _index(request: HttpRequest, form: StartImportForm, *, status: int = 200) -> HttpResponse:
    runs = ImportRun.objects.select_related("started_by").order_by("-id")
    page = Paginator(runs, RUNS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "section": "pipedrive",
        "form": form,
        "page": page,
        "chosen_files": form.chosen_file_names() if form.errors else [],
        "token_given": bool(form.is_bound and form.errors and form.data.get("token")),
        "max_file_mb": services.MAX_FILE_BYTES // 1024 // 1024,
    }
    return render(request, "pipedrive/index.html", context, status=status)


# The run page -----------------------------------------------------------------------------------


def _get_run(run_id: int) -> ImportRun:
    return get_object_or_404(ImportRun.objects.select_related("started_by"), pk=run_id)


@admin_required
@require_GET
def run_detail(request: HttpRequest, run_id: int) -> HttpResponse:
    run = _get_run(run_id)
    if request.htmx and request.htmx.target == "run-live":
        response = render(request, "pipedrive/_run_live.html", _live_context(request, run))
        if not run.is_active:
            # The run has just stopped: show the page whole, with every issue it reported.
            response["HX-Refresh"] = "true"
        return response
    return _run_page(request, run)


def _run_page(
    request: HttpRequest,
    run: ImportRun,
    *,
    resume_form: TokenForm | None = None,
    real_form: TokenForm | None = None,
    status: int = 200,
) -> HttpResponse:
    context = _live_context(request, run, resume_form=resume_form, real_form=real_form)
    context.update(_issues_context(request, run))
    context["section"] = "pipedrive"
    return render(request, "pipedrive/run.html", context, status=status)


def _live_context(
    request: HttpRequest,
    run: ImportRun,
    *,
    resume_form: TokenForm | None = None,
    real_form: TokenForm | None = None,
) -> dict:
    report = reconciliation(run) if run.status == RunStatus.DONE and not run.dry_run else None
    lines = report.entities if report else entity_lines(run)
    for line in lines:
        line.label = ENTITY_PLURALS.get(line.entity, line.entity)
    can_resume = run.status in (RunStatus.INTERRUPTED, RunStatus.FAILED, RunStatus.WAITING_FOR_BUDGET)
    can_import_for_real = run.dry_run and run.status == RunStatus.DONE
    if can_resume and resume_form is None:
        resume_form = TokenForm(needs_token=_resume_needs_token(run), prefix="resume")
    if can_import_for_real and real_form is None:
        real_form = TokenForm(needs_token=run.source == RunSource.API, prefix="real")
    return {
        "run": run,
        "progress": _progress_parts(run),
        "poll_seconds": POLL_SECONDS.get(run.status, POLL_DEFAULT_SECONDS) if run.is_active else None,
        "budget": _budget(run),
        "lines": lines,
        "report": report,
        "totals": [
            {"currency": currency, "legacy": legacy, "apogee": new, "difference": new - legacy}
            for currency, (legacy, new) in report.totals.items()
        ]
        if report
        else [],
        "resume_form": resume_form if can_resume else None,
        "real_form": real_form if can_import_for_real else None,
        "dry_run_of": _dry_run_of(run),
        "real_runs": _real_runs_of(run) if can_import_for_real else [],
    }


def _resume_needs_token(run: ImportRun) -> bool:
    return run.source == RunSource.API and not run.token_encrypted


def _dry_run_of(run: ImportRun) -> int | None:
    origin = run.options.get("from_dry_run") if isinstance(run.options, dict) else None
    return origin if isinstance(origin, int) else None


def _real_runs_of(run: ImportRun) -> list[int]:
    return list(ImportRun.objects.filter(options__from_dry_run=run.pk).values_list("pk", flat=True))


def _progress_parts(run: ImportRun) -> list[str]:
    """ "1,234 of 5,000 records · 85/s · about 2 min left · phase: deals", the parts that are known."""
    if run.total_steps:
        parts = [
            ngettext(
                "%(done)s of %(total)s record",
                "%(done)s of %(total)s records",
                run.total_steps,
            )
            % {"done": _number(run.done_steps), "total": _number(run.total_steps)}
        ]
    else:
        parts = [
            ngettext("%(done)s record read", "%(done)s records read", run.done_steps)
            % {"done": _number(run.done_steps)}
        ]
    if run.is_active and run.rate:
        parts.append(_("%(rate)s/s") % {"rate": _number(round(run.rate))})
    eta = run.eta_seconds
    if eta is not None:
        parts.append(_time_left(eta))
    if run.phase and run.is_active:
        parts.append(_("phase: %(phase)s") % {"phase": PHASES.get(run.phase, run.phase)})
    return parts


def _time_left(seconds: int) -> str:
    if seconds < 60:
        return _("less than a minute left")
    minutes = round(seconds / 60)
    if minutes < 60:
        return ngettext("about %d min left", "about %d min left", minutes) % minutes
    hours, minutes = divmod(minutes, 60)
    return _("about %(hours)d h %(minutes)02d min left") % {"hours": hours, "minutes": minutes}


def _budget(run: ImportRun) -> dict | None:
    budget = run.budget if isinstance(run.budget, dict) else {}
    remaining = budget.get("daily_remaining")
    if remaining is None:
        return None
    return {"remaining": remaining, "limit": budget.get("daily_limit")}


def _issues_context(request: HttpRequest, run: ImportRun) -> dict:
    counts: dict[str, dict[str, int]] = {}
    for row in ImportIssue.objects.filter(run=run).values("level", "entity").annotate(n=Count("id")):
        counts.setdefault(row["level"], {})[row["entity"]] = row["n"]
    level = request.GET.get("level", "")
    if level not in dict(ISSUE_TABS):
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
        issue.entity_label = ENTITY_NAMES.get(issue.entity, issue.entity)
    total = sum(sum(entities.values()) for entities in counts.values())
    tabs = [{"label": _("All"), "count": total, "active": not level, "query": _query(entity=entity)}]
    tabs += [
        {
            "label": label,
            "count": sum(counts.get(key, {}).values()),
            "active": level == key,
            "query": _query(level=key, entity=entity),
        }
        for key, label in ISSUE_TABS
    ]
    return {
        "issue_tabs": tabs,
        "issue_level": level,
        "issue_entity": entity,
        "issue_entities": sorted(
            ((name, ENTITY_NAMES.get(name, name), n) for name, n in by_entity.items()),
            key=lambda e: str(e[1]),
        ),
        "issues_page": page,
        "issues_total": total,
        "issues_query": _query(level=level, entity=entity),
    }


def _query(**params: str) -> str:
    return urlencode({key: value for key, value in params.items() if value})


# Actions ----------------------------------------------------------------------------------------


@admin_required
@require_POST
def interrupt(request: HttpRequest, run_id: int) -> HttpResponse:
    run = _get_run(run_id)
    was_active = run.is_active
    try:
        services.interrupt_import(run=run, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        if was_active:
            messages.success(
                request, _("Import #%d interrupted: it stops after the record it is writing.") % run.pk
            )
        else:
            messages.info(request, _("Import #%d was not running.") % run.pk)
    return redirect("pipedrive:run", run_id=run.pk)


@admin_required
@require_POST
@sensitive_post_parameters("token")
def resume(request: HttpRequest, run_id: int) -> HttpResponse:
    run = _get_run(run_id)
    form = TokenForm(request.POST, needs_token=_resume_needs_token(run), prefix="resume")
    if form.is_valid():
        try:
            services.resume_import(run=run, actor=request.user, token=form.given_token())
        except DomainError as error:
            form.add_domain_error(error)
        else:
            messages.success(request, _("Import #%d resumed from where it stopped.") % run.pk)
            return redirect("pipedrive:run", run_id=run.pk)
    return _run_page(request, _get_run(run_id), resume_form=form, status=422)


@admin_required
@require_POST
@sensitive_post_parameters("token")
def import_for_real(request: HttpRequest, run_id: int) -> HttpResponse:
    run = _get_run(run_id)
    form = TokenForm(request.POST, needs_token=run.source == RunSource.API, prefix="real")
    if form.is_valid():
        try:
            real = services.start_from_dry_run(run=run, actor=request.user, token=form.given_token())
        except DomainError as error:
            form.add_domain_error(error)
        else:
            messages.success(
                request,
                _("Import #%(real)d started from dry run #%(dry)d.") % {"real": real.pk, "dry": run.pk},
            )
            return redirect("pipedrive:run", run_id=real.pk)
    return _run_page(request, run, real_form=form, status=422)


@admin_required
@require_GET
def report_download(request: HttpRequest, run_id: int) -> HttpResponse:
    run = _get_run(run_id)
    response = HttpResponse(report_csv(run), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="pipedrive-run-{run.pk}.csv"'
    return response
