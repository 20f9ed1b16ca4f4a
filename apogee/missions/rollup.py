"""Mission roll-up arithmetic over plain values: counts, total and expected value of a mission's deals.

Pure functions (no Django), so the pages, the API and the tests share one rule.

- Count: every deal, by status (open, won, lost).
- Total value: open and won deals, in the base currency. Lost deals are out.
- Expected value: an open deal counts at value × its stage probability × the mission's
  go-ahead probability (two independent chances: that the procurement happens, and that
  we win our part). A won deal is certain: the procurement happened and we have the
  contract, so it counts at its full value, not multiplied by either probability.
- A deal whose currency has no exchange rate is counted, but left out of both sums and
  reported in `unconverted_count`, so a page can say the totals are incomplete.

Amounts are converted one by one (rounded to cents, as the board's totals are); the
expected value is summed unrounded and rounded once, to cents, half up.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from apogee.core.money import CENT, MissingExchangeRate, Rate, convert_to_base

OPEN, WON, LOST = "open", "won", "lost"
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class MemberDeal:
    status: str
    value: Decimal
    currency: str
    stage_probability: int


@dataclass(frozen=True)
class RollUp:
    open_count: int = 0
    won_count: int = 0
    lost_count: int = 0
    total_value: Decimal = Decimal("0.00")
    expected_value: Decimal = Decimal("0.00")
    unconverted_count: int = 0

    @property
    def count(self) -> int:
        return self.open_count + self.won_count + self.lost_count


EMPTY = RollUp()


def _check_probability(name: str, value: int) -> None:
    if not 0 <= value <= 100:
        raise ValueError(f"{name} must be between 0 and 100, not {value}")


def expected_value_of(
    *, value_in_base: Decimal, status: str, stage_probability: int, go_ahead_probability: int
) -> Decimal:
    """One deal's contribution to the expected value, unrounded."""
    if status == WON:
        return value_in_base
    if status != OPEN:
        return Decimal(0)
    return value_in_base * Decimal(stage_probability) / HUNDRED * Decimal(go_ahead_probability) / HUNDRED


def roll_up(
    deals: Iterable[MemberDeal],
    *,
    go_ahead_probability: int,
    base: str,
    on: date,
    rates: Mapping[str, Sequence[Rate]],
) -> RollUp:
    _check_probability("go_ahead_probability", go_ahead_probability)
    counts = {OPEN: 0, WON: 0, LOST: 0}
    total = Decimal(0)
    expected = Decimal(0)
    unconverted = 0
    for deal in deals:
        if deal.status not in counts:
            raise ValueError(f"Unknown deal status {deal.status!r}")
        _check_probability("stage_probability", deal.stage_probability)
        counts[deal.status] += 1
        if deal.status == LOST:
            continue
        try:
            in_base = convert_to_base(deal.value, deal.currency, base=base, on=on, rates=rates)
        except MissingExchangeRate:
            unconverted += 1
            continue
        total += in_base
        expected += expected_value_of(
            value_in_base=in_base,
            status=deal.status,
            stage_probability=deal.stage_probability,
            go_ahead_probability=go_ahead_probability,
        )
    return RollUp(
        open_count=counts[OPEN],
        won_count=counts[WON],
        lost_count=counts[LOST],
        total_value=total.quantize(CENT, rounding=ROUND_HALF_UP),
        expected_value=expected.quantize(CENT, rounding=ROUND_HALF_UP),
        unconverted_count=unconverted,
    )


def add_roll_ups(roll_ups: Iterable[RollUp]) -> RollUp:
    """The roll-up of several missions together (a year's subtotal): plain sums."""
    result = EMPTY
    for r in roll_ups:
        result = RollUp(
            open_count=result.open_count + r.open_count,
            won_count=result.won_count + r.won_count,
            lost_count=result.lost_count + r.lost_count,
            total_value=result.total_value + r.total_value,
            expected_value=result.expected_value + r.expected_value,
            unconverted_count=result.unconverted_count + r.unconverted_count,
        )
    return result
