"""Fill a database with N deals across the demo pipelines, in bulk, deterministically.

bulk_create bypasses the search index's receivers, so the deals are indexed afterwards in bulk.
"""

import random
import time
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from apogee.accounts.models import User
from apogee.contacts.models import Organization
from apogee.deals.models import Deal, DealStatus
from apogee.pipelines.models import Stage
from apogee.search.indexing import rebuild_index
from apogee.workspace.demo import seed_demo

BATCH = 5000


def generate(deals: int) -> None:
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
