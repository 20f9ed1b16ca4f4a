"""Settings page of activity types (administrators): add, rename, change the icon, archive, restore.

Routed from workspace/urls.py under /settings/.
"""

from django.contrib import messages
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apogee.activities import services
from apogee.activities.forms import ActivityTypeForm
from apogee.activities.models import Activity, ActivityType
from apogee.core.errors import DomainError
from apogee.workspace.forms import SettingsForm
from apogee.workspace.views import admin_required, finish, posted, render_form

LIST_URL = "workspace:activity_types"


@admin_required
def types(request: HttpRequest) -> HttpResponse:
    """The list, with the form that adds a type (POST here adds one)."""
    form = ActivityTypeForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            created = services.save_activity_type(actor=request.user, **form.cleaned_data)
        except DomainError as error:
            form.add_domain_error(error)
        else:
            messages.success(request, _("Activity type “%s” added.") % created.label)
            return redirect(LIST_URL)
    all_types = list(ActivityType.objects.all())
    usage = dict(
        Activity.objects.filter(deleted_at__isnull=True)
        .order_by()
        .values_list("type_id")
        .annotate(n=Count("id"))
    )
    for kind in all_types:
        kind.activity_count = usage.get(kind.pk, 0)
    context = {
        "section": "activity_types",
        "form": form,
        "active": [t for t in all_types if not t.is_archived],
        "archived": [t for t in all_types if t.is_archived],
    }
    return render(request, "settings/activity_types.html", context, status=422 if form.errors else 200)


@admin_required
def type_edit(request: HttpRequest, type_id: int) -> HttpResponse:
    kind = get_object_or_404(ActivityType, pk=type_id)
    form = ActivityTypeForm(
        posted(request), initial={"label_en": kind.label_en, "label_fr": kind.label_fr, "icon": kind.icon}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.save_activity_type(actor=request.user, activity_type=kind, **form.cleaned_data)
        except DomainError as error:
            form.add_domain_error(error)
        else:
            return finish(request, reverse(LIST_URL), _("Activity type saved."))
    context = {
        "section": "activity_types",
        "title": _("Edit activity type"),
        "form": form,
        "action": request.path,
        "submit_label": _("Save"),
        "cancel_url": reverse(LIST_URL),
    }
    return render_form(request, "settings/form.html", context, invalid=bool(form.errors))


@admin_required
def type_archive(request: HttpRequest, type_id: int) -> HttpResponse:
    kind = get_object_or_404(ActivityType, pk=type_id)
    form = SettingsForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.save_activity_type(
                actor=request.user,
                activity_type=kind,
                label_en=kind.label_en,
                label_fr=kind.label_fr,
                icon=kind.icon,
                is_archived=True,
            )
        except DomainError as error:
            form.add_domain_error(error)
        else:
            return finish(request, reverse(LIST_URL), _("“%s” archived.") % kind.label)
    context = {
        "section": "activity_types",
        "title": _("Archive activity type"),
        "form": form,
        "action": request.path,
        "question": _(
            "Archive “%s”? It will no longer be offered for new activities. "
            "Activities of this type keep it, and you can restore it at any time."
        )
        % kind.label,
        "submit_label": _("Archive"),
        "cancel_url": reverse(LIST_URL),
    }
    return render_form(request, "settings/confirm.html", context, invalid=bool(form.errors))


@admin_required
@require_POST
def type_restore(request: HttpRequest, type_id: int) -> HttpResponse:
    kind = get_object_or_404(ActivityType, pk=type_id)
    services.save_activity_type(
        actor=request.user,
        activity_type=kind,
        label_en=kind.label_en,
        label_fr=kind.label_fr,
        icon=kind.icon,
        is_archived=False,
    )
    messages.success(request, _("“%s” restored.") % kind.label)
    return redirect(LIST_URL)
