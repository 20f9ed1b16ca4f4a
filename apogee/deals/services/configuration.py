"""Workspace configuration owned by deals: stage removal with its deals, lost reasons, saved views."""

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from apogee.accounts.models import User
from apogee.core.errors import PermissionDenied, ValidationFailed
from apogee.core.events import record_event
from apogee.deals import events
from apogee.deals.errors import StageNotInPipeline
from apogee.deals.models import Deal, LostReason, SavedView
from apogee.pipelines.models import Pipeline, Stage
from apogee.pipelines.services import delete_stage

from .common import _ensure_admin, _record_move


@transaction.atomic
def remove_stage(*, stage: Stage, actor: User | None, move_deals_to: Stage | None = None) -> int:
    """Delete a stage; its deals (if any) go to `move_deals_to` first. Returns how many moved.

    Moving here skips gates on purpose: an administrator restructuring the pipeline
    must not be stopped by one unqualified deal; the move is recorded on each deal.
    """
    _ensure_admin(actor)
    deals = list(Deal.objects.select_for_update().filter(stage=stage).select_related("stage"))
    if deals:
        if move_deals_to is None:
            delete_stage(stage=stage, actor=actor)  # raises StageHasDeals with the count
        if move_deals_to.pipeline_id != stage.pipeline_id or move_deals_to.pk == stage.pk:
            raise StageNotInPipeline()
        for deal in deals:
            deal.version += 1
            _record_move(deal, move_deals_to, actor)
            deal.save()
    delete_stage(stage=stage, actor=actor)
    return len(deals)


@transaction.atomic
def save_lost_reason(
    *, actor: User | None, label: str, reason: LostReason | None = None, is_archived: bool | None = None
) -> LostReason:
    _ensure_admin(actor)
    label = (label or "").strip()
    if not label or len(label) > 120:
        raise ValidationFailed(_("Invalid label."), fields={"label": [_("Enter 1 to 120 characters.")]})
    if reason is None:
        position = (LostReason.objects.aggregate(m=Max("position"))["m"] or 0) + 1
        reason = LostReason.objects.create(label=label, position=position)
    else:
        reason.label = label
        if is_archived is not None:
            reason.is_archived = is_archived
        reason.save()
    record_event(
        events.LOST_REASON_CHANGED,
        subject=reason,
        actor=actor,
        data={"label": label, "archived": reason.is_archived},
    )
    return reason


@transaction.atomic
def save_view(
    *,
    actor: User,
    name: str,
    params: list,
    pipeline: Pipeline | None = None,
    is_shared: bool = False,
    columns: list | None = None,
) -> SavedView:
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise ValidationFailed(_("Invalid name."), fields={"name": [_("Enter 1 to 100 characters.")]})
    if is_shared and not (actor.is_workspace_admin or actor.is_manager):
        raise PermissionDenied(_("Only managers and administrators share views."))
    view, _created = SavedView.objects.update_or_create(
        owner=actor,
        name=name,
        pipeline=pipeline,
        defaults={"params": params, "is_shared": is_shared, "columns": columns or []},
    )
    record_event(events.SAVED_VIEW_SAVED, subject=view, actor=actor, data={"name": name, "shared": is_shared})
    return view


@transaction.atomic
def delete_view(*, view: SavedView, actor: User) -> None:
    if view.owner_id != actor.pk and not actor.is_workspace_admin:
        raise PermissionDenied(_("Only its owner deletes a view."))
    record_event(events.SAVED_VIEW_DELETED, subject=view, actor=actor, data={"name": view.name})
    view.delete()
