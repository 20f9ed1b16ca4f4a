"""Forms of the catalogue and of a deal's products: they parse what the browser sends;
the services validate and write."""

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from apogee.core.errors import DomainError
from apogee.core.queries import active_currency_codes, base_currency
from apogee.deals.models import Deal

from .models import DealProduct, Product
from .numbers import plain_number, to_decimal
from .queries import STATUSES, active_products, product_line_choices, product_line_definition
from .services import MAX_CODE, MAX_COMMENT, MAX_DESCRIPTION, MAX_NAME, MAX_UNIT

PRICE_PREFIX = "price_"


class _DomainErrorsMixin:
    def add_domain_error(self, error: DomainError) -> None:
        attached = False
        for name, messages in error.fields.items():
            if name in self.fields:
                for message in messages:
                    self.add_error(name, message)
                attached = True
        if not attached:
            self.add_error(None, error.message)
            for messages in error.fields.values():
                for message in messages:
                    self.add_error(None, message)


def _decimal_input(**attrs) -> forms.TextInput:
    return forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off", **attrs})


class ProductForm(_DomainErrorsMixin, forms.Form):
    """A product of the catalogue; one price field per currency (the workspace's and the product's own)."""

    name = forms.CharField(label=_("Name"), max_length=MAX_NAME)
    code = forms.CharField(
        label=_("Code"),
        max_length=MAX_CODE,
        required=False,
        help_text=_("Your article number; unique when given."),
    )
    unit = forms.CharField(
        label=_("Unit"), max_length=MAX_UNIT, required=False, help_text=_("e.g. piece, hour, licence.")
    )
    product_line = forms.ChoiceField(label=_("Product line"), required=False)
    description = forms.CharField(
        label=_("Description"),
        max_length=MAX_DESCRIPTION,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, product: Product | None = None, **kwargs):
        if product is not None and "initial" not in kwargs:
            kwargs["initial"] = self.initial_for(product)
        super().__init__(*args, **kwargs)
        definition = product_line_definition()
        keep = product.product_line if product is not None else ""
        choices = product_line_choices(definition, keep=keep)
        if choices:
            self.fields["product_line"].choices = [("", "—"), *choices]
            self.fields["product_line"].help_text = _(
                "The qualification field of deals offers the same lines."
            )
        else:
            del self.fields["product_line"]
        self.currencies = self._currencies(product)
        for code in self.currencies:
            self.fields[PRICE_PREFIX + code] = forms.CharField(
                label=_("Price in %s") % code, required=False, max_length=30, widget=_decimal_input()
            )
        # Prices sit between the unit and the description, in the keyboard order too.
        order = ["name", "code", "unit", "product_line", *(PRICE_PREFIX + c for c in self.currencies)]
        self.order_fields([name for name in order if name in self.fields])

    @staticmethod
    def _currencies(product: Product | None) -> list[str]:
        base = base_currency()
        codes = sorted(set(active_currency_codes()) | {base}, key=lambda c: (c != base, c))
        for price in (product.prices if product is not None else None) or []:
            if price.get("currency") not in codes:
                codes.append(price["currency"])
        return codes

    @staticmethod
    def initial_for(product: Product) -> dict:
        initial = {
            "name": product.name,
            "code": product.code,
            "unit": product.unit,
            "product_line": product.product_line,
            "description": product.description,
        }
        for price in product.prices or []:
            initial[PRICE_PREFIX + price["currency"]] = price["amount"]
        return initial

    def price_fields(self):
        return [self[PRICE_PREFIX + code] for code in self.currencies]

    def clean(self):
        data = super().clean()
        for code in self.currencies:
            name = PRICE_PREFIX + code
            raw = (data.get(name) or "").strip()
            amount = to_decimal(raw, places=2) if raw else None
            if raw and (amount is None or amount < 0):
                self.add_error(name, _("Enter an amount of 0 or more, with at most two decimals."))
        return data

    def service_fields(self) -> dict:
        data = self.cleaned_data
        prices = [
            {"amount": data[PRICE_PREFIX + code].strip(), "currency": code}
            for code in self.currencies
            if (data.get(PRICE_PREFIX + code) or "").strip()
        ]
        fields = {
            "name": data["name"],
            "code": data.get("code", ""),
            "unit": data.get("unit", ""),
            "description": data.get("description", ""),
            "prices": prices,
        }
        if "product_line" in self.fields:
            fields["product_line"] = data.get("product_line", "")
        return fields

    def add_domain_error(self, error: DomainError) -> None:
        if "prices" in error.fields and self.currencies:
            # The form builds the list itself: a price it let through is wrong as a whole, say so on top.
            for message in error.fields.pop("prices"):
                self.add_error(None, message)
        super().add_domain_error(error)


class CatalogueFilter(forms.Form):
    q = forms.CharField(required=False, max_length=100)
    status = forms.ChoiceField(required=False, choices=[(s, s) for s in STATUSES])

    def values(self) -> tuple[str, str]:
        if not self.is_valid():
            return "", "active"
        return (self.cleaned_data.get("q") or "").strip(), self.cleaned_data.get("status") or "active"


class _ProductChoice(forms.ModelChoiceField):
    def label_from_instance(self, product: Product) -> str:
        return str(product)


class DealProductForm(_DomainErrorsMixin, forms.Form):
    """A product on a deal. An empty unit price takes the catalogue's price."""

    product = _ProductChoice(
        label=_("Product"), queryset=Product.objects.none(), empty_label=_("Choose a product")
    )
    quantity = forms.CharField(label=_("Quantity"), max_length=30, initial="1", widget=_decimal_input())
    item_price = forms.CharField(
        label=_("Unit price"),
        max_length=30,
        required=False,
        widget=_decimal_input(),
        help_text=_("Filled in from the catalogue; leave empty for the catalogue's price."),
    )
    currency = forms.ChoiceField(label=_("Currency"))
    discount_percent = forms.CharField(
        label=_("Discount (%)"), max_length=30, required=False, initial="0", widget=_decimal_input()
    )
    comment = forms.CharField(
        label=_("Comment"), max_length=MAX_COMMENT, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, deal: Deal, line: DealProduct | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if line is None:
            self.fields["product"].queryset = active_products()
        else:
            # An archived product stays on the deals that have it, and in their edit form.
            self.fields["product"].queryset = Product.objects.filter(
                Q(is_active=True) | Q(pk=line.product_id)
            ).order_by("name", "id")
            self.fields["item_price"].required = True
            self.fields["item_price"].help_text = ""
        codes = list(active_currency_codes())
        for code in (deal.currency, line.currency if line is not None else None):
            if code and code not in codes:
                codes.append(code)
        self.fields["currency"].choices = [(c, c) for c in codes]
        if not self.is_bound and not self.initial.get("currency"):
            self.initial["currency"] = deal.currency

    @staticmethod
    def initial_for(line: DealProduct) -> dict:
        return {
            "product": line.product_id,
            "quantity": plain_number(line.quantity),
            "item_price": line.item_price,
            "currency": line.currency,
            "discount_percent": plain_number(line.discount_percent),
            "comment": line.comment,
        }

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        if not self.fields["item_price"].required and not (data.get("item_price") or "").strip():
            # No price typed: the service takes the catalogue's, in its currency.
            data["item_price"] = None
            data["currency"] = None
        data["discount_percent"] = data.get("discount_percent") or "0"
        return data
