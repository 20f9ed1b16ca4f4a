"""Template helpers shared by every page: money display."""

from decimal import Decimal

from django import template

from apogee.core.money import format_money

register = template.Library()


@register.simple_tag
def money(amount, currency) -> str:
    if amount is None:
        return "—"
    return format_money(Decimal(amount), currency)
