"""Reads of the catalogue and of a deal's products.

Every active user may read the catalogue; managers and administrators change it. A
deal's products are seen by whoever sees the deal (the caller fetched it with
deals.queries.get_deal_for_user_or_404); a line of another deal answers 404.
"""

from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from django.db.models import Q, QuerySet
from django.http import Http404

from apogee.accounts.models import User
from apogee.customfields.models import FieldDefinition
from apogee.customfields.queries import definitions_for
from apogee.deals.models import Deal

from .models import DealProduct, Product

PRODUCT_LINE_FIELD = "product_line"
STATUSES = ("active", "archived", "all")


def can_manage_products(user: User) -> bool:
    return bool(user.is_authenticated and (user.is_manager or user.is_workspace_admin))


def products_visible_to(user: User) -> QuerySet[Product]:
    if not user.is_authenticated or not user.is_active:
        return Product.objects.none()
    return Product.objects.all()


def catalogue(user: User, *, search: str = "", status: str = "active") -> QuerySet[Product]:
    """The catalogue by name: active products (default), archived ones, or all; `search` in name or code."""
    products = products_visible_to(user)
    if status == "active":
        products = products.filter(is_active=True)
    elif status == "archived":
        products = products.filter(is_active=False)
    search = (search or "").strip()
    if search:
        products = products.filter(Q(name__icontains=search) | Q(code__icontains=search))
    return products.order_by("name", "id")


def active_products() -> QuerySet[Product]:
    """What the pickers offer."""
    return Product.objects.filter(is_active=True).order_by("name", "id")


def get_product_for_user_or_404(user: User, product_id) -> Product:
    try:
        return products_visible_to(user).get(pk=int(product_id))
    except (Product.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404("No such product") from None


def product_line_definition() -> FieldDefinition | None:
    """The deal custom field whose options are the product lines, if the workspace has one."""
    return definitions_for("deal", include_archived=True).filter(key=PRODUCT_LINE_FIELD).first()


def product_line_keys(definition: FieldDefinition | None) -> set[str]:
    # Archived options stay valid, as for stored custom values; the forms offer the active ones.
    if definition is None or not definition.has_options:
        return set()
    return {o["key"] for o in definition.options}


def product_line_choices(definition: FieldDefinition | None, *, keep: str = "") -> list[tuple[str, str]]:
    """Active options as (key, label), plus `keep` (a product's current line) if it was archived since."""
    if definition is None or not definition.has_options:
        return []
    choices = [(o["key"], definition.option_label(o["key"])) for o in definition.active_options()]
    if keep and keep not in {key for key, _label in choices}:
        choices.append((keep, definition.option_label(keep)))
    return choices


def product_line_labels(definition: FieldDefinition | None) -> dict[str, str]:
    if definition is None or not definition.has_options:
        return {}
    return {o["key"]: definition.option_label(o["key"]) for o in definition.options}


def lines_of(deal: Deal) -> QuerySet[DealProduct]:
    """The deal's product lines in their order, each with its product: one query however many."""
    return DealProduct.objects.filter(deal=deal).select_related("product").order_by("position", "id")


def get_line_or_404(deal: Deal, line_id) -> DealProduct:
    try:
        return lines_of(deal).get(pk=int(line_id))
    except (DealProduct.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404("No such product line") from None


def sums_by_currency(lines: Iterable[DealProduct]) -> list[tuple[str, Decimal]]:
    """The lines' totals added up per currency, the currency with most lines first."""
    sums: dict[str, Decimal] = defaultdict(Decimal)
    counts: dict[str, int] = defaultdict(int)
    for line in lines:
        sums[line.currency] += line.total
        counts[line.currency] += 1
    return sorted(sums.items(), key=lambda item: (-counts[item[0]], item[0]))
