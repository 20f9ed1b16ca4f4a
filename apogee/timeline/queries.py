"""Reads for the timeline of one record and for the audit trail.

A record's timeline is the domain events about the record itself plus those about
what hangs off it: its activities and notes (wherever they were first filed, so a
converted lead's history follows its activities and notes to the deal), the lead a
deal was converted from, and, on a person's or organization's page, the deals and
leads they are part of. The caller has already checked the user may see the record;
what hangs off it is filtered here with each app's own visibility rule, so an
organization's timeline never names a private deal of someone else.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from apogee.accounts.models import User
from apogee.activities.models import Activity, ActivityAttendee
from apogee.activities.queries import activities_visible_to
from apogee.bids.models import BidDecision
from apogee.contracts.models import Contract
from apogee.core.models import DomainEvent
from apogee.deals.models import DealParticipant
from apogee.deals.queries import deals_visible_to
from apogee.leads.models import Lead
from apogee.leads.queries import leads_visible_to
from apogee.notes.models import Note
from apogee.offers.models import Offer

from . import kinds as k
from .describe import Entry, describe

PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
RECORD_KINDS = ("deal", "lead", "person", "organization")
# Of the deals and leads a contact takes part in, the contact's page shows only how they went.
_LIFECYCLE = ["created", "won", "lost", "reopened", "handed_off", "converted"]


def _ids(queryset: QuerySet) -> QuerySet:
    return queryset.values("pk")


def _scope(user: User, record) -> Q:
    kind = record._meta.model_name
    scope = Q(subject_type=kind, subject_id=record.pk)
    if kind == "deal":
        # Every activity and note filed on a deal the user sees is theirs to see, deleted ones included.
        activities = Activity.objects.filter(deal=record)
        notes = Note.objects.filter(deal=record)
        scope |= Q(subject_type="lead", subject_id__in=_ids(Lead.objects.filter(converted_deal=record)))
        scope |= Q(subject_type="biddecision", subject_id__in=_ids(BidDecision.objects.filter(deal=record)))
        scope |= Q(subject_type="offer", subject_id__in=_ids(Offer.objects.filter(deal=record)))
        scope |= Q(subject_type="contract", subject_id__in=_ids(Contract.objects.filter(deal=record)))
    elif kind == "lead":
        activities = Activity.objects.filter(lead_id=record.pk)
        notes = Note.objects.filter(lead=record)
    else:
        activities = activities_visible_to(user).filter(**{kind: record})
        if kind == "person":
            attending = ActivityAttendee.objects.filter(person=record).values("activity_id")
            activities = activities_visible_to(user).filter(Q(person=record) | Q(pk__in=attending))
            deals = deals_visible_to(user).filter(
                pk__in=DealParticipant.objects.filter(person=record).values("deal_id")
            )
            leads = leads_visible_to(user).filter(person=record)
        else:
            deals = deals_visible_to(user).filter(organization=record)
            leads = leads_visible_to(user).filter(organization=record)
        notes = Note.objects.filter(**{kind: record})
        scope |= Q(
            subject_type="deal", subject_id__in=_ids(deals), name__in=[f"deal.{v}" for v in _LIFECYCLE]
        ) | Q(subject_type="lead", subject_id__in=_ids(leads), name__in=[f"lead.{v}" for v in _LIFECYCLE])
    scope |= Q(subject_type="activity", subject_id__in=_ids(activities))
    scope |= Q(subject_type="note", subject_id__in=_ids(notes))
    return scope


def _any_prefix(prefixes) -> Q:
    q = Q(pk__in=[])
    for prefix in prefixes:
        q |= Q(name__startswith=prefix)
    return q


def kind_q(kinds) -> Q:
    """Events of the given timeline kinds (see kinds.kind_of, which this mirrors in SQL)."""
    status_names = [f"{s}.{v}" for s in RECORD_KINDS for v in sorted(k._STATUS_VERBS)]
    by_kind = {
        k.ACTIVITY: Q(name__startswith="activity."),
        k.NOTE: Q(name__startswith="note."),
        k.EMAIL: Q(name__startswith="email."),
        k.BID: _any_prefix(f"{subject}." for subject in k.BID_SUBJECTS),
        k.STAGE: Q(name__endswith=".stage_changed"),
        k.STATUS: Q(name__in=status_names),
    }
    wanted = Q(pk__in=[])
    for kind in kinds:
        if kind == k.CHANGE:
            others = Q()
            for q in by_kind.values():
                others |= q
            wanted |= ~others
        elif kind in by_kind:
            wanted |= by_kind[kind]
    return wanted


@dataclass
class Page:
    entries: list[Entry]
    offset: int
    limit: int
    has_more: bool

    @property
    def next_offset(self) -> int:
        return self.offset + self.limit


def timeline_for(user: User, record, *, kinds=(), offset: int = 0, limit: int = PAGE_SIZE) -> Page:
    """Newest first (by when it happened: imported history keeps its original time)."""
    limit = max(1, min(int(limit), MAX_PAGE_SIZE))
    offset = max(0, int(offset))
    events = DomainEvent.objects.filter(_scope(user, record))
    if kinds:
        events = events.filter(kind_q(kinds))
    rows = list(events.select_related("actor").order_by("-created_at", "-id")[offset : offset + limit + 1])
    return Page(describe(rows[:limit], record=record), offset, limit, len(rows) > limit)


# Audit trail ------------------------------------------------------------------------------


@dataclass
class AuditFilters:
    actor: int | None = None
    source: str = ""
    subject_type: str = ""
    subject_id: int | None = None
    name: str = ""
    since: date | None = None
    until: date | None = None


def audit_events(filters: AuditFilters) -> QuerySet[DomainEvent]:
    """Every recorded change matching the filters, newest first. For administrators only."""
    events = DomainEvent.objects.select_related("actor")
    if filters.actor:
        events = events.filter(actor_id=filters.actor)
    if filters.source:
        events = events.filter(source=filters.source)
    if filters.subject_type:
        events = events.filter(subject_type=filters.subject_type)
    if filters.subject_id:
        events = events.filter(subject_id=filters.subject_id)
    if filters.name:
        events = events.filter(name__startswith=filters.name)
    if filters.since:
        events = events.filter(created_at__gte=_start_of(filters.since))
    if filters.until:
        events = events.filter(created_at__lt=_start_of(filters.until, next_day=True))
    return events.order_by("-id")


def _start_of(day: date, *, next_day: bool = False) -> datetime:
    start = timezone.make_aware(datetime.combine(day, time.min))
    return start + timedelta(days=1) if next_day else start
