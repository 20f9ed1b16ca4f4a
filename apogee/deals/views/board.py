"""The pipeline board and its drop target (move a card, or ask for the gate's fields)."""

from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_htmx.http import retarget

from apogee.contacts.models import Organization
from apogee.core.errors import DomainError
from apogee.customfields.queries import definitions_for
from apogee.deals import queries, services
from apogee.deals.board import build_board
from apogee.deals.errors import StageEntryBlocked, StageGateBlocked
from apogee.deals.filters import parse_deal_filter
from apogee.deals.forms import GateFieldsForm, MoveDealForm
from apogee.deals.models import Deal, DealStatus
from apogee.pipelines.queries import active_pipelines

from .common import add_domain_errors, htmx_trigger, query_without, url_for_each


def _selected_pipeline(request: HttpRequest, pipelines):
    wanted = request.GET.get("pipeline")
    for pipeline in pipelines:
        if str(pipeline.pk) == wanted:
            return pipeline
    return pipelines[0] if pipelines else None


def filter_context(request: HttpRequest, dfilter, pipeline=None) -> dict:
    """What the filter bar needs: users, statuses, custom fields with operators, saved views."""
    definitions = list(definitions_for("deal"))
    return {
        "filter": dfilter,
        "users": get_user_model().objects.filter(is_active=True),
        "statuses": [*DealStatus.choices, ("all", _("All"))],
        "selected_owners": request.GET.getlist("owner"),
        # Whoever already is an end customer somewhere: the short list the filter offers.
        "end_customers": Organization.objects.filter(
            pk__in=Deal.objects.filter(end_customer__isnull=False).values("end_customer_id"),
            deleted_at__isnull=True,
        ).order_by("name"),
        "selected_end_customer": request.GET.get("end_customer", ""),
        "definitions": definitions,
        "custom_rows": dfilter.custom or [],
        "saved_views": queries.saved_views_for(request.user, pipeline.pk if pipeline else None),
        "query": request.GET.urlencode(),
    }


@login_required
def board(request: HttpRequest) -> HttpResponse:
    pipelines = list(active_pipelines())
    pipeline = _selected_pipeline(request, pipelines)
    if pipeline is None:
        return render(request, "deals/board.html", {"pipelines": [], "pipeline": None})
    dfilter = parse_deal_filter(request.GET)
    deals = queries.deals_visible_to(request.user)
    if dfilter.is_valid:
        deals = deals.filter(dfilter.q)
    built = build_board(pipeline, deals)
    detail_url, move_url = url_for_each("deals:detail"), url_for_each("deals:move")
    for column in built.columns:
        for card in column.cards:
            card.detail_url, card.move_url = detail_url(card.pk), move_url(card.pk)
    context = {
        "pipelines": pipelines,
        "pipeline": pipeline,
        "board": built,
        "pipeline_query": query_without(request, "pipeline", "stage"),
        **filter_context(request, dfilter, pipeline),
    }
    return render(request, "deals/board.html", context)


@login_required
@require_POST
def move(request: HttpRequest, deal_id: int) -> HttpResponse:
    """Drop target of the board and of the deal page's stage path.

    A move the gate blocks answers with the gate dialog (retargeted to #dialog);
    its form posts back here with the fields, and the move completes once valid.
    """
    deal = queries.get_deal_for_user_or_404(request.user, deal_id)
    form = MoveDealForm(request.POST, pipeline=deal.pipeline)
    if not form.is_valid():  # only a tampered request gets here; the board posts valid ids
        return HttpResponseBadRequest(_("Choose a stage of this deal's pipeline."))
    stage = form.cleaned_data["stage"]
    gate_form = None
    custom_values = None
    if request.POST.get("gate") == "1":
        missing = request.POST.getlist("gate_keys")
        gate_form = GateFieldsForm(request.POST, deal=deal, field_keys=missing, user=request.user)
        if gate_form.is_valid():
            custom_values = gate_form.custom_values()
    if gate_form is None or gate_form.is_valid():
        try:
            services.move_deal_to_stage(
                deal=deal, stage=stage, actor=request.user, custom_values=custom_values
            )
        except StageGateBlocked as blocked:
            gate_form = GateFieldsForm(
                request.POST if gate_form is not None else None,
                deal=deal,
                field_keys=blocked.missing_fields,
                user=request.user,
            )
            if gate_form.is_bound:
                add_domain_errors(gate_form, blocked)
            return _gate_dialog(request, deal, stage, gate_form, blocked.missing_fields)
        except StageEntryBlocked as blocked:
            if blocked.action_url:
                return _action_dialog(request, blocked)
            return _refused(request, blocked)
        except DomainError as error:
            if gate_form is not None:
                add_domain_errors(gate_form, error)
                return _gate_dialog(request, deal, stage, gate_form, request.POST.getlist("gate_keys"))
            return _refused(request, error)
    else:
        return _gate_dialog(request, deal, stage, gate_form, request.POST.getlist("gate_keys"))
    if not request.htmx:
        if request.POST.get("next") == "detail":
            return redirect("deals:detail", deal.pk)
        return redirect(f"{reverse('deals:board')}?pipeline={deal.pipeline_id}")
    message = _("“%(deal)s” moved to “%(stage)s”.") % {"deal": deal.title, "stage": stage.name}
    response = HttpResponse(status=204)
    if request.POST.get("next") == "detail":
        response["HX-Refresh"] = "true"
        return response
    return htmx_trigger(
        response,
        **{"board-refresh": True, "close-dialog": True},
        toast={"message": message, "kind": "success"},
    )


def _refused(request, error: DomainError) -> HttpResponse:
    if request.htmx:
        return htmx_trigger(
            HttpResponse(status=204),
            **{"board-refresh": True},
            toast={"message": error.message, "kind": "error"},
        )
    return HttpResponseBadRequest(error.message)


def _action_dialog(request, blocked: StageEntryBlocked) -> HttpResponse:
    """A guard names where to do what is missing (e.g. record a bid decision): open it in the dialog."""
    if not request.htmx:
        return redirect(blocked.action_url)
    response = render(request, "deals/_action_dialog.html", {"blocked": blocked})
    htmx_trigger(response, **{"board-refresh": True})
    return retarget(response, "#dialog")


def _gate_dialog(request, deal, stage, form, missing) -> HttpResponse:
    response = render(
        request,
        "deals/_gate_dialog.html",
        {
            "deal": deal,
            "stage": stage,
            "form": form,
            "missing": missing,
            "next": request.POST.get("next", ""),
        },
    )
    # The board puts the card back in its column until the gate is filled.
    htmx_trigger(response, **{"board-refresh": True})
    return retarget(response, "#dialog")
