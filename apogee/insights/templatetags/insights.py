"""Formatting of report cells by column kind: counts, money in the base currency, rates, days."""

from decimal import Decimal

from django import template
from django.utils.formats import number_format

from apogee.core.money import format_money

register = template.Library()


@register.simple_tag
def report_cell(value, kind: str, currency: str = "") -> str:
    if value is None or value == "":
        return "—" if kind != "text" else ""
    if kind == "money":
        return format_money(Decimal(value), currency)
    if kind == "percent":
        return f"{number_format(value, 1)} %"
    if kind == "days":
        return number_format(value, 1)
    if kind == "count":
        return number_format(value, 0, force_grouping=True)
    return str(value)


@register.filter
def cells_with_columns(row, columns):
    """(value, column, link) triples of one row, for the table template."""
    return [
        (value, column, row.links.get(column.key)) for value, column in zip(row.cells, columns, strict=False)
    ]
