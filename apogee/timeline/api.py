"""JSON API of timelines (deal, lead, person, organization) and of the audit trail.

A timeline answers 404 for a record the caller may not see, like the record itself;
the audit trail is for administrators (403 for anyone else). Both describe events
the way the pages do, in the caller's language, with the raw event name beside it.
"""

from datetime import date, datetime
from typing import Annotated, Literal

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from apogee.core.errors import PermissionDenied
from apogee.core.models import EventSource
from apogee.notes.queries import get_target_for_user_or_404

from .describe import Entry, describe
from .queries import MAX_PAGE_SIZE, PAGE_SIZE, AuditFilters, audit_events, timeline_for

router = Router(tags=["timeline"])

Id = Annotated[int, Field(ge=1, le=2**63 - 1)]
Kind = Literal["change", "stage", "activity", "note", "bid", "status"]
Source = Literal[tuple(EventSource.values)]  # type: ignore[valid-type]


class ChangeOut(Schema):
    field: str
    old: str
    new: str


class EntryOut(Schema):
    id: int = Field(..., description="The id of the recorded event.")
    when: datetime
    actor: str
    source: str = Field(..., description="ui, api, import or system.")
    kind: str = Field(..., description="change, stage, activity, note, bid or status.")
    event: str = Field(..., description="The event's name, e.g. deal.updated.")
    text: str
    changes: list[ChangeOut]
    link: str = Field("", description="The page of the record the event is about, when it is another one.")
    body_html: str = Field("", description="A note's sanitized HTML.")


class TimelineQuery(Schema):
    kind: list[Kind] = Field(default_factory=list, description="Only these kinds (repeat the parameter).")
    offset: int = Field(0, ge=0, le=10_000_000)
    limit: int = Field(PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)


class TimelinePage(Schema):
    items: list[EntryOut]
    offset: int
    limit: int
    has_more: bool


def _out(entry: Entry) -> dict:
    return {
        "id": entry.id,
        "when": entry.when,
        "actor": entry.who,
        "source": entry.source,
        "kind": entry.kind,
        "event": entry.name,
        "text": entry.text,
        "changes": [{"field": label, "old": old, "new": new} for label, old, new in entry.changes],
        "link": entry.link_url,
        "body_html": entry.body_html,
    }


def _timeline(request, kind: str, record_id: int, params: TimelineQuery) -> dict:
    record = get_target_for_user_or_404(request.auth, kind, record_id)
    page = timeline_for(request.auth, record, kinds=params.kind, offset=params.offset, limit=params.limit)
    return {
        "items": [_out(e) for e in page.entries],
        "offset": page.offset,
        "limit": page.limit,
        "has_more": page.has_more,
    }


@router.get("/deals/{deal_id}/timeline", response=TimelinePage)
def deal_timeline(request, deal_id: int, params: Query[TimelineQuery]):
    """Everything that happened to the deal, newest first: changes, stage moves, activities, notes."""
    return _timeline(request, "deal", deal_id, params)


@router.get("/leads/{lead_id}/timeline", response=TimelinePage)
def lead_timeline(request, lead_id: int, params: Query[TimelineQuery]):
    return _timeline(request, "lead", lead_id, params)


@router.get("/persons/{person_id}/timeline", response=TimelinePage)
def person_timeline(request, person_id: int, params: Query[TimelineQuery]):
    return _timeline(request, "person", person_id, params)


@router.get("/organizations/{organization_id}/timeline", response=TimelinePage)
def organization_timeline(request, organization_id: int, params: Query[TimelineQuery]):
    return _timeline(request, "organization", organization_id, params)


class AuditQuery(Schema):
    actor_id: Id | None = None
    source: Source | None = None
    subject_type: str | None = Field(None, max_length=40, pattern=r"^[a-z_]+$")
    subject_id: Id | None = None
    event: str | None = Field(None, max_length=80, description="An event name, or its start: `deal.`")
    since: date | None = None
    until: date | None = None
    before_id: Id | None = Field(None, description="Continue after this event id (`next_before_id`).")
    limit: int = Field(100, ge=1, le=500)


class AuditEntryOut(EntryOut):
    subject_type: str
    subject_id: int


class AuditPage(Schema):
    items: list[AuditEntryOut]
    next_before_id: int | None


@router.get("/audit", response=AuditPage)
def audit(request, params: Query[AuditQuery]):
    """Administrators: every recorded change, newest first, paged by `before_id`."""
    if not request.auth.is_workspace_admin:
        raise PermissionDenied(_("Only administrators may read the audit trail."))
    filters = AuditFilters(
        actor=params.actor_id,
        source=params.source or "",
        subject_type=params.subject_type or "",
        subject_id=params.subject_id,
        name=params.event or "",
        since=params.since,
        until=params.until,
    )
    events = audit_events(filters)
    if params.before_id:
        events = events.filter(pk__lt=params.before_id)
    rows = list(events[: params.limit + 1])
    shown = rows[: params.limit]
    items = [
        {**_out(entry), "subject_type": entry.subject_type, "subject_id": entry.subject_id}
        for entry in describe(shown)
    ]
    return {"items": items, "next_before_id": shown[-1].pk if len(rows) > params.limit else None}
