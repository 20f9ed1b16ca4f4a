"""Template helpers of the offers section: amounts in short form for the lineage line."""

from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.utils.translation import gettext as _

register = template.Library()


def compact_amount(amount: Decimal) -> str:
    """1200000 → "1.2 M", 1450000 → "1.45 M", 85000 → "85 k", 950 → "950"."""
    amount = Decimal(amount)
    size = abs(amount)
    for threshold, unit in ((Decimal(10**9), _("bn")), (Decimal(10**6), _("M")), (Decimal(10**3), _("k"))):
        if size >= threshold:
            scaled = (amount / threshold).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
            text = f"{scaled:f}".rstrip("0").rstrip(".")
            return f"{text} {unit}"
    return f"{amount.quantize(Decimal(1), rounding=ROUND_HALF_UP):f}"


@register.simple_tag
def compact_money(amount, currency) -> str:
    if amount is None:
        return "—"
    return f"{compact_amount(amount)} {currency}"


@register.simple_tag
def offer_kind_short(offer) -> str:
    """How the lineage line names an offer: "ROM", "firm offer"…"""
    return {
        "rom": _("ROM"),
        "budgetary": _("budgetary offer"),
        "firm": _("firm offer"),
        "ccn_quote": _("CCN quote"),
    }.get(offer.offer_type, offer.offer_type)


@register.filter
def offer_year(offer) -> int:
    """The year an offer belongs to: when it was submitted, else when it was written."""
    return (offer.submitted_on or offer.created_at).year
