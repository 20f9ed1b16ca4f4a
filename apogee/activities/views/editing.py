"""Scheduling and editing activities (in the dialog), marking them done with the "next activity" prompt,
deleting with undo."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRefresh, retarget, trigger_client_event

from apogee.activities import queries, services
from apogee.activities.forms import ActivityForm
from apogee.contacts.queries import organizations_visible_to, persons_visible_to
from apogee.core.errors import DomainError
from apogee.core.undo import offer_undo
from apogee.deals.queries import deals_visible_to
from apogee.leads.queries import leads_visible_to

CHANGED = "activities-changed"


def _back_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return reverse("activities:mine")


def _saved(request: HttpRequest, message: str) -> HttpResponse:
    """After a write: in the dialog, close it, tell the page to refresh its lists and toast; else redirect."""
    if request.htmx:
        response = HttpResponse(status=204)
        trigger_client_event(response, CHANGED, {})
        trigger_client_event(response, "close-dialog", {})
        trigger_client_event(response, "toast", {"message": message, "kind": "success"})
        return response
    messages.success(request, message)
    return redirect(_back_url(request))


def _prefill(request: HttpRequest) -> dict:
    """Initial values from the query string (?deal=&lead=&person=&organization=&type=), kept only if visible.

    The organization and person of the deal or lead come along unless given.
    """
    initial = {"owner": request.user.pk, "due_date": timezone.localdate()}
    sources = {
        "deal": deals_visible_to(request.user),
        "lead": leads_visible_to(request.user),
        "person": persons_visible_to(request.user),
        "organization": organizations_visible_to(request.user),
    }
    for name, visible in sources.items():
        value = request.GET.get(name, "")
        if value.isdigit() and visible.filter(pk=int(value)).exists():
            initial[name] = int(value)
    if "deal" in initial and "organization" not in initial:
        deal = deals_visible_to(request.user).filter(pk=initial["deal"]).values("organization_id").first()
        if deal and deal["organization_id"]:
            initial["organization"] = deal["organization_id"]
    if "lead" in initial:
        lead = sources["lead"].filter(pk=initial["lead"]).values("organization_id", "person_id").first()
        for name in ("organization", "person"):
            if name not in initial and lead[f"{name}_id"]:
                initial[name] = lead[f"{name}_id"]
    if request.GET.get("type", "").isdigit():
        initial["type"] = int(request.GET["type"])
    return initial


def _form_response(request, form, *, title, action, status=200, prompt=None) -> HttpResponse:
    context = {
        "form": form,
        "title": title,
        "action": action,
        "prompt": prompt,
        "in_dialog": bool(request.htmx),
        "next": _back_url(request),
    }
    template = "activities/_form_dialog.html" if request.htmx else "activities/form_page.html"
    response = render(request, template, context, status=status if not request.htmx else 200)
    return retarget(response, "#dialog") if request.htmx else response


@login_required
@require_http_methods(["GET", "POST"])
def create(request: HttpRequest) -> HttpResponse:
    """Schedule an activity; opened from My activities, the week, a deal or lead page or the done prompt."""
    form = ActivityForm(request.POST or None, user=request.user, initial=_prefill(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.create_activity(actor=request.user, **form.service_fields())
        except DomainError as error:
            form.add_domain_error(error)
        else:
            return _saved(request, _("Activity scheduled."))
    return _form_response(
        request,
        form,
        title=_("Schedule an activity"),
        action=request.get_full_path(),
        status=422 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, activity_id: int) -> HttpResponse:
    activity = queries.get_activity_for_user_or_404(request.user, activity_id)
    form = ActivityForm(
        request.POST or None, user=request.user, activity=activity, initial=ActivityForm.initial_for(activity)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_activity(activity=activity, actor=request.user, changes=form.service_fields())
        except DomainError as error:
            form.add_domain_error(error)
        else:
            return _saved(request, _("Activity saved."))
    return _form_response(
        request,
        form,
        title=_("Edit activity"),
        action=request.get_full_path(),
        status=422 if form.errors else 200,
    )


@login_required
@require_POST
def done(request: HttpRequest, activity_id: int) -> HttpResponse:
    """Mark done, then offer to schedule the next one on the same deal (or lead), person and organization."""
    activity = queries.get_activity_for_user_or_404(request.user, activity_id)
    services.mark_activity_done(activity=activity, actor=request.user)
    if not request.htmx:
        messages.success(request, _("“%s” marked done.") % activity.subject)
        return redirect(_back_url(request))
    initial = {
        "owner": request.user.pk,
        "due_date": timezone.localdate(),
        "type": activity.type_id,
        "deal": activity.deal_id,
        # A converted lead's activity is on the deal too: what comes next belongs to the deal only.
        "lead": activity.lead_id if activity.deal_id is None else None,
        "person": activity.person_id,
        "organization": activity.organization_id,
    }
    form = ActivityForm(user=request.user, initial=initial)
    query = "&".join(
        f"{k}={v}" for k, v in initial.items() if k in ("deal", "lead", "person", "organization") and v
    )
    response = _form_response(
        request,
        form,
        title=_("Schedule the next activity"),
        action=reverse("activities:create") + (f"?{query}" if query else ""),
        prompt=_("“%s” is done. What is the next step?") % activity.subject,
    )
    trigger_client_event(response, CHANGED, {})
    return response


@login_required
@require_POST
def undone(request: HttpRequest, activity_id: int) -> HttpResponse:
    activity = queries.get_activity_for_user_or_404(request.user, activity_id)
    services.mark_activity_undone(activity=activity, actor=request.user)
    if request.htmx:
        return trigger_client_event(HttpResponse(status=204), CHANGED, {})
    return redirect(_back_url(request))


@login_required
@require_POST
def delete(request: HttpRequest, activity_id: int) -> HttpResponse:
    activity = queries.get_activity_for_user_or_404(request.user, activity_id)
    services.delete_activity(activity=activity, actor=request.user)
    offer_undo(
        request,
        url=reverse("activities:restore", args=[activity.pk]),
        label=_("“%s” was deleted.") % activity.subject,
    )
    if request.htmx:
        return HttpResponseClientRefresh()
    return redirect(_back_url(request))


@login_required
@require_POST
def restore(request: HttpRequest, activity_id: int) -> HttpResponse:
    activity = queries.deleted_activity_for_user_or_404(request.user, activity_id)
    services.restore_activity(activity=activity, actor=request.user)
    messages.success(request, _("“%s” is back.") % activity.subject)
    return redirect(_back_url(request))
