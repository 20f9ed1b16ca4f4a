"""What an administrator does to a run: interrupt it, resume it, import a dry run for real, download
its report. POSTs only (the report is a GET), each answering with a redirect to the run page, or
the page itself with the form's errors."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_POST

from apogee.core.errors import DomainError
from apogee.integrations.pipedrive import services
from apogee.integrations.pipedrive.forms import TokenForm
from apogee.integrations.pipedrive.importer.reports import report_csv
from apogee.integrations.pipedrive.models import RunSource
from apogee.workspace.views import admin_required

from .run import get_run, is_stopping, resume_needs_token, run_page


@admin_required
@require_POST
def interrupt(request: HttpRequest, run_id: int) -> HttpResponse:
    run = get_run(run_id)
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
    run = get_run(run_id)
    form = TokenForm(request.POST, needs_token=resume_needs_token(run), prefix="resume")
    if is_stopping(run):
        form.add_error(None, _("The import is still stopping: resume it in a few seconds."))
    elif form.is_valid():
        try:
            services.resume_import(run=run, actor=request.user, token=form.given_token())
        except DomainError as error:
            form.add_domain_error(error)
        else:
            messages.success(request, _("Import #%d resumed from where it stopped.") % run.pk)
            return redirect("pipedrive:run", run_id=run.pk)
    return run_page(request, get_run(run_id), resume_form=form, status=422)


@admin_required
@require_POST
@sensitive_post_parameters("token")
def import_for_real(request: HttpRequest, run_id: int) -> HttpResponse:
    run = get_run(run_id)
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
    return run_page(request, run, real_form=form, status=422)


@admin_required
@require_GET
def report_download(request: HttpRequest, run_id: int) -> HttpResponse:
    run = get_run(run_id)
    response = HttpResponse(report_csv(run), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="pipedrive-run-{run.pk}.csv"'
    return response
