"""The product catalogue pages and the products section of the deal page (htmx fragments).

Every active user reads the catalogue; managers and administrators create, edit,
archive and restore (others get 403). The deal section reloads itself on
"products-changed"; its forms open in the page's dialog, and work as plain pages
without JavaScript. A deal the user may not see answers 404, as its page does.
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as HttpForbidden
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST, require_safe
from django_htmx.http import retarget, trigger_client_event

from apogee.core.errors import DomainError, PermissionDenied
from apogee.deals.models import Deal
from apogee.deals.queries import get_deal_for_user_or_404

from . import queries, services
from .forms import CatalogueFilter, DealProductForm, ProductForm
from .models import DealProduct, Product

PAGE_SIZE = 50
CHANGED = "products-changed"


# The catalogue ---------------------------------------------------------------------------


def _ensure_manager(request: HttpRequest) -> None:
    if not queries.can_manage_products(request.user):
        raise HttpForbidden(_("Only a manager or an administrator can change the product catalogue."))


@login_required
@require_safe
def catalogue(request: HttpRequest) -> HttpResponse:
    search, status = CatalogueFilter(request.GET).values()
    page = Paginator(queries.catalogue(request.user, search=search, status=status), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    page.object_list = list(page.object_list)
    labels = queries.product_line_labels(queries.product_line_definition())
    for product in page.object_list:
        product.product_line_label = labels.get(product.product_line, product.product_line)
    context = {
        "page": page,
        "search": search,
        "status": status,
        "status_tabs": [("active", _("Active")), ("archived", _("Archived")), ("all", _("All"))],
        "can_manage": queries.can_manage_products(request.user),
    }
    # The search box asks for the results alone; a history restore needs the whole page.
    partial = request.htmx and not request.htmx.history_restore_request
    response = render(request, "products/_results.html" if partial else "products/list.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _form_page(request: HttpRequest, form: ProductForm, product: Product | None) -> HttpResponse:
    status = 422 if form.errors else 200
    return render(request, "products/form.html", {"form": form, "product": product}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def create(request: HttpRequest) -> HttpResponse:
    _ensure_manager(request)
    form = ProductForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            product = services.create_product(actor=request.user, **form.service_fields())
        except PermissionDenied as error:
            raise HttpForbidden(error.message) from None
        except DomainError as error:
            form.add_domain_error(error)
        else:
            messages.success(request, _("“%s” added to the catalogue.") % product.name)
            # The list opens on the new product, wherever it sorts.
            return redirect(f"{reverse('products:list')}?{urlencode({'q': product.code or product.name})}")
    return _form_page(request, form, None)


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, product_id: int) -> HttpResponse:
    _ensure_manager(request)
    product = queries.get_product_for_user_or_404(request.user, product_id)
    form = ProductForm(request.POST or None, product=product)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_product(actor=request.user, product=product, changes=form.service_fields())
        except PermissionDenied as error:
            raise HttpForbidden(error.message) from None
        except DomainError as error:
            form.add_domain_error(error)
        else:
            messages.success(request, _("Changes to “%s” saved.") % form.cleaned_data["name"])
            return redirect("products:list")
    return _form_page(request, form, product)


def _next_url(request: HttpRequest, default: str) -> str:
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    safe = url_has_allowed_host_and_scheme(wanted, {request.get_host()}, require_https=request.is_secure())
    return wanted if wanted and safe else default


def _set_active(request: HttpRequest, product_id: int, *, active: bool) -> HttpResponse:
    _ensure_manager(request)
    product = queries.get_product_for_user_or_404(request.user, product_id)
    next_url = _next_url(request, reverse("products:list"))
    if request.method == "GET":
        context = {"product": product, "active": active, "next": next_url}
        return render(request, "products/confirm.html", context)
    service = services.restore_product if active else services.archive_product
    try:
        service(actor=request.user, product=product)
    except PermissionDenied as error:
        raise HttpForbidden(error.message) from None
    if active:
        messages.success(request, _("“%s” is back in the pickers.") % product.name)
    else:
        messages.success(request, _("“%s” archived: no longer offered, kept on its deals.") % product.name)
    return redirect(next_url)


@login_required
@require_http_methods(["GET", "POST"])
def archive(request: HttpRequest, product_id: int) -> HttpResponse:
    """GET asks for confirmation (a page); POST archives."""
    return _set_active(request, product_id, active=False)


@login_required
@require_http_methods(["GET", "POST"])
def restore(request: HttpRequest, product_id: int) -> HttpResponse:
    return _set_active(request, product_id, active=True)


# The products of a deal ------------------------------------------------------------------


def _panel(request: HttpRequest, deal: Deal) -> HttpResponse:
    lines = list(queries.lines_of(deal))
    context = {
        "deal": deal,
        "lines": lines,
        "sums": queries.sums_by_currency(lines),
        "editable": services.may_edit_deal_products(request.user, deal),
    }
    return render(request, "products/_panel.html", context)


def _editable_deal(request: HttpRequest, deal_id: int) -> Deal:
    deal = get_deal_for_user_or_404(request.user, deal_id)
    if not services.may_edit_deal_products(request.user, deal):
        raise HttpForbidden(_("You may not change this deal."))
    return deal


def _done(request: HttpRequest, deal: Deal, message: str) -> HttpResponse:
    """After a write: close the dialog and reload the section; without htmx, back to the deal."""
    if not request.htmx:
        messages.success(request, message)
        return redirect("deals:detail", deal.pk)
    response = HttpResponse(status=204)
    trigger_client_event(response, CHANGED, {})
    trigger_client_event(response, "close-dialog", {})
    trigger_client_event(response, "toast", {"message": message, "kind": "success"})
    return response


def _line_form(request, deal, form, *, title: str, action: str, line: DealProduct | None = None):
    context = {"deal": deal, "form": form, "title": title, "action": action, "line": line}
    if request.htmx:
        # htmx swaps only 2xx answers: the form comes back in the dialog, with its errors.
        return retarget(render(request, "products/_line_dialog.html", context), "#dialog")
    return render(request, "products/line_page.html", context, status=422 if form.errors else 200)


@login_required
@require_GET
def panel(request: HttpRequest, deal_id: int) -> HttpResponse:
    return _panel(request, get_deal_for_user_or_404(request.user, deal_id))


@login_required
@require_http_methods(["GET", "POST"])
def add_line(request: HttpRequest, deal_id: int) -> HttpResponse:
    deal = _editable_deal(request, deal_id)
    form = DealProductForm(request.POST or None, deal=deal)
    if request.method == "POST" and form.is_valid():
        try:
            line = services.add_deal_product(actor=request.user, deal=deal, **form.service_fields())
        except PermissionDenied as error:
            raise HttpForbidden(error.message) from None
        except DomainError as error:
            form.add_domain_error(error)
        else:
            return _done(request, deal, _("“%s” added to the deal.") % line.product.name)
    title = _("Add a product")
    return _line_form(request, deal, form, title=title, action=reverse("products:add_line", args=[deal.pk]))


@login_required
@require_GET
def line_price(request: HttpRequest, deal_id: int) -> HttpResponse:
    """The price fields of the line form, filled in from the product just picked."""
    deal = _editable_deal(request, deal_id)
    line = None
    if request.GET.get("line"):
        line = queries.get_line_or_404(deal, request.GET["line"])
    form = DealProductForm(deal=deal, line=line)
    product = form.fields["product"].queryset.filter(pk=_int(request.GET.get("product"))).first()
    if product is not None:
        form.initial["item_price"], form.initial["currency"] = services.default_price(product, deal.currency)
    return render(request, "products/_line_price.html", {"form": form, "deal": deal})


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@login_required
@require_http_methods(["GET", "POST"])
def edit_line(request: HttpRequest, deal_id: int, line_id: int) -> HttpResponse:
    deal = _editable_deal(request, deal_id)
    line = queries.get_line_or_404(deal, line_id)
    form = DealProductForm(
        request.POST or None, deal=deal, line=line, initial=DealProductForm.initial_for(line)
    )
    if request.method == "POST" and form.is_valid():
        try:
            line = services.update_deal_product(actor=request.user, line=line, changes=form.service_fields())
        except PermissionDenied as error:
            raise HttpForbidden(error.message) from None
        except DomainError as error:
            form.add_domain_error(error)
        else:
            return _done(request, deal, _("“%s” saved.") % line.product.name)
    title = _("Edit “%s” on the deal") % line.product.name
    action = reverse("products:edit_line", args=[deal.pk, line.pk])
    return _line_form(request, deal, form, title=title, action=action, line=line)


@login_required
@require_POST
def remove_line(request: HttpRequest, deal_id: int, line_id: int) -> HttpResponse:
    deal = _editable_deal(request, deal_id)
    line = queries.get_line_or_404(deal, line_id)
    try:
        services.remove_deal_product(actor=request.user, line=line)
    except PermissionDenied as error:
        raise HttpForbidden(error.message) from None
    except DomainError as error:
        if not request.htmx:
            messages.error(request, error.message)
            return redirect("deals:detail", deal.pk)
        response = HttpResponse(status=204)
        trigger_client_event(response, CHANGED, {})
        trigger_client_event(response, "toast", {"message": error.message, "kind": "error"})
        return response
    return _done(request, deal, _("“%s” removed from the deal.") % line.product.name)
