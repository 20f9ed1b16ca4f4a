"""Deal writes: create, edit (with version check), move through stages, win, lose, hand off.

Each function checks the actor may act, writes inside one transaction, records a
domain event and returns the deal. Nothing else saves a Deal. `actor=None` is a
system task (seeding, imports run by an administrator on the command line).
"""

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from apogee.accounts.models import User
from apogee.contacts.models import Organization, Person
from apogee.core.errors import PermissionDenied, ValidationFailed
from apogee.core.events import jsonable, record_event
from apogee.core.models import Currency, DomainEvent
from apogee.customfields.queries import definitions_for
from apogee.customfields.services import clean_custom_values, merge_custom_values
from apogee.pipelines.gates import missing_gate_fields
from apogee.pipelines.models import HandoffMode, Pipeline, Stage, required_fields_for
from apogee.pipelines.services import delete_stage

from . import events
from .errors import DealClosed, DealVersionConflict, HandoffNotPossible, StageGateBlocked, StageNotInPipeline
from .models import (
    Deal,
    DealParticipant,
    DealStatus,
    LostReason,
    ParticipantRole,
    SavedView,
    StageChange,
    Visibility,
)
from .queries import can_see_deal

EDITABLE_FIELDS = ("title", "organization", "value", "currency", "expected_close_date", "owner", "visibility")
MAX_VALUE = Decimal("1e12")


def ensure_can_edit(actor: User | None, deal: Deal) -> None:
    if actor is not None and not can_see_deal(actor, deal):
        raise PermissionDenied(_("You may not change this deal."))


def _ensure_admin(actor: User | None) -> None:
    if actor is not None and not actor.is_workspace_admin:
        raise PermissionDenied(_("Only an administrator can do this."))


def _field_labels() -> dict[str, str]:
    return {d.key: d.label for d in definitions_for("deal", include_archived=True)}


def _check_gates(stage: Stage, values: dict[str, Any]) -> None:
    required = required_fields_for(stage, list(stage.pipeline.stages.all()))
    missing = missing_gate_fields(required, values)
    if missing:
        raise StageGateBlocked(stage=stage, missing_fields=missing, labels=_field_labels())


def _clean_core_fields(data: dict[str, Any]) -> dict[str, Any]:
    """Validate the built-in fields present in `data`; raise ValidationFailed naming each bad one."""
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {}
    if "title" in data:
        title = str(data["title"] or "").strip()
        if not title:
            errors["title"] = [_("This field is required.")]
        elif len(title) > 200:
            errors["title"] = [_("At most 200 characters.")]
        elif "\x00" in title:
            errors["title"] = [_("Text may not contain NUL characters.")]
        cleaned["title"] = title
    if "value" in data:
        try:
            value = Decimal(
                str(data["value"] if data["value"] not in (None, "") else "0").replace("\u2019", "")
            )
            if not value.is_finite() or abs(value) >= MAX_VALUE or value.as_tuple().exponent < -2:
                raise InvalidOperation
            if value < 0:
                errors["value"] = [_("The value cannot be negative.")]
            cleaned["value"] = value.quantize(Decimal("0.01"))
        except (InvalidOperation, ValueError):
            errors["value"] = [_("Enter an amount with at most two decimals.")]
    if "currency" in data:
        currency = str(data["currency"] or "").upper()
        if not Currency.objects.filter(code=currency, is_active=True).exists():
            errors["currency"] = [_("Choose one of the workspace's currencies.")]
        cleaned["currency"] = currency
    if "expected_close_date" in data:
        value = data["expected_close_date"]
        if value in (None, ""):
            cleaned["expected_close_date"] = None
        elif isinstance(value, date):
            cleaned["expected_close_date"] = value
        else:
            try:
                cleaned["expected_close_date"] = date.fromisoformat(str(value))
            except ValueError:
                errors["expected_close_date"] = [_("Enter a date as YYYY-MM-DD.")]
    if "owner" in data:
        owner = data["owner"]
        if not isinstance(owner, User) or not owner.is_active:
            errors["owner"] = [_("Choose an active user.")]
        cleaned["owner"] = owner
    if "organization" in data:
        organization = data["organization"]
        if organization is not None and not isinstance(organization, Organization):
            errors["organization"] = [_("Choose an organization.")]
        cleaned["organization"] = organization
    if "visibility" in data:
        if data["visibility"] not in Visibility.values:
            errors["visibility"] = [_("Choose a valid visibility.")]
        cleaned["visibility"] = data["visibility"]
    if errors:
        raise ValidationFailed(_("Some fields are invalid."), fields=errors)
    return cleaned


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
) -> Deal:
    """Create a deal in `stage` (default: the pipeline's first), checking that stage's gates.

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
) -> Deal:
    """The creation itself, once the caller has checked the actor's right to create for `owner`."""
    if pipeline.is_archived:
        raise ValidationFailed(
            _("This pipeline is archived."), fields={"pipeline": [_("Choose an active pipeline.")]}
        )
    stage = stage or pipeline.stages.order_by("position", "id").first()
    if stage is None or stage.pipeline_id != pipeline.pk:
        raise StageNotInPipeline()
    core = _clean_core_fields(
        {
            "title": title,
            "value": value,
            "currency": currency,
            "expected_close_date": expected_close_date,
            "owner": owner,
            "organization": organization,
            "visibility": visibility,
        }
    )
    values = merge_custom_values({}, clean_custom_values(entity="deal", values=custom_values or {}))
    _check_gates(stage, values)
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


def _lock(deal: Deal) -> Deal:
    # Re-read under a row lock (PostgreSQL); SQLite's IMMEDIATE transactions serialize writers already.
    return Deal.objects.select_for_update().select_related("stage", "pipeline").get(pk=deal.pk)


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
    core = _clean_core_fields({k: v for k, v in changes.items() if k != "custom_values"})
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


def _record_move(deal: Deal, stage: Stage, actor: User | None, occurred_at=None) -> None:
    previous = deal.stage
    deal.stage = stage
    deal.stage_entered_at = occurred_at or timezone.now()
    StageChange.objects.create(
        deal=deal, from_stage=previous, to_stage=stage, changed_by=actor, changed_at=deal.stage_entered_at
    )
    record_event(
        events.DEAL_STAGE_CHANGED,
        subject=deal,
        actor=actor,
        data={
            "from_stage": previous.pk,
            "to_stage": stage.pk,
            "from_stage_name": previous.name,
            "to_stage_name": stage.name,
            "from_pipeline": previous.pipeline_id,
            "to_pipeline": stage.pipeline_id,
            "version": deal.version,
        },
    )


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
def hand_off_deal(*, deal: Deal, actor: User | None) -> Deal:
    """From the last stage of a pipeline with a hand-off target (Missions, RFI), go on in Sales.

    Per the pipeline's setting, either create a linked deal in the target's first
    stage (the origin stays where it is, linked both ways) or move the deal itself.
    Returns the deal that is now in the target pipeline.
    """
    ensure_can_edit(actor, deal)
    deal = _lock(deal)
    source = deal.pipeline
    target = source.handoff_target
    if target is None or target.is_archived:
        raise HandoffNotPossible(
            _("“%s” has no hand-off target.") % source.name,
            fields={"pipeline": [_("Set one in the settings.")]},
        )
    last = source.stages.aggregate(m=Max("position"))["m"]
    if deal.stage.position != last:
        raise HandoffNotPossible(
            _("A deal is handed off from the last stage of its pipeline."),
            fields={"stage": [_("Move the deal to the last stage first.")]},
        )
    if deal.status != DealStatus.OPEN:
        raise DealClosed()
    first = target.stages.order_by("position", "id").first()
    _check_gates(first, deal.custom_values)
    if source.handoff_mode == HandoffMode.MOVE:
        deal.pipeline = target
        deal.version += 1
        _record_move(deal, first, actor)
        deal.save()
        result = deal
    else:
        # The new deal keeps the origin's owner: whoever may edit the origin may hand it off.
        # A mission yields one Sales deal per subsystem opportunity, so handing off twice is allowed.
        result = _insert_deal(
            title=deal.title,
            pipeline=target,
            stage=first,
            actor=actor,
            owner=deal.owner,
            organization=deal.organization,
            value=deal.value,
            currency=deal.currency,
            expected_close_date=deal.expected_close_date,
            visibility=deal.visibility,
            custom_values=deal.custom_values,
            participants=[(p.person, p.role) for p in deal.participants.select_related("person")],
            origin_deal=deal,
            parent_contract=None,
            occurred_at=None,
        )
    record_event(
        events.DEAL_HANDED_OFF,
        subject=deal,
        actor=actor,
        data={
            "mode": source.handoff_mode,
            "from_pipeline": source.pk,
            "to_pipeline": target.pk,
            "to_deal": result.pk,
        },
    )
    return result


@transaction.atomic
def add_participant(*, deal: Deal, person: Person, role: str, actor: User | None) -> DealParticipant:
    ensure_can_edit(actor, deal)
    if role not in ParticipantRole.values:
        raise ValidationFailed(_("Invalid role."), fields={"role": [_("Choose a valid role.")]})
    if DealParticipant.objects.filter(deal=deal, person=person, role=role).exists():
        raise ValidationFailed(
            _("Already a participant."),
            fields={"person": [_("This person already has this role on the deal.")]},
        )
    participant = DealParticipant.objects.create(deal=deal, person=person, role=role)
    record_event(
        events.DEAL_PARTICIPANT_ADDED,
        subject=deal,
        actor=actor,
        data={"person": person.pk, "person_name": person.name, "role": role},
    )
    return participant


@transaction.atomic
def remove_participant(*, participant: DealParticipant, actor: User | None) -> None:
    ensure_can_edit(actor, participant.deal)
    record_event(
        events.DEAL_PARTICIPANT_REMOVED,
        subject=participant.deal,
        actor=actor,
        data={
            "person": participant.person_id,
            "person_name": participant.person.name,
            "role": participant.role,
        },
    )
    participant.delete()


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
