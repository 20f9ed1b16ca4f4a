"""Conversion to the base currency with dated rates (core/money.py): pure, no database."""

from datetime import date
from decimal import Decimal

import pytest

from apogee.core.money import MissingExchangeRate, Rate, convert_to_base, format_money, rate_on

RATES = {
    "EUR": [
        Rate(valid_from=date(2026, 1, 1), rate_to_base=Decimal("0.93")),
        Rate(valid_from=date(2025, 1, 1), rate_to_base=Decimal("0.94")),
        Rate(valid_from=date(2025, 7, 1), rate_to_base=Decimal("0.9512")),
    ],
}


@pytest.mark.parametrize(
    ("_case", "on", "converted"),
    [
        ("first day of the first rate", date(2025, 1, 1), Decimal("940.00")),
        ("before a later rate", date(2025, 6, 30), Decimal("940.00")),
        ("from the day a rate starts", date(2025, 7, 1), Decimal("951.20")),
        ("last rate stays in force", date(2027, 5, 5), Decimal("930.00")),
    ],
)
def test_the_rate_in_force_on_the_date_is_used(_case, on, converted):
    assert convert_to_base(Decimal("1000"), "EUR", base="CHF", on=on, rates=RATES) == converted


def test_result_is_rounded_half_up_to_cents():
    rates = {"USD": [Rate(valid_from=date(2025, 1, 1), rate_to_base=Decimal("0.8"))]}

    assert convert_to_base(
        Decimal("10.00625"), "USD", base="CHF", on=date(2026, 1, 1), rates=rates
    ) == Decimal("8.01")
    assert convert_to_base(
        Decimal("0.00625"), "USD", base="CHF", on=date(2026, 1, 1), rates=rates
    ) == Decimal("0.01")


def test_before_the_first_rate_the_rate_is_missing():
    with pytest.raises(MissingExchangeRate) as missing:
        convert_to_base(Decimal("1000"), "EUR", base="CHF", on=date(2024, 12, 31), rates=RATES)

    assert (missing.value.currency, missing.value.on) == ("EUR", date(2024, 12, 31))
    assert str(missing.value) == "No exchange rate for EUR on or before 2024-12-31"


def test_a_currency_without_any_rate_is_missing():
    with pytest.raises(MissingExchangeRate):
        convert_to_base(Decimal("1"), "USD", base="CHF", on=date(2026, 1, 1), rates=RATES)


def test_the_base_currency_is_unchanged_but_rounded_to_cents():
    assert convert_to_base(Decimal("1234.565"), "CHF", base="CHF", on=date(2000, 1, 1), rates={}) == Decimal(
        "1234.57"
    )
    assert convert_to_base(Decimal("-0.005"), "CHF", base="CHF", on=date(2000, 1, 1), rates={}) == Decimal(
        "-0.01"
    )


def test_rate_on_picks_the_latest_start_on_or_before_the_day():
    assert rate_on(RATES["EUR"], date(2025, 12, 31)) == RATES["EUR"][2]
    assert rate_on(RATES["EUR"], date(2024, 1, 1)) is None
    assert rate_on([], date(2024, 1, 1)) is None


def test_format_money_uses_the_swiss_thousands_separator():
    assert format_money(Decimal("1234567.5"), "CHF") == "CHF 1’234’568"
    assert format_money(Decimal("-950"), "EUR") == "EUR -950"
    assert format_money(None, "EUR") == ""
