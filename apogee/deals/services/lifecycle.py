"""A deal's life: create, edit (with the version check), move through stages, win, lose, reopen, delete."""

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apogee.accounts.models import User
from apogee.contacts.models import Organization, Person
from apogee.core.errors import PermissionDenied, ValidationFailed
from apogee.core.events import jsonable, record_event
from apogee.core.models import DomainEvent
from apogee.customfields.services import clean_custom_values, merge_custom_values
from apogee.deals import events
from apogee.deals.errors import DealClosed, DealVersionConflict, StageNotInPipeline
from apogee.deals.guards import check_stage_entry
from apogee.deals.models import (
    Deal,
    DealParticipant,
    DealStatus,
    LostReason,
    ParticipantRole,
    StageChange,
    Visibility,
)
from apogee.pipelines.models import Pipeline, Stage

from .common import (
    EDITABLE_FIELDS,
    _check_gates,
    _clean_core_fields,
    _lock,
    _record_move,
    ensure_can_edit,
)


@transaction.atomic
def create_deal(
    *,
    title: str,
    pipeline: Pipeline,
    actor: User | None,
    owner: User | None = None,
    stage: Stage | None = None,
    organization: Organization | None = None,
    value: Any = 0,
    currency: str = "CHF",
    expected_close_date: Any = None,
    visibility: str = Visibility.EVERYONE,
    custom_values: dict[str, Any] | None = None,
    participants: list[tuple[Person, str]] | None = None,
    origin_deal: Deal | None = None,
    parent_contract: Deal | None = None,
    occurred_at=None,
    details: dict[str, Any] | None = None,
) -> Deal:
    """Create a deal in `stage` (default: the pipeline's first), checking that stage's gates.

    `details` holds the other editable fields (end customer, tender reference and
    deadlines, offer validity), validated like update_deal's changes.
    `occurred_at` backdates the creation for importers and the demo replaying history.
    """
    owner = owner or actor
    if owner is None:
        raise ValidationFailed(_("A deal needs an owner."), fields={"owner": [_("This field is required.")]})
    if actor is not None and not actor.is_workspace_admin and not actor.is_manager and owner.pk != actor.pk:
        raise PermissionDenied(_("Only managers and administrators create deals for someone else."))
    return _insert_deal(
        title=title,
        pipeline=pipeline,
        actor=actor,
        owner=owner,
        stage=stage,
        organization=organization,
        value=value,
        currency=currency,
        expected_close_date=expected_close_date,
        visibility=visibility,
        custom_values=custom_values,
        participants=participants,
        origin_deal=origin_deal,
        parent_contract=parent_contract,
        occurred_at=occurred_at,
        details=details or {},
    )


def _clean_participants(participants: list[tuple[Person, str]]) -> list[tuple[Person, str]]:
    bad = [role for _person, role in participants if role not in ParticipantRole.values]
    if bad:
        raise ValidationFailed(
            _("Invalid role."), fields={"participants": [_("Unknown role: %s") % ", ".join(map(str, bad))]}
        )
    # The same person twice in the same role is one participation, not an error.
    return list(dict.fromkeys((person, role) for person, role in participants))


def _insert_deal(
    *,
    title,
    pipeline,
    actor,
    owner,
    stage,
    organization,
    value,
    currency,
    expected_close_date,
    visibility,
    custom_values,
    participants,
    origin_deal,
    parent_contract,
    occurred_at,
    details=None,
) -> Deal:
    """The creation itself, once the caller has checked the actor's right to create for `owner`."""
    if pipeline.is_archived:
        raise ValidationFailed(
            _("This pipeline is archived."), fields={"pipeline": [_("Choose an active pipeline.")]}
        )
    stage = stage or pipeline.stages.order_by("position", "id").first()
    if stage is None or stage.pipeline_id != pipeline.pk:
        raise StageNotInPipeline()
    details = details or {}
    unknown = set(details) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationFailed(
            _("Unknown fields."), fields={k: [_("Unknown field.")] for k in sorted(unknown)}
        )
    core = _clean_core_fields(
        {
            **details,
            "title": title,
            "value": value,
            "currency": currency,
            "expected_close_date": expected_close_date,
            "owner": owner,
            "organization": organization,
            "visibility": visibility,
        },
        change_notice=parent_contract is not None,
    )
    values = merge_custom_values({}, clean_custom_values(entity="deal", values=custom_values or {}))
    _check_gates(stage, values)
    check_stage_entry(deal=None, stage=stage, actor=actor)
    participants = _clean_participants(participants or [])
    if parent_contract is not None:
        # Re-read: the caller's copy may predate someone reopening the contract.
        parent_contract = Deal.objects.get(pk=parent_contract.pk)
    if parent_contract is not None and parent_contract.status != DealStatus.WON:
        raise ValidationFailed(
            _("A change notice belongs to a won contract."),
            fields={"parent_contract": [_("Choose a won deal.")]},
        )
    deal = Deal.objects.create(
        pipeline=pipeline,
        stage=stage,
        custom_values=values,
        origin_deal=origin_deal,
        parent_contract=parent_contract,
        stage_entered_at=occurred_at or timezone.now(),
        **core,
    )
    if occurred_at is not None:
        Deal.objects.filter(pk=deal.pk).update(created_at=occurred_at)
    StageChange.objects.create(
        deal=deal, from_stage=None, to_stage=stage, changed_by=actor, changed_at=occurred_at or timezone.now()
    )
    for person, role in participants:
        DealParticipant.objects.create(deal=deal, person=person, role=role)
    record_event(
        events.DEAL_CREATED,
        subject=deal,
        actor=actor,
        occurred_at=occurred_at,
        data={
            "title": deal.title,
            "pipeline": pipeline.pk,
            "stage": stage.pk,
            "value": str(deal.value),
            "currency": deal.currency,
            "owner": owner.pk,
            "origin_deal": origin_deal.pk if origin_deal else None,
        },
    )
    return deal


_STATUS_EVENTS = {events.DEAL_WON: "won", events.DEAL_LOST: "lost", events.DEAL_REOPENED: "open"}


def _changes_since(deal: Deal, version: int) -> list[dict]:
    """What others changed after `version`, for the conflict message."""
    changes = []
    for event in DomainEvent.objects.filter(
        subject_type="deal",
        subject_id=deal.pk,
        name__in=[events.DEAL_UPDATED, events.DEAL_STAGE_CHANGED, *_STATUS_EVENTS],
    ).select_related("actor"):
        if int(event.data.get("version", 0)) <= version:
            continue
        who = str(event.actor) if event.actor else _("System")
        if event.name in _STATUS_EVENTS:
            old = event.data.get("was", "open")
            changes.append({"field": "status", "old": old, "new": _STATUS_EVENTS[event.name], "by": who})
        if event.name == events.DEAL_STAGE_CHANGED:
            changes.append(
                {
                    "field": "stage",
                    "old": event.data.get("from_stage_name"),
                    "new": event.data.get("to_stage_name"),
                    "by": who,
                }
            )
        for field, (old, new) in event.data.get("changes", {}).items():
            changes.append({"field": field, "old": old, "new": new, "by": who})
    return changes


def _check_version(deal: Deal, expected_version: int | None) -> None:
    if expected_version is not None and int(expected_version) != deal.version:
        raise DealVersionConflict(
            current_version=deal.version, changes=_changes_since(deal, int(expected_version))
        )


@transaction.atomic
def update_deal(
    *, deal: Deal, actor: User | None, changes: dict[str, Any], expected_version: int | None = None
) -> Deal:
    """Edit built-in fields and custom values (key "custom_values", merged; empty clears).

    `expected_version` is the version the user started from; if someone saved in
    between, DealVersionConflict lists their changes and nothing is written.
    """
    ensure_can_edit(actor, deal)
    deal = _lock(deal)
    _check_version(deal, expected_version)
    unknown = set(changes) - set(EDITABLE_FIELDS) - {"custom_values"}
    if unknown:
        raise ValidationFailed(
            _("Unknown fields."), fields={k: [_("Unknown field.")] for k in sorted(unknown)}
        )
    may_reassign = actor is None or actor.is_workspace_admin or actor.is_manager or deal.owner_id == actor.pk
    if "owner" in changes and changes["owner"] != deal.owner and not may_reassign:
        raise PermissionDenied(_("Only the owner, a manager or an administrator reassigns a deal."))
    core = _clean_core_fields(
        {k: v for k, v in changes.items() if k != "custom_values"},
        change_notice=deal.parent_contract_id is not None,
    )
    if "value" in core and core["value"] != deal.value and "value_follows_offer" not in core:
        # Someone typed a value: it stays until they hand the value back to the offers.
        core["value_follows_offer"] = False
    diff: dict[str, list] = {}
    for field, value in core.items():
        old = getattr(deal, field)
        if old != value:
            diff[field] = [jsonable(old), jsonable(value)]
            setattr(deal, field, value)
    if "custom_values" in changes:
        cleaned = clean_custom_values(entity="deal", values=changes["custom_values"])
        merged = merge_custom_values(deal.custom_values, cleaned)
        for key in sorted(set(merged) | set(deal.custom_values)):
            if merged.get(key) != deal.custom_values.get(key):
                diff[f"custom.{key}"] = [deal.custom_values.get(key), merged.get(key)]
        # A gate is not only an entry check: a required field cannot be emptied while in the stage.
        _check_gates(deal.stage, merged)
        deal.custom_values = merged
    if not diff:
        return deal
    deal.version += 1
    deal.save()
    record_event(
        events.DEAL_UPDATED, subject=deal, actor=actor, data={"changes": diff, "version": deal.version}
    )
    return deal


@transaction.atomic
def move_deal_to_stage(
    *,
    deal: Deal,
    stage: Stage,
    actor: User | None,
    custom_values: dict[str, Any] | None = None,
    occurred_at=None,
) -> Deal:
    """Move the deal to another stage of its pipeline, filling gate fields on the way if given.

    Raises StageGateBlocked, listing the fields to fill, when the stage's gates are
    not met; nothing is written then. Dropping a card on its own stage is a no-op.
    """
    ensure_can_edit(actor, deal)
    deal = _lock(deal)
    if stage.pipeline_id != deal.pipeline_id:
        raise StageNotInPipeline()
    if deal.status != DealStatus.OPEN:
        raise DealClosed()
    values = deal.custom_values
    diff: dict[str, list] = {}
    if custom_values:
        values = merge_custom_values(
            deal.custom_values, clean_custom_values(entity="deal", values=custom_values)
        )
        diff = {
            f"custom.{k}": [deal.custom_values.get(k), values.get(k)]
            for k in sorted(set(values) | set(deal.custom_values))
            if values.get(k) != deal.custom_values.get(k)
        }
    if stage.pk == deal.stage_id and not diff:
        return deal
    _check_gates(stage, values)
    if stage.pk != deal.stage_id:
        check_stage_entry(deal=deal, stage=stage, actor=actor)
    deal.version += 1
    if diff:
        deal.custom_values = values
        record_event(
            events.DEAL_UPDATED, subject=deal, actor=actor, data={"changes": diff, "version": deal.version}
        )
    if stage.pk != deal.stage_id:
        _record_move(deal, stage, actor, occurred_at)
    deal.save()
    return deal


@transaction.atomic
def mark_deal_won(*, deal: Deal, actor: User | None, occurred_at=None) -> Deal:
    ensure_can_edit(actor, deal)
    deal = _lock(deal)
    if deal.status != DealStatus.OPEN:
        raise DealClosed()
    _check_gates(deal.stage, deal.custom_values)
    deal.status = DealStatus.WON
    deal.won_at = occurred_at or timezone.now()
    deal.version += 1
    deal.save()
    record_event(
        events.DEAL_WON,
        subject=deal,
        actor=actor,
        occurred_at=occurred_at,
        data={
            "value": str(deal.value),
            "currency": deal.currency,
            "stage": deal.stage_id,
            "version": deal.version,
        },
    )
    return deal


@transaction.atomic
def mark_deal_lost(
    *, deal: Deal, actor: User | None, reason: LostReason | None = None, note: str = "", occurred_at=None
) -> Deal:
    """Close the deal as lost; a reason is required when the workspace has any."""
    ensure_can_edit(actor, deal)
    deal = _lock(deal)
    if deal.status != DealStatus.OPEN:
        raise DealClosed()
    if reason is None and LostReason.objects.filter(is_archived=False).exists():
        raise ValidationFailed(
            _("Say why the deal was lost."), fields={"lost_reason": [_("Choose a reason.")]}
        )
    if reason is not None and reason.is_archived:
        raise ValidationFailed(
            _("This reason is archived."), fields={"lost_reason": [_("Choose an active reason.")]}
        )
    note = (note or "").strip()
    if len(note) > 500:
        raise ValidationFailed(_("Note too long."), fields={"lost_note": [_("At most 500 characters.")]})
    deal.status = DealStatus.LOST
    deal.lost_at = occurred_at or timezone.now()
    deal.lost_reason = reason
    deal.lost_note = note
    deal.version += 1
    deal.save()
    record_event(
        events.DEAL_LOST,
        subject=deal,
        actor=actor,
        occurred_at=occurred_at,
        data={
            "reason": reason.pk if reason else None,
            "reason_label": str(reason or ""),
            "note": note,
            "stage": deal.stage_id,
            "version": deal.version,
        },
    )
    return deal


@transaction.atomic
def reopen_deal(*, deal: Deal, actor: User | None) -> Deal:
    ensure_can_edit(actor, deal)
    deal = _lock(deal)
    if deal.status == DealStatus.OPEN:
        return deal
    previous = deal.status
    deal.status = DealStatus.OPEN
    deal.won_at = deal.lost_at = None
    deal.lost_reason = None
    deal.lost_note = ""
    deal.version += 1
    deal.save()
    record_event(
        events.DEAL_REOPENED, subject=deal, actor=actor, data={"was": previous, "version": deal.version}
    )
    return deal


@transaction.atomic
def delete_deal(*, deal: Deal, actor: User | None) -> Deal:
    """Take the deal out of every list and page; restore_deal brings it back with its history intact."""
    ensure_can_edit(actor, deal)
    deal = _lock(deal)
    if deal.deleted_at is None:
        deal.deleted_at = timezone.now()
        deal.save(update_fields=["deleted_at", "updated_at"])
        record_event(events.DEAL_DELETED, subject=deal, actor=actor, data={"title": deal.title})
    return deal


@transaction.atomic
def restore_deal(*, deal: Deal, actor: User | None) -> Deal:
    """Undo delete_deal. The caller found the deal through deleted_deal_for_user_or_404."""
    deal = Deal.objects.select_for_update().get(pk=deal.pk)
    if deal.deleted_at is not None:
        deal.deleted_at = None
        deal.save(update_fields=["deleted_at", "updated_at"])
        record_event(events.DEAL_RESTORED, subject=deal, actor=actor, data={"title": deal.title})
    return deal
