"""Fill a database with N deals across the demo pipelines, in bulk, deterministically.

bulk_create bypasses the search index's receivers, so the deals are indexed afterwards in bulk.
With `history=True` every deal that has no stage history yet gets one (see add_stage_history),
about ten StageChange rows per deal, for the insights reports.
"""

import random
import time
from contextlib import contextmanager
from datetime import timedelta
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from apogee.accounts.models import User
from apogee.contacts.models import Organization
from apogee.deals.models import Deal, DealStatus, StageChange, Visibility
from apogee.pipelines.models import Stage
from apogee.search.indexing import rebuild_index
from apogee.workspace.demo import seed_demo

BATCH = 5000


def generate(deals: int, *, history: bool = False) -> None:
    seed_demo()
    rng = random.Random(7)
    stages = list(Stage.objects.select_related("pipeline"))
    owners = list(User.objects.all())
    organizations = list(Organization.objects.all())
    now = timezone.now()
    existing = Deal.objects.count()
    with transaction.atomic():
        batch = []
        for index in range(existing, deals):
            stage = rng.choice(stages)
            roll = rng.random()
            status = DealStatus.OPEN if roll < 0.6 else (DealStatus.WON if roll < 0.8 else DealStatus.LOST)
            batch.append(
                Deal(
                    title=f"Bench deal {index:07d}",
                    pipeline_id=stage.pipeline_id,
                    stage=stage,
                    status=status,
                    value=Decimal(rng.randrange(1000, 3_000_000)),
                    currency=rng.choice(["CHF", "EUR", "EUR", "USD"]),
                    owner=rng.choice(owners),
                    organization=rng.choice(organizations),
                    expected_close_date=(now + timedelta(days=rng.randint(-100, 900))).date(),
                    stage_entered_at=now - timedelta(days=rng.randint(0, 400)),
                    custom_values={
                        "opportunity_type": rng.choice(["esa", "institutional", "national", "commercial"]),
                        "market_sector": rng.choice(["space", "space", "watchmaking", "automotive"]),
                        "product_line": rng.sample(["mechanisms", "structures", "motor", "batteries"], k=2),
                        "offer_type": "firm",
                    },
                )
            )
            if len(batch) == BATCH:
                Deal.objects.bulk_create(batch)
                batch = []
        if batch:
            Deal.objects.bulk_create(batch)
    if existing < deals:
        started = time.perf_counter()
        rebuild_index(kinds=["deal"], batch_size=BATCH)
        print(f"search index: {deals} deals indexed in {time.perf_counter() - started:.1f}s")
    if history:
        started = time.perf_counter()
        added = add_stage_history()
        print(f"stage history: {added} stage changes written in {time.perf_counter() - started:.1f}s")


HISTORY_YEARS = 6
HISTORY_BATCH = 20_000
# Back-one moves per deal, uniform in 0..MAX_DETOURS: each costs a move back and one forward
# again, which brings the average to about ten rows per deal over pipelines of four to six stages.
MAX_DETOURS = 7
SKIP_CHANCE = 0.15
BACK_CHANCE = 0.45


def stage_walk(rng: random.Random, last: int, target: int) -> list[int]:
    """Stage indexes a deal moves to after its creation in stage 0, ending at `target`.

    Mostly one stage forward, sometimes two (a skipped stage), sometimes one back; a deal may
    reach beyond its current stage and come back to it. `last` is the pipeline's last index.
    """
    detours = rng.randint(0, MAX_DETOURS) if last > 0 else 0
    position, path = 0, []
    while position != target or detours:
        if detours and position > 0 and (position == last or rng.random() < BACK_CHANCE):
            position -= 1
            detours -= 1
        elif position < target or (detours and position < last):
            ceiling = last if detours else target
            position += 2 if position + 2 <= ceiling and rng.random() < SKIP_CHANCE else 1
        else:
            position -= 1
        path.append(position)
    return path


@contextmanager
def _large_sqlite_cache():
    """A 256 MB page cache while writing: with SQLite's 2 MB, inserting 1M rows into six indexes
    re-reads pages from the OS: 124 s instead of 91 s at 100k deals. Restored after, so pages are timed
    with the settings they run with."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        (previous,) = cursor.fetchone()
        cursor.execute("PRAGMA cache_size = -262144")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(previous)}")


def add_stage_history() -> int:
    """Give every deal without a stage history a plausible one; returns the rows written.

    A creation move into the pipeline's first stage at a moment spread over the last six
    years, then the moves of stage_walk spread over the deal's life (up to eighteen months),
    ending in the deal's current stage. The deal is updated to agree: created_at is the
    creation, stage_entered_at the last move, won_at / lost_at a while after it. One deal in
    seven is visible to its owner only and one in seven to the owner's team, so that a
    member's reports filter something. Deterministic: one seeded generator, deals in id order.
    """
    rng = random.Random(11)
    stages: dict[int, list[int]] = {}
    for stage_id, pipeline_id in Stage.objects.order_by("position", "id").values_list("pk", "pipeline_id"):
        stages.setdefault(pipeline_id, []).append(stage_id)
    bare = (
        Deal.objects.filter(~Exists(StageChange.objects.filter(deal=OuterRef("pk"))))
        .order_by("pk")
        .values_list("pk", "pipeline_id", "stage_id", "status", "owner_id")
    )
    now = timezone.now()
    span = HISTORY_YEARS * 365 * 86400
    adapt = connection.ops.adapt_datetimefield_value
    quote = connection.ops.quote_name
    columns = ("created_at", "stage_entered_at", "won_at", "lost_at", "visibility")
    update = (
        f"UPDATE {quote(Deal._meta.db_table)} SET "  # noqa: S608 - constant names only
        + ", ".join(f"{quote(Deal._meta.get_field(c).column)} = %s" for c in columns)
        + f" WHERE {quote(Deal._meta.pk.column)} = %s"
    )
    written = 0
    changes: list[StageChange] = []
    updates: list[tuple] = []

    def flush() -> None:
        nonlocal written
        StageChange.objects.bulk_create(changes, batch_size=BATCH)
        with connection.cursor() as cursor:
            cursor.executemany(update, updates)
        written += len(changes)
        changes.clear()
        updates.clear()

    with transaction.atomic(), _large_sqlite_cache():
        # Read first: SQLite should not be written to while a cursor over the same tables is open.
        for deal_id, pipeline_id, stage_id, status, owner_id in list(bare):
            order = stages[pipeline_id]
            path = stage_walk(rng, len(order) - 1, order.index(stage_id))
            created = now - timedelta(seconds=rng.uniform(86400, span))
            life = min(now - created, timedelta(days=rng.uniform(20, 540)))
            # One gap before each move, and one after the last: the stay in the current stage
            # until now (open) or until the deal was won or lost.
            gaps = [rng.expovariate(1.0) for _ in range(len(path) + 1)]
            scale = life / sum(gaps)
            moment = created
            changes.append(
                StageChange(
                    deal_id=deal_id,
                    from_stage_id=None,
                    to_stage_id=order[0],
                    changed_by_id=owner_id,
                    changed_at=created,
                )
            )
            previous = 0
            for index, gap in zip(path, gaps, strict=False):
                moment += gap * scale
                changes.append(
                    StageChange(
                        deal_id=deal_id,
                        from_stage_id=order[previous],
                        to_stage_id=order[index],
                        changed_by_id=owner_id,
                        changed_at=moment,
                    )
                )
                previous = index
            closed = created + life
            roll = rng.random()
            visibility = (
                Visibility.OWNER if roll < 1 / 7 else Visibility.TEAM if roll < 2 / 7 else Visibility.EVERYONE
            )
            updates.append(
                (
                    adapt(created),
                    adapt(moment),
                    adapt(closed) if status == DealStatus.WON else None,
                    adapt(closed) if status == DealStatus.LOST else None,
                    str(visibility),
                    deal_id,
                )
            )
            if len(changes) >= HISTORY_BATCH:
                flush()
        flush()
    return written
