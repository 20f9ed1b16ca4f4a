"""Product writes: the catalogue (create, edit, archive, restore) and the products on a deal
(add, change, remove).

The catalogue is changed by managers and administrators; a deal's products by whoever
may edit the deal (deals.services.ensure_can_edit). Each function validates everything
before writing anything, writes inside one transaction, records a domain event (subject:
the product, or the deal for its products, so they show in the deal's timeline) and
returns what it wrote. Nothing else saves a Product or a DealProduct.

`actor=None` is a system task (the Pipedrive import, the demo): no permission check, and
it may put an archived product on a deal, as history being replayed does; a person
picks among active products only.
"""

import re
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from apogee.accounts.models import User
from apogee.core.errors import NotFound, PermissionDenied, ValidationFailed
from apogee.core.events import jsonable, record_event
from apogee.deals.models import Deal
from apogee.deals.services import ensure_can_edit

from . import events
from .models import DealProduct, Product
from .numbers import plain_number, to_decimal
from .queries import can_manage_products, product_line_definition, product_line_keys

PRODUCT_FIELDS = ("name", "code", "unit", "prices", "product_line", "is_active", "description")
LINE_FIELDS = ("product", "quantity", "item_price", "currency", "discount_percent", "comment", "position")
MAX_NAME = 200
MAX_CODE = 60
MAX_UNIT = 30
MAX_DESCRIPTION = 10_000
MAX_COMMENT = 2_000
MAX_PRICE = Decimal("1e12")  # item_price is Decimal(14, 2)
MAX_QUANTITY = Decimal("1e9")  # quantity is Decimal(12, 3)
MAX_POSITION = 2**31 - 1
CURRENCY_RE = re.compile(r"^[A-Z]{3}$")


# Checks ----------------------------------------------------------------------------------


def _ensure_can_manage(actor: User | None) -> None:
    if actor is not None and not can_manage_products(actor):
        raise PermissionDenied(_("Only a manager or an administrator can change the product catalogue."))


def may_edit_deal_products(user: User, deal: Deal) -> bool:
    """Whether the page shows the deal's products as editable: the deal's own edit rule."""
    try:
        ensure_can_edit(user, deal)
    except PermissionDenied:
        return False
    return True


def _invalid(errors: dict[str, list[str]]) -> ValidationFailed:
    return ValidationFailed(_("Some fields are invalid."), fields=errors)


# Values ----------------------------------------------------------------------------------


def _text(data: Mapping, key: str, errors: dict, *, limit: int, required: bool = False, one_line=True) -> str:
    raw = data[key]
    text = str(raw if raw is not None else "")
    text = " ".join(text.split()) if one_line else text.replace("\r\n", "\n").strip()
    if "\x00" in text:
        errors[key] = [_("Text may not contain NUL characters.")]
    elif required and not text:
        errors[key] = [_("This field is required.")]
    elif len(text) > limit:
        errors[key] = [_("At most %d characters.") % limit]
    return text


def _currency(raw: Any) -> str | None:
    code = str(raw or "").strip().upper()
    return code if CURRENCY_RE.match(code) else None


def _clean_prices(raw: Any, errors: dict) -> list[dict[str, str]]:
    """[{"amount": "1200.00", "currency": "CHF"}]: amounts ≥ 0 with two decimals, one per currency."""
    if raw is None:
        return []
    if isinstance(raw, str | bytes | Mapping) or not isinstance(raw, Iterable):
        errors["prices"] = [_("Give a list of prices, each with an amount and a currency.")]
        return []
    cleaned: list[dict[str, str]] = []
    messages: list[str] = []
    seen: set[str] = set()
    for number, item in enumerate(raw, start=1):
        if not isinstance(item, Mapping) or set(item) != {"amount", "currency"}:
            messages.append(_("Price %d: give exactly an amount and a currency.") % number)
            continue
        currency = _currency(item["currency"])
        amount = to_decimal(item["amount"], places=2)
        if currency is None:
            messages.append(_("Price %d: the currency is a three-letter code such as CHF.") % number)
        elif currency in seen:
            messages.append(
                _("Price %(number)d: %(currency)s is priced twice.")
                % {"number": number, "currency": currency}
            )
        if amount is None or amount < 0 or amount >= MAX_PRICE:
            messages.append(_("Price %d: enter an amount of 0 or more, with at most two decimals.") % number)
        if currency is not None:
            seen.add(currency)
        if currency is not None and amount is not None:
            cleaned.append({"amount": str(amount.quantize(Decimal("0.01"))), "currency": currency})
    if messages:
        errors["prices"] = messages
    return cleaned


def _clean_product(data: Mapping[str, Any], *, product: Product | None = None) -> dict[str, Any]:
    """Validate the catalogue fields present in `data`; raise ValidationFailed naming every bad one."""
    errors: dict[str, list[str]] = {k: [_("Unknown field.")] for k in sorted(set(data) - set(PRODUCT_FIELDS))}
    cleaned: dict[str, Any] = {}
    if "name" in data:
        cleaned["name"] = _text(data, "name", errors, limit=MAX_NAME, required=True)
    if "code" in data:
        cleaned["code"] = _text(data, "code", errors, limit=MAX_CODE)
        taken = None if "code" in errors else _code_taken(cleaned["code"], product)
        if taken:
            errors["code"] = [taken]
    if "unit" in data:
        cleaned["unit"] = _text(data, "unit", errors, limit=MAX_UNIT)
    if "description" in data:
        cleaned["description"] = _text(data, "description", errors, limit=MAX_DESCRIPTION, one_line=False)
    if "prices" in data:
        cleaned["prices"] = _clean_prices(data["prices"], errors)
    if "product_line" in data:
        line = str(data["product_line"] or "").strip()
        if line:
            definition = product_line_definition()
            if definition is None:
                errors["product_line"] = [_("This workspace has no product lines: leave it empty.")]
            elif line not in product_line_keys(definition):
                errors["product_line"] = [_("Unknown product line: %s.") % line[:60]]
        cleaned["product_line"] = line
    if "is_active" in data:
        if not isinstance(data["is_active"], bool):
            errors["is_active"] = [_("Give true or false.")]
        cleaned["is_active"] = data["is_active"]
    if errors:
        raise _invalid(errors)
    return cleaned


def _code_taken(code: str, product: Product | None) -> str | None:
    """Why `code` cannot be given to `product` (None: a new one), or None if it is free."""
    if not code or (product is not None and code.lower() == product.code.lower()):
        return None
    other = Product.objects.filter(code__iexact=code).exclude(pk=getattr(product, "pk", None)).first()
    if other is None:
        return None
    return _("“%(name)s” already has the code %(code)s.") % {"name": other.name, "code": other.code}


def _save_product(product: Product) -> None:
    # The check above answers nearly always; two saves racing for one code meet the constraint here.
    try:
        with transaction.atomic():
            product.save()
    except IntegrityError:
        raise _invalid({"code": [_("Another product already has this code.")]}) from None


def _product_data(product: Product, **extra) -> dict[str, Any]:
    return {"name": product.name, "code": product.code, **extra}


# The catalogue ---------------------------------------------------------------------------


@transaction.atomic
def create_product(
    *,
    actor: User | None,
    name: str,
    code: str = "",
    unit: str = "",
    prices: Iterable[Mapping[str, Any]] = (),
    product_line: str = "",
    is_active: bool = True,
    description: str = "",
) -> Product:
    """Add a product to the catalogue; `prices` is [{"amount", "currency"}], the first the default."""
    _ensure_can_manage(actor)
    cleaned = _clean_product(
        {
            "name": name,
            "code": code,
            "unit": unit,
            "prices": prices,
            "product_line": product_line,
            "is_active": is_active,
            "description": description,
        }
    )
    product = Product(**cleaned)
    _save_product(product)
    record_event(
        events.PRODUCT_CREATED,
        subject=product,
        actor=actor,
        data=_product_data(
            product,
            unit=product.unit,
            prices=product.prices,
            product_line=product.product_line,
            is_active=product.is_active,
        ),
    )
    return product


def _set_active(product: Product, active: bool, actor: User | None) -> Product:
    if product.is_active == active:
        return product
    product.is_active = active
    product.save(update_fields=["is_active", "updated_at"])
    name = events.PRODUCT_RESTORED if active else events.PRODUCT_ARCHIVED
    record_event(name, subject=product, actor=actor, data=_product_data(product))
    return product


@transaction.atomic
def update_product(*, actor: User | None, product: Product, changes: Mapping[str, Any]) -> Product:
    """Change the fields in `changes`; the event lists each change as [before, after].

    `is_active` in `changes` archives or restores the product (its own event).
    """
    _ensure_can_manage(actor)
    product = Product.objects.select_for_update().get(pk=product.pk)
    cleaned = _clean_product(changes, product=product)
    active = cleaned.pop("is_active", product.is_active)
    diff: dict[str, list] = {}
    for key, value in cleaned.items():
        before = getattr(product, key)
        if before != value:
            diff[key] = [jsonable(before), jsonable(value)]
            setattr(product, key, value)
    if diff:
        _save_product(product)
        record_event(
            events.PRODUCT_UPDATED, subject=product, actor=actor, data=_product_data(product, changes=diff)
        )
    return _set_active(product, active, actor)


@transaction.atomic
def archive_product(*, actor: User | None, product: Product) -> Product:
    """Take the product out of the pickers; the deals that carry it keep it."""
    _ensure_can_manage(actor)
    return _set_active(Product.objects.select_for_update().get(pk=product.pk), False, actor)


@transaction.atomic
def restore_product(*, actor: User | None, product: Product) -> Product:
    _ensure_can_manage(actor)
    return _set_active(Product.objects.select_for_update().get(pk=product.pk), True, actor)


# A deal's products -----------------------------------------------------------------------


def default_price(product: Product, currency: str) -> tuple[Decimal, str]:
    """The product's price in `currency`, else its first price, else 0 in `currency`."""
    amount = product.price_in(currency)
    if amount is not None:
        return amount, currency
    for price in product.prices or []:
        return Decimal(str(price["amount"])), price["currency"]
    return Decimal("0.00"), currency


def _usable_product(product: Any, actor: User | None, errors: dict, *, current: Product | None = None):
    if not isinstance(product, Product) or product.pk is None:
        errors["product"] = [_("Choose a product of the catalogue.")]
        return None
    product = Product.objects.filter(pk=product.pk).first()
    if product is None:
        errors["product"] = [_("Choose a product of the catalogue.")]
    elif actor is not None and not product.is_active and (current is None or current.pk != product.pk):
        errors["product"] = [_("“%s” is archived: choose an active product.") % product.name]
    return product


def _clean_line(data: Mapping[str, Any], errors: dict) -> dict[str, Any]:
    """Validate the line fields present in `data` (product excepted); None means "not given"."""
    cleaned: dict[str, Any] = {}
    if "quantity" in data:
        quantity = to_decimal(data["quantity"], places=3)
        if quantity is None or not 0 < quantity < MAX_QUANTITY:
            errors["quantity"] = [_("Enter a quantity above 0, with at most three decimals.")]
        cleaned["quantity"] = quantity
    if "item_price" in data:
        price = to_decimal(data["item_price"], places=2)
        # A line may be below zero: a credit or a rebate on the deal.
        if price is None or abs(price) >= MAX_PRICE:
            errors["item_price"] = [_("Enter a unit price with at most two decimals.")]
        else:
            cleaned["item_price"] = price.quantize(Decimal("0.01"))
    if "currency" in data:
        currency = _currency(data["currency"])
        if currency is None:
            errors["currency"] = [_("The currency is a three-letter code such as CHF.")]
        cleaned["currency"] = currency
    if "discount_percent" in data:
        raw = data["discount_percent"]
        discount = to_decimal(0 if raw in (None, "") else raw, places=2)
        if discount is None or not 0 <= discount <= 100:
            errors["discount_percent"] = [
                _("Enter a discount between 0 and 100 %, with at most two decimals.")
            ]
        cleaned["discount_percent"] = discount
    if "comment" in data:
        cleaned["comment"] = _text(data, "comment", errors, limit=MAX_COMMENT, one_line=False)
    if "position" in data:
        position = data["position"]
        if isinstance(position, bool) or not isinstance(position, int) or not 0 <= position <= MAX_POSITION:
            errors["position"] = [_("Enter a whole number of 0 or more.")]
        cleaned["position"] = position
    return cleaned


def _line_data(line: DealProduct, **extra) -> dict[str, Any]:
    return {
        "line": line.pk,
        "product": line.product_id,
        "product_name": line.product.name,
        "quantity": plain_number(line.quantity),
        "item_price": str(line.item_price),
        "currency": line.currency,
        "discount_percent": plain_number(line.discount_percent),
        "total": str(line.total),
        **extra,
    }


@transaction.atomic
def add_deal_product(
    *,
    actor: User | None,
    deal: Deal,
    product: Product,
    quantity: Any = 1,
    item_price: Any = None,
    currency: str | None = None,
    discount_percent: Any = 0,
    comment: str = "",
) -> DealProduct:
    """Put a product on the deal, last. Without a price: the product's price in the deal's
    currency, else its first price, else 0 in the deal's currency; a price without a
    currency is in the deal's currency."""
    ensure_can_edit(actor, deal)
    deal = Deal.objects.select_for_update().get(pk=deal.pk)
    errors: dict[str, list[str]] = {}
    product = _usable_product(product, actor, errors)
    data: dict[str, Any] = {"quantity": quantity, "discount_percent": discount_percent, "comment": comment}
    if item_price is not None and item_price != "":
        data["item_price"] = item_price
    if currency is not None and currency != "":
        data["currency"] = currency
    cleaned = _clean_line(data, errors)
    if errors:
        raise _invalid(errors)
    if "item_price" not in cleaned:
        if "currency" in cleaned:
            cleaned["item_price"] = product.price_in(cleaned["currency"]) or Decimal("0.00")
        else:
            cleaned["item_price"], cleaned["currency"] = default_price(product, deal.currency)
    cleaned.setdefault("currency", deal.currency)
    last = DealProduct.objects.filter(deal=deal).aggregate(last=Max("position"))["last"]
    line = DealProduct.objects.create(
        deal=deal, product=product, position=0 if last is None else last + 1, **cleaned
    )
    record_event(events.DEAL_PRODUCT_ADDED, subject=deal, actor=actor, data=_line_data(line))
    return line


def _shown(key: str, value: Any) -> Any:
    if isinstance(value, Decimal) and key in ("quantity", "discount_percent"):
        return plain_number(value)
    return jsonable(value)


@transaction.atomic
def update_deal_product(*, actor: User | None, line: DealProduct, changes: Mapping[str, Any]) -> DealProduct:
    """Change the fields in `changes` (product, quantity, item_price, currency, discount_percent,
    comment, position); the event, on the deal, lists each change as [before, after]."""
    ensure_can_edit(actor, line.deal)
    errors: dict[str, list[str]] = {k: [_("Unknown field.")] for k in sorted(set(changes) - set(LINE_FIELDS))}
    line = DealProduct.objects.select_for_update().select_related("product", "deal").get(pk=line.pk)
    product = None
    if "product" in changes:
        product = _usable_product(changes["product"], actor, errors, current=line.product)
    data = {k: v for k, v in changes.items() if k in LINE_FIELDS and k != "product"}
    for key in ("item_price", "currency", "quantity"):
        if key in data and data[key] in (None, ""):
            errors[key] = [_("This field is required.")]
            data.pop(key)
    cleaned = _clean_line(data, errors)
    if errors:
        raise _invalid(errors)
    diff: dict[str, list] = {}
    if product is not None and product.pk != line.product_id:
        # Names, not ids: the deal's timeline shows the change as it was.
        diff["product"] = [line.product.name, product.name]
        line.product = product
    for key, value in cleaned.items():
        before = getattr(line, key)
        if before != value:
            diff[key] = [_shown(key, before), _shown(key, value)]
            setattr(line, key, value)
    if not diff:
        return line
    line.save()
    record_event(
        events.DEAL_PRODUCT_CHANGED, subject=line.deal, actor=actor, data=_line_data(line, changes=diff)
    )
    return line


@transaction.atomic
def remove_deal_product(*, actor: User | None, line: DealProduct) -> None:
    """Take the product off the deal; the catalogue keeps it."""
    ensure_can_edit(actor, line.deal)
    line = (
        DealProduct.objects.select_for_update().select_related("product", "deal").filter(pk=line.pk).first()
    )
    if line is None:
        raise NotFound(_("This product is no longer on the deal."))
    data = _line_data(line)
    deal = line.deal
    line.delete()
    record_event(events.DEAL_PRODUCT_REMOVED, subject=deal, actor=actor, data=data)
