"""The roll-up arithmetic on hand-built cases: no database."""

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from apogee.core.money import Rate
from apogee.missions.rollup import EMPTY, MemberDeal, RollUp, add_roll_ups, roll_up

ON = date(2026, 6, 1)
RATES = {
    "EUR": [Rate(date(2025, 1, 1), Decimal("0.9400")), Rate(date(2026, 1, 1), Decimal("0.9300"))],
    "USD": [Rate(date(2026, 1, 1), Decimal("0.8000"))],
}


def _roll(deals, go_ahead=50, on=ON):
    return roll_up(deals, go_ahead_probability=go_ahead, base="CHF", on=on, rates=RATES)


def test_no_deals_is_an_empty_roll_up():
    assert _roll([]) == EMPTY
    assert EMPTY.count == 0


def test_open_deal_counts_at_value_times_stage_times_go_ahead_probability():
    result = _roll([MemberDeal("open", Decimal("100000"), "CHF", 50)], go_ahead=40)

    assert result == RollUp(
        open_count=1, total_value=Decimal("100000.00"), expected_value=Decimal("20000.00")
    )


def test_won_deal_counts_at_its_full_value_not_times_go_ahead():
    result = _roll(
        [MemberDeal("won", Decimal("250000"), "CHF", 80), MemberDeal("open", Decimal("100000"), "CHF", 20)],
        go_ahead=50,
    )

    assert result.won_count == 1
    assert result.open_count == 1
    assert result.total_value == Decimal("350000.00")
    assert result.expected_value == Decimal("260000.00")  # 250000 + 100000 × 20% × 50%


def test_lost_deals_are_counted_but_add_no_value():
    result = _roll(
        [MemberDeal("lost", Decimal("900000"), "CHF", 60), MemberDeal("open", Decimal("1000"), "CHF", 10)]
    )

    assert (result.open_count, result.won_count, result.lost_count) == (1, 0, 1)
    assert result.count == 2
    assert result.total_value == Decimal("1000.00")
    assert result.expected_value == Decimal("50.00")


def test_other_currencies_convert_at_the_rate_in_force_on_the_day():
    deals = [MemberDeal("open", Decimal("100000"), "EUR", 50), MemberDeal("won", Decimal("1000"), "USD", 0)]

    this_year = _roll(deals, go_ahead=80)
    last_year = _roll(deals[:1], go_ahead=80, on=date(2025, 6, 1))

    # 100000 EUR × 0.93 = 93000 CHF; × 50% × 80% = 37200; the won 1000 USD × 0.80 = 800 in full.
    assert this_year.total_value == Decimal("93800.00")
    assert this_year.expected_value == Decimal("38000.00")
    assert last_year.total_value == Decimal("94000.00")
    assert last_year.expected_value == Decimal("37600.00")


def test_a_currency_without_rate_is_counted_but_left_out_of_the_sums():
    result = _roll(
        [MemberDeal("open", Decimal("5000"), "GBP", 50), MemberDeal("open", Decimal("2000"), "CHF", 50)]
    )

    assert result.open_count == 2
    assert result.unconverted_count == 1
    assert result.total_value == Decimal("2000.00")
    assert result.expected_value == Decimal("500.00")


def test_expected_value_is_summed_exactly_then_rounded_once_half_up():
    # Two contributions of 0.01 × 50% × 100% = 0.005 make 0.01; rounding each first would give 0.02.
    # Three of 33.33 × 33% × 50% = 5.499225 make 16.497675 → 16.50.
    halves = [MemberDeal("open", Decimal("0.01"), "CHF", 50)] * 2

    assert _roll(halves, go_ahead=100).expected_value == Decimal("0.01")
    assert _roll([MemberDeal("open", Decimal("33.33"), "CHF", 33)] * 3).expected_value == Decimal("16.50")


def test_go_ahead_zero_leaves_only_won_deals_expected():
    result = _roll(
        [MemberDeal("open", Decimal("100000"), "CHF", 90), MemberDeal("won", Decimal("10"), "CHF", 90)],
        go_ahead=0,
    )

    assert result.expected_value == Decimal("10.00")
    assert result.total_value == Decimal("100010.00")


@pytest.mark.parametrize("go_ahead, stage", [(-1, 50), (101, 50), (50, 101), (50, -5)])
def test_probabilities_outside_0_to_100_are_refused(go_ahead, stage):
    with pytest.raises(ValueError):
        _roll([MemberDeal("open", Decimal("1"), "CHF", stage)], go_ahead=go_ahead)


def test_unknown_status_is_refused():
    with pytest.raises(ValueError):
        _roll([MemberDeal("pending", Decimal("1"), "CHF", 10)])


def test_year_subtotal_adds_the_missions_up():
    a = RollUp(1, 2, 3, Decimal("10.00"), Decimal("5.00"), 0)
    b = RollUp(4, 0, 1, Decimal("1.50"), Decimal("0.25"), 2)

    assert add_roll_ups([a, b]) == RollUp(5, 2, 4, Decimal("11.50"), Decimal("5.25"), 2)
    assert add_roll_ups([]) == EMPTY


deal_strategy = st.builds(
    MemberDeal,
    status=st.sampled_from(["open", "won", "lost"]),
    value=st.decimals(min_value=0, max_value=10**9, places=2),
    currency=st.sampled_from(["CHF", "EUR", "USD", "GBP"]),
    stage_probability=st.integers(0, 100),
)


# No deadline: the machine is shared, and a slow example is not a wrong one.
@settings(deadline=None)
@given(st.lists(deal_strategy, max_size=20), st.integers(0, 100))
def test_expected_value_never_exceeds_total_and_counts_add_up(deals, go_ahead):
    result = _roll(deals, go_ahead=go_ahead)

    assert Decimal(0) <= result.expected_value <= result.total_value
    assert result.count == len(deals)
    assert result.unconverted_count == sum(1 for d in deals if d.currency == "GBP" and d.status != "lost")
