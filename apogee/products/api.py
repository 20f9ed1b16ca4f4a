"""JSON API of products: the catalogue (list, read, create, edit, archive by is_active) and the
products on a deal (list, add, change, remove).

The same rules as the pages: every active user reads the catalogue, managers and
administrators change it (403 otherwise); a deal the user may not see answers 404 on
every verb, and so does a line of another deal. Bad input answers 422 naming each
field; a product that does not exist, or is archived, is a 422 on product_id.
Amounts, quantities and percentages are decimals as strings in answers.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from pydantic import ConfigDict

from apogee.core.errors import DomainError, ValidationFailed
from apogee.deals.queries import get_deal_for_user_or_404

from . import queries, services
from .models import DealProduct, Product
from .numbers import plain_number

router = Router(tags=["products"])

MAX_LIMIT = 500
Id = Annotated[int, Field(ge=1, le=2**63 - 1)]
Currency = Annotated[str, Field(min_length=3, max_length=3, description="ISO code, e.g. CHF.")]


class Input(Schema):
    # A misspelt field is refused (422), not silently dropped.
    model_config = ConfigDict(extra="forbid")


class PriceOut(Schema):
    amount: str = Field(..., description="Decimal as a string, e.g. “1200.00”.")
    currency: str


class PriceIn(Input):
    amount: Decimal = Field(..., ge=0)
    currency: Currency


class ProductOut(Schema):
    id: int
    name: str
    code: str
    unit: str
    description: str
    prices: list[PriceOut] = Field(..., description="At most one per currency; the first is the default.")
    product_line: str = Field(..., description="An option key of the deal field product_line, or empty.")
    is_active: bool
    created_at: datetime
    updated_at: datetime


class ProductPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[ProductOut]


class ProductListQuery(Schema):
    q: str = Field("", max_length=100, description="Name or code contains.")
    status: Literal["active", "archived", "all"] = "active"
    limit: int = Field(100, ge=1, le=MAX_LIMIT)
    offset: int = Field(0, ge=0, le=2**31 - 1)


class ProductCreate(Input):
    name: str
    code: str = ""
    unit: str = ""
    description: str = ""
    prices: list[PriceIn] = Field(default_factory=list)
    product_line: str = ""
    is_active: bool = True


class ProductPatch(Input):
    """Only the fields given change; is_active false archives the product, true restores it."""

    name: str | None = None
    code: str | None = None
    unit: str | None = None
    description: str | None = None
    prices: list[PriceIn] | None = Field(None, description="The whole list; [] removes every price.")
    product_line: str | None = None
    is_active: bool | None = None


class DealProductOut(Schema):
    id: int
    deal_id: int
    product_id: int
    product_name: str
    product_code: str
    quantity: str = Field(..., description="Decimal as a string, e.g. “2.5”.")
    item_price: str = Field(..., description="The unit price, e.g. “1200.00”.")
    currency: str
    discount_percent: str = Field(..., description="0 to 100, e.g. “10”.")
    total: str = Field(..., description="quantity × item_price × (1 − discount/100), to the cent.")
    comment: str
    position: int
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_product_name(line: DealProduct) -> str:
        return line.product.name

    @staticmethod
    def resolve_product_code(line: DealProduct) -> str:
        return line.product.code

    @staticmethod
    def resolve_quantity(line: DealProduct) -> str:
        return plain_number(line.quantity)

    @staticmethod
    def resolve_item_price(line: DealProduct) -> str:
        return str(line.item_price)

    @staticmethod
    def resolve_discount_percent(line: DealProduct) -> str:
        return plain_number(line.discount_percent)

    @staticmethod
    def resolve_total(line: DealProduct) -> str:
        return str(line.total)


class DealProductCreate(Input):
    product_id: Id
    quantity: Decimal = Decimal(1)
    item_price: Decimal | None = Field(
        None, description="Default: the product's price in the deal's currency, else its first price, else 0."
    )
    currency: Currency | None = Field(
        None, description="Default: the deal's (or the default price's) currency."
    )
    discount_percent: Decimal = Decimal(0)
    comment: str = ""


class DealProductPatch(Input):
    """Only the fields given change."""

    product_id: Id | None = None
    quantity: Decimal | None = None
    item_price: Decimal | None = None
    currency: Currency | None = None
    discount_percent: Decimal | None = None
    comment: str | None = None
    position: int | None = Field(None, ge=0, le=2**31 - 1)


@contextmanager
def _fields_named(**names: str) -> Iterator[None]:
    """Rename the fields of a service error to the names the request used."""
    try:
        yield
    except DomainError as error:
        error.fields = {names.get(field, field): messages for field, messages in error.fields.items()}
        raise


def _product(pk: int) -> Product:
    """The product the body names, or a 422 on product_id; archived ones are the service's to refuse."""
    product = Product.objects.filter(pk=pk).first()
    if product is None:
        raise ValidationFailed(
            _("Some fields are invalid."), fields={"product_id": [_("Choose a product of the catalogue.")]}
        )
    return product


def _not_null(data: dict[str, Any], *names: str) -> None:
    nulls = [name for name in names if name in data and data[name] is None]
    if nulls:
        raise ValidationFailed(
            _("Some fields are invalid."), fields={name: [_("This field may not be null.")] for name in nulls}
        )


@router.get("/products", response=ProductPage)
def list_products(request, params: Query[ProductListQuery]):
    """The catalogue by name: active products unless `status` says otherwise; `q` searches name and code."""
    products = queries.catalogue(request.auth, search=params.q, status=params.status)
    return {
        "count": products.count(),
        "limit": params.limit,
        "offset": params.offset,
        "items": list(products[params.offset : params.offset + params.limit]),
    }


@router.post("/products", response={201: ProductOut})
def create_product(request, payload: ProductCreate):
    """Managers and administrators only."""
    product = services.create_product(actor=request.auth, **payload.model_dump())
    return Status(201, product)


@router.get("/products/{product_id}", response=ProductOut)
def get_product(request, product_id: int):
    return queries.get_product_for_user_or_404(request.auth, product_id)


@router.patch("/products/{product_id}", response=ProductOut)
def update_product(request, product_id: int, payload: ProductPatch):
    """Managers and administrators only."""
    product = queries.get_product_for_user_or_404(request.auth, product_id)
    changes = payload.model_dump(exclude_unset=True)
    _not_null(changes, "name", "code", "unit", "description", "prices", "product_line", "is_active")
    return services.update_product(actor=request.auth, product=product, changes=changes)


@router.get("/deals/{deal_id}/products", response=list[DealProductOut])
def list_deal_products(request, deal_id: int):
    """The deal's products in their order."""
    deal = get_deal_for_user_or_404(request.auth, deal_id)
    return list(queries.lines_of(deal))


@router.post("/deals/{deal_id}/products", response={201: DealProductOut})
def add_deal_product(request, deal_id: int, payload: DealProductCreate):
    deal = get_deal_for_user_or_404(request.auth, deal_id)
    data = payload.model_dump()
    product = _product(data.pop("product_id"))
    with _fields_named(product="product_id"):
        line = services.add_deal_product(actor=request.auth, deal=deal, product=product, **data)
    return Status(201, line)


@router.patch("/deals/{deal_id}/products/{line_id}", response=DealProductOut)
def update_deal_product(request, deal_id: int, line_id: int, payload: DealProductPatch):
    deal = get_deal_for_user_or_404(request.auth, deal_id)
    line = queries.get_line_or_404(deal, line_id)
    changes = payload.model_dump(exclude_unset=True)
    _not_null(changes, *changes.keys() - {"comment"})
    if "comment" in changes and changes["comment"] is None:
        changes["comment"] = ""
    if "product_id" in changes:
        changes["product"] = _product(changes.pop("product_id"))
    with _fields_named(product="product_id"):
        return services.update_deal_product(actor=request.auth, line=line, changes=changes)


@router.delete("/deals/{deal_id}/products/{line_id}", response={204: None})
def remove_deal_product(request, deal_id: int, line_id: int):
    deal = get_deal_for_user_or_404(request.auth, deal_id)
    line = queries.get_line_or_404(deal, line_id)
    services.remove_deal_product(actor=request.auth, line=line)
    return Status(204, None)
