"""Contract pages: the list, a contract with its change notices, editing, a new change notice,
the contract panel of the deal page (htmx), and the per-pipeline settings.

A contract on a deal the user may not see answers 404; editing one the user may see
but not edit answers 403.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as HttpForbidden
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from apogee.core.errors import DomainError, PermissionDenied
from apogee.deals.models import DealStatus
from apogee.deals.queries import get_deal_for_user_or_404

from . import queries, services
from .forms import ChangeNoticeForm, ContractFilterForm, ContractForm, PipelineSettingsForm
from .models import Contract

PAGE_SIZE = 50


@login_required
@require_GET
def contract_list(request: HttpRequest) -> HttpResponse:
    contract_filter = queries.parse_contract_filter(request.GET)
    contracts = queries.contracts_visible_to(request.user)
    if contract_filter.is_valid:
        contracts = contract_filter.apply(contracts)
    contracts = contracts.select_related("deal", "customer").order_by("-signed_on", "-id")
    page = Paginator(contracts, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = queries.with_totals(request.user, page.object_list)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": page,
        "page_query": query.urlencode(),
        "filter_form": ContractFilterForm(
            request.GET or None,
            customers=queries.customers_with_contracts(request.user),
            years=queries.signature_years(request.user),
        ),
        "filter_errors": contract_filter.errors,
        "is_filtered": any(request.GET.get(k) for k in ("q", "customer", "status", "year")),
    }
    return render(request, "contracts/list.html", context)


def _detail_context(request: HttpRequest, contract: Contract) -> dict:
    change_notices = queries.change_notices_of(request.user, contract)
    return {
        "contract": contract,
        "change_notices": change_notices,
        "totals": queries.totals_of_listed(contract, change_notices),
        "can_edit": queries.can_edit_contract(request.user, contract),
        "can_add_change_notice": contract.deal is not None and contract.deal.status == DealStatus.WON,
    }


@login_required
@require_GET
def contract_detail(request: HttpRequest, contract_id: int) -> HttpResponse:
    contract = queries.get_contract_for_user_or_404(request.user, contract_id)
    return render(request, "contracts/detail.html", _detail_context(request, contract))


@login_required
@require_http_methods(["GET", "POST"])
def contract_edit(request: HttpRequest, contract_id: int) -> HttpResponse:
    contract = queries.get_contract_for_user_or_404(request.user, contract_id)
    if not queries.can_edit_contract(request.user, contract):
        raise HttpForbidden(
            _("Only the deal's owner, a manager or an administrator can change this contract.")
        )
    initial = {
        "number": contract.number,
        "signed_on": contract.signed_on.isoformat(),
        "value": contract.value,
        "currency": contract.currency,
        "erp_project_number": contract.erp_project_number,
        "status": contract.status,
    }
    form = ContractForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_contract(contract=contract, actor=request.user, changes=form.cleaned_data)
        except PermissionDenied as error:
            raise HttpForbidden(error.message) from None
        except DomainError as error:
            form.add_domain_error(error)
        else:
            messages.success(request, _("Contract saved."))
            return redirect("contracts:detail", contract.pk)
    status = 422 if form.errors else 200
    return render(request, "contracts/edit.html", {"contract": contract, "form": form}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def change_notice_new(request: HttpRequest, contract_id: int) -> HttpResponse:
    contract = queries.get_contract_for_user_or_404(request.user, contract_id)
    form = ChangeNoticeForm(request.POST or None, contract=contract)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            deal = services.create_change_notice(
                contract=contract,
                actor=request.user,
                title=data["title"],
                value=data["value"],
                currency=data["currency"],
                expected_close_date=data["expected_close_date"],
            )
        except PermissionDenied as error:
            raise HttpForbidden(error.message) from None
        except DomainError as error:
            form.add_domain_error(error)
        else:
            messages.success(request, _("Change notice created."))
            return redirect("deals:detail", deal.pk)
    status = 422 if form.errors else 200
    return render(
        request, "contracts/change_notice_new.html", {"contract": contract, "form": form}, status=status
    )


@login_required
@require_GET
def deal_panel(request: HttpRequest, deal_id: int) -> HttpResponse:
    """The contract section of the deal page: its contract, its CCN number, or a "Create contract" button."""
    deal = get_deal_for_user_or_404(request.user, deal_id)
    return render(request, "contracts/_deal_panel.html", _panel_context(request, deal))


def _panel_context(request: HttpRequest, deal) -> dict:
    contract = queries.contract_of_deal(deal)
    context = {"deal": deal, "contract": contract, "change_notice": None, "totals": None}
    if contract is not None:
        context["totals"] = queries.with_totals(request.user, [contract])[0].totals
    elif deal.parent_contract_id is not None:
        context["change_notice"] = queries.change_notice_label(deal)
    context["can_create"] = (
        contract is None and deal.status == DealStatus.WON and queries.can_create_contract(request.user, deal)
    )
    return context


@login_required
@require_POST
def create_for_deal(request: HttpRequest, deal_id: int) -> HttpResponse:
    deal = get_deal_for_user_or_404(request.user, deal_id)
    try:
        contract = services.create_contract_for(deal=deal, actor=request.user)
    except PermissionDenied as error:
        raise HttpForbidden(error.message) from None
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("deals:detail", deal.pk)
    messages.success(request, _("Contract %(number)s created.") % {"number": contract.number})
    return redirect("contracts:detail", contract.pk)


@login_required
@require_http_methods(["GET", "POST"])
def pipeline_settings(request: HttpRequest) -> HttpResponse:
    if not request.user.is_workspace_admin:
        raise HttpForbidden(_("Only an administrator can do this."))
    rows = queries.pipeline_settings()
    form = PipelineSettingsForm(request.POST or None, rows=rows)
    if request.method == "POST" and form.is_valid():
        choices = [
            (pipeline, form.cleaned_data[f"creates_{pipeline.pk}"], form.cleaned_data[f"holds_{pipeline.pk}"])
            for pipeline, _creates, _holds in rows
        ]
        try:
            services.set_pipelines_contract_settings(choices=choices, actor=request.user)
        except DomainError as error:
            for messages_of_field in error.fields.values():
                for message in messages_of_field:
                    form.add_error(None, message)
            if not error.fields:
                form.add_error(None, error.message)
        else:
            messages.success(request, _("Contract settings saved."))
            return redirect("contracts:settings")
    status = 422 if form.errors else 200
    return render(request, "contracts/settings.html", {"form": form}, status=status)
