"""Activity writes: schedule, edit, mark done or not done, delete and restore; activity types; feed secrets.

Each function checks the actor may act, writes inside one transaction, records a
domain event and returns the activity. Nothing else saves an Activity. Every change
bumps `sequence`, so subscribed calendars replace the event. `actor=None` is a
system task (imports, the demo).
"""

import secrets
from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from apogee.accounts.models import User
from apogee.contacts.models import Organization, Person
from apogee.core.errors import PermissionDenied, ValidationFailed
from apogee.core.events import jsonable, record_event
from apogee.deals.models import Deal
from apogee.deals.queries import can_see_deal
from apogee.leads.models import Lead
from apogee.leads.queries import can_see_lead

from . import events
from .models import Activity, ActivityAttendee, ActivityType, CalendarFeedToken
from .queries import activities_visible_to, hash_feed_secret

MAX_SUBJECT = 200
MAX_NOTE = 5000
MAX_DURATION = 7 * 24 * 60  # a week
EDITABLE_FIELDS = (
    "type",
    "subject",
    "due",
    "duration_minutes",
    "owner",
    "deal",
    "lead",
    "person",
    "organization",
    "note",
)


def _ensure_can_see(actor: User | None, activity: Activity) -> None:
    if actor is not None and not activities_visible_to(actor).filter(pk=activity.pk).exists():
        raise PermissionDenied(_("You may not change this activity."))


def _ensure_admin(actor: User | None) -> None:
    if actor is not None and not actor.is_workspace_admin:
        raise PermissionDenied(_("Only an administrator can do this."))


def _text(value: Any) -> str:
    return str(value or "").strip()


def _clean(data: dict[str, Any], *, actor: User | None, current: Activity | None = None) -> dict[str, Any]:
    """Validate the fields present in `data`; raise ValidationFailed naming each bad one.

    `due` is a date (all day) or an aware datetime (timed); it becomes due_date and due_at.
    """
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {}
    if "type" in data:
        kind = data["type"]
        if not isinstance(kind, ActivityType):
            errors["type"] = [_("Choose a type.")]
        elif kind.is_archived and (current is None or current.type_id != kind.pk):
            errors["type"] = [_("This type is archived. Choose another one.")]
        cleaned["type"] = kind
    if "subject" in data:
        subject = _text(data["subject"])
        if not subject:
            errors["subject"] = [_("This field is required.")]
        elif len(subject) > MAX_SUBJECT:
            errors["subject"] = [_("At most %d characters.") % MAX_SUBJECT]
        elif "\x00" in subject:
            errors["subject"] = [_("Text may not contain NUL characters.")]
        cleaned["subject"] = subject
    if "due" in data:
        due = data["due"]
        if isinstance(due, datetime):
            if timezone.is_naive(due):
                errors["due"] = [_("Give the time with its time zone.")]
            else:
                cleaned["due_at"] = due
                cleaned["due_date"] = timezone.localdate(due)
        elif isinstance(due, date):
            cleaned["due_at"], cleaned["due_date"] = None, due
        else:
            errors["due"] = [_("Enter a date.")]
    if "duration_minutes" in data:
        duration = data["duration_minutes"]
        if duration in (None, ""):
            cleaned["duration_minutes"] = None
        else:
            try:
                duration = int(duration)
            except (TypeError, ValueError):
                duration = -1
            if not 0 < duration <= MAX_DURATION:
                errors["duration_minutes"] = [_("Enter a number of minutes between 1 and %d.") % MAX_DURATION]
            cleaned["duration_minutes"] = duration
    if "owner" in data:
        owner = data["owner"]
        if not isinstance(owner, User) or not owner.is_active:
            errors["owner"] = [_("Choose an active user.")]
        cleaned["owner"] = owner
    if "deal" in data:
        deal = data["deal"]
        unchanged = current is not None and deal is not None and current.deal_id == deal.pk
        if deal is not None and not unchanged:
            if not isinstance(deal, Deal) or deal.deleted_at is not None:
                errors["deal"] = [_("Choose a deal.")]
            elif actor is not None and not can_see_deal(actor, deal):
                # The same words as for a deal that does not exist: its existence must not leak.
                errors["deal"] = [_("Choose a deal you can see.")]
        cleaned["deal"] = deal
    if "lead" in data:
        lead = data["lead"]
        unchanged = current is not None and lead is not None and current.lead_id == lead.pk
        if lead is not None and not unchanged:
            # Read afresh: the caller's instance may predate the lead's deletion.
            if (
                not isinstance(lead, Lead)
                or not Lead.objects.filter(pk=lead.pk, deleted_at__isnull=True).exists()
            ):
                errors["lead"] = [_("Choose a lead.")]
            elif actor is not None and not can_see_lead(actor, lead):
                # As for deals: the same words as for a lead that does not exist.
                errors["lead"] = [_("Choose a lead you can see.")]
        cleaned["lead"] = lead
    for name, model in (("person", Person), ("organization", Organization)):
        if name in data:
            record = data[name]
            if record is not None and (not isinstance(record, model) or record.deleted_at is not None):
                errors[name] = [_("Choose an existing record.")]
            cleaned[name] = record
    if "note" in data:
        note = _text(data["note"])
        if len(note) > MAX_NOTE:
            errors["note"] = [_("At most %d characters.") % MAX_NOTE]
        elif "\x00" in note:
            errors["note"] = [_("Text may not contain NUL characters.")]
        cleaned["note"] = note
    if errors:
        raise ValidationFailed(_("Some fields are invalid."), fields=errors)
    return cleaned


def _check_owner_sees_target(owner: User, deal: Deal | None, lead: Lead | None) -> None:
    # Otherwise the owner would have an activity they cannot open. The deal governs when there are both.
    if deal is not None:
        if not can_see_deal(owner, deal):
            raise ValidationFailed(
                _("Some fields are invalid."),
                fields={"owner": [_("%s cannot see this deal. Choose someone who can.") % owner]},
            )
    elif lead is not None and not can_see_lead(owner, lead):
        raise ValidationFailed(
            _("Some fields are invalid."),
            fields={"owner": [_("%s cannot see this lead. Choose someone who can.") % owner]},
        )


def _clean_attendees(users, persons) -> tuple[list[User], list[Person]]:
    users = list(dict.fromkeys(users or []))
    persons = list(dict.fromkeys(persons or []))
    errors = {}
    if any(not isinstance(u, User) or not u.is_active for u in users):
        errors["attendee_users"] = [_("Choose active users.")]
    if any(not isinstance(p, Person) or p.deleted_at is not None for p in persons):
        errors["attendee_persons"] = [_("Choose existing persons.")]
    if errors:
        raise ValidationFailed(_("Some fields are invalid."), fields=errors)
    return users, persons


def _set_attendees(activity: Activity, users: list[User], persons: list[Person]) -> None:
    ActivityAttendee.objects.filter(activity=activity).delete()
    ActivityAttendee.objects.bulk_create(
        [ActivityAttendee(activity=activity, user=u) for u in users]
        + [ActivityAttendee(activity=activity, person=p) for p in persons]
    )


def _attendee_ids(activity: Activity) -> dict[str, list[int]]:
    rows = list(ActivityAttendee.objects.filter(activity=activity).values_list("user_id", "person_id"))
    return {
        "users": sorted(u for u, _p in rows if u is not None),
        "persons": sorted(p for _u, p in rows if p is not None),
    }


def _payload(activity: Activity) -> dict[str, Any]:
    return {
        "subject": activity.subject,
        "type": activity.type.key,
        "due_date": activity.due_date.isoformat(),
        "due_at": activity.due_at.isoformat() if activity.due_at else None,
        "owner": activity.owner_id,
        "deal": activity.deal_id,
        "person": activity.person_id,
        "organization": activity.organization_id,
        "lead": activity.lead_id,
        "sequence": activity.sequence,
    }


@transaction.atomic
def create_activity(
    *,
    actor: User | None,
    type: ActivityType,
    subject: str,
    due: date | datetime,
    owner: User | None = None,
    duration_minutes: int | None = None,
    deal: Deal | None = None,
    lead: Lead | None = None,
    person: Person | None = None,
    organization: Organization | None = None,
    note: str = "",
    attendee_users=(),
    attendee_persons=(),
    done_at: datetime | None = None,
) -> Activity:
    """Schedule an activity for `owner` (default: the actor), linked to deal, lead, person, organization.

    `done_at` records one that was already done then (an import of past work): it is created
    done, with its done event at that moment, in one write instead of create-then-complete.
    Raises ValidationFailed naming each bad field; nothing is written then.
    """
    owner = owner or actor
    if owner is None:
        raise ValidationFailed(
            _("An activity needs an owner."), fields={"owner": [_("This field is required.")]}
        )
    fields = _clean(
        {
            "type": type,
            "subject": subject,
            "due": due,
            "owner": owner,
            "duration_minutes": duration_minutes,
            "deal": deal,
            "lead": lead,
            "person": person,
            "organization": organization,
            "note": note,
        },
        actor=actor,
    )
    users, persons = _clean_attendees(attendee_users, attendee_persons)
    _check_owner_sees_target(owner, deal, lead)
    if done_at is not None and timezone.is_naive(done_at):
        raise ValidationFailed(
            _("Some fields are invalid."), fields={"done_at": [_("Give the time with its time zone.")]}
        )
    activity = Activity.objects.create(**fields, is_done=done_at is not None, done_at=done_at)
    # A new activity has no attendees to replace: insert them, and name them from the lists.
    ActivityAttendee.objects.bulk_create(
        [ActivityAttendee(activity=activity, user=u) for u in users]
        + [ActivityAttendee(activity=activity, person=p) for p in persons]
    )
    attendees = {"users": sorted(u.pk for u in users), "persons": sorted(p.pk for p in persons)}
    record_event(
        events.ACTIVITY_CREATED,
        subject=activity,
        actor=actor,
        data={**_payload(activity), "attendees": attendees},
    )
    if done_at is not None:
        record_event(
            events.ACTIVITY_DONE, subject=activity, actor=actor, occurred_at=done_at, data=_payload(activity)
        )
    return activity


def _lock(activity: Activity) -> Activity:
    # of=("self",): PostgreSQL refuses FOR UPDATE on the nullable side of an outer join.
    return Activity.objects.select_for_update(of=("self",)).select_related("type").get(pk=activity.pk)


@transaction.atomic
def update_activity(*, activity: Activity, actor: User | None, changes: dict[str, Any]) -> Activity:
    """Edit fields (keys of EDITABLE_FIELDS, plus attendee_users and attendee_persons to replace them).

    Records activity.updated with before/after values; an edit that changes nothing writes nothing.
    """
    _ensure_can_see(actor, activity)
    activity = _lock(activity)
    unknown = set(changes) - set(EDITABLE_FIELDS) - {"attendee_users", "attendee_persons"}
    if unknown:
        raise ValidationFailed(
            _("Unknown fields."), fields={k: [_("Unknown field.")] for k in sorted(unknown)}
        )
    cleaned = _clean(
        {k: v for k, v in changes.items() if k in EDITABLE_FIELDS}, actor=actor, current=activity
    )
    _check_owner_sees_target(
        cleaned.get("owner", activity.owner),
        cleaned.get("deal", activity.deal),
        cleaned.get("lead", activity.lead),
    )
    diff: dict[str, list] = {}
    for field, value in cleaned.items():
        old = getattr(activity, field)
        if old != value:
            diff[field] = [jsonable(old), jsonable(value)]
            setattr(activity, field, value)
    if "attendee_users" in changes or "attendee_persons" in changes:
        before = _attendee_ids(activity)
        users, persons = _clean_attendees(
            changes.get("attendee_users", [a.user for a in activity.attendees.filter(user__isnull=False)]),
            changes.get(
                "attendee_persons", [a.person for a in activity.attendees.filter(person__isnull=False)]
            ),
        )
        _set_attendees(activity, users, persons)
        after = _attendee_ids(activity)
        if after != before:
            diff["attendees"] = [before, after]
    if not diff:
        return activity
    activity.sequence += 1
    activity.save()
    record_event(
        events.ACTIVITY_UPDATED,
        subject=activity,
        actor=actor,
        data={"changes": diff, "deal": activity.deal_id, "sequence": activity.sequence},
    )
    return activity


@transaction.atomic
def mark_activity_done(*, activity: Activity, actor: User | None) -> Activity:
    """Mark done; marking an activity already done is a no-op (a double click records nothing)."""
    _ensure_can_see(actor, activity)
    activity = _lock(activity)
    if activity.is_done:
        return activity
    activity.is_done = True
    activity.done_at = timezone.now()
    activity.sequence += 1
    activity.save()
    record_event(events.ACTIVITY_DONE, subject=activity, actor=actor, data=_payload(activity))
    return activity


@transaction.atomic
def mark_activity_undone(*, activity: Activity, actor: User | None) -> Activity:
    _ensure_can_see(actor, activity)
    activity = _lock(activity)
    if not activity.is_done:
        return activity
    activity.is_done = False
    activity.done_at = None
    activity.sequence += 1
    activity.save()
    record_event(events.ACTIVITY_UNDONE, subject=activity, actor=actor, data=_payload(activity))
    return activity


@transaction.atomic
def delete_activity(*, activity: Activity, actor: User | None) -> Activity:
    """Take the activity out of every list and calendar feed; restore_activity brings it back."""
    _ensure_can_see(actor, activity)
    activity = _lock(activity)
    if activity.deleted_at is None:
        activity.deleted_at = timezone.now()
        activity.sequence += 1
        activity.save()
        record_event(events.ACTIVITY_DELETED, subject=activity, actor=actor, data=_payload(activity))
    return activity


@transaction.atomic
def restore_activity(*, activity: Activity, actor: User | None) -> Activity:
    """Undo delete_activity. The caller found it through deleted_activity_for_user_or_404."""
    activity = _lock(activity)
    if activity.deleted_at is not None:
        activity.deleted_at = None
        activity.sequence += 1
        activity.save()
        record_event(events.ACTIVITY_RESTORED, subject=activity, actor=actor, data=_payload(activity))
    return activity


@transaction.atomic
def move_lead_activities_to_deal(*, lead: Lead, deal: Deal, actor: User | None) -> list[Activity]:
    """Put the activities of `lead` on `deal`, the deal it was just converted into; return those moved.

    Only for leads.services.convert_lead_to_deal, inside its transaction, which checked the
    actor may convert the lead. An activity keeps its lead: the archived lead's page still
    lists it and its history says where it came from, while the deal, now set, governs who
    sees it (queries.activities_visible_to). Left alone: deleted activities (restored, they
    come back on the archived lead only) and those already on another deal (not ours to take).
    One UPDATE for all; one activity.moved event each, and each `sequence` grows, so
    subscribed calendars pick up the deal in the description.
    """
    moved = list(
        Activity.objects.select_for_update(of=("self",))
        .filter(lead=lead, deal__isnull=True, deleted_at__isnull=True)
        .order_by("pk")
    )
    if not moved:
        return []
    now = timezone.now()
    Activity.objects.filter(pk__in=[a.pk for a in moved]).update(
        deal=deal, sequence=F("sequence") + 1, updated_at=now
    )
    for activity in moved:
        activity.deal, activity.sequence, activity.updated_at = deal, activity.sequence + 1, now
        record_event(
            events.ACTIVITY_MOVED,
            subject=activity,
            actor=actor,
            data={
                "changes": {"deal": [None, deal.pk]},
                "lead": lead.pk,
                "deal": deal.pk,
                "sequence": activity.sequence,
            },
        )
    return moved


# Activity types (administrators) -----------------------------------------------------------


@transaction.atomic
def save_activity_type(
    *,
    actor: User | None,
    label_en: str,
    label_fr: str = "",
    icon: str = "",
    key: str = "",
    activity_type: ActivityType | None = None,
    is_archived: bool | None = None,
) -> ActivityType:
    """Add a type (key derived from the English label unless given) or change one; the key never changes."""
    _ensure_admin(actor)
    label_en, label_fr, icon = _text(label_en), _text(label_fr), _text(icon)
    errors: dict[str, list[str]] = {}
    if not label_en or len(label_en) > 60:
        errors["label_en"] = [_("Enter 1 to 60 characters.")]
    if len(label_fr) > 60:
        errors["label_fr"] = [_("At most 60 characters.")]
    if len(icon) > 8:
        errors["icon"] = [_("One symbol or emoji, at most 8 characters.")]
    if activity_type is None:
        key = slugify(key or label_en)[:40]
        if not key:
            errors.setdefault("label_en", [_("Use at least one letter or digit.")])
        elif ActivityType.objects.filter(key=key).exists():
            errors["label_en"] = [_("A type with this name exists already.")]
    if errors:
        raise ValidationFailed(_("Some fields are invalid."), fields=errors)
    if activity_type is None:
        position = (ActivityType.objects.aggregate(m=Max("position"))["m"] or 0) + 1
        activity_type = ActivityType.objects.create(
            key=key, label_en=label_en, label_fr=label_fr, icon=icon, position=position
        )
    else:
        activity_type.label_en, activity_type.label_fr, activity_type.icon = label_en, label_fr, icon
        if is_archived is not None:
            activity_type.is_archived = is_archived
        activity_type.save()
    record_event(
        events.ACTIVITY_TYPE_CHANGED,
        subject=activity_type,
        actor=actor,
        data={"key": activity_type.key, "label_en": label_en, "archived": activity_type.is_archived},
    )
    return activity_type


# Calendar feed ---------------------------------------------------------------------------------


@transaction.atomic
def reset_calendar_feed(*, user: User, actor: User) -> str:
    """A new secret for the user's ICS feed; the previous URL stops working. Returns it (shown once)."""
    if actor.pk != user.pk and not actor.is_workspace_admin:
        raise PermissionDenied(_("Only its owner or an administrator resets a calendar feed."))
    secret = secrets.token_urlsafe(32)
    CalendarFeedToken.objects.update_or_create(user=user, defaults={"secret_hash": hash_feed_secret(secret)})
    record_event(events.CALENDAR_FEED_CHANGED, subject=user, actor=actor, data={"action": "reset"})
    return secret


@transaction.atomic
def revoke_calendar_feed(*, user: User, actor: User) -> None:
    if actor.pk != user.pk and not actor.is_workspace_admin:
        raise PermissionDenied(_("Only its owner or an administrator turns off a calendar feed."))
    deleted, _rows = CalendarFeedToken.objects.filter(user=user).delete()
    if deleted:
        record_event(events.CALENDAR_FEED_CHANGED, subject=user, actor=actor, data={"action": "revoked"})
