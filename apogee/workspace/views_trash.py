"""The Trash page: deleted records the user may see, restore, and (administrators) permanent deletion."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apogee.core.errors import DomainError

from . import trash
from .views import admin_required


@login_required
def index(request: HttpRequest) -> HttpResponse:
    items = trash.trash_for(request.user)
    context = {"items": items, "retention_days": trash.RETENTION.days}
    return render(request, "workspace/trash.html", context)


@login_required
@require_POST
def restore(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    record = trash.deleted_record_for_user_or_404(request.user, kind, pk)
    try:
        trash.restore(kind=kind, record=record, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("“%s” was restored.") % trash.name_of(record))
    return redirect("trash:index")


@admin_required
def purge(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    """GET: the confirmation page; POST: delete for good."""
    record = trash.deleted_record_for_user_or_404(request.user, kind, pk)
    name = trash.name_of(record)
    if request.method == "POST":
        try:
            trash.purge(kind=kind, record=record, actor=request.user)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("“%s” was deleted permanently.") % name)
        return redirect("trash:index")
    context = {
        "kind": kind,
        "kind_label": trash.KIND_LABELS[kind],
        "name": name,
        "record": record,
        "blocker": trash.purge_blocker(kind, record),
        "activity_count": record.activities.count() if kind == "deal" else 0,
        "action": request.path,
        "cancel_url": reverse("trash:index"),
    }
    return render(request, "workspace/trash_confirm.html", context)
