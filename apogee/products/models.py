"""The product catalogue and the products on a deal.

A product has list prices, at most one per currency, and may belong to a product line
(an option of the deal custom field "product_line"). Archiving a product takes it out
of the pickers; the deals that carry it keep it. A deal's product lines copy the price
they were sold at, so a later change to the catalogue never rewrites an old deal.
"""

from decimal import ROUND_HALF_UP, Decimal

from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from apogee.core.models import TimeStampedModel
from apogee.deals.models import Deal

CENT = Decimal("0.01")
HUNDRED = Decimal(100)


class Product(TimeStampedModel):
    name = models.CharField(_("name"), max_length=200)
    code = models.CharField(_("code"), max_length=60, blank=True)
    unit = models.CharField(_("unit"), max_length=30, blank=True)
    description = models.TextField(_("description"), blank=True)
    # [{"amount": "1200.00", "currency": "CHF"}], at most one per currency; the first is the default.
    prices = models.JSONField(_("prices"), default=list, blank=True)
    # An option key of the deal custom field "product_line", or "".
    product_line = models.CharField(_("product line"), max_length=60, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name", "id"]
        indexes = [
            # The catalogue and the pickers list active (or archived) products by name.
            models.Index(fields=["is_active", "name"], name="product_active_name"),
            models.Index(fields=["product_line"], name="product_line_idx"),
        ]
        constraints = [
            # Codes are compared as people read them: "MOT-1" and "mot-1" are one code.
            models.UniqueConstraint(Lower("code"), condition=~Q(code=""), name="product_code_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})" if self.code else self.name

    def price_in(self, currency: str) -> Decimal | None:
        for price in self.prices or []:
            if price.get("currency") == currency:
                return Decimal(str(price["amount"]))
        return None


class DealProduct(TimeStampedModel):
    """One product on a deal: how many, at what unit price, with what discount."""

    deal = models.ForeignKey(
        Deal, on_delete=models.CASCADE, related_name="product_lines", verbose_name=_("deal")
    )
    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, related_name="deal_lines", verbose_name=_("product")
    )
    quantity = models.DecimalField(_("quantity"), max_digits=12, decimal_places=3, default=Decimal(1))
    item_price = models.DecimalField(_("unit price"), max_digits=14, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3)
    discount_percent = models.DecimalField(
        _("discount (%)"), max_digits=5, decimal_places=2, default=Decimal(0)
    )
    comment = models.TextField(_("comment"), blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["deal", "position", "id"]
        indexes = [models.Index(fields=["deal", "position"], name="dealproduct_deal_position")]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="dealproduct_quantity_positive"),
            models.CheckConstraint(
                condition=Q(discount_percent__gte=0, discount_percent__lte=100),
                name="dealproduct_discount_0_100",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product_id} ×{self.quantity} on deal {self.deal_id}"

    @property
    def total(self) -> Decimal:
        gross = Decimal(self.quantity) * Decimal(self.item_price)
        net = gross * (1 - Decimal(self.discount_percent) / HUNDRED)
        return net.quantize(CENT, rounding=ROUND_HALF_UP)
