"""Settings pages of pipelines and stages: create, rename, hand-off, archive, reorder, gates, removal.

Routed from workspace/urls.py under /settings/; administrators only.
"""

from django.contrib import messages
from django.db.models import Count, Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_htmx.http import trigger_client_event

from apogee.core.errors import DomainError
from apogee.customfields.queries import definitions_for
from apogee.deals import services as deal_services
from apogee.workspace.forms import OrderForm, SettingsForm
from apogee.workspace.views import admin_required, finish, posted, render_form

from . import services
from .forms import PipelineCreateForm, PipelineForm, StageForm, StageRemoveForm
from .models import Pipeline, Stage, required_fields_for

LIST_URL = "workspace:pipelines"


def _pipelines_with_stage_details(**filters) -> list[Pipeline]:
    """Pipelines with ordered stages, each carrying its deal count and the labels of its gates."""
    stages = Stage.objects.annotate(deal_count=Count("deals")).order_by("position", "id")
    pipelines = list(
        Pipeline.objects.filter(**filters)
        .select_related("handoff_target")
        .prefetch_related(Prefetch("stages", queryset=stages))
        .order_by("position", "id")
    )
    labels = {d.key: d.label for d in definitions_for("deal", include_archived=True)}
    for pipeline in pipelines:
        ordered = list(pipeline.stages.all())
        for stage in ordered:
            stage.gate_labels = [labels.get(key, key) for key in stage.gate_field_keys]
            stage.inherited_labels = [
                labels.get(key, key)
                for key in required_fields_for(stage, ordered)
                if key not in stage.gate_field_keys
            ]
        pipeline.ordered_stages = ordered
    return pipelines


@admin_required
def pipeline_list(request: HttpRequest) -> HttpResponse:
    pipelines = _pipelines_with_stage_details()
    context = {
        "section": "pipelines",
        "active": [p for p in pipelines if not p.is_archived],
        "archived": [p for p in pipelines if p.is_archived],
    }
    return render(request, "settings/pipelines.html", context)


def _pipeline_panel(request: HttpRequest, pipeline_id: int) -> HttpResponse:
    (pipeline,) = _pipelines_with_stage_details(pk=pipeline_id)
    return render(request, "settings/_pipeline_panel.html", {"pipeline": pipeline})


def _active_pipelines_fragment(request: HttpRequest) -> HttpResponse:
    active = _pipelines_with_stage_details(is_archived=False)
    return render(request, "settings/_active_pipelines.html", {"active": active})


@admin_required
def pipeline_create(request: HttpRequest) -> HttpResponse:
    form = PipelineCreateForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            pipeline = services.create_pipeline(
                name=form.cleaned_data["name"],
                stage_names=form.cleaned_data["stage_names"],
                actor=request.user,
            )
        except DomainError as error:
            form.add_domain_error(error)
        else:
            url = reverse(LIST_URL) + f"#pipeline-{pipeline.pk}"
            return finish(request, url, _("Pipeline “%s” created.") % pipeline.name)
    context = {
        "section": "pipelines",
        "title": _("New pipeline"),
        "form": form,
        "action": request.path,
        "submit_label": _("Create pipeline"),
        "cancel_url": reverse(LIST_URL),
    }
    return render_form(request, "settings/form.html", context, invalid=bool(form.errors))


@admin_required
def pipeline_edit(request: HttpRequest, pipeline_id: int) -> HttpResponse:
    pipeline = get_object_or_404(Pipeline, pk=pipeline_id)
    form = PipelineForm(posted(request), pipeline=pipeline)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.update_pipeline(
                pipeline=pipeline,
                name=data["name"],
                handoff_target=data["handoff_target"],
                handoff_mode=data["handoff_mode"],
                clear_handoff=data["handoff_target"] is None,
                actor=request.user,
            )
        except DomainError as error:
            form.add_domain_error(error)
        else:
            url = reverse(LIST_URL) + f"#pipeline-{pipeline.pk}"
            return finish(request, url, _("Pipeline “%s” saved.") % pipeline.name)
    context = {
        "section": "pipelines",
        "title": _("Edit pipeline “%s”") % pipeline.name,
        "intro": _(
            "When a deal of this pipeline is won, it can be handed off to another pipeline: "
            "either a new linked deal is created there, or the deal itself moves."
        ),
        "form": form,
        "action": request.path,
        "submit_label": _("Save"),
        "cancel_url": reverse(LIST_URL),
    }
    return render_form(request, "settings/form.html", context, invalid=bool(form.errors))


@admin_required
def pipeline_archive(request: HttpRequest, pipeline_id: int) -> HttpResponse:
    pipeline = get_object_or_404(Pipeline, pk=pipeline_id, is_archived=False)
    form = SettingsForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.set_pipeline_archived(pipeline=pipeline, archived=True, actor=request.user)
        except DomainError as error:
            form.add_domain_error(error)
        else:
            return finish(request, reverse(LIST_URL), _("Pipeline “%s” archived.") % pipeline.name)
    context = {
        "section": "pipelines",
        "title": _("Archive pipeline"),
        "question": _(
            "Archive “%s”? It disappears from the board and from new deals. "
            "Its deals and their history stay, and you can restore it at any time."
        )
        % pipeline.name,
        "form": form,
        "action": request.path,
        "submit_label": _("Archive"),
        "cancel_url": reverse(LIST_URL),
    }
    return render_form(request, "settings/confirm.html", context, invalid=bool(form.errors))


@admin_required
@require_POST
def pipeline_restore(request: HttpRequest, pipeline_id: int) -> HttpResponse:
    pipeline = get_object_or_404(Pipeline, pk=pipeline_id, is_archived=True)
    try:
        services.set_pipeline_archived(pipeline=pipeline, archived=False, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Pipeline “%s” restored.") % pipeline.name)
    return redirect(reverse(LIST_URL) + f"#pipeline-{pipeline.pk}")


def _reorder_failed(request: HttpRequest, fragment: HttpResponse, message: str) -> HttpResponse:
    # The list is re-drawn as stored, so a rejected drag snaps back; the toast says why.
    return trigger_client_event(fragment, "toast", {"message": message, "kind": "error"})


@admin_required
@require_POST
def pipelines_reorder(request: HttpRequest) -> HttpResponse:
    pipelines = list(Pipeline.objects.order_by("position", "id").values_list("pk", "is_archived"))
    form = OrderForm(
        request.POST,
        current_ids=[pk for pk, archived in pipelines if not archived],
        hidden_ids=[pk for pk, archived in pipelines if archived],
    )
    error = None
    if form.is_valid():
        try:
            services.reorder_pipelines(ordered_ids=form.cleaned_data["ordered_ids"], actor=request.user)
        except DomainError as domain_error:
            error = domain_error.message
    else:
        error = " ".join(form.non_field_errors()) or _("Invalid order.")
    if request.htmx:
        fragment = _active_pipelines_fragment(request)
        return _reorder_failed(request, fragment, error) if error else fragment
    if error:
        messages.error(request, error)
    return redirect(LIST_URL)


@admin_required
@require_POST
def stages_reorder(request: HttpRequest, pipeline_id: int) -> HttpResponse:
    pipeline = get_object_or_404(Pipeline, pk=pipeline_id)
    form = OrderForm(
        request.POST,
        current_ids=list(pipeline.stages.order_by("position", "id").values_list("pk", flat=True)),
    )
    error = None
    if form.is_valid():
        try:
            services.reorder_stages(
                pipeline=pipeline, ordered_ids=form.cleaned_data["ordered_ids"], actor=request.user
            )
        except DomainError as domain_error:
            error = domain_error.message
    else:
        error = " ".join(form.non_field_errors()) or _("Invalid order.")
    if request.htmx:
        fragment = _pipeline_panel(request, pipeline.pk)
        return _reorder_failed(request, fragment, error) if error else fragment
    if error:
        messages.error(request, error)
    return redirect(reverse(LIST_URL) + f"#pipeline-{pipeline.pk}")


@admin_required
def stage_add(request: HttpRequest, pipeline_id: int) -> HttpResponse:
    pipeline = get_object_or_404(Pipeline, pk=pipeline_id)
    form = StageForm(posted(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            stage = services.add_stage(
                pipeline=pipeline,
                name=data["name"],
                probability=data["probability"],
                rotting_days=data["rotting_days"],
                gate_field_keys=data["gate_field_keys"],
                actor=request.user,
            )
        except DomainError as error:
            form.add_domain_error(error)
        else:
            url = reverse(LIST_URL) + f"#pipeline-{pipeline.pk}"
            return finish(request, url, _("Stage “%s” added.") % stage.name)
    context = {
        "section": "pipelines",
        "title": _("New stage in “%s”") % pipeline.name,
        "intro": _("The stage is added at the end of the pipeline; drag it to where it belongs."),
        "form": form,
        "action": request.path,
        "submit_label": _("Add stage"),
        "cancel_url": reverse(LIST_URL),
    }
    return render_form(request, "settings/form.html", context, invalid=bool(form.errors))


@admin_required
def stage_edit(request: HttpRequest, stage_id: int) -> HttpResponse:
    stage = get_object_or_404(Stage.objects.select_related("pipeline"), pk=stage_id)
    form = StageForm(posted(request), stage=stage)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.update_stage(
                stage=stage,
                name=data["name"],
                probability=data["probability"],
                rotting_days=data["rotting_days"],
                gate_field_keys=data["gate_field_keys"],
                actor=request.user,
            )
        except DomainError as error:
            form.add_domain_error(error)
        else:
            url = reverse(LIST_URL) + f"#pipeline-{stage.pipeline_id}"
            return finish(request, url, _("Stage “%s” saved.") % stage.name)
    context = {
        "section": "pipelines",
        "title": _("Edit stage “%(stage)s” of %(pipeline)s")
        % {"stage": stage.name, "pipeline": stage.pipeline},
        "form": form,
        "action": request.path,
        "submit_label": _("Save"),
        "cancel_url": reverse(LIST_URL),
    }
    return render_form(request, "settings/form.html", context, invalid=bool(form.errors))


@admin_required
def stage_delete(request: HttpRequest, stage_id: int) -> HttpResponse:
    """Confirm, and when the stage holds deals, ask which stage of the pipeline receives them."""
    stage = get_object_or_404(Stage.objects.select_related("pipeline"), pk=stage_id)
    deal_count = stage.deals.count()
    form = StageRemoveForm(posted(request), stage=stage, deal_count=deal_count)
    if request.method == "POST" and form.is_valid():
        try:
            moved = deal_services.remove_stage(
                stage=stage, move_deals_to=form.cleaned_data.get("move_deals_to"), actor=request.user
            )
        except DomainError as error:
            form.add_domain_error(error)
        else:
            if moved:
                message = _("Stage “%(stage)s” deleted; %(count)d deal(s) moved to “%(target)s”.") % {
                    "stage": stage.name,
                    "count": moved,
                    "target": form.cleaned_data["move_deals_to"].name,
                }
            else:
                message = _("Stage “%s” deleted.") % stage.name
            return finish(request, reverse(LIST_URL) + f"#pipeline-{stage.pipeline_id}", message)
    context = {
        "section": "pipelines",
        "title": _("Delete stage “%s”") % stage.name,
        "stage": stage,
        "deal_count": deal_count,
        "form": form,
        "action": request.path,
        "cancel_url": reverse(LIST_URL),
    }
    return render_form(request, "settings/stage_delete.html", context, invalid=bool(form.errors))
