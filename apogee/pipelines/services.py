"""Writes to pipelines and stages: create, rename, reorder, archive, gates. Admin only."""

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from apogee.core.errors import PermissionDenied, ValidationFailed
from apogee.core.events import jsonable, record_event
from apogee.customfields.queries import definitions_for

from .errors import StageHasDeals
from .models import HandoffMode, Pipeline, Stage


def _ensure_admin(actor) -> None:
    if actor is not None and not actor.is_workspace_admin:
        raise PermissionDenied(_("Only an administrator can change pipelines."))


def _clean_name(name: str, field: str = "name") -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationFailed(_("A name is required."), fields={field: [_("This field is required.")]})
    if len(name) > 100:
        raise ValidationFailed(_("Name too long."), fields={field: [_("At most 100 characters.")]})
    if "\x00" in name:  # PostgreSQL refuses NUL in text columns: a field error, not a 500
        raise ValidationFailed(
            _("Invalid name."), fields={field: [_("Text may not contain NUL characters.")]}
        )
    return name


def _clean_stage_settings(probability, rotting_days, gate_field_keys) -> dict:
    errors: dict[str, list[str]] = {}
    result = {}
    if probability is not None:
        try:
            probability = int(probability)
        except (TypeError, ValueError):
            probability = -1
        if not 0 <= probability <= 100:
            errors["probability"] = [_("Enter a whole number from 0 to 100.")]
        result["probability"] = probability
    if rotting_days is not None:
        if rotting_days == "":
            rotting_days = None
        else:
            try:
                rotting_days = int(rotting_days)
            except (TypeError, ValueError):
                rotting_days = -1
            if not 1 <= rotting_days <= 3650:
                errors["rotting_days"] = [_("Enter a number of days from 1 to 3650, or leave empty.")]
        result["rotting_days"] = rotting_days
    if gate_field_keys is not None:
        known = set(definitions_for("deal").values_list("key", flat=True))
        unknown = [k for k in gate_field_keys if k not in known]
        if unknown:
            errors["gate_field_keys"] = [_("Unknown deal field: %s") % ", ".join(unknown)]
        result["gate_field_keys"] = list(dict.fromkeys(gate_field_keys))
    if errors:
        raise ValidationFailed(_("The stage settings are invalid."), fields=errors)
    return result


@transaction.atomic
def create_pipeline(*, name: str, actor, stage_names: list[str] | None = None) -> Pipeline:
    _ensure_admin(actor)
    name = _clean_name(name)
    if Pipeline.objects.filter(name__iexact=name, is_archived=False).exists():
        raise ValidationFailed(
            _("Pipeline exists."), fields={"name": [_("A pipeline with this name exists.")]}
        )
    position = (Pipeline.objects.aggregate(m=Max("position"))["m"] or 0) + 1
    pipeline = Pipeline.objects.create(name=name, position=position)
    record_event("pipeline.created", subject=pipeline, actor=actor, data={"name": name})
    for stage_name in stage_names if stage_names is not None else [_("First contact")]:
        add_stage(pipeline=pipeline, name=stage_name, actor=actor)
    return pipeline


@transaction.atomic
def update_pipeline(
    *, pipeline: Pipeline, actor, name=None, handoff_target=None, handoff_mode=None, clear_handoff=False
) -> Pipeline:
    _ensure_admin(actor)
    changes = {}
    if name is not None:
        changes["name"] = _clean_name(name)
        # The same rule as create_pipeline: two active pipelines with one name cannot be told apart.
        if (
            Pipeline.objects.filter(name__iexact=changes["name"], is_archived=False)
            .exclude(pk=pipeline.pk)
            .exists()
        ):
            raise ValidationFailed(
                _("Pipeline exists."), fields={"name": [_("A pipeline with this name exists.")]}
            )
    if clear_handoff:
        changes["handoff_target"] = None
    elif handoff_target is not None:
        if handoff_target.is_archived:
            raise ValidationFailed(
                _("Invalid hand-off."), fields={"handoff_target": [_("Choose an active pipeline.")]}
            )
        if handoff_target.pk == pipeline.pk:
            raise ValidationFailed(
                _("Invalid hand-off."),
                fields={"handoff_target": [_("A pipeline cannot hand off to itself.")]},
            )
        changes["handoff_target"] = handoff_target
    if handoff_mode is not None:
        if handoff_mode not in HandoffMode.values:
            raise ValidationFailed(
                _("Invalid hand-off."), fields={"handoff_mode": [_("Choose a valid mode.")]}
            )
        changes["handoff_mode"] = handoff_mode
    return _apply(pipeline, changes, actor, "pipeline.updated")


def _apply(obj, changes: dict, actor, event: str):
    diff = {}
    for field, value in changes.items():
        old = getattr(obj, field)
        if old != value:
            diff[field] = [jsonable(old), jsonable(value)]
            setattr(obj, field, value)
    if diff:
        obj.save()
        record_event(event, subject=obj, actor=actor, data={"changes": diff})
    return obj


@transaction.atomic
def set_pipeline_archived(*, pipeline: Pipeline, archived: bool, actor) -> Pipeline:
    """Archiving hides a pipeline from the board switcher; its deals and history stay."""
    _ensure_admin(actor)
    if pipeline.is_archived != archived:
        pipeline.is_archived = archived
        pipeline.save(update_fields=["is_archived"])
        record_event("pipeline.archived" if archived else "pipeline.restored", subject=pipeline, actor=actor)
    return pipeline


@transaction.atomic
def reorder_pipelines(*, ordered_ids: list[int], actor) -> None:
    _ensure_admin(actor)
    if not ordered_ids and not Pipeline.objects.exists():
        return
    pipelines = {p.pk: p for p in Pipeline.objects.all()}
    if sorted(ordered_ids) != sorted(pipelines):
        raise ValidationFailed(
            _("Invalid order."), fields={"order": [_("Give every pipeline exactly once.")]}
        )
    for position, pk in enumerate(ordered_ids, start=1):
        Pipeline.objects.filter(pk=pk).update(position=position)
    record_event(
        "pipeline.reordered", subject=pipelines[ordered_ids[0]], actor=actor, data={"order": ordered_ids}
    )


@transaction.atomic
def add_stage(
    *, pipeline: Pipeline, name: str, actor, probability=0, rotting_days=None, gate_field_keys=None
) -> Stage:
    _ensure_admin(actor)
    name = _clean_name(name)
    settings = _clean_stage_settings(
        probability, rotting_days if rotting_days is not None else "", gate_field_keys or []
    )
    position = (pipeline.stages.aggregate(m=Max("position"))["m"] or 0) + 1
    stage = Stage.objects.create(pipeline=pipeline, name=name, position=position, **settings)
    record_event(
        "stage.created",
        subject=stage,
        actor=actor,
        data={"pipeline": pipeline.pk, "name": name, **jsonable(settings)},
    )
    return stage


@transaction.atomic
def update_stage(
    *, stage: Stage, actor, name=None, probability=None, rotting_days=None, gate_field_keys=None
) -> Stage:
    _ensure_admin(actor)
    changes = _clean_stage_settings(probability, rotting_days, gate_field_keys)
    if name is not None:
        changes["name"] = _clean_name(name)
    return _apply(stage, changes, actor, "stage.updated")


@transaction.atomic
def reorder_stages(*, pipeline: Pipeline, ordered_ids: list[int], actor) -> None:
    _ensure_admin(actor)
    stages = {s.pk: s for s in pipeline.stages.all()}
    if sorted(ordered_ids) != sorted(stages):
        raise ValidationFailed(_("Invalid order."), fields={"order": [_("Give every stage exactly once.")]})
    for position, pk in enumerate(ordered_ids, start=1):
        Stage.objects.filter(pk=pk).update(position=position)
    record_event("stage.reordered", subject=pipeline, actor=actor, data={"order": ordered_ids})


@transaction.atomic
def delete_stage(*, stage: Stage, actor) -> None:
    """Delete an empty stage. A stage holding deals must be emptied first (deals.services.remove_stage)."""
    _ensure_admin(actor)
    count = stage.deals.count()
    if count:
        raise StageHasDeals(stage=stage, deal_count=count)
    if stage.pipeline.stages.count() == 1:
        raise ValidationFailed(
            _("A pipeline needs at least one stage."), fields={"stage": [_("This is the last stage.")]}
        )
    record_event(
        "stage.deleted", subject=stage, actor=actor, data={"name": stage.name, "pipeline": stage.pipeline_id}
    )
    stage.delete()
