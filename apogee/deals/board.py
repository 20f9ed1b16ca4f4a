"""The pipeline board and the deal list, read in a fixed number of queries whatever the deal count.

Per column: count, total and weighted total in the base currency (one grouped
query, converted with dated rates in Python), and the first cards (one indexed
query per non-empty column), each with the date of its next activity.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Sum
from django.utils import timezone

from apogee.activities.queries import next_activity_date
from apogee.core.queries import BaseConverter
from apogee.pipelines.models import Pipeline, Stage

from .models import Deal

CARDS_PER_COLUMN = 30
CENT = Decimal("0.01")


@dataclass
class Column:
    stage: Stage
    count: int = 0
    total: Decimal = Decimal(0)
    weighted: Decimal = Decimal(0)
    cards: list[Deal] = field(default_factory=list)
    unconverted: int = 0  # deals whose currency has no rate: left out of the totals, said on screen

    @property
    def hidden(self) -> int:
        return self.count - len(self.cards)


@dataclass
class Board:
    pipeline: Pipeline
    columns: list[Column]
    base_currency: str

    @property
    def count(self) -> int:
        return sum(c.count for c in self.columns)

    @property
    def total(self) -> Decimal:
        return sum((c.total for c in self.columns), Decimal(0))

    @property
    def weighted(self) -> Decimal:
        return sum((c.weighted for c in self.columns), Decimal(0))


def build_board(pipeline: Pipeline, deals, *, per_column: int = CARDS_PER_COLUMN) -> Board:
    """`deals` is an already permission-scoped and filtered queryset."""
    stages = list(pipeline.stages.order_by("position", "id"))
    columns = {s.pk: Column(stage=s) for s in stages}
    in_pipeline = deals.filter(pipeline=pipeline)
    convert = BaseConverter()

    sums = in_pipeline.order_by().values("stage_id", "currency").annotate(n=Count("id"), s=Sum("value"))
    for row in sums:
        column = columns.get(row["stage_id"])
        if column is None:
            continue
        column.count += row["n"]
        amount = convert(row["s"] or Decimal(0), row["currency"])
        if amount is None:
            column.unconverted += row["n"]
            continue
        column.total += amount
    for column in columns.values():
        column.weighted = (column.total * column.stage.probability / 100).quantize(
            CENT, rounding=ROUND_HALF_UP
        )

    # One short query per column, each walking the (stage, status, stage_entered_at) index and
    # stopping after `per_column` rows: cheaper at 100k deals than ranking every deal in one query.
    # The next activity's date rides along as a subquery: still one query per column.
    cards = (
        in_pipeline.select_related("organization", "owner")
        .annotate(next_activity_on=next_activity_date())
        .order_by("-stage_entered_at", "-id")
    )
    now = timezone.now()
    today = timezone.localdate(now)
    for stage in stages:
        column = columns[stage.pk]
        # Even empty columns are asked: the query count then depends on the stages only.
        for deal in cards.filter(stage=stage)[:per_column]:
            deal.stage = stage
            deal.rotting = deal.is_rotting(now)
            deal.deadline = deal.deadline_warning(now)
            deal.next_activity_overdue = deal.next_activity_on is not None and deal.next_activity_on < today
            column.cards.append(deal)
    return Board(pipeline=pipeline, columns=[columns[s.pk] for s in stages], base_currency=convert.base)


def totals_by_currency(deals) -> dict[str, Decimal]:
    result: dict[str, Decimal] = defaultdict(Decimal)
    for row in deals.order_by().values("currency").annotate(s=Sum("value")):
        result[row["currency"]] += row["s"] or Decimal(0)
    return dict(result)
