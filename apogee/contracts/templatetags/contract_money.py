"""Amounts on contract pages: a negative change notice is shown with a minus sign and in red."""

from decimal import Decimal

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

from apogee.core.money import format_money

register = template.Library()


@register.simple_tag
def signed_money(amount, currency, plus: bool = False) -> str:
    """`plus` shows a + on positive amounts (change notices: what they add to the contract)."""
    if amount is None:
        return format_html('<span class="amount missing" title="{}">—</span>', _("No exchange rate"))
    amount = Decimal(amount)
    if amount < 0:
        return format_html(
            '<span class="amount negative" title="{}">\u2212{}</span>',
            _("Reduces the contract value"),
            format_money(-amount, currency),
        )
    sign = "+" if plus and amount > 0 else ""
    return format_html('<span class="amount">{}{}</span>', sign, format_money(amount, currency))
