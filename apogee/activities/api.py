"""JSON API of activities: list with filters, create, read, edit, mark done or not done, delete; the types.

An activity the user may not see answers 404 on every verb (queries.get_activity_for_user_or_404),
with the same rules as the pages: an activity on a deal is seen by whoever may see the deal, one
on a lead (and no deal) by whoever may see the lead.
`due_date` alone schedules an all-day activity; `due_at` (with its offset) a timed one.
"""

from datetime import date, datetime
from typing import Annotated

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from pydantic import AwareDatetime, ConfigDict, model_validator

from apogee.accounts.queries import active_users
from apogee.contacts.queries import organizations_visible_to, persons_visible_to
from apogee.core.errors import ValidationFailed
from apogee.deals.queries import deals_visible_to
from apogee.leads.queries import leads_visible_to

from . import queries, services
from .models import Activity

router = Router(tags=["activities"])

MAX_LIMIT = 500
Id = Annotated[int, Field(ge=1, le=2**63 - 1)]


class Input(Schema):
    model_config = ConfigDict(extra="forbid")


class ActivityTypeOut(Schema):
    id: int
    key: str
    label_en: str
    label_fr: str
    icon: str
    is_archived: bool


class ActivityOut(Schema):
    id: int
    uid: str
    type_id: int
    type_key: str
    subject: str
    due_date: date
    due_at: datetime | None = Field(..., description="Null for an all-day activity.")
    duration_minutes: int | None
    owner_id: int
    deal_id: int | None
    lead_id: int | None
    person_id: int | None
    organization_id: int | None
    attendee_user_ids: list[int]
    attendee_person_ids: list[int]
    note: str
    is_done: bool
    done_at: datetime | None
    sequence: int
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_uid(activity: Activity) -> str:
        return str(activity.uid)

    @staticmethod
    def resolve_type_key(activity: Activity) -> str:
        return activity.type.key

    @staticmethod
    def resolve_attendee_user_ids(activity: Activity) -> list[int]:
        return [a.user_id for a in activity.attendees.all() if a.user_id]

    @staticmethod
    def resolve_attendee_person_ids(activity: Activity) -> list[int]:
        return [a.person_id for a in activity.attendees.all() if a.person_id]


class ActivityPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[ActivityOut]


class ActivityListQuery(Schema):
    owner: list[Id] = Field(default_factory=list)
    deal: list[Id] = Field(default_factory=list)
    lead: list[Id] = Field(default_factory=list)
    person: list[Id] = Field(default_factory=list)
    organization: list[Id] = Field(default_factory=list)
    type: list[str] = Field(default_factory=list, description="Type keys, e.g. call.")
    done: bool | None = None
    due_from: date | None = None
    due_to: date | None = None
    limit: int = Field(100, ge=1, le=MAX_LIMIT)
    offset: int = Field(0, ge=0, le=2**31 - 1)


class _Due(Input):
    due_date: date | None = Field(None, description="An all-day activity on this day.")
    due_at: AwareDatetime | None = Field(
        None, description="A timed activity, e.g. 2026-05-04T09:30:00+02:00."
    )

    @model_validator(mode="after")
    def at_most_one_due(self):
        if self.due_date is not None and self.due_at is not None:
            raise ValueError("Give due_date (all day) or due_at (timed), not both.")
        return self


class ActivityCreate(_Due):
    type_id: Id
    subject: str
    owner_id: Id | None = Field(None, description="You if omitted.")
    duration_minutes: int | None = None
    deal_id: Id | None = None
    lead_id: Id | None = None
    person_id: Id | None = None
    organization_id: Id | None = None
    attendee_user_ids: list[Id] = Field(default_factory=list)
    attendee_person_ids: list[Id] = Field(default_factory=list)
    note: str = ""

    @model_validator(mode="after")
    def due_given(self):
        if self.due_date is None and self.due_at is None:
            raise ValueError("Give due_date (all day) or due_at (timed).")
        return self


class ActivityPatch(_Due):
    type_id: Id | None = None
    subject: str | None = None
    owner_id: Id | None = None
    duration_minutes: int | None = None
    deal_id: Id | None = None
    lead_id: Id | None = None
    person_id: Id | None = None
    organization_id: Id | None = None
    attendee_user_ids: list[Id] | None = None
    attendee_person_ids: list[Id] | None = None
    note: str | None = None


def _invalid(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(_("Some fields are invalid."), fields={field: [message]})


def _one(queryset: QuerySet, pk: int | None, field: str, message: str):
    if pk is None:
        return None
    record = queryset.filter(pk=pk).first()
    if record is None:
        raise _invalid(field, message)
    return record


def _many(queryset: QuerySet, pks: list[int], field: str, message: str) -> list:
    found = {r.pk: r for r in queryset.filter(pk__in=pks)}
    if len(found) != len(set(pks)):
        raise _invalid(field, message)
    return [found[pk] for pk in dict.fromkeys(pks)]


# Service field → request field, so `fields` in a 422 points at what the client sent.
_NAMES = {
    "type": "type_id",
    "owner": "owner_id",
    "deal": "deal_id",
    "lead": "lead_id",
    "person": "person_id",
    "organization": "organization_id",
    "attendee_users": "attendee_user_ids",
    "attendee_persons": "attendee_person_ids",
}


def _resolved(request, data: dict) -> dict:
    """Request fields (ids) → service arguments (records), checking each id is one the user may use."""
    user = request.auth
    resolvers = {
        "type_id": (
            "type",
            lambda pk: _one(queries.active_types(), pk, "type_id", _("Choose an active type.")),
        ),
        "owner_id": ("owner", lambda pk: _one(active_users(), pk, "owner_id", _("Choose an active user."))),
        "deal_id": ("deal", lambda pk: _one(deals_visible_to(user), pk, "deal_id", _("No such deal."))),
        "lead_id": ("lead", lambda pk: _one(leads_visible_to(user), pk, "lead_id", _("No such lead."))),
        "person_id": (
            "person",
            lambda pk: _one(persons_visible_to(user), pk, "person_id", _("Choose an existing person.")),
        ),
        "organization_id": (
            "organization",
            lambda pk: _one(
                organizations_visible_to(user), pk, "organization_id", _("Choose an existing organization.")
            ),
        ),
        "attendee_user_ids": (
            "attendee_users",
            lambda pks: _many(active_users(), pks or [], "attendee_user_ids", _("Choose active users.")),
        ),
        "attendee_person_ids": (
            "attendee_persons",
            lambda pks: _many(
                persons_visible_to(user), pks or [], "attendee_person_ids", _("Choose existing persons.")
            ),
        ),
    }
    result = {}
    for key, value in data.items():
        if key in resolvers:
            name, resolve = resolvers[key]
            result[name] = resolve(value)
        elif key in ("due_date", "due_at"):
            if value is not None:
                result["due"] = value
        else:
            result[key] = value
    return result


def _renamed(error: ValidationFailed) -> ValidationFailed:
    error.fields = {_NAMES.get(k, "due_at" if k == "due" else k): v for k, v in error.fields.items()}
    return error


def _detailed(activity: Activity) -> Activity:
    return queries.with_details(Activity.objects.filter(pk=activity.pk)).get()


@router.get("/activity-types", response=list[ActivityTypeOut])
def list_activity_types(request):
    return list(queries.active_types())


@router.get("/activities", response=ActivityPage)
def list_activities(request, params: Query[ActivityListQuery]):
    """Activities you may see, by due date: yours, your team's if you manage one, those on your deals, leads.

    Each of owner, deal, lead, person, organization may repeat (any of the ids).
    """
    activities = queries.activities_visible_to(request.auth)
    for name in ("owner", "deal", "lead", "person", "organization"):
        ids = getattr(params, name)
        if ids:
            activities = activities.filter(**{f"{name}_id__in": ids})
    if params.type:
        activities = activities.filter(type__key__in=params.type)
    if params.done is not None:
        activities = activities.filter(is_done=params.done)
    if params.due_from:
        activities = activities.filter(due_date__gte=params.due_from)
    if params.due_to:
        activities = activities.filter(due_date__lte=params.due_to)
    page = queries.with_details(activities.order_by("due_date", "due_at", "id"))
    return {
        "count": activities.count(),
        "limit": params.limit,
        "offset": params.offset,
        "items": list(page[params.offset : params.offset + params.limit]),
    }


@router.post("/activities", response={201: ActivityOut})
def create_activity(request, payload: ActivityCreate):
    try:
        fields = _resolved(request, payload.model_dump())
        activity = services.create_activity(actor=request.auth, **fields)
    except ValidationFailed as error:
        raise _renamed(error) from None
    return Status(201, _detailed(activity))


@router.get("/activities/{activity_id}", response=ActivityOut)
def get_activity(request, activity_id: int):
    activity = queries.get_activity_for_user_or_404(request.auth, activity_id)
    return _detailed(activity)


@router.patch("/activities/{activity_id}", response=ActivityOut)
def update_activity(request, activity_id: int, payload: ActivityPatch):
    """Change the fields you send; `null` clears an optional link. Every change raises `sequence`."""
    activity = queries.get_activity_for_user_or_404(request.auth, activity_id)
    sent = payload.model_dump(exclude_unset=True)
    for required in ("type_id", "subject", "owner_id"):
        if required in sent and sent[required] is None:
            raise _invalid(required, _("This field cannot be empty."))
    if (
        ("due_date" in sent or "due_at" in sent)
        and sent.get("due_date") is None
        and sent.get("due_at") is None
    ):
        raise _invalid("due_date", _("Give due_date (all day) or due_at (timed)."))
    try:
        changes = _resolved(request, sent)
        activity = services.update_activity(activity=activity, actor=request.auth, changes=changes)
    except ValidationFailed as error:
        raise _renamed(error) from None
    return _detailed(activity)


@router.post("/activities/{activity_id}/done", response=ActivityOut)
def mark_activity_done(request, activity_id: int):
    activity = queries.get_activity_for_user_or_404(request.auth, activity_id)
    return _detailed(services.mark_activity_done(activity=activity, actor=request.auth))


@router.post("/activities/{activity_id}/undone", response=ActivityOut)
def mark_activity_undone(request, activity_id: int):
    activity = queries.get_activity_for_user_or_404(request.auth, activity_id)
    return _detailed(services.mark_activity_undone(activity=activity, actor=request.auth))


@router.delete("/activities/{activity_id}", response={204: None})
def delete_activity(request, activity_id: int):
    """Delete; the activity leaves every list and calendar feed."""
    activity = queries.get_activity_for_user_or_404(request.auth, activity_id)
    services.delete_activity(activity=activity, actor=request.auth)
    return Status(204, None)
