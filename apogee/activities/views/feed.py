"""The personal ICS feed (a secret URL, no login) and the buttons that create, reset or turn it off."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from apogee.activities import ics, queries, services


@require_GET
def feed(request: HttpRequest, secret: str) -> HttpResponse:
    """The user's activities as iCalendar. A wrong or revoked secret is a 404, like any unknown page."""
    user = queries.user_for_feed_secret(secret)
    if user is None:
        raise Http404("No such feed")
    body = ics.calendar_for(queries.feed_activities(user), name=f"Apogee · {user}")
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="apogee.ics"'
    # The URL is the credential: keep it out of shared caches.
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


@login_required
@require_POST
def feed_reset(request: HttpRequest) -> HttpResponse:
    """Create the feed URL, or replace it (the old one stops working at once). Shown once."""
    secret = services.reset_calendar_feed(user=request.user, actor=request.user)
    url = request.build_absolute_uri(reverse("activities:feed", args=[secret]))
    return render(request, "activities/feed_created.html", {"url": url})


@login_required
@require_POST
def feed_revoke(request: HttpRequest) -> HttpResponse:
    services.revoke_calendar_feed(user=request.user, actor=request.user)
    messages.success(request, _("Your calendar feed is turned off. Subscribed calendars stop updating."))
    return redirect("activities:week")
