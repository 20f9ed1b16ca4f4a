"""The missions view (by expected tender year, with roll-ups) and the mission section of deal pages.

The section is an htmx panel that reloads itself when a mission changes
("missions-changed"); the profile and link forms open in the page's dialog. Without
htmx every form is a page of its own and redirects to the deal page. A deal the user
may not see answers 404; a deal that is not a mission answers 404 on the mission forms.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as HttpForbidden
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import retarget, trigger_client_event

from apogee.core.errors import DomainError, PermissionDenied
from apogee.core.queries import base_currency
from apogee.deals.queries import get_deal_for_user_or_404

from . import queries, services
from .forms import LinkDealForm, MissionFilterForm, MissionProfileForm
from .rollup import add_roll_ups

CHANGED = "missions-changed"


@login_required
@require_GET
def mission_list(request: HttpRequest) -> HttpResponse:
    """Missions identified for the next years: grouped by expected tender year, with their roll-ups."""
    today = timezone.localdate()
    form = MissionFilterForm(request.GET or None)
    rows = queries.mission_rows(
        request.user, today=today, horizon_years=form.horizon_years(), include_closed=form.include_closed()
    )
    groups = queries.by_tender_year(rows)
    context = {
        "form": form,
        "groups": groups,
        "total": add_roll_ups(g.subtotal for g in groups),
        "count": len(rows),
        "base_currency": base_currency(),
        "today": today,
    }
    return render(request, "missions/list.html", context)


def _panel(request: HttpRequest, deal) -> HttpResponse:
    context = {"deal": deal}
    if queries.is_mission_pipeline(deal.pipeline):
        context["detail"] = queries.mission_detail(request.user, deal)
    else:
        context["missions"] = queries.missions_of(request.user, deal)
    return render(request, "missions/_panel.html", context)


@login_required
@require_GET
def panel(request: HttpRequest, deal_id: int) -> HttpResponse:
    deal = get_deal_for_user_or_404(request.user, deal_id)
    return _panel(request, deal)


def _saved(request: HttpRequest, deal, message: str) -> HttpResponse:
    if request.htmx:
        response = HttpResponse(status=204)
        trigger_client_event(response, CHANGED, {})
        trigger_client_event(response, "close-dialog", {})
        trigger_client_event(response, "toast", {"message": message, "kind": "success"})
        return response
    messages.success(request, message)
    return redirect("deals:detail", deal.pk)


def _dialog(request: HttpRequest, template: str, context: dict, *, status: int) -> HttpResponse:
    context = {**context, "in_dialog": bool(request.htmx), "template": template}
    if request.htmx:
        # htmx swaps only 2xx answers: errors come back with 200, into the dialog.
        return retarget(render(request, template, context), "#dialog")
    return render(request, "missions/form_page.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def edit_profile(request: HttpRequest, deal_id: int) -> HttpResponse:
    mission = queries.get_mission_for_user_or_404(request.user, deal_id)
    profile = queries.profile_of(mission)
    form = MissionProfileForm(request.POST or None, initial=MissionProfileForm.initial_for(profile))
    if request.method == "POST" and form.is_valid():
        try:
            services.set_mission_profile(deal=mission, actor=request.user, **form.service_fields())
        except PermissionDenied as error:
            raise HttpForbidden(error.message) from None
        except DomainError as error:
            form.add_domain_error(error)
        else:
            return _saved(request, mission, _("Mission profile saved."))
    context = {"deal": mission, "form": form, "title": _("Mission profile")}
    context["action"] = reverse("missions:profile", args=[mission.pk])
    return _dialog(request, "missions/_profile_form.html", context, status=422 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def link(request: HttpRequest, deal_id: int) -> HttpResponse:
    mission = queries.get_mission_for_user_or_404(request.user, deal_id)
    form = LinkDealForm(request.POST or None, candidates=queries.link_candidates(request.user, mission))
    if request.method == "POST" and form.is_valid():
        try:
            services.link_deal(mission=mission, deal=form.cleaned_data["deal"], actor=request.user)
        except PermissionDenied as error:
            raise HttpForbidden(error.message) from None
        except DomainError as error:
            form.add_domain_error(error)
        else:
            return _saved(request, mission, _("Deal linked to the mission."))
    context = {"deal": mission, "form": form, "title": _("Link a deal to the mission")}
    context["action"] = reverse("missions:link", args=[mission.pk])
    return _dialog(request, "missions/_link_form.html", context, status=422 if form.errors else 200)


@login_required
@require_POST
def unlink(request: HttpRequest, deal_id: int, linked_id: int) -> HttpResponse:
    mission = queries.get_mission_for_user_or_404(request.user, deal_id)
    linked = get_deal_for_user_or_404(request.user, linked_id)
    try:
        services.unlink_deal(mission=mission, deal=linked, actor=request.user)
    except PermissionDenied as error:
        raise HttpForbidden(error.message) from None
    except DomainError:
        raise Http404("Not linked") from None
    if request.htmx:
        return _panel(request, mission)
    messages.success(request, _("“%s” no longer counts in the mission.") % linked.title)
    return redirect("deals:detail", mission.pk)
