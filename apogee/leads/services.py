"""Lead writes: capture (with new contacts on the fly), edit, bulk assign/label/archive, convert to a deal.

Each function checks the actor may act, writes inside one transaction, records a
domain event per lead and returns what it changed. Nothing else saves a Lead.
Bulk actions are all or nothing: one lead the actor may not see or change, and
none is touched. `actor=None` is a system task (web forms, imports, seeding).
"""

from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from apogee.accounts.models import User
from apogee.activities import services as activities
from apogee.contacts import services as contacts
from apogee.contacts.errors import DuplicateSuspected
from apogee.contacts.models import Organization, Person
from apogee.core.errors import PermissionDenied, ValidationFailed
from apogee.core.events import jsonable, record_event
from apogee.core.models import Currency
from apogee.customfields.services import clean_custom_values, merge_custom_values
from apogee.deals import services as deals
from apogee.deals.models import Deal, ParticipantRole, Visibility
from apogee.notes import services as notes
from apogee.pipelines.models import Pipeline, Stage

from . import events
from .errors import LeadAlreadyConverted, LeadsNotFound
from .models import NOTE_MAX_LENGTH, Lead, LeadKind, LeadLabel, LeadSource, LeadStatus, colour_validator
from .queries import can_see_lead, default_pipeline_for, leads_visible_to

EDITABLE_FIELDS = (
    "title",
    "organization",
    "person",
    "source",
    "kind",
    "owner",
    "visibility",
    "expected_value",
    "currency",
    "note",
    "labels",
)
MAX_VALUE = Decimal("1e12")


def _ensure_active(actor: User | None) -> None:
    if actor is not None and not actor.is_active:
        raise PermissionDenied(_("Inactive users cannot change records."))


def _ensure_can_edit(actor: User | None, lead: Lead) -> None:
    if actor is not None and not can_see_lead(actor, lead):
        raise PermissionDenied(_("You may not change this lead."))


def _may_assign_for_others(actor: User | None) -> bool:
    return actor is None or actor.is_workspace_admin or actor.is_manager


def _ensure_may_reassign(actor: User | None, lead: Lead) -> None:
    if not _may_assign_for_others(actor) and lead.owner_id != actor.pk:
        raise PermissionDenied(_("Only the owner, a manager or an administrator reassigns a lead."))


def _text(value: Any, field: str, limit: int, errors: dict, *, required: bool = False) -> str:
    text = str(value or "").strip()
    if required and not text:
        errors[field] = [_("This field is required.")]
    elif len(text) > limit:
        errors[field] = [_("At most %d characters.") % limit]
    elif "\x00" in text:
        errors[field] = [_("Text may not contain NUL characters.")]
    return text


def _clean_fields(data: dict[str, Any]) -> dict[str, Any]:
    """Validate the built-in fields present in `data`; raise ValidationFailed naming each bad one."""
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {}
    if "title" in data:
        cleaned["title"] = _text(data["title"], "title", 200, errors, required=True)
    if "note" in data:
        cleaned["note"] = _text(data["note"], "note", NOTE_MAX_LENGTH, errors)
    if "source" in data:
        if data["source"] not in LeadSource.values:
            errors["source"] = [_("Choose a valid source.")]
        cleaned["source"] = data["source"]
    if "kind" in data:
        if data["kind"] not in LeadKind.values:
            errors["kind"] = [_("Choose a valid kind.")]
        cleaned["kind"] = data["kind"]
    if "visibility" in data:
        if data["visibility"] not in Visibility.values:
            errors["visibility"] = [_("Choose a valid visibility.")]
        cleaned["visibility"] = data["visibility"]
    if "expected_value" in data:
        raw = data["expected_value"]
        if raw in (None, ""):
            cleaned["expected_value"] = None
        else:
            try:
                value = Decimal(str(raw).replace("\u2019", "").replace("'", ""))
                if not value.is_finite() or abs(value) >= MAX_VALUE or value.as_tuple().exponent < -2:
                    raise InvalidOperation
                if value < 0:
                    errors["expected_value"] = [_("The value cannot be negative.")]
                cleaned["expected_value"] = value.quantize(Decimal("0.01"))
            except (InvalidOperation, ValueError):
                errors["expected_value"] = [_("Enter an amount with at most two decimals.")]
    if "currency" in data:
        currency = str(data["currency"] or "").upper()
        if not Currency.objects.filter(code=currency, is_active=True).exists():
            errors["currency"] = [_("Choose one of the workspace's currencies.")]
        cleaned["currency"] = currency
    if "owner" in data:
        owner = data["owner"]
        if not isinstance(owner, User) or not owner.is_active:
            errors["owner"] = [_("Choose an active user.")]
        cleaned["owner"] = owner
    if "organization" in data:
        organization = data["organization"]
        if organization is not None and (
            not isinstance(organization, Organization) or organization.deleted_at is not None
        ):
            errors["organization"] = [_("Choose an existing organization.")]
        cleaned["organization"] = organization
    if "person" in data:
        person = data["person"]
        if person is not None and (not isinstance(person, Person) or person.deleted_at is not None):
            errors["person"] = [_("Choose an existing person.")]
        cleaned["person"] = person
    if errors:
        raise ValidationFailed(_("Some fields are invalid."), fields=errors)
    return cleaned


def _clean_labels(labels: Iterable[LeadLabel], current: Iterable[LeadLabel] = ()) -> list[LeadLabel]:
    labels = list(dict.fromkeys(labels or []))
    kept = {label.pk for label in current}
    # An archived label is no longer offered, but one the lead already carries survives an edit.
    # Read the archived flag afresh: the caller's instances may predate an administrator's change.
    archived = list(
        LeadLabel.objects.filter(pk__in=[label.pk for label in labels], is_archived=True)
        .exclude(pk__in=kept)
        .values_list("name", flat=True)
    )
    if archived:
        raise ValidationFailed(
            _("Some fields are invalid."),
            fields={"labels": [_("Archived label: %s") % ", ".join(archived)]},
        )
    return labels


def _all_or_errors(*steps):
    """Run every validation step and report all their field errors at once, not the first group only."""
    results, fields = [], {}
    for step in steps:
        try:
            results.append(step())
        except ValidationFailed as error:
            fields.update(error.fields)
            results.append(None)
    if fields:
        raise ValidationFailed(_("Some fields are invalid."), fields=fields)
    return results


def _renamed_duplicate(suspected: DuplicateSuspected, field: str) -> DuplicateSuspected:
    # The form and the API name the new contact's field, not the contact's own "name".
    suspected.fields = {field: [m for messages in suspected.fields.values() for m in messages]}
    return suspected


@transaction.atomic
def create_lead(
    *,
    title: str,
    actor: User | None,
    owner: User | None = None,
    organization: Organization | None = None,
    person: Person | None = None,
    new_organization_name: str = "",
    new_person_name: str = "",
    allow_duplicate_organization: bool = False,
    allow_duplicate_person: bool = False,
    source: str = LeadSource.MANUAL,
    kind: str = LeadKind.OTHER,
    labels: Iterable[LeadLabel] = (),
    expected_value: Any = None,
    currency: str = "CHF",
    note: str = "",
    visibility: str = Visibility.EVERYONE,
    custom_values: dict[str, Any] | None = None,
) -> Lead:
    """Capture a lead; a new organization and/or person named here is created with it.

    Raises DuplicateSuspected (fields "new_organization" / "new_person") when the new
    contact looks like an existing one, unless the matching allow_duplicate_* is set;
    nothing is written then, so the caller can offer "use existing" or "create anyway".
    """
    _ensure_active(actor)
    owner = owner or actor
    if owner is None:
        raise ValidationFailed(_("A lead needs an owner."), fields={"owner": [_("This field is required.")]})
    if actor is not None and not _may_assign_for_others(actor) and owner.pk != actor.pk:
        raise PermissionDenied(_("Only managers and administrators create leads for someone else."))
    new_organization_name = str(new_organization_name or "").strip()
    new_person_name = str(new_person_name or "").strip()

    def contacts_choice() -> None:
        errors = {}
        if organization is not None and new_organization_name:
            errors["new_organization"] = [_("Choose an existing organization or name a new one, not both.")]
        if person is not None and new_person_name:
            errors["new_person"] = [_("Choose an existing person or name a new one, not both.")]
        if errors:
            raise ValidationFailed(_("Some fields are invalid."), fields=errors)

    cleaned, values, labels, _choice = _all_or_errors(
        lambda: _clean_fields(
            {
                "title": title,
                "owner": owner,
                "organization": organization,
                "person": person,
                "source": source,
                "kind": kind,
                "visibility": visibility,
                "expected_value": expected_value,
                "currency": currency,
                "note": note,
            }
        ),
        lambda: merge_custom_values({}, clean_custom_values(entity="lead", values=custom_values or {})),
        lambda: _clean_labels(labels),
        contacts_choice,
    )
    if new_organization_name:
        try:
            cleaned["organization"] = contacts.create_organization(
                actor=actor,
                name=new_organization_name,
                allow_duplicate=allow_duplicate_organization,
                owner=owner,
            )
        except DuplicateSuspected as suspected:
            raise _renamed_duplicate(suspected, "new_organization") from None
        except ValidationFailed as error:
            raise ValidationFailed(
                error.message, fields={"new_organization": error.fields.get("name", [])}
            ) from None
    if new_person_name:
        try:
            cleaned["person"] = contacts.create_person(
                actor=actor,
                name=new_person_name,
                allow_duplicate=allow_duplicate_person,
                organization=cleaned["organization"],
                owner=owner,
            )
        except DuplicateSuspected as suspected:
            raise _renamed_duplicate(suspected, "new_person") from None
        except ValidationFailed as error:
            raise ValidationFailed(
                error.message, fields={"new_person": error.fields.get("name", [])}
            ) from None
    lead = Lead.objects.create(custom_values=values, **cleaned)
    lead.labels.set(labels)
    record_event(
        events.LEAD_CREATED,
        subject=lead,
        actor=actor,
        data={
            "title": lead.title,
            "source": lead.source,
            "kind": lead.kind,
            "owner": owner.pk,
            "organization": lead.organization_id,
            "person": lead.person_id,
            "labels": [label.pk for label in labels],
            "expected_value": jsonable(lead.expected_value),
            "currency": lead.currency,
        },
    )
    return lead


def _lock(lead: Lead) -> Lead:
    # Re-read under a row lock (PostgreSQL); SQLite's IMMEDIATE transactions serialize writers already.
    return Lead.objects.select_for_update().get(pk=lead.pk)


@transaction.atomic
def update_lead(*, lead: Lead, actor: User | None, changes: dict[str, Any]) -> Lead:
    """Edit built-in fields, labels (key "labels", the full set) and custom values (merged; empty clears)."""
    _ensure_active(actor)
    _ensure_can_edit(actor, lead)
    lead = _lock(lead)
    unknown = set(changes) - set(EDITABLE_FIELDS) - {"custom_values"}
    if unknown:
        raise ValidationFailed(
            _("Unknown fields."), fields={k: [_("Unknown field.")] for k in sorted(unknown)}
        )
    if "owner" in changes and changes["owner"] != lead.owner:
        _ensure_may_reassign(actor, lead)
    current_labels = list(lead.labels.all())
    core, labels, custom = _all_or_errors(
        lambda: _clean_fields({k: v for k, v in changes.items() if k not in ("custom_values", "labels")}),
        lambda: _clean_labels(changes["labels"], current_labels) if "labels" in changes else None,
        lambda: (
            clean_custom_values(entity="lead", values=changes["custom_values"])
            if "custom_values" in changes
            else None
        ),
    )
    diff: dict[str, list] = {}
    for field, value in core.items():
        old = getattr(lead, field)
        if old != value:
            diff[field] = [jsonable(old), jsonable(value)]
            setattr(lead, field, value)
    if custom is not None:
        merged = merge_custom_values(lead.custom_values, custom)
        for key in sorted(set(merged) | set(lead.custom_values)):
            if merged.get(key) != lead.custom_values.get(key):
                diff[f"custom.{key}"] = [lead.custom_values.get(key), merged.get(key)]
        lead.custom_values = merged
    if labels is not None:
        old_ids = sorted(label.pk for label in current_labels)
        new_ids = sorted(label.pk for label in labels)
        if old_ids != new_ids:
            diff["labels"] = [old_ids, new_ids]
            lead.labels.set(labels)
    if diff:
        lead.save()
        record_event(events.LEAD_UPDATED, subject=lead, actor=actor, data={"changes": diff})
    return lead


def _leads_for_bulk(actor: User | None, lead_ids: Iterable[int]) -> list[Lead]:
    """The named leads, locked, in id order; LeadsNotFound if any is missing or not visible to the actor."""
    wanted = sorted({int(pk) for pk in lead_ids})
    if not wanted:
        raise ValidationFailed(
            _("Choose at least one lead."), fields={"ids": [_("Choose at least one lead.")]}
        )
    scope = Lead.objects.filter(deleted_at__isnull=True) if actor is None else leads_visible_to(actor)
    leads = list(scope.select_for_update(of=("self",)).filter(pk__in=wanted).order_by("pk"))
    missing = sorted(set(wanted) - {lead.pk for lead in leads})
    if missing:
        raise LeadsNotFound(missing)
    return leads


@transaction.atomic
def assign_leads(*, lead_ids: Iterable[int], owner: User, actor: User | None) -> list[Lead]:
    """Give the leads to `owner`. Members may pass on only their own leads; managers and admins any."""
    _ensure_active(actor)
    leads = _leads_for_bulk(actor, lead_ids)
    if not isinstance(owner, User) or not owner.is_active:
        raise ValidationFailed(_("Choose an active user."), fields={"owner": [_("Choose an active user.")]})
    for lead in leads:
        if lead.owner_id != owner.pk:
            _ensure_may_reassign(actor, lead)
    for lead in leads:
        if lead.owner_id == owner.pk:
            continue
        previous = lead.owner_id
        lead.owner = owner
        lead.save(update_fields=["owner", "updated_at"])
        record_event(events.LEAD_ASSIGNED, subject=lead, actor=actor, data={"from": previous, "to": owner.pk})
    return leads


@transaction.atomic
def label_leads(
    *, lead_ids: Iterable[int], label: LeadLabel, actor: User | None, remove: bool = False
) -> list[Lead]:
    """Put `label` on the leads (or take it off with remove=True); leads already so are left alone."""
    _ensure_active(actor)
    leads = _leads_for_bulk(actor, lead_ids)
    if not remove and LeadLabel.objects.filter(pk=label.pk, is_archived=True).exists():
        raise ValidationFailed(_("This label is archived."), fields={"label": [_("Choose an active label.")]})
    through = Lead.labels.through
    carrying = set(through.objects.filter(leadlabel=label, lead__in=leads).values_list("lead_id", flat=True))
    for lead in leads:
        if (lead.pk in carrying) != remove:
            continue
        if remove:
            lead.labels.remove(label)
        else:
            lead.labels.add(label)
        record_event(
            events.LEAD_LABELLED,
            subject=lead,
            actor=actor,
            data={"label": label.pk, "label_name": label.name, "added": not remove},
        )
    return leads


@transaction.atomic
def archive_leads(*, lead_ids: Iterable[int], actor: User | None) -> list[Lead]:
    """Take the leads out of the inbox (they stay in the archived view); archived ones are left alone."""
    _ensure_active(actor)
    leads = _leads_for_bulk(actor, lead_ids)
    now = timezone.now()
    for lead in leads:
        if lead.status == LeadStatus.ARCHIVED:
            continue
        lead.status = LeadStatus.ARCHIVED
        lead.archived_at = now
        lead.save(update_fields=["status", "archived_at", "updated_at"])
        record_event(events.LEAD_ARCHIVED, subject=lead, actor=actor, data={"title": lead.title})
    return leads


@transaction.atomic
def unarchive_leads(*, lead_ids: Iterable[int], actor: User | None) -> list[Lead]:
    """Bring archived leads back to the inbox; a converted lead stays archived with its deal."""
    _ensure_active(actor)
    leads = _leads_for_bulk(actor, lead_ids)
    converted = [lead.title for lead in leads if lead.converted_at is not None]
    if converted:
        raise ValidationFailed(
            _("Converted leads stay archived: %s.") % ", ".join(converted),
            fields={"ids": [_("Converted leads stay archived.")]},
        )
    for lead in leads:
        if lead.status == LeadStatus.OPEN:
            continue
        lead.status = LeadStatus.OPEN
        lead.archived_at = None
        lead.save(update_fields=["status", "archived_at", "updated_at"])
        record_event(events.LEAD_UNARCHIVED, subject=lead, actor=actor, data={"title": lead.title})
    return leads


@transaction.atomic
def convert_lead_to_deal(
    *,
    lead: Lead,
    actor: User | None,
    pipeline: Pipeline | None = None,
    stage: Stage | None = None,
    custom_values: dict[str, Any] | None = None,
) -> Deal:
    """Create the deal this lead became, move the lead's notes and activities to it, archive the lead.

    The pipeline defaults to Missions for a mission lead and Sales otherwise; the
    stage to the pipeline's first. The deal keeps the lead's owner when the actor
    may create deals for them, and goes to the actor otherwise (a member converting
    a colleague's shared lead is the one in contact now). Raises StageGateBlocked,
    naming the deal fields the stage requires, and LeadAlreadyConverted; nothing is
    written then (no deal, nothing moved, no event).

    What moves, in the same transaction, each with its own event (note.moved, activity.moved):
    - the notes not deleted leave the lead for the deal (a note has exactly one target);
    - the activities not deleted and on no deal yet get the deal and keep the lead: the
      archived lead's page still lists them, the deal's lists them, and the deal now
      decides who sees them. Activity.lead's on_delete spares them if the lead is purged.
    Deleted notes and activities stay with the lead. lead.converted counts what moved.
    E-mails will move here too when leads carry them.
    """
    _ensure_active(actor)
    _ensure_can_edit(actor, lead)
    lead = (
        Lead.objects.select_for_update(of=("self",))
        .select_related("person", "organization", "owner")
        .get(pk=lead.pk)
    )
    if lead.converted_at is not None:
        raise LeadAlreadyConverted(lead)
    if pipeline is None and stage is not None:
        pipeline = stage.pipeline
    pipeline = pipeline or default_pipeline_for(lead)
    if pipeline is None:
        raise ValidationFailed(
            _("There is no active pipeline to convert into."), fields={"pipeline": [_("Choose a pipeline.")]}
        )
    owner = lead.owner if (_may_assign_for_others(actor) or lead.owner_id == actor.pk) else actor
    deal = deals.create_deal(
        title=lead.title,
        pipeline=pipeline,
        stage=stage,
        actor=actor,
        owner=owner,
        organization=lead.organization,
        value=lead.expected_value or 0,
        currency=lead.currency,
        visibility=lead.visibility,
        custom_values=custom_values or {},
        participants=[(lead.person, ParticipantRole.OTHER)] if lead.person else [],
    )
    now = timezone.now()
    was = lead.status
    lead.status = LeadStatus.ARCHIVED
    lead.archived_at = lead.archived_at or now
    lead.converted_deal = deal
    lead.converted_at = now
    lead.save(update_fields=["status", "archived_at", "converted_deal", "converted_at", "updated_at"])
    moved_notes = notes.move_lead_notes_to_deal(lead=lead, deal=deal, actor=actor)
    moved_activities = activities.move_lead_activities_to_deal(lead=lead, deal=deal, actor=actor)
    record_event(
        events.LEAD_CONVERTED,
        subject=lead,
        actor=actor,
        data={
            "deal": deal.pk,
            "pipeline": deal.pipeline_id,
            "stage": deal.stage_id,
            "was": was,
            "notes_moved": len(moved_notes),
            "activities_moved": len(moved_activities),
        },
    )
    return deal


@transaction.atomic
def delete_lead(*, lead: Lead, actor: User | None) -> Lead:
    """Take the lead out of every list and page; restore_lead brings it back as it was."""
    _ensure_active(actor)
    _ensure_can_edit(actor, lead)
    lead = _lock(lead)
    if lead.deleted_at is None:
        lead.deleted_at = timezone.now()
        lead.save(update_fields=["deleted_at", "updated_at"])
        record_event(events.LEAD_DELETED, subject=lead, actor=actor, data={"title": lead.title})
    return lead


@transaction.atomic
def restore_lead(*, lead: Lead, actor: User | None) -> Lead:
    """Undo delete_lead. The caller found the lead through deleted_lead_for_user_or_404."""
    lead = _lock(lead)
    if lead.deleted_at is not None:
        lead.deleted_at = None
        lead.save(update_fields=["deleted_at", "updated_at"])
        record_event(events.LEAD_RESTORED, subject=lead, actor=actor, data={"title": lead.title})
    return lead


@transaction.atomic
def save_lead_label(
    *,
    actor: User | None,
    name: str,
    colour: str,
    label: LeadLabel | None = None,
    is_archived: bool | None = None,
) -> LeadLabel:
    """Create a label (label=None) or rename, recolour, archive or restore one. Administrators only."""
    if actor is not None and not actor.is_workspace_admin:
        raise PermissionDenied(_("Only an administrator can do this."))
    errors: dict[str, list[str]] = {}
    name = _text(name, "name", 60, errors, required=True)
    colour = str(colour or "").strip().lower()
    try:
        colour_validator(colour)
    except DjangoValidationError:
        errors["colour"] = [_("Enter a colour as #RRGGBB.")]
    clash = LeadLabel.objects.filter(name__iexact=name)
    if label is not None:
        clash = clash.exclude(pk=label.pk)
    if name and clash.exists():
        errors["name"] = [_("A label with this name exists already.")]
    if errors:
        raise ValidationFailed(_("Some fields are invalid."), fields=errors)
    if label is None:
        position = (LeadLabel.objects.aggregate(m=Max("position"))["m"] or 0) + 1
        label = LeadLabel.objects.create(name=name, colour=colour, position=position)
    else:
        label = LeadLabel.objects.select_for_update().get(pk=label.pk)
        label.name, label.colour = name, colour
        if is_archived is not None:
            label.is_archived = is_archived
        label.save()
    record_event(
        events.LEAD_LABEL_CHANGED,
        subject=label,
        actor=actor,
        data={"name": label.name, "colour": label.colour, "archived": label.is_archived},
    )
    return label
