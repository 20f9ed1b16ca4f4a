"""The offers section of the deal page (htmx fragments) and the permission-checked document download.

The panel reloads itself on "offers-changed"; forms open in the page's dialog. A write
that changed the deal's value reloads the whole page, so the Details panel shows it.
An offer on a deal the user may not see answers 404.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as HttpForbidden
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRefresh, retarget, trigger_client_event

from apogee.core.errors import DomainError, PermissionDenied
from apogee.deals.models import Deal
from apogee.deals.queries import get_deal_for_user_or_404

from . import queries, services
from .forms import DocumentForm, OfferForm
from .models import Offer, OfferStatus, OfferType
from .responses import document_response

CHANGED = "offers-changed"


def _value_of(deal: Deal) -> tuple:
    return tuple(
        Deal.objects.filter(pk=deal.pk).values_list("value", "currency", "value_follows_offer").get()
    )


def _done(request: HttpRequest, deal: Deal, before: tuple, message: str) -> HttpResponse:
    """After a write: reload the page if the deal's value moved, else close the dialog, reload the panel."""
    if not request.htmx:
        messages.success(request, message)
        return redirect("deals:detail", deal.pk)
    if _value_of(deal) != before:
        messages.success(request, message)
        return HttpResponseClientRefresh()
    response = HttpResponse(status=204)
    trigger_client_event(response, CHANGED, {})
    trigger_client_event(response, "close-dialog", {})
    trigger_client_event(response, "toast", {"message": message, "kind": "success"})
    return response


def _refused(request: HttpRequest, deal: Deal, error: DomainError) -> HttpResponse:
    if isinstance(error, PermissionDenied):
        raise HttpForbidden(error.message)
    if not request.htmx:
        messages.error(request, error.message)
        return redirect("deals:detail", deal.pk)
    response = HttpResponse(status=204)
    # Someone else may have moved the offer on: show where it stands now.
    trigger_client_event(response, CHANGED, {})
    trigger_client_event(response, "toast", {"message": error.message, "kind": "error"})
    return response


def _panel(request: HttpRequest, deal: Deal, *, upload_errors=None, status: int = 200) -> HttpResponse:
    today = timezone.localdate()
    lines = queries.offer_lines(deal)
    for line in lines:
        line.current.validity = queries.validity_state(line.current, today)
        if line.current.valid_until:
            line.current.days_left = (line.current.valid_until - today).days
    chain = queries.lineage(request.user, deal)
    context = {
        "deal": deal,
        "lines": lines,
        "lineage": chain,
        "has_lineage_steps": any(step.offers for step in chain),
        "upload_errors": upload_errors or {},
        "max_upload_mb": services.max_upload_bytes() // (1024 * 1024),
        "statuses": OfferStatus,
    }
    return render(request, "offers/_panel.html", context, status=status)


@login_required
@require_GET
def panel(request: HttpRequest, deal_id: int) -> HttpResponse:
    return _panel(request, get_deal_for_user_or_404(request.user, deal_id))


def _default_type(deal: Deal) -> str:
    if deal.parent_contract_id:
        return OfferType.CCN_QUOTE
    # The deal's qualification says whether it is answered with a ROM or a firm offer.
    wanted = (deal.custom_values or {}).get("offer_type")
    return wanted if wanted in OfferType.values else OfferType.FIRM


def _form_response(request, deal, form, *, title: str, action: str, offer: Offer | None = None, status=200):
    context = {"deal": deal, "form": form, "title": title, "action": action, "offer": offer}
    if request.htmx:
        return retarget(render(request, "offers/_form_dialog.html", context), "#dialog")
    return render(request, "offers/form_page.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def create(request: HttpRequest, deal_id: int) -> HttpResponse:
    deal = get_deal_for_user_or_404(request.user, deal_id)
    form = OfferForm(
        request.POST or None,
        default_currency=deal.currency,
        initial=OfferForm.initial_new(offer_type=_default_type(deal), currency=deal.currency),
    )
    if request.method == "POST" and form.is_valid():
        before = _value_of(deal)
        try:
            offer = services.create_offer(deal=deal, actor=request.user, **form.service_fields())
        except PermissionDenied as error:
            raise HttpForbidden(error.message) from None
        except DomainError as error:
            form.add_domain_error(error)
        else:
            return _done(request, deal, before, _("Offer %s created.") % offer.reference)
    return _form_response(
        request,
        deal,
        form,
        title=_("New offer"),
        action=reverse("offers:create", args=[deal.pk]),
        status=422 if form.errors else 200,
    )


def _offer_form_view(request: HttpRequest, offer_id: int, *, revising: bool) -> HttpResponse:
    offer = queries.get_offer_for_user_or_404(request.user, offer_id)
    deal = offer.deal
    form = OfferForm(
        request.POST or None,
        default_currency=offer.currency,
        initial=OfferForm.initial_for(offer, revising=revising),
    )
    if request.method == "POST" and form.is_valid():
        before = _value_of(deal)
        try:
            if revising:
                result = services.revise_offer(offer=offer, actor=request.user, changes=form.service_fields())
                message = _("Revision %(revision)d of %(reference)s created.") % {
                    "revision": result.revision,
                    "reference": result.reference,
                }
            else:
                services.update_offer(offer=offer, actor=request.user, changes=form.service_fields())
                message = _("Offer %s saved.") % offer.reference
        except PermissionDenied as error:
            raise HttpForbidden(error.message) from None
        except DomainError as error:
            form.add_domain_error(error)
        else:
            return _done(request, deal, before, message)
    if revising:
        title = _("New revision of %(reference)s (now revision %(revision)d)") % {
            "reference": offer.reference,
            "revision": offer.revision,
        }
        action = reverse("offers:revise", args=[offer.pk])
    else:
        title = _("Edit draft %s") % offer.reference
        action = reverse("offers:edit", args=[offer.pk])
    return _form_response(
        request, deal, form, title=title, action=action, offer=offer, status=422 if form.errors else 200
    )


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, offer_id: int) -> HttpResponse:
    return _offer_form_view(request, offer_id, revising=False)


@login_required
@require_http_methods(["GET", "POST"])
def revise(request: HttpRequest, offer_id: int) -> HttpResponse:
    return _offer_form_view(request, offer_id, revising=True)


def _status_change(request: HttpRequest, offer_id: int, service, message: str) -> HttpResponse:
    offer = queries.get_offer_for_user_or_404(request.user, offer_id)
    before = _value_of(offer.deal)
    try:
        service(offer=offer, actor=request.user)
    except DomainError as error:
        return _refused(request, offer.deal, error)
    return _done(request, offer.deal, before, message % offer.reference)


@login_required
@require_POST
def submit(request: HttpRequest, offer_id: int) -> HttpResponse:
    return _status_change(request, offer_id, services.submit_offer, _("%s marked submitted."))


@login_required
@require_POST
def accept(request: HttpRequest, offer_id: int) -> HttpResponse:
    return _status_change(request, offer_id, services.accept_offer, _("%s marked accepted."))


@login_required
@require_POST
def reject(request: HttpRequest, offer_id: int) -> HttpResponse:
    return _status_change(request, offer_id, services.reject_offer, _("%s marked rejected."))


@login_required
@require_POST
def follow(request: HttpRequest, deal_id: int) -> HttpResponse:
    deal = get_deal_for_user_or_404(request.user, deal_id)
    before = _value_of(deal)
    try:
        services.follow_offers(deal=deal, actor=request.user)
    except DomainError as error:
        return _refused(request, deal, error)
    return _done(request, deal, before, _("The value follows the latest offer again."))


@login_required
@require_POST
def upload(request: HttpRequest, offer_id: int) -> HttpResponse:
    offer = queries.get_offer_for_user_or_404(request.user, offer_id)
    deal = offer.deal
    form = DocumentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            document = services.attach_document(
                offer=offer, actor=request.user, upload=form.cleaned_data["file"]
            )
        except PermissionDenied as error:
            raise HttpForbidden(error.message) from None
        except DomainError as error:
            form.add_domain_error(error)
        else:
            return _done(request, deal, _value_of(deal), _("“%s” attached.") % document.original_name)
    errors = [message for messages_ in form.errors.values() for message in messages_]
    if not request.htmx:
        for message in errors:
            messages.error(request, message)
        return redirect("deals:detail", deal.pk)
    # htmx swaps only 2xx answers: the panel comes back with the error under the offer's upload form.
    return _panel(request, deal, upload_errors={offer.pk: errors})


@login_required
@require_GET
def download(request: HttpRequest, offer_id: int, document_id: int) -> HttpResponse:
    document = queries.get_document_for_user_or_404(request.user, offer_id, document_id)
    return document_response(document)


@login_required
@require_POST
def remove_document(request: HttpRequest, offer_id: int, document_id: int) -> HttpResponse:
    document = queries.get_document_for_user_or_404(request.user, offer_id, document_id)
    deal = document.offer.deal
    name = document.original_name
    try:
        services.remove_document(document=document, actor=request.user)
    except DomainError as error:
        return _refused(request, deal, error)
    return _done(request, deal, _value_of(deal), _("“%s” removed.") % name)
