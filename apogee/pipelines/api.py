"""JSON API of pipelines and stages: everyone reads them, administrators change them."""

from django.db import transaction
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from pydantic import ConfigDict

from apogee.core.errors import ValidationFailed
from apogee.deals.errors import StageNotInPipeline
from apogee.deals.services import remove_stage as remove_stage_and_move_deals

from . import services
from .models import HandoffMode, Pipeline, Stage
from .queries import pipelines_with_stages

router = Router(tags=["pipelines"])


class Input(Schema):
    # A misspelt field is refused (422), not silently dropped.
    model_config = ConfigDict(extra="forbid", use_enum_values=True)


class StageOut(Schema):
    id: int
    pipeline_id: int
    name: str
    position: int
    probability: int
    rotting_days: int | None
    gate_field_keys: list[str] = Field(
        ..., description="Deal fields required to enter this stage and every later one."
    )


class PipelineOut(Schema):
    id: int
    name: str
    position: int
    is_archived: bool
    handoff_target_id: int | None
    handoff_mode: str
    stages: list[StageOut]


class StageRemoved(Schema):
    moved_deals: int


class PipelineQuery(Schema):
    include_archived: bool = False


class PipelineCreate(Input):
    name: str
    stage_names: list[str] | None = Field(None, description="In order; one stage “First contact” if omitted.")


class PipelinePatch(Input):
    name: str | None = None
    handoff_target_id: int | None = Field(None, description="null removes the hand-off.")
    handoff_mode: HandoffMode | None = None
    is_archived: bool | None = None


class StageCreate(Input):
    name: str
    probability: int = Field(0, description="Win probability, 0 to 100.")
    rotting_days: int | None = None
    gate_field_keys: list[str] = Field(default_factory=list)


class StagePatch(Input):
    name: str | None = None
    probability: int | None = None
    rotting_days: int | None = Field(None, description="null: deals here never rot.")
    gate_field_keys: list[str] | None = None


def _pipeline_with_stages(pipeline_id: int) -> Pipeline:
    return get_object_or_404(pipelines_with_stages(include_archived=True), pk=pipeline_id)


@router.get("/pipelines", response=list[PipelineOut])
def list_pipelines(request, params: Query[PipelineQuery]):
    """Pipelines in board order, each with its stages in order."""
    return pipelines_with_stages(include_archived=params.include_archived)


@router.post("/pipelines", response={201: PipelineOut})
def create_pipeline(request, payload: PipelineCreate):
    """Administrators only."""
    pipeline = services.create_pipeline(
        name=payload.name, stage_names=payload.stage_names, actor=request.auth
    )
    return Status(201, _pipeline_with_stages(pipeline.pk))


@router.get("/pipelines/{pipeline_id}", response=PipelineOut)
def get_pipeline(request, pipeline_id: int):
    return _pipeline_with_stages(pipeline_id)


@router.patch("/pipelines/{pipeline_id}", response=PipelineOut)
def update_pipeline(request, pipeline_id: int, payload: PipelinePatch):
    """Administrators only: rename, set or remove the hand-off, archive or restore."""
    pipeline = get_object_or_404(Pipeline, pk=pipeline_id)
    sent = payload.model_dump(exclude_unset=True)
    target = None
    if sent.get("handoff_target_id") is not None:
        target = Pipeline.objects.filter(pk=sent["handoff_target_id"]).first()
        if target is None:
            raise ValidationFailed(
                _("No such pipeline."), fields={"handoff_target_id": [_("Choose an existing pipeline.")]}
            )
    # Both services or neither: the request is one change for its sender.
    with transaction.atomic():
        try:
            pipeline = services.update_pipeline(
                pipeline=pipeline,
                actor=request.auth,
                name=sent.get("name"),
                handoff_target=target,
                handoff_mode=sent.get("handoff_mode"),
                clear_handoff="handoff_target_id" in sent and target is None,
            )
        except ValidationFailed as error:
            # The service names the model field; the request sent its id.
            if "handoff_target" in error.fields:
                error.fields["handoff_target_id"] = error.fields.pop("handoff_target")
            raise
        if sent.get("is_archived") is not None:
            services.set_pipeline_archived(
                pipeline=pipeline, archived=sent["is_archived"], actor=request.auth
            )
    return _pipeline_with_stages(pipeline.pk)


@router.post("/pipelines/{pipeline_id}/stages", response={201: StageOut})
def add_stage(request, pipeline_id: int, payload: StageCreate):
    """Administrators only. The stage goes last; gates name deal custom-field keys."""
    pipeline = get_object_or_404(Pipeline, pk=pipeline_id)
    stage = services.add_stage(pipeline=pipeline, actor=request.auth, **payload.model_dump())
    return Status(201, stage)


@router.patch("/stages/{stage_id}", response=StageOut)
def update_stage(request, stage_id: int, payload: StagePatch):
    """Administrators only."""
    stage = get_object_or_404(Stage, pk=stage_id)
    changes = payload.model_dump(exclude_unset=True)
    if "rotting_days" in changes and changes["rotting_days"] is None:
        changes["rotting_days"] = ""  # the service's "clear it"; None there means "leave as is"
    return services.update_stage(stage=stage, actor=request.auth, **changes)


@router.delete("/stages/{stage_id}", response=StageRemoved)
def remove_stage(request, stage_id: int, move_deals_to: int | None = None):
    """Administrators only. A stage holding deals needs `move_deals_to`, another stage of its pipeline."""
    stage = get_object_or_404(Stage, pk=stage_id)
    target = None
    if move_deals_to is not None:
        target = Stage.objects.filter(pk=move_deals_to).first()
        if target is None:
            raise ValidationFailed(_("No such stage."), fields={"move_deals_to": [_("Choose a stage.")]})
    # Deleting a stage moves its deals, so the service is the deals' one.
    try:
        moved = remove_stage_and_move_deals(stage=stage, actor=request.auth, move_deals_to=target)
    except StageNotInPipeline as error:
        error.fields = {"move_deals_to": error.fields["stage"]}
        raise
    return {"moved_deals": moved}
