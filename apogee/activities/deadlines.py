"""A deal's tender deadlines as activities of its owner: on their list, the week view and the calendar feed.

The deal carries the deadlines (clarification questions, submission); this module keeps
one "deadline" activity per set deadline in step with them, as a consumer of the deal's
domain events (after commit; idempotent: it reads the deal as it is now, whatever the
event said). The activity follows the deal's owner and moment; it disappears (soft
delete) when the deadline is cleared or the deal is closed, and comes back if the deal
reopens with the deadline still ahead. In the calendar feed these activities carry
reminders a week and a day before (ics.py).
"""

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from apogee.core.events import jsonable, record_event, subscribe
from apogee.deals.models import Deal, DealStatus

from . import events
from .models import Activity, ActivityType, TenderDeadline

WATCHED = (
    "deal.created",
    "deal.updated",
    "deal.won",
    "deal.lost",
    "deal.reopened",
    "deal.deleted",
    "deal.restored",
)
FIELDS = {
    TenderDeadline.CLARIFICATION: "clarification_deadline",
    TenderDeadline.SUBMISSION: "submission_deadline",
}


def _subject(kind: str, deal: Deal) -> str:
    # Stored text: in the language of the owner, whose to-do list it lands on.
    with override(deal.owner.language or settings.LANGUAGE_CODE):
        name = deal.tender_reference or deal.title
        if kind == TenderDeadline.CLARIFICATION:
            return _("Clarification questions due: %s") % name
        return _("Submission deadline: %s") % name


# A change to one of these deal fields can change its deadline activities (their subject names
# the tender reference or the title, their owner is the deal's).
SHOWN = {"clarification_deadline", "submission_deadline", "tender_reference", "title", "owner"}


@transaction.atomic
def sync_tender_deadlines(deal_id: int) -> None:
    deal = Deal.objects.select_related("owner").filter(pk=deal_id).first()
    existing = {
        a.tender_deadline: a
        for a in Activity.objects.select_for_update(of=("self",))
        .filter(deal_id=deal_id)
        .exclude(tender_deadline="")
    }
    deadline_type = ActivityType.objects.filter(key="deadline").first()
    for kind, field in FIELDS.items():
        moment = getattr(deal, field) if deal is not None else None
        wanted = (
            deal is not None
            and deal.deleted_at is None
            and deal.status == DealStatus.OPEN
            and moment is not None
            and deadline_type is not None
        )
        activity = existing.get(kind)
        if wanted:
            _keep(activity, kind, deal, moment, deadline_type)
        elif activity is not None and activity.deleted_at is None and not activity.is_done:
            activity.deleted_at = timezone.now()
            activity.sequence += 1
            activity.save(update_fields=["deleted_at", "sequence", "updated_at"])
            record_event(
                events.ACTIVITY_DELETED, subject=activity, data={"deal": deal_id, "tender_deadline": kind}
            )


def _keep(activity, kind, deal, moment, deadline_type) -> None:
    values = {
        "subject": _subject(kind, deal),
        "due_at": moment,
        "due_date": timezone.localtime(moment).date(),
        "owner_id": deal.owner_id,
        "type_id": deadline_type.pk,
    }
    if activity is None:
        activity = Activity.objects.create(deal=deal, tender_deadline=kind, **values)
        record_event(
            events.ACTIVITY_CREATED,
            subject=activity,
            data={
                "subject": activity.subject,
                "type": "deadline",
                "due_date": activity.due_date.isoformat(),
                "due_at": moment.isoformat(),
                "owner": deal.owner_id,
                "deal": deal.pk,
                "tender_deadline": kind,
            },
        )
        return
    # Keyed like update_activity's payload, so the timeline names the fields.
    names = {"subject": "subject", "due_at": "due", "owner_id": "owner", "type_id": "type"}
    changes = {
        names[key]: [jsonable(getattr(activity, key)), jsonable(value)]
        for key, value in values.items()
        if key in names and getattr(activity, key) != value
    }
    restored = activity.deleted_at is not None
    if not changes and not restored:
        return
    for key, value in values.items():
        setattr(activity, key, value)
    activity.deleted_at = None
    activity.sequence += 1
    activity.save()
    if changes:
        data = {"changes": changes, "deal": deal.pk, "sequence": activity.sequence}
        record_event(events.ACTIVITY_UPDATED, subject=activity, data=data)
    if restored:
        record_event(
            events.ACTIVITY_RESTORED, subject=activity, data={"deal": deal.pk, "tender_deadline": kind}
        )


def _on_deal_event(event_id: int) -> None:
    from apogee.core.models import DomainEvent

    event = DomainEvent.objects.filter(pk=event_id).only("subject_id", "name", "data").first()
    if event is None:
        return
    if event.name == "deal.updated" and not SHOWN & set((event.data or {}).get("changes", {})):
        return
    if not _has_deadlines(event.subject_id):
        return  # most deals: no deadline to keep, none to remove — one read, no transaction
    sync_tender_deadlines(event.subject_id)


def _has_deadlines(deal_id: int) -> bool:
    tender_activities = Activity.objects.filter(deal_id=OuterRef("pk")).exclude(tender_deadline="")
    return (
        Deal.objects.filter(pk=deal_id)
        .filter(
            Q(clarification_deadline__isnull=False)
            | Q(submission_deadline__isnull=False)
            | Exists(tender_activities)
        )
        .exists()
    )


def connect() -> None:
    for name in WATCHED:
        subscribe(name, _on_deal_event)
