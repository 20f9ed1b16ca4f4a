"""The activities panel of a deal page and of a lead page: one view and one template for both targets."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from apogee.activities import queries
from apogee.activities.queries import PLANNED_ORDER
from apogee.deals.queries import deals_visible_to, get_deal_for_user_or_404
from apogee.leads.queries import get_lead_for_user_or_404

FINISHED_SHOWN = 10
# kind → (the target the user may see, or 404; the page it sits on)
TARGETS = {
    "deal": (get_deal_for_user_or_404, "deals:detail"),
    "lead": (get_lead_for_user_or_404, "leads:detail"),
}


@login_required
def panel(request: HttpRequest, kind: str, target_id: int) -> HttpResponse:
    """Planned activities, then the last done ones; loaded by htmx, reloaded when an activity changes.

    A converted lead's activities moved to its deal (and stayed on the lead): its panel still
    lists them, but new ones are scheduled on the deal.
    """
    if kind not in TARGETS:
        raise Http404("No such record")
    get_target, page = TARGETS[kind]
    target = get_target(request.user, target_id)
    activities = queries.with_details(queries.activities_visible_to(request.user).filter(**{kind: target}))
    planned = list(activities.filter(is_done=False).order_by(*PLANNED_ORDER))
    finished = list(activities.filter(is_done=True).order_by("-done_at", "-id")[:FINISHED_SHOWN])
    moved_to = None
    if kind == "lead" and target.converted_deal_id:
        moved_to = deals_visible_to(request.user).filter(pk=target.converted_deal_id).first()
    context = {
        "target_kind": kind,
        "target": target,
        "page_url": reverse(page, args=[target.pk]),
        # The rows leave out the link to the record whose page they are on.
        "in_deal": kind == "deal",
        "in_lead": kind == "lead",
        "can_schedule": not (kind == "lead" and target.is_converted),
        "moved_to": moved_to,
        "planned": planned,
        "finished": finished,
    }
    return render(request, "activities/_panel.html", context)
