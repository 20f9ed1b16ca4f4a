"""Settings pages of custom fields: one tab per record type; create, edit, archive, restore, reorder.

Routed from workspace/urls.py under /settings/; administrators only.
"""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_htmx.http import trigger_client_event

from apogee.core.errors import DomainError
from apogee.workspace.forms import OrderForm, SettingsForm
from apogee.workspace.views import admin_required, finish, posted, render_form

from . import services
from .forms import OPTION_TYPES, FieldCreateForm, FieldEditForm
from .models import Entity, FieldDefinition


def _entity_or_404(entity: str) -> Entity:
    if entity not in Entity.values:
        raise Http404
    return Entity(entity)


def _list_url(entity: str) -> str:
    return reverse("workspace:fields", args=[entity])


def _fields_context(entity: Entity) -> dict:
    definitions = list(FieldDefinition.objects.filter(entity=entity).order_by("position", "id"))
    return {
        "entity": entity,
        "active": [d for d in definitions if not d.is_archived],
        "archived": [d for d in definitions if d.is_archived],
    }


@admin_required
def field_index(request: HttpRequest) -> HttpResponse:
    return redirect(_list_url(Entity.DEAL))


@admin_required
def field_list(request: HttpRequest, entity: str) -> HttpResponse:
    entity = _entity_or_404(entity)
    context = {"section": "fields", "entities": Entity.choices, **_fields_context(entity)}
    return render(request, "settings/fields.html", context)


@admin_required
def field_create(request: HttpRequest, entity: str) -> HttpResponse:
    entity = _entity_or_404(entity)
    form = FieldCreateForm(posted(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            definition = services.create_field_definition(
                entity=entity,
                label_en=data["label_en"],
                label_fr=data["label_fr"],
                key=data["key"],
                field_type=data["field_type"],
                options=data["options"] if data["field_type"] in OPTION_TYPES else None,
                actor=request.user,
            )
        except DomainError as error:
            form.add_domain_error(error)
        else:
            return finish(request, _list_url(entity), _("Field “%s” created.") % definition.label)
    context = {
        "section": "fields",
        "title": _("New %s field") % entity.label.lower(),
        "form": form,
        "action": request.path,
        "submit_label": _("Create field"),
        "cancel_url": _list_url(entity),
    }
    return render_form(request, "settings/form.html", context, invalid=bool(form.errors))


@admin_required
def field_edit(request: HttpRequest, field_id: int) -> HttpResponse:
    definition = get_object_or_404(FieldDefinition, pk=field_id)
    form = FieldEditForm(posted(request), definition=definition)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.update_field_definition(
                definition=definition,
                label_en=data["label_en"],
                label_fr=data["label_fr"],
                options=data.get("options"),
                actor=request.user,
            )
        except DomainError as error:
            form.add_domain_error(error)
        else:
            return finish(request, _list_url(definition.entity), _("Field “%s” saved.") % definition.label)
    context = {
        "section": "fields",
        "title": _("Edit field “%s”") % definition.label,
        "definition": definition,
        "form": form,
        "action": request.path,
        "submit_label": _("Save"),
        "cancel_url": _list_url(definition.entity),
    }
    return render_form(request, "settings/field_edit.html", context, invalid=bool(form.errors))


@admin_required
def field_archive(request: HttpRequest, field_id: int) -> HttpResponse:
    definition = get_object_or_404(FieldDefinition, pk=field_id, is_archived=False)
    form = SettingsForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.update_field_definition(definition=definition, is_archived=True, actor=request.user)
        except DomainError as error:
            form.add_domain_error(error)
        else:
            return finish(request, _list_url(definition.entity), _("Field “%s” archived.") % definition.label)
    context = {
        "section": "fields",
        "title": _("Archive field"),
        "question": _(
            "Archive “%s”? It disappears from forms, lists and filters. "
            "Values already entered are kept, and you can restore the field at any time."
        )
        % definition.label,
        "form": form,
        "action": request.path,
        "submit_label": _("Archive"),
        "cancel_url": _list_url(definition.entity),
    }
    return render_form(request, "settings/confirm.html", context, invalid=bool(form.errors))


@admin_required
@require_POST
def field_restore(request: HttpRequest, field_id: int) -> HttpResponse:
    definition = get_object_or_404(FieldDefinition, pk=field_id, is_archived=True)
    try:
        services.update_field_definition(definition=definition, is_archived=False, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Field “%s” restored.") % definition.label)
    return redirect(_list_url(definition.entity))


@admin_required
@require_POST
def fields_reorder(request: HttpRequest, entity: str) -> HttpResponse:
    entity = _entity_or_404(entity)
    rows = list(
        FieldDefinition.objects.filter(entity=entity)
        .order_by("position", "id")
        .values_list("pk", "is_archived")
    )
    form = OrderForm(
        request.POST,
        current_ids=[pk for pk, archived in rows if not archived],
        hidden_ids=[pk for pk, archived in rows if archived],
    )
    error = None
    if form.is_valid():
        try:
            services.reorder_field_definitions(
                entity=entity, ordered_ids=form.cleaned_data["ordered_ids"], actor=request.user
            )
        except DomainError as domain_error:
            error = domain_error.message
    else:
        error = " ".join(form.non_field_errors()) or _("Invalid order.")
    if request.htmx:
        fragment = render(request, "settings/_fields_table.html", _fields_context(entity))
        if error:
            trigger_client_event(fragment, "toast", {"message": error, "kind": "error"})
        return fragment
    if error:
        messages.error(request, error)
    return redirect(_list_url(entity))
