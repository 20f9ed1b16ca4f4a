"""My activities (overdue, today, this week, later, done), the team view for managers, and the week."""

from datetime import date, timedelta

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from apogee.accounts.models import User
from apogee.accounts.queries import active_users
from apogee.activities import queries
from apogee.activities.models import CalendarFeedToken
from apogee.activities.queries import PLANNED_ORDER

DONE_SHOWN = 30


def people_in_view(user: User):
    """Whose activities the user may list: themselves; a manager their team; an administrator everyone."""
    if user.is_workspace_admin:
        return active_users()
    if user.is_manager and user.team_id:
        return active_users().filter(team_id=user.team_id)
    return active_users().filter(pk=user.pk)


def _chosen_person(request: HttpRequest) -> User:
    wanted = request.GET.get("owner", "")
    if wanted.isdigit():
        found = people_in_view(request.user).filter(pk=int(wanted)).first()
        if found is not None:
            return found
    return request.user


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    """One person's activities in five buckets; a manager may look at a team member's (?owner=)."""
    person = _chosen_person(request)
    types = list(queries.active_types())
    chosen_type = request.GET.get("type", "")
    activities = queries.activities_visible_to(request.user).filter(owner=person)
    if chosen_type.isdigit():
        activities = activities.filter(type_id=int(chosen_type))
    filters = queries.bucket_filters(queries.Period.around())
    buckets = []
    for key in queries.BUCKETS:
        rows = queries.with_details(activities.filter(filters[key]))
        if key == "done":
            rows = rows.order_by("-done_at", "-id")[:DONE_SHOWN]
        else:
            rows = rows.order_by(*PLANNED_ORDER)
        buckets.append((key, list(rows)))
    context = {
        "person": person,
        "people": people_in_view(request.user),
        "buckets": buckets,
        "types": types,
        "chosen_type": chosen_type,
        "is_me": person.pk == request.user.pk,
    }
    return render(request, "activities/mine.html", context)


@login_required
def team(request: HttpRequest) -> HttpResponse:
    """Per person of the team: how many activities are overdue, today, this week, later, done this week."""
    people = list(people_in_view(request.user))
    period = queries.Period.around()
    filters = queries.bucket_filters(period)
    week_starts = period.today - timedelta(days=period.today.weekday())
    counts = {key: Count("id", filter=filters[key]) for key in ("overdue", "today", "this_week", "later")}
    counts["done"] = Count("id", filter=Q(is_done=True, done_at__date__gte=week_starts))
    rows = {
        row["owner_id"]: row
        for row in queries.activities_visible_to(request.user)
        .filter(owner__in=[p.pk for p in people])
        .order_by()
        .values("owner_id")
        .annotate(**counts)
    }
    table = [(p, rows.get(p.pk, {})) for p in people]
    return render(request, "activities/team.html", {"table": table})


def _monday(request: HttpRequest) -> date:
    try:
        start = date.fromisoformat(request.GET.get("start", ""))
    except ValueError:
        start = timezone.localdate()
    return start - timedelta(days=start.weekday())


@login_required
def week(request: HttpRequest) -> HttpResponse:
    """Seven days from Monday, all-day activities first in each day, then by time."""
    monday = _monday(request)
    person = _chosen_person(request)
    activities = queries.with_details(
        queries.activities_in_week(queries.activities_visible_to(request.user).filter(owner=person), monday)
    ).order_by("due_at", "id")
    days = [monday + timedelta(days=i) for i in range(7)]
    by_day: dict[date, list] = {d: [] for d in days}
    for activity in activities:
        day = timezone.localdate(activity.due_at) if activity.due_at else activity.due_date
        if day in by_day:
            by_day[day].append(activity)
    for items in by_day.values():
        items.sort(key=lambda a: (a.due_at is not None, a.due_at.timestamp() if a.due_at else 0, a.pk))
    context = {
        "person": person,
        "people": people_in_view(request.user),
        "days": [(d, by_day[d]) for d in days],
        "today": timezone.localdate(),
        "monday": monday,
        "previous": (monday - timedelta(days=7)).isoformat(),
        "next": (monday + timedelta(days=7)).isoformat(),
        "has_feed": CalendarFeedToken.objects.filter(user=request.user).exists(),
    }
    return render(request, "activities/week.html", context)
