"""Money arithmetic over plain values: conversion to the base currency with dated rates."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


class MissingExchangeRate(LookupError):
    def __init__(self, currency: str, on: date):
        super().__init__(f"No exchange rate for {currency} on or before {on.isoformat()}")
        self.currency = currency
        self.on = on


@dataclass(frozen=True)
class Rate:
    valid_from: date
    rate_to_base: Decimal


def rate_on(rates: Sequence[Rate], on: date) -> Rate | None:
    """The rate in force on `on`: the latest one that started on or before it."""
    best = None
    for rate in rates:
        if rate.valid_from <= on and (best is None or rate.valid_from > best.valid_from):
            best = rate
    return best


def convert_to_base(
    amount: Decimal, currency: str, *, base: str, on: date, rates: Mapping[str, Sequence[Rate]]
) -> Decimal:
    """`amount` in `currency`, expressed in `base` at the rate in force on `on`, rounded to cents."""
    if currency == base:
        return amount.quantize(CENT, rounding=ROUND_HALF_UP)
    rate = rate_on(rates.get(currency, ()), on)
    if rate is None:
        raise MissingExchangeRate(currency, on)
    return (amount * rate.rate_to_base).quantize(CENT, rounding=ROUND_HALF_UP)


def format_money(amount: Decimal | None, currency: str) -> str:
    if amount is None:
        return ""
    whole = f"{amount.quantize(Decimal(1), rounding=ROUND_HALF_UP):,}".replace(",", "\u2019")
    return f"{currency} {whole}"
