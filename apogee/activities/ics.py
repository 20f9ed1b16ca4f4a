"""The iCalendar (RFC 5545) rendering of a user's activities, for Outlook and any calendar that subscribes.

Calendars match events by UID and replace them when SEQUENCE grows; an activity
removed from the feed is removed from the subscribed calendar on its next refresh.
"""

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from django.utils import timezone
from icalendar import Alarm, Calendar, Event

from .models import Activity

DEFAULT_DURATION = timedelta(minutes=30)
# Tender deadlines remind their owner a week and a day ahead, in whatever calendar shows the feed.
TENDER_REMINDERS = (timedelta(days=7), timedelta(days=1))
PRODID = "-//Apogee//Activities//EN"


def event_uid(activity: Activity) -> str:
    return f"{activity.uid}@apogee"


def _description(activity: Activity) -> str:
    lines = []
    if activity.deal_id:
        lines.append(f"Deal: {activity.deal.title}")
    elif activity.lead_id:
        lines.append(f"Lead: {activity.lead.title}")
    if activity.organization_id:
        lines.append(f"Organization: {activity.organization.name}")
    if activity.person_id:
        lines.append(f"Person: {activity.person.name}")
    if activity.note:
        lines.extend(["", activity.note])
    return "\n".join(lines)


def activity_event(activity: Activity, *, stamp: datetime) -> Event:
    event = Event()
    event.add("uid", event_uid(activity))
    event.add("sequence", activity.sequence)
    event.add("dtstamp", stamp)
    event.add("last-modified", activity.updated_at)
    event.add("created", activity.created_at)
    done = "✓ " if activity.is_done else ""
    icon = f"{activity.type.icon} " if activity.type.icon else ""
    event.add("summary", f"{done}{icon}{activity.subject}")
    event.add("categories", [activity.type.label_en])
    if activity.due_at is None:
        # DATE values: an all-day event; DTEND is exclusive, the next day.
        event.add("dtstart", activity.due_date)
        event.add("dtend", activity.due_date + timedelta(days=1))
    else:
        start = activity.due_at.astimezone(UTC)
        minutes = activity.duration_minutes
        event.add("dtstart", start)
        event.add("dtend", start + (timedelta(minutes=minutes) if minutes else DEFAULT_DURATION))
    description = _description(activity)
    if description:
        event.add("description", description)
    # Busy only for what takes time; a task or a deadline does not block the agenda.
    event.add("transp", "OPAQUE" if activity.due_at and activity.duration_minutes else "TRANSPARENT")
    if activity.tender_deadline and not activity.is_done:
        for before in TENDER_REMINDERS:
            event.add_component(_reminder(activity, before))
    return event


def _reminder(activity: Activity, before: timedelta) -> Alarm:
    alarm = Alarm()
    alarm.add("uid", f"{event_uid(activity)}-alarm-{int(before.total_seconds())}")
    alarm.add("action", "DISPLAY")
    alarm.add("description", activity.subject)
    alarm.add("trigger", -before)
    return alarm


def calendar_for(activities: Iterable[Activity], *, name: str, now: datetime | None = None) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    # How often a subscriber should come back (Outlook honours X-PUBLISHED-TTL).
    calendar.add("x-published-ttl", "PT1H")
    calendar.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    stamp = now or timezone.now()
    for activity in activities:
        calendar.add_component(activity_event(activity, stamp=stamp))
    return calendar.to_ical()
