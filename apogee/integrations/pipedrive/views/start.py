"""The Pipedrive migration page: the form that starts a run, and the runs so far.

The API token is a password field that is never rendered back, and is kept out of error
reports (sensitive_post_parameters). Browsers cannot refill file inputs: a rejected form says
which files to choose again.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_POST

from apogee.core.errors import DomainError
from apogee.integrations.pipedrive import services
from apogee.integrations.pipedrive.forms import StartImportForm
from apogee.integrations.pipedrive.models import ImportRun
from apogee.workspace.views import admin_required

RUNS_PER_PAGE = 20


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
