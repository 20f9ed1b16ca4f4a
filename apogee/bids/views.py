"""Bid / no-bid pages: the deal page's panel, the decision dialog (also opened by a refused move),
approving and rejecting proposals, and the settings page (administrators).

A deal one may not see answers 404 everywhere; an action one may not take answers 403.
"""

from urllib.parse import urlparse

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as HttpForbidden
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import trigger_client_event

from apogee.core.errors import DomainError, PermissionDenied
from apogee.deals import services as deal_services
from apogee.deals.models import DealStatus
from apogee.deals.queries import get_deal_for_user_or_404
from apogee.pipelines.queries import active_pipelines
from apogee.workspace.forms import SettingsForm
from apogee.workspace.views import admin_required, finish, posted, render_form

from . import queries, services
from .forms import BidDecisionForm, BidRulesForm, CriterionForm, ReviewForm
from .models import BidCriterion, Decision, DecisionStatus

CHANGED = "bids-changed"
SETTINGS_URL = "bids:settings"


def _triggers(response: HttpResponse, *names: str, toast: str = "", kind: str = "success") -> HttpResponse:
    for name in names:
        trigger_client_event(response, name, {})
    if toast:
        trigger_client_event(response, "toast", {"message": toast, "kind": kind})
    return response


def _on_deal_page(request: HttpRequest, deal) -> bool:
    """The dialog was opened on the deal's own page (not the board): it reloads after a move or a loss."""
    current = getattr(request.htmx, "current_url", None) or ""
    return urlparse(current).path == reverse("deals:detail", args=[deal.pk])


# The deal page's panel ------------------------------------------------------------------------


def _panel(request: HttpRequest, deal) -> HttpResponse:
    decisions = queries.decisions_on(deal)
    latest = decisions[0] if decisions else None
    binding = next((d for d in decisions if d.is_binding), None)
    context = {
        "deal": deal,
        "latest": latest,
        "binding": binding,
        "history": decisions[1:],
        "can_decide": deal.status == DealStatus.OPEN,
        "can_review": latest is not None
        and latest.status == DecisionStatus.PROPOSED
        and queries.can_approve(request.user, deal),
        "rule_stages": [s for s in queries.stages_requiring_bid() if s.pipeline_id == deal.pipeline_id],
    }
    return render(request, "bids/_panel.html", context)


@login_required
@require_GET
def panel(request: HttpRequest, deal_id: int) -> HttpResponse:
    deal = get_deal_for_user_or_404(request.user, deal_id)
    return _panel(request, deal)


# The decision dialog ---------------------------------------------------------------------------


def _stage_of(deal, raw) -> object | None:
    """The stage a refused move wanted, if it is one of the deal's pipeline."""
    if raw in (None, ""):
        return None
    try:
        return deal.pipeline.stages.get(pk=int(raw))
    except (ValueError, TypeError, deal.pipeline.stages.model.DoesNotExist):
        return None


def _initial_from(decision) -> dict:
    """A new decision starts from the scores of the last one, where the criteria are the same."""
    if decision is None:
        return {}
    return {f"score_{row['criterion']}": str(row["score"]) for row in decision.scores}


def _dialog(request, deal, form, stage, *, status=200) -> HttpResponse:
    context = {
        "deal": deal,
        "form": form,
        "stage": stage,
        "pending": queries.pending_proposal(deal),
        "approval_needed": queries.approval_required() and not queries.can_approve(request.user, deal),
    }
    return render(request, "bids/_decision_dialog.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def decide(request: HttpRequest, deal_id: int) -> HttpResponse:
    deal = get_deal_for_user_or_404(request.user, deal_id)
    criteria = queries.active_criteria()
    if request.method == "GET":
        stage = _stage_of(deal, request.GET.get("stage"))
        latest = next(iter(queries.decisions_on(deal)), None)
        initial = {**_initial_from(latest), "stage": stage.pk if stage else None}
        return _dialog(request, deal, BidDecisionForm(initial=initial, criteria=criteria), stage)
    form = BidDecisionForm(request.POST, criteria=criteria)
    stage = _stage_of(deal, request.POST.get("stage"))
    if form.is_valid():
        try:
            decision = services.record_decision(
                deal=deal,
                actor=request.user,
                decision=form.cleaned_data["decision"],
                scores=form.scores(),
                rationale=form.cleaned_data["rationale"],
            )
        except PermissionDenied as error:
            raise HttpForbidden(error.message) from None
        except DomainError as error:
            form.add_domain_error(error)
        else:
            return _recorded(request, deal, decision, stage)
    # htmx swaps only 2xx answers: the form comes back in the dialog, with its errors.
    return _dialog(request, deal, form, stage, status=200 if request.htmx else 422)


def _recorded(request, deal, decision, stage) -> HttpResponse:
    """After recording: wait for approval, or close as lost, or complete the move that asked for it."""
    if decision.status == DecisionStatus.PROPOSED:
        if not request.htmx:
            messages.info(request, _("Your decision was sent for approval."))
            return redirect("deals:detail", deal.pk)
        response = render(
            request,
            "bids/_proposed.html",
            {"deal": deal, "decision": decision, "stage": stage, "approvers": queries.approvers_for(deal)},
        )
        return _triggers(response, CHANGED, "board-refresh")
    if decision.decision == Decision.NO_BID:
        message = _("No-bid recorded: “%s” is closed as lost.") % deal.title
        if not request.htmx:
            messages.success(request, message)
            return redirect("deals:detail", deal.pk)
        response = HttpResponse(status=204)
        if _on_deal_page(request, deal):
            response["HX-Refresh"] = "true"
            return response
        return _triggers(response, CHANGED, "board-refresh", "close-dialog", toast=message)
    if stage is None or stage.pk == deal.stage_id:
        message = _("Bid decision recorded.")
        if not request.htmx:
            messages.success(request, message)
            return redirect("deals:detail", deal.pk)
        return _triggers(HttpResponse(status=204), CHANGED, "close-dialog", toast=message)
    return _move_after_bid(request, deal, stage)


def _move_after_bid(request, deal, stage) -> HttpResponse:
    """The bid was what the move lacked: make the move now, answering as the board's move does."""
    try:
        deal_services.move_deal_to_stage(deal=deal, stage=stage, actor=request.user)
    except DomainError:
        # Something else stands in the way (a gate's fields, another rule): hand over to the
        # board's move, which asks for it in the dialog; the bid is recorded either way.
        if not request.htmx:
            return redirect("deals:detail", deal.pk)
        next_page = "detail" if _on_deal_page(request, deal) else ""
        context = {"deal": deal, "stage": stage, "next": next_page}
        response = render(request, "bids/_continue_move.html", context)
        return _triggers(response, CHANGED)
    message = _("Bid recorded; “%(deal)s” moved to “%(stage)s”.") % {"deal": deal.title, "stage": stage.name}
    if not request.htmx:
        messages.success(request, message)
        return redirect("deals:detail", deal.pk)
    response = HttpResponse(status=204)
    if _on_deal_page(request, deal):
        response["HX-Refresh"] = "true"
        return response
    return _triggers(response, CHANGED, "board-refresh", "close-dialog", toast=message)


# Approving and rejecting ----------------------------------------------------------------------


def _reviewable(request, decision_id):
    decision = queries.get_decision_for_user_or_404(request.user, decision_id)
    if not queries.can_approve(request.user, decision.deal):
        raise HttpForbidden("Only a manager of the owner's team or an administrator approves decisions.")
    return decision


@login_required
@require_POST
def approve(request: HttpRequest, decision_id: int) -> HttpResponse:
    decision = _reviewable(request, decision_id)
    deal = decision.deal
    try:
        decision = services.approve_decision(decision=decision, actor=request.user)
    except PermissionDenied as error:
        raise HttpForbidden(error.message) from None
    except DomainError as error:
        if not request.htmx:
            messages.error(request, error.message)
            return redirect("deals:detail", deal.pk)
        return _triggers(_panel(request, deal), toast=error.message, kind="error")
    message = _("Decision approved.")
    if not request.htmx:
        messages.success(request, message)
        return redirect("deals:detail", deal.pk)
    if decision.decision == Decision.NO_BID:
        # The deal was closed as lost: the whole page changes.
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    return _triggers(_panel(request, get_deal_for_user_or_404(request.user, deal.pk)), toast=message)


@login_required
@require_http_methods(["GET", "POST"])
def reject(request: HttpRequest, decision_id: int) -> HttpResponse:
    decision = _reviewable(request, decision_id)
    form = ReviewForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.reject_decision(decision=decision, actor=request.user, note=form.cleaned_data["note"])
        except PermissionDenied as error:
            raise HttpForbidden(error.message) from None
        except DomainError as error:
            form.add_domain_error(error)
        else:
            message = _("Decision rejected; %s is told.") % decision.proposed_by
            if not request.htmx:
                messages.success(request, message)
                return redirect("deals:detail", decision.deal_id)
            return _triggers(HttpResponse(status=204), CHANGED, "close-dialog", toast=message)
    status = 422 if form.errors and not request.htmx else 200
    return render(request, "bids/_reject_dialog.html", {"decision": decision, "form": form}, status=status)


# Settings (administrators) ----------------------------------------------------------------------


def _settings_page(request, *, criterion_form=None, rules_form=None, invalid=False) -> HttpResponse:
    pipelines = list(active_pipelines().prefetch_related("stages"))
    required = set(queries.stages_requiring_bid().values_list("pk", flat=True))
    if rules_form is None:
        initial = {"approval_required": queries.approval_required()}
        for pipeline in pipelines:
            initial[f"stages_{pipeline.pk}"] = [str(s.pk) for s in pipeline.stages.all() if s.pk in required]
        rules_form = BidRulesForm(initial=initial, pipelines=pipelines, auto_id="id_rules_%s")
    criteria = list(queries.all_criteria())
    active = [c for c in criteria if not c.is_archived]
    total_weight = sum(c.weight for c in active)
    for criterion in active:
        criterion.share = round(criterion.weight * 100 / total_weight) if total_weight else 0
    context = {
        "section": "bids",
        "criteria": active,
        "archived": [c for c in criteria if c.is_archived],
        "criterion_form": criterion_form or CriterionForm(auto_id="id_criterion_%s"),
        "rules_form": rules_form,
        "stage_fields": [rules_form[f"stages_{p.pk}"] for p in pipelines],
    }
    return render(request, "bids/settings.html", context, status=422 if invalid else 200)


@admin_required
@require_GET
def settings_page(request: HttpRequest) -> HttpResponse:
    return _settings_page(request)


@admin_required
@require_POST
def rules_save(request: HttpRequest) -> HttpResponse:
    pipelines = list(active_pipelines().prefetch_related("stages"))
    form = BidRulesForm(request.POST, pipelines=pipelines, auto_id="id_rules_%s")
    if form.is_valid():
        ids = form.stage_ids()
        stages = [s for p in pipelines for s in p.stages.all() if s.pk in ids]
        # Rules on stages of archived pipelines are not shown, so they are kept as they are.
        shown = {s.pk for p in pipelines for s in p.stages.all()}
        stages += [s for s in queries.stages_requiring_bid() if s.pk not in shown]
        try:
            services.save_bid_rules(
                actor=request.user, stages=stages, approval_required=form.cleaned_data["approval_required"]
            )
        except DomainError as error:
            form.add_domain_error(error)
        else:
            messages.success(request, _("Bid rules saved."))
            return redirect(SETTINGS_URL)
    return _settings_page(request, rules_form=form, invalid=True)


@admin_required
@require_POST
def criterion_add(request: HttpRequest) -> HttpResponse:
    form = CriterionForm(request.POST, auto_id="id_criterion_%s")
    if form.is_valid():
        try:
            criterion = services.save_criterion(actor=request.user, **form.cleaned_data)
        except DomainError as error:
            form.add_domain_error(error)
        else:
            messages.success(request, _("Criterion “%s” added.") % criterion.label)
            return redirect(SETTINGS_URL)
    return _settings_page(request, criterion_form=form, invalid=True)


@admin_required
def criterion_edit(request: HttpRequest, criterion_id: int) -> HttpResponse:
    criterion = get_object_or_404(BidCriterion, pk=criterion_id)
    initial = {"label_en": criterion.label_en, "label_fr": criterion.label_fr, "weight": criterion.weight}
    form = CriterionForm(posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_criterion(actor=request.user, criterion=criterion, **form.cleaned_data)
        except DomainError as error:
            form.add_domain_error(error)
        else:
            return finish(request, reverse(SETTINGS_URL), _("Criterion saved."))
    context = {
        "section": "bids",
        "title": _("Edit criterion"),
        "intro": _("Decisions already recorded keep the label and weight they were scored with."),
        "form": form,
        "action": request.path,
        "submit_label": _("Save"),
        "cancel_url": reverse(SETTINGS_URL),
    }
    return render_form(request, "settings/form.html", context, invalid=bool(form.errors))


@admin_required
def criterion_archive(request: HttpRequest, criterion_id: int) -> HttpResponse:
    criterion = get_object_or_404(BidCriterion, pk=criterion_id)
    form = SettingsForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.save_criterion(
                actor=request.user,
                criterion=criterion,
                label_en=criterion.label_en,
                label_fr=criterion.label_fr,
                weight=criterion.weight,
                is_archived=True,
            )
        except DomainError as error:
            form.add_domain_error(error)
        else:
            return finish(request, reverse(SETTINGS_URL), _("“%s” archived.") % criterion.label)
    context = {
        "section": "bids",
        "title": _("Archive criterion"),
        "form": form,
        "action": request.path,
        "question": _(
            "Archive “%s”? New decisions will no longer be scored on it. "
            "Decisions already recorded keep their score, and you can restore it at any time."
        )
        % criterion.label,
        "submit_label": _("Archive"),
        "cancel_url": reverse(SETTINGS_URL),
    }
    return render_form(request, "settings/confirm.html", context, invalid=bool(form.errors))


@admin_required
@require_POST
def criterion_restore(request: HttpRequest, criterion_id: int) -> HttpResponse:
    criterion = get_object_or_404(BidCriterion, pk=criterion_id)
    try:
        services.save_criterion(
            actor=request.user,
            criterion=criterion,
            label_en=criterion.label_en,
            label_fr=criterion.label_fr,
            weight=criterion.weight,
            is_archived=False,
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("“%s” restored.") % criterion.label)
    return redirect(SETTINGS_URL)


@admin_required
@require_POST
def criterion_move(request: HttpRequest, criterion_id: int) -> HttpResponse:
    criterion = get_object_or_404(BidCriterion, pk=criterion_id)
    try:
        services.move_criterion(
            criterion=criterion, direction=request.POST.get("direction", ""), actor=request.user
        )
    except DomainError as error:
        messages.error(request, error.message)
    return redirect(f"{reverse(SETTINGS_URL)}#criterion-{criterion.pk}")
