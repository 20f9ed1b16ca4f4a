"""The trash: deleted deals, leads, organizations and persons, kept 30 days, then purged.

Deleting a record (deals, contacts and leads services) only stamps `deleted_at`; the
record waits here, restorable, for RETENTION. Permanent deletion ("purge") is for
administrators, or the system (`actor=None`, the nightly purge_trash command).

What a purge takes with it:
- a deal: its participants, stage changes and activities (Activity.deal is CASCADE: an
  activity filed on a deal is part of that deal's history, so it goes with the deal;
  the confirmation says so). Deals that came from it or hang under it and leads
  converted into it only lose the link (SET_NULL).
- a person: its e-mail addresses, deal participations and meeting attendances; its
  activities lose the link. Refused while a lead still names the person.
- an organization: its persons and activities lose the link. Refused while a deal or a
  lead (deleted or not) still names it.
- a lead: its labels, its deleted notes, and its activities that are on no deal (those a
  conversion moved to a deal only lose the link).
Each purge records an event (deal.purged, ...) before the row goes, so the audit trail
keeps the subject's id and name.
"""

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Model, Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from apogee.accounts.models import User
from apogee.contacts import services as contact_services
from apogee.contacts.models import Organization, Person
from apogee.contacts.queries import deleted_organization_for_user_or_404, deleted_person_for_user_or_404
from apogee.core.errors import PermissionDenied, ValidationFailed
from apogee.core.events import record_event
from apogee.deals import services as deal_services
from apogee.deals.models import Deal
from apogee.deals.queries import deleted_deal_for_user_or_404, visibility_q
from apogee.leads import services as lead_services
from apogee.leads.models import Lead
from apogee.leads.queries import deleted_lead_for_user_or_404

RETENTION = timedelta(days=30)

DEAL_PURGED = "deal.purged"
LEAD_PURGED = "lead.purged"
ORGANIZATION_PURGED = "organization.purged"
PERSON_PURGED = "person.purged"

KINDS = ("deal", "lead", "organization", "person")
KIND_LABELS = {
    "deal": gettext_lazy("Deal"),
    "lead": gettext_lazy("Lead"),
    "organization": gettext_lazy("Organization"),
    "person": gettext_lazy("Person"),
}
MODELS: dict[str, type[Model]] = {"deal": Deal, "lead": Lead, "organization": Organization, "person": Person}


@dataclass(frozen=True)
class TrashItem:
    kind: str
    pk: int
    name: str
    deleted_at: datetime
    purge_at: datetime
    days_left: int
    can_restore: bool

    @property
    def kind_label(self) -> str:
        return str(KIND_LABELS[self.kind])


def name_of(record) -> str:
    return getattr(record, "title", None) or getattr(record, "name", "") or ""


def days_left(deleted_at: datetime, now: datetime | None = None) -> int:
    """Whole days, rounded up, until the record is purged; 0 once it is due."""
    remaining = (deleted_at + RETENTION) - (now or timezone.now())
    return max(0, math.ceil(remaining.total_seconds() / 86400))


def _may_restore_contact(user: User, record) -> bool:
    # Mirrors contacts.services._ensure_may_delete, which restore_* enforces.
    return bool(
        user.is_workspace_admin or user.is_manager or (record.owner_id and record.owner_id == user.pk)
    )


def trash_for(user: User, now: datetime | None = None) -> list[TrashItem]:
    """The deleted records `user` may see, newest deletion first.

    Deals and leads follow the usual visibility; organizations and persons are shared by everyone.
    """
    if not user.is_authenticated or not user.is_active:
        return []
    now = now or timezone.now()
    deleted = {"deleted_at__isnull": False}
    records: list[tuple[str, Model, bool]] = []
    records += [("deal", d, True) for d in Deal.objects.filter(visibility_q(user), **deleted)]
    records += [("lead", lead, True) for lead in Lead.objects.filter(visibility_q(user), **deleted)]
    records += [
        ("organization", o, _may_restore_contact(user, o)) for o in Organization.objects.filter(**deleted)
    ]
    records += [("person", p, _may_restore_contact(user, p)) for p in Person.objects.filter(**deleted)]
    items = [
        TrashItem(
            kind=kind,
            pk=record.pk,
            name=name_of(record),
            deleted_at=record.deleted_at,
            purge_at=record.deleted_at + RETENTION,
            days_left=days_left(record.deleted_at, now),
            can_restore=can_restore,
        )
        for kind, record, can_restore in records
    ]
    items.sort(key=lambda item: (item.deleted_at, item.kind, item.pk), reverse=True)
    return items


def deleted_record_for_user_or_404(user: User, kind: str, pk):
    """A record in the trash that `user` may see, or 404 (also for an unknown kind)."""
    lookups = {
        "deal": deleted_deal_for_user_or_404,
        "lead": deleted_lead_for_user_or_404,
        "organization": deleted_organization_for_user_or_404,
        "person": deleted_person_for_user_or_404,
    }
    if kind not in lookups:
        raise Http404("No such record")
    return lookups[kind](user, pk)


def restore(*, kind: str, record, actor: User | None):
    """Take a record out of the trash through its own app's restore service."""
    if kind == "deal":
        return deal_services.restore_deal(deal=record, actor=actor)
    if kind == "lead":
        return lead_services.restore_lead(lead=record, actor=actor)
    if kind == "organization":
        return contact_services.restore_organization(organization=record, actor=actor)
    if kind == "person":
        return contact_services.restore_person(person=record, actor=actor)
    raise ValueError(kind)


# Permanent deletion -----------------------------------------------------------------------


def _ensure_admin(actor: User | None) -> None:
    if actor is not None and not (actor.is_active and actor.is_workspace_admin):
        raise PermissionDenied(_("Only an administrator can delete permanently."))


def _locked_in_trash(model: type[Model], record):
    record = model.objects.select_for_update().get(pk=record.pk)
    if record.deleted_at is None:
        raise ValidationFailed(_("Only a record in the trash can be deleted permanently."))
    return record


@transaction.atomic
def purge_deal(*, deal: Deal, actor: User | None) -> None:
    """Delete a deal in the trash for good, with its participants, stage history and activities."""
    _ensure_admin(actor)
    deal = _locked_in_trash(Deal, deal)
    data = {
        "title": deal.title,
        "deleted_at": deal.deleted_at.isoformat(),
        "activities": deal.activities.count(),
    }
    record_event(DEAL_PURGED, subject=deal, actor=actor, data=data)
    deal.delete()


@transaction.atomic
def purge_lead(*, lead: Lead, actor: User | None) -> None:
    _ensure_admin(actor)
    lead = _locked_in_trash(Lead, lead)
    record_event(
        LEAD_PURGED,
        subject=lead,
        actor=actor,
        data={"title": lead.title, "deleted_at": lead.deleted_at.isoformat()},
    )
    lead.delete()


def _references(deals: int, leads: int) -> str:
    parts = []
    if deals:
        parts.append(ngettext("%(n)d deal", "%(n)d deals", deals) % {"n": deals})
    if leads:
        parts.append(ngettext("%(n)d lead", "%(n)d leads", leads) % {"n": leads})
    return _(" and ").join(parts)


def purge_blocker(kind: str, record) -> str:
    """Why the record cannot be purged yet (deals or leads still naming it), or ''."""
    if kind == "organization":
        deals = Deal.objects.filter(Q(organization=record) | Q(end_customer=record)).count()
        leads = Lead.objects.filter(organization=record).count()
    elif kind == "person":
        deals, leads = 0, Lead.objects.filter(person=record).count()
    else:
        return ""
    if not (deals or leads):
        return ""
    return _(
        "“%(name)s” cannot be deleted permanently: %(refs)s still refer to it "
        "(including any in the trash). Delete or reassign them first."
    ) % {"name": name_of(record), "refs": _references(deals, leads)}


@transaction.atomic
def purge_organization(*, organization: Organization, actor: User | None) -> None:
    _ensure_admin(actor)
    organization = _locked_in_trash(Organization, organization)
    blocker = purge_blocker("organization", organization)
    if blocker:
        raise ValidationFailed(blocker)
    record_event(
        ORGANIZATION_PURGED,
        subject=organization,
        actor=actor,
        data={"name": organization.name, "deleted_at": organization.deleted_at.isoformat()},
    )
    organization.delete()


@transaction.atomic
def purge_person(*, person: Person, actor: User | None) -> None:
    _ensure_admin(actor)
    person = _locked_in_trash(Person, person)
    blocker = purge_blocker("person", person)
    if blocker:
        raise ValidationFailed(blocker)
    record_event(
        PERSON_PURGED,
        subject=person,
        actor=actor,
        data={"name": person.name, "deleted_at": person.deleted_at.isoformat()},
    )
    person.delete()


def purge(*, kind: str, record, actor: User | None) -> None:
    if kind == "deal":
        purge_deal(deal=record, actor=actor)
    elif kind == "lead":
        purge_lead(lead=record, actor=actor)
    elif kind == "organization":
        purge_organization(organization=record, actor=actor)
    elif kind == "person":
        purge_person(person=record, actor=actor)
    else:
        raise ValueError(kind)


def purge_expired(*, now: datetime | None = None) -> dict[str, dict[str, int]]:
    """Purge, as the system, everything in the trash for longer than RETENTION.

    Deals and leads go first, so an organization or person only they named can go too.
    A record still referenced is skipped (and counted) and tried again the next day.
    Returns {kind: {"purged": n, "skipped": m}}.
    """
    cutoff = (now or timezone.now()) - RETENTION
    counts: dict[str, dict[str, int]] = {}
    for kind in KINDS:
        model = MODELS[kind]
        purged = skipped = 0
        for record in model.objects.filter(deleted_at__isnull=False, deleted_at__lt=cutoff).order_by("pk"):
            try:
                purge(kind=kind, record=record, actor=None)
            except ValidationFailed:
                skipped += 1
            else:
                purged += 1
        counts[kind] = {"purged": purged, "skipped": skipped}
    return counts
