"""Board totals in the base currency, converted with the rate in force today (deals/board.py, core money)."""

from datetime import datetime
from decimal import Decimal

import pytest
import time_machine

from apogee.core.services import add_currency
from apogee.deals.board import build_board, totals_by_currency
from apogee.deals.models import Deal
from apogee.deals.queries import deals_visible_to
from tests.deals.factories import make_deal, stage

pytestmark = pytest.mark.django_db


@pytest.fixture
def mixed_currencies(sales_pipeline, salesperson):
    first = stage(sales_pipeline, "First contact")
    identified = stage(sales_pipeline, "Opportunity identified")
    make_deal(pipeline=sales_pipeline, owner=salesperson, stage=first, value="100000", currency="CHF")
    make_deal(pipeline=sales_pipeline, owner=salesperson, stage=first, value="100000", currency="EUR")
    make_deal(pipeline=sales_pipeline, owner=salesperson, stage=first, value="50000.50", currency="USD")
    make_deal(pipeline=sales_pipeline, owner=salesperson, stage=identified, value="1000", currency="EUR")
    make_deal(pipeline=sales_pipeline, owner=salesperson, stage=identified, value="1000", currency="EUR")


@pytest.mark.parametrize(
    ("today", "first_total", "first_weighted", "identified_total"),
    [
        # 2025 rates: EUR 0.94, USD 0.89; 10 % of 238500.45 rounds half up, as money does everywhere
        ("2025-06-01", Decimal("238500.45"), Decimal("23850.05"), Decimal("1880.00")),
        # 2026 rates: EUR 0.93, USD 0.80
        ("2026-06-01", Decimal("233000.40"), Decimal("23300.04"), Decimal("1860.00")),
    ],
)
def test_column_totals_use_the_rate_in_force_today(
    mixed_currencies, sales_pipeline, salesperson, today, first_total, first_weighted, identified_total
):
    with time_machine.travel(datetime.fromisoformat(f"{today}T12:00:00+00:00"), tick=False):
        board = build_board(sales_pipeline, deals_visible_to(salesperson))

    first, identified = board.columns[0], board.columns[1]
    assert board.base_currency == "CHF"
    assert (first.count, first.total, first.weighted, first.unconverted) == (
        3,
        first_total,
        first_weighted,
        0,
    )
    assert (identified.count, identified.total, identified.weighted) == (
        2,
        identified_total,
        identified_total / 5,
    )
    assert board.count == 5
    assert board.total == first_total + identified_total


def test_a_currency_without_a_rate_is_counted_but_left_out_of_the_total(sales_pipeline, salesperson):
    add_currency(code="GBP", name="Pound sterling", actor=None)
    make_deal(pipeline=sales_pipeline, owner=salesperson, value="1000", currency="CHF")
    make_deal(pipeline=sales_pipeline, owner=salesperson, value="5000", currency="GBP")

    board = build_board(sales_pipeline, deals_visible_to(salesperson))

    first = board.columns[0]
    assert (first.count, first.total, first.unconverted) == (2, Decimal("1000.00"), 1)


def test_totals_by_currency_are_not_converted(mixed_currencies):
    assert totals_by_currency(Deal.objects.all()) == {
        "CHF": Decimal("100000.00"),
        "EUR": Decimal("102000.00"),
        "USD": Decimal("50000.50"),
    }
