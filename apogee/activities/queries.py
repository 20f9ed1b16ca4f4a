"""Permission-scoped reads of activities: the one door for pages, API, the board and the ICS feed.

Visibility: administrators see every activity. An activity on a deal is seen by
whoever may see the deal, and by no one else (not even its owner). An activity on a
lead and no deal is seen, likewise, by whoever may see the lead. The deal governs when
there are both (a converted lead's activities: the deal's visibility may change later,
the archived lead's does not matter any more). An activity on neither is seen by its
owner, its attendees, and the manager of its owner's team.
"""

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import F, OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone

from apogee.accounts.models import User
from apogee.deals.queries import visibility_q

from .models import Activity, ActivityAttendee, ActivityType, CalendarFeedToken

# All-day activities (no due_at) first within their day, on SQLite and PostgreSQL alike (their
# default NULL orders differ).
PLANNED_ORDER = ("due_date", F("due_at").asc(nulls_first=True), "id")


def activities_visible_to(user: User) -> QuerySet[Activity]:
    if not user.is_authenticated or not user.is_active:
        return Activity.objects.none()
    activities = Activity.objects.filter(deleted_at__isnull=True)
    if user.is_workspace_admin:
        return activities
    attending = ActivityAttendee.objects.filter(user=user).values("activity_id")
    own = Q(owner=user) | Q(pk__in=attending)
    if user.is_manager and user.team_id:
        own |= Q(owner__team_id=user.team_id)
    on_visible_deal = Q(deal__isnull=False, deal__deleted_at__isnull=True) & visibility_q(user, "deal__")
    # Leads follow the visibility rules of deals (leads.queries).
    on_visible_lead = Q(deal__isnull=True, lead__isnull=False, lead__deleted_at__isnull=True) & visibility_q(
        user, "lead__"
    )
    on_neither = Q(deal__isnull=True, lead__isnull=True) & own
    return activities.filter(on_neither | on_visible_deal | on_visible_lead)


def get_activity_for_user_or_404(user: User, activity_id) -> Activity:
    # 404 rather than 403: an activity the user may not see does not exist for them.
    try:
        return (
            activities_visible_to(user)
            .select_related("type", "owner", "deal", "lead", "person", "organization")
            .get(pk=int(activity_id))
        )
    except (Activity.DoesNotExist, ValueError, TypeError):
        raise Http404("No such activity") from None


def deleted_activity_for_user_or_404(user: User, activity_id) -> Activity:
    """A deleted activity the user could see, for undo."""
    if not user.is_authenticated or not user.is_active:
        raise Http404("No such activity")
    visible = Activity.objects.filter(deleted_at__isnull=False)
    if not user.is_workspace_admin:
        visible = visible.filter(
            Q(owner=user)
            | (Q(deal__isnull=False) & visibility_q(user, "deal__"))
            | (Q(deal__isnull=True, lead__isnull=False) & visibility_q(user, "lead__"))
        )
    try:
        return visible.get(pk=int(activity_id))
    except (Activity.DoesNotExist, ValueError, TypeError):
        raise Http404("No such activity") from None


def active_types() -> QuerySet[ActivityType]:
    return ActivityType.objects.filter(is_archived=False)


def with_details(activities: QuerySet[Activity]) -> QuerySet[Activity]:
    """What a row of a list shows: type, owner, links and attendees, in a fixed number of queries."""
    return activities.select_related(
        "type", "owner", "deal", "lead", "person", "organization"
    ).prefetch_related("attendees__user", "attendees__person")


def next_activity_date(deal_ref=None) -> Subquery:
    """For annotating deals: the due date of the deal's earliest activity not yet done (None if none)."""
    return Subquery(
        Activity.objects.filter(
            deal=deal_ref if deal_ref is not None else OuterRef("pk"), is_done=False, deleted_at__isnull=True
        )
        .order_by(*PLANNED_ORDER)
        .values("due_date")[:1]
    )


@dataclass(frozen=True)
class Period:
    """Boundaries of "today" and "this week" for one user, in their time zone, as UTC instants."""

    now: datetime
    today: date
    week_end: date  # Sunday of the current week
    tomorrow_starts: datetime
    next_week_starts: datetime

    @classmethod
    def around(cls, now: datetime | None = None) -> "Period":
        now = now or timezone.now()
        today = timezone.localdate(now)
        week_end = today + timedelta(days=6 - today.weekday())
        return cls(
            now=now,
            today=today,
            week_end=week_end,
            tomorrow_starts=_local_midnight(today + timedelta(days=1)),
            next_week_starts=_local_midnight(week_end + timedelta(days=1)),
        )


def _local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


BUCKETS = ("overdue", "today", "this_week", "later", "done")


def bucket_filters(period: Period) -> dict[str, Q]:
    """The five lists of "My activities", as filters; every undone activity falls in exactly one."""
    open_ = Q(is_done=False)
    all_day, timed = Q(due_at__isnull=True), Q(due_at__isnull=False)
    return {
        "overdue": open_ & ((all_day & Q(due_date__lt=period.today)) | (timed & Q(due_at__lt=period.now))),
        "today": open_
        & (
            (all_day & Q(due_date=period.today))
            | (timed & Q(due_at__gte=period.now, due_at__lt=period.tomorrow_starts))
        ),
        "this_week": open_
        & (
            (all_day & Q(due_date__gt=period.today, due_date__lte=period.week_end))
            | (timed & Q(due_at__gte=period.tomorrow_starts, due_at__lt=period.next_week_starts))
        ),
        "later": open_
        & ((all_day & Q(due_date__gt=period.week_end)) | (timed & Q(due_at__gte=period.next_week_starts))),
        "done": Q(is_done=True),
    }


def activities_in_week(activities: QuerySet[Activity], monday: date) -> QuerySet[Activity]:
    """Activities whose day (in the viewer's zone) falls in the 7 days from `monday`."""
    sunday = monday + timedelta(days=6)
    starts, ends = _local_midnight(monday), _local_midnight(sunday + timedelta(days=1))
    return activities.filter(
        (Q(due_at__isnull=True) & Q(due_date__gte=monday, due_date__lte=sunday))
        | Q(due_at__gte=starts, due_at__lt=ends)
    )


def hash_feed_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def user_for_feed_secret(secret: str) -> User | None:
    """The active owner of a calendar feed secret, or None for a wrong or revoked one."""
    if not secret or len(secret) > 200:
        return None
    token = (
        CalendarFeedToken.objects.select_related("user")
        .filter(secret_hash=hash_feed_secret(secret), user__is_active=True)
        .first()
    )
    return token.user if token else None


def feed_activities(user: User) -> QuerySet[Activity]:
    """What a user's calendar carries: the activities they own or attend (deleted ones drop out)."""
    attending = ActivityAttendee.objects.filter(user=user).values("activity_id")
    return (
        activities_visible_to(user)
        .filter(Q(owner=user) | Q(pk__in=attending))
        .select_related("type", "deal", "lead", "person", "organization", "owner")
        .order_by("due_date", "id")
    )
