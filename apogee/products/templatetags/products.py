"""Template helpers of the product pages: prices to the cent, quantities without trailing zeros."""

from django import template

from apogee.products.numbers import format_price, format_quantity

register = template.Library()


@register.simple_tag
def price(amount, currency) -> str:
    if amount is None:
        return "—"
    return format_price(amount, currency)


@register.filter
def quantity(value) -> str:
    if value in (None, ""):
        return ""
    return format_quantity(value)
