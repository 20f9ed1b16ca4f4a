"""Numbers as people type and read them (apogee.products.numbers: pure, no database)."""

from decimal import Decimal

import pytest

from apogee.products.numbers import format_price, format_quantity, plain_number, to_decimal


@pytest.mark.parametrize(
    ("raw", "places", "expected"),
    [
        ("12.50", 2, Decimal("12.50")),
        ("1’200.5", 2, Decimal("1200.5")),
        ("1'200", 2, Decimal("1200")),
        (" 3 ", 3, Decimal("3")),
        (1.5, 3, Decimal("1.5")),
        (0.1, 2, Decimal("0.1")),
        (7, 2, Decimal("7")),
        (Decimal("2.500"), 2, Decimal("2.500")),
        ("1.001", 2, None),
        ("1,5", 2, None),
        ("NaN", 2, None),
        ("-Infinity", 2, None),
        ("1e999999", 2, None),
        ("", 2, None),
        (None, 2, None),
        (True, 2, None),
        ("ten", 2, None),
    ],
)
def test_to_decimal_reads_numbers_with_at_most_the_given_decimals(raw, places, expected):
    assert to_decimal(raw, places=places) == expected


def test_numbers_read_without_trailing_zeros_and_prices_to_the_cent():
    assert [plain_number(Decimal(v)) for v in ("2.000", "1.500", "100", "12.50", "0.00")] == [
        "2",
        "1.5",
        "100",
        "12.5",
        "0",
    ]
    assert format_quantity(Decimal("1234567.500")) == "1’234’567.5"
    assert format_quantity(Decimal("-1200")) == "-1’200"
    assert format_price(Decimal("1200.5"), "CHF") == "CHF 1’200.50"
    assert format_price(Decimal("-0.005"), "EUR") == "EUR -0.01"
    assert format_price(None, "EUR") == ""
