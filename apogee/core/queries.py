"""Reads of the shared kernel: exchange rates as plain values for money.convert_to_base."""

from collections import defaultdict
from datetime import date
from decimal import Decimal

from django.conf import settings

from .models import Currency, ExchangeRate
from .money import MissingExchangeRate, Rate, convert_to_base


def base_currency() -> str:
    return settings.APOGEE_BASE_CURRENCY


def active_currency_codes() -> list[str]:
    return list(Currency.objects.filter(is_active=True).values_list("code", flat=True))


def rates_by_currency() -> dict[str, list[Rate]]:
    """Every dated rate, one query; small (a few currencies times a few dates)."""
    table: dict[str, list[Rate]] = defaultdict(list)
    for code, valid_from, rate in ExchangeRate.objects.values_list(
        "currency__code", "valid_from", "rate_to_base"
    ):
        table[code].append(Rate(valid_from=valid_from, rate_to_base=rate))
    return dict(table)


class BaseConverter:
    """Converts many amounts with one rate lookup; a missing rate yields None, not a crash."""

    def __init__(self, on: date | None = None):
        self.base = base_currency()
        self.on = on or date.today()
        self.rates = rates_by_currency()

    def __call__(self, amount: Decimal | None, currency: str) -> Decimal | None:
        if amount is None:
            return None
        try:
            return convert_to_base(amount, currency, base=self.base, on=self.on, rates=self.rates)
        except MissingExchangeRate:
            return None
