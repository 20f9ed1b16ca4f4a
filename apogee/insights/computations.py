"""The arithmetic of the reports, over plain values: funnel conversion, time in stage, periods.

Pure (no Django) so that the rules the sales director relies on are tested on hand-built
histories whose right answer is known. The queries gather the inputs in a bounded number
of aggregates and hand them here.

Rules:
- A deal *entered* a stage in a period when its history records a move into that stage in
  the period; revisits count once per deal.
- A deal *reached* a stage when it entered that stage or a later one (by position): a deal
  that skips "Proposal at customer" straight to "Negotiation" has passed through it for
  the funnel. Conversion from a stage to the next is reached(next) / reached(stage).
- Time in a stage is the sum of a deal's stays in it (a revisit adds up); a stay ends at the
  next move or when the deal is won or lost. A stay still running (an open deal in its
  current stage) is not counted: it would pull every average down.
"""

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

INTERVALS = ("week", "month", "quarter", "year")
SECONDS_PER_DAY = 86400


def rate(numerator: int, denominator: int) -> Decimal | None:
    """A percentage with one decimal, or None when there is nothing to divide by."""
    if not denominator:
        return None
    return (Decimal(numerator) * 100 / Decimal(denominator)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def median(values: Sequence[float]) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


@dataclass(frozen=True)
class FunnelStep:
    stage_id: int
    entered: int
    reached: int
    # Share of the deals that reached this stage and went on to reach the next one (or won, for the last).
    conversion: Decimal | None


def funnel_steps(
    stages: Sequence[tuple[int, int]],
    entered: Mapping[int, int],
    furthest_positions: Mapping[int, int],
    won: int,
) -> list[FunnelStep]:
    """`stages`: (stage id, position) in pipeline order; `entered`: distinct deals per stage id;
    `furthest_positions`: how many deals had each position as their furthest; `won`: deals of
    the cohort that are won."""
    reached = [sum(n for position, n in furthest_positions.items() if position >= pos) for _id, pos in stages]
    steps = []
    for index, (stage_id, _position) in enumerate(stages):
        following = reached[index + 1] if index + 1 < len(stages) else won
        steps.append(
            FunnelStep(
                stage_id=stage_id,
                entered=entered.get(stage_id, 0),
                reached=reached[index],
                conversion=rate(following, reached[index]),
            )
        )
    return steps


@dataclass(frozen=True)
class StageTime:
    deals: int
    mean_days: float | None
    median_days: float | None


def _days(delta: timedelta) -> float:
    return delta.total_seconds() / SECONDS_PER_DAY


def time_in_stages(
    moves: Iterable[tuple[int, int, datetime]],
    closed_at: Mapping[int, datetime | None],
    started_before: datetime | None = None,
) -> dict[int, StageTime]:
    """`moves`: (deal id, stage id entered, when), in any order; `closed_at`: when each deal was
    won or lost, None while open. Returns, per stage, the mean and median of each deal's total
    days in it. Stays that begin at or after `started_before` only end the stay before them."""
    by_deal: dict[int, list[tuple[datetime, int]]] = defaultdict(list)
    for deal_id, stage_id, at in moves:
        by_deal[deal_id].append((at, stage_id))
    per_stage: dict[int, list[float]] = defaultdict(list)
    for deal_id, history in by_deal.items():
        history.sort(key=lambda item: item[0])
        totals: dict[int, float] = defaultdict(float)
        for (at, stage_id), following in zip(history, [*history[1:], None], strict=True):
            ended = following[0] if following else closed_at.get(deal_id)
            if ended is None or (started_before is not None and at >= started_before):
                continue
            totals[stage_id] += max(_days(ended - at), 0.0)
        for stage_id, days in totals.items():
            per_stage[stage_id].append(days)
    return {
        stage_id: StageTime(deals=len(days), mean_days=mean(days), median_days=median(days))
        for stage_id, days in per_stage.items()
    }


def durations_in_days(pairs: Iterable[tuple[datetime, datetime]]) -> list[float]:
    """Days from the first moment to the second of each pair (creation to won)."""
    return [max(_days(end - start), 0.0) for start, end in pairs]


def bucket_start(day: date, interval: str) -> date:
    """The first day of the week (Monday), month, quarter or year that holds `day`."""
    if interval == "week":
        return day - timedelta(days=day.weekday())
    if interval == "month":
        return day.replace(day=1)
    if interval == "quarter":
        return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    if interval == "year":
        return date(day.year, 1, 1)
    raise ValueError(f"unknown interval {interval!r}")


def next_bucket(start: date, interval: str) -> date:
    if interval == "week":
        return start + timedelta(days=7)
    months = {"month": 1, "quarter": 3, "year": 12}[interval]
    month = start.month - 1 + months
    return date(start.year + month // 12, month % 12 + 1, 1)


def buckets_between(first: date, last: date, interval: str) -> list[date]:
    """Every bucket start from the one holding `first` to the one holding `last`, gaps included."""
    buckets = []
    current = bucket_start(first, interval)
    while current <= last:
        buckets.append(current)
        current = next_bucket(current, interval)
    return buckets


def bucket_end(start: date, interval: str) -> date:
    """The last day of the bucket that starts on `start`."""
    return next_bucket(start, interval) - timedelta(days=1)
