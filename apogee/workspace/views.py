"""Settings pages for administrators: the home, lost reasons, currencies and rates.

Also the small helpers every settings page shares (admin check, forms that open in the
dialog or as a page). Pipelines, custom fields and users have their views in their apps.
"""

from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect

from apogee.accounts.models import User
from apogee.core import services as core_services
from apogee.core.errors import DomainError
from apogee.core.models import Currency
from apogee.customfields.models import FieldDefinition
from apogee.deals import services as deal_services
from apogee.deals.models import Deal, LostReason
from apogee.pipelines.models import Pipeline

from .forms import CurrencyForm, ExchangeRateForm, LostReasonForm, SettingsForm


def admin_required(view):
    """Settings are for administrators: anyone else gets 403, whatever the method."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_workspace_admin:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def posted(request: HttpRequest):
    """The data to bind a form to: the POST, even an empty one (a bare confirmation), or None on GET."""
    return request.POST if request.method == "POST" else None


def render_form(
    request: HttpRequest,
    template: str,
    context: dict,
    *,
    invalid: bool = False,
    page_template: str = "settings/form_page.html",
) -> HttpResponse:
    """A form opens in the dialog when htmx asked for it, and as a page otherwise (no JS, new tab).

    A rejected form answers 422 as a page; in the dialog 200, because htmx swaps only 2xx.
    """
    in_dialog = bool(request.htmx)
    context = {
        "base_template": "settings/_dialog.html" if in_dialog else page_template,
        "in_dialog": in_dialog,
        **context,
    }
    status = 422 if invalid and not in_dialog else 200
    return render(request, template, context, status=status)


def finish(request: HttpRequest, url: str, message: str = "") -> HttpResponse:
    """After a successful write: back to the list, with a confirmation, whether in the dialog or not."""
    if message:
        messages.success(request, message)
    if request.htmx:
        # Without the #fragment: the dialog sits on the list page, and a redirect to the same page
        # with only a new fragment would scroll instead of reloading it.
        return HttpResponseClientRedirect(url.split("#", 1)[0])
    return redirect(url)


@admin_required
def index(request: HttpRequest) -> HttpResponse:
    counts = {
        "pipelines": Pipeline.objects.filter(is_archived=False).count(),
        "fields": FieldDefinition.objects.filter(is_archived=False).count(),
        "lost_reasons": LostReason.objects.filter(is_archived=False).count(),
        "currencies": Currency.objects.filter(is_active=True).count(),
        "users": User.objects.filter(is_active=True).count(),
    }
    return render(request, "settings/index.html", {"section": "index", "counts": counts})


# Lost reasons ---------------------------------------------------------------------------


@admin_required
def lost_reasons(request: HttpRequest) -> HttpResponse:
    """The list, with the form that adds a reason (POST here adds one)."""
    form = LostReasonForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            reason = deal_services.save_lost_reason(label=form.cleaned_data["label"], actor=request.user)
        except DomainError as error:
            form.add_domain_error(error)
        else:
            messages.success(request, _("Lost reason “%s” added.") % reason.label)
            return redirect("workspace:lost_reasons")
    reasons = list(LostReason.objects.all())
    usage = dict(
        Deal.objects.filter(lost_reason__isnull=False)
        .values_list("lost_reason")
        .annotate(n=Count("id"))
        .values_list("lost_reason", "n")
    )
    for reason in reasons:
        reason.deal_count = usage.get(reason.pk, 0)
    context = {
        "section": "lost_reasons",
        "form": form,
        "active": [r for r in reasons if not r.is_archived],
        "archived": [r for r in reasons if r.is_archived],
    }
    return render(request, "settings/lost_reasons.html", context, status=422 if form.errors else 200)


@admin_required
def lost_reason_edit(request: HttpRequest, reason_id: int) -> HttpResponse:
    reason = get_object_or_404(LostReason, pk=reason_id)
    form = LostReasonForm(posted(request), initial={"label": reason.label})
    if request.method == "POST" and form.is_valid():
        try:
            deal_services.save_lost_reason(
                reason=reason, label=form.cleaned_data["label"], actor=request.user
            )
        except DomainError as error:
            form.add_domain_error(error)
        else:
            return finish(request, reverse("workspace:lost_reasons"), _("Lost reason renamed."))
    context = {
        "section": "lost_reasons",
        "title": _("Rename lost reason"),
        "form": form,
        "action": request.path,
        "submit_label": _("Save"),
        "cancel_url": reverse("workspace:lost_reasons"),
    }
    return render_form(request, "settings/form.html", context, invalid=bool(form.errors))


@admin_required
def lost_reason_archive(request: HttpRequest, reason_id: int) -> HttpResponse:
    reason = get_object_or_404(LostReason, pk=reason_id)
    form = SettingsForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            deal_services.save_lost_reason(
                reason=reason, label=reason.label, is_archived=True, actor=request.user
            )
        except DomainError as error:
            form.add_domain_error(error)
        else:
            return finish(request, reverse("workspace:lost_reasons"), _("“%s” archived.") % reason.label)
    context = {
        "section": "lost_reasons",
        "title": _("Archive lost reason"),
        "form": form,
        "action": request.path,
        "question": _(
            "Archive “%s”? It will no longer be offered when a deal is marked lost. "
            "Deals already lost for this reason keep it, and you can restore it at any time."
        )
        % reason.label,
        "submit_label": _("Archive"),
        "cancel_url": reverse("workspace:lost_reasons"),
    }
    return render_form(request, "settings/confirm.html", context, invalid=bool(form.errors))


@admin_required
@require_POST
def lost_reason_restore(request: HttpRequest, reason_id: int) -> HttpResponse:
    reason = get_object_or_404(LostReason, pk=reason_id)
    try:
        deal_services.save_lost_reason(
            reason=reason, label=reason.label, is_archived=False, actor=request.user
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("“%s” restored.") % reason.label)
    return redirect("workspace:lost_reasons")


# Currencies and exchange rates ---------------------------------------------------------


def _currencies_page(
    request: HttpRequest, *, currency_form=None, rate_form=None, invalid: bool = False
) -> HttpResponse:
    currencies = list(Currency.objects.prefetch_related("rates"))
    for currency in currencies:
        # Stored with 8 decimals; show 0.93, not 0.93000000 (and 100, not 1E+2).
        currency.rate_rows = [
            (r.valid_from, format(r.rate_to_base.normalize(), "f")) for r in currency.rates.all()
        ]
    context = {
        "section": "currencies",
        "base_currency": settings.APOGEE_BASE_CURRENCY,
        "currencies": currencies,
        "currency_form": currency_form or CurrencyForm(auto_id="id_currency_%s"),
        "rate_form": rate_form or ExchangeRateForm(auto_id="id_rate_%s"),
    }
    return render(request, "settings/currencies.html", context, status=422 if invalid else 200)


@admin_required
def currencies(request: HttpRequest) -> HttpResponse:
    return _currencies_page(request)


@admin_required
@require_POST
def currency_add(request: HttpRequest) -> HttpResponse:
    form = CurrencyForm(request.POST, auto_id="id_currency_%s")
    if form.is_valid():
        try:
            currency = core_services.add_currency(
                code=form.cleaned_data["code"], name=form.cleaned_data["name"], actor=request.user
            )
        except DomainError as error:
            form.add_domain_error(error)
        else:
            messages.success(request, _("Currency %s added. Now give it an exchange rate.") % currency.code)
            return redirect("workspace:currencies")
    return _currencies_page(request, currency_form=form, invalid=True)


@admin_required
def rate_set(request: HttpRequest) -> HttpResponse:
    """Add or correct the rate of a currency from a date; GET opens the form for one currency."""
    if request.method == "GET":
        initial = {}
        code = request.GET.get("currency", "")
        currency = Currency.objects.filter(code=code).first()
        if currency is not None:
            initial["currency"] = currency
        form = ExchangeRateForm(initial=initial, auto_id="id_rate_%s")
    else:
        form = ExchangeRateForm(request.POST, auto_id="id_rate_%s")
        if form.is_valid():
            data = form.cleaned_data
            try:
                core_services.set_exchange_rate(
                    currency=data["currency"],
                    valid_from=data["valid_from"],
                    rate_to_base=data["rate_to_base"],
                    actor=request.user,
                )
            except DomainError as error:
                form.add_domain_error(error)
            else:
                message = _("Rate of %(code)s from %(date)s saved.") % {
                    "code": data["currency"].code,
                    "date": data["valid_from"].isoformat(),
                }
                return finish(request, reverse("workspace:currencies"), message)
        if not request.htmx:
            return _currencies_page(request, rate_form=form, invalid=True)
    context = {
        "section": "currencies",
        "title": _("Add or correct an exchange rate"),
        "form": form,
        "action": request.path,
        "submit_label": _("Save rate"),
        "cancel_url": reverse("workspace:currencies"),
    }
    return render_form(request, "settings/form.html", context, invalid=bool(form.errors))
