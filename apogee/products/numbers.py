"""Numbers of the catalogue as people type and read them (pure: no Django).

`to_decimal` reads what a form, the API or an import gives; `plain_number` and
`format_price` show quantities, percentages and prices.
"""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

CENT = Decimal("0.01")
# Swiss thousands separators (1’200.50, 1'200.50) and spaces are only for the eye.
_GROUPING = str.maketrans({"\u2019": None, "'": None, " ": None, "\u202f": None, "\xa0": None})


def to_decimal(raw: Any, *, places: int) -> Decimal | None:
    """The number `raw` stands for if it has at most `places` decimals, else None.

    Takes Decimals, ints, floats (as written: 1.5, never 1.4999…) and strings.
    """
    if raw is None or isinstance(raw, bool):
        return None
    if isinstance(raw, float):
        raw = repr(raw)
    text = str(raw).strip().translate(_GROUPING)
    if not text:
        return None
    try:
        value = Decimal(text)
        if not value.is_finite() or value.quantize(Decimal(1).scaleb(-places)) != value:
            return None
    except (InvalidOperation, ValueError):
        return None
    return value


def plain_number(value: Decimal | int | str) -> str:
    """2.000 → "2", 1.500 → "1.5", 12.50 → "12.5": how quantities and percentages read."""
    text = format(Decimal(value), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def format_quantity(value: Decimal | int | str) -> str:
    """1500.5 → "1’500.5": thousands grouped, no trailing zeros."""
    text = plain_number(value)
    whole, dot, decimals = text.partition(".")
    sign = "-" if whole.startswith("-") else ""
    grouped = f"{int(whole.lstrip('-') or 0):,}".replace(",", "\u2019")
    return f"{sign}{grouped}{dot}{decimals}"


def format_price(amount: Decimal | None, currency: str) -> str:
    """CHF 1’200.50: a unit price or a line total, to the cent (deal values are shown whole)."""
    if amount is None:
        return ""
    cents = Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP)
    return f"{currency} {cents:,}".replace(",", "\u2019")
