"""The demo's bid management: five weighted criteria, the bid rules, and decisions that fit the deals.

ensure_structure() adds the default criteria to a workspace that has none. seed()
(called by the workspace demo once its deals exist) turns the bid rules on for
"Proposal preparation" (Sales) and "ROM preparation" (RFI), gives every deal that is
already past those stages the bid decided before it entered them, records the no-bid
of the deals lost for that reason and of one open RFI, then switches approval on and
leaves one member's proposal awaiting the manager, who is notified.
"""

import random
from datetime import datetime, timedelta

from django.db import transaction

from apogee.accounts.models import User
from apogee.deals.models import Deal, DealStatus, StageChange
from apogee.pipelines.models import Stage

from . import services
from .models import BidCriterion, BidDecision, Decision
from .queries import active_criteria

# label (English), label (French), weight
DEFAULT_CRITERIA = [
    ("Strategic fit", "Adéquation stratégique", 3),
    ("Technical capability", "Capacité technique", 3),
    ("Capacity of the people who would answer", "Disponibilité des personnes qui répondraient", 2),
    ("Win probability", "Probabilité de gain", 2),
    ("Margin", "Marge", 1),
]
# (pipeline, stage) a deal enters only with a bid
RULES = [("Sales", "Proposal preparation"), ("RFI", "ROM preparation")]

BID_RATIONALES = [
    "Core mechanism heritage; the team that did the breadboard is free from next quarter.",
    "Strategic customer and a product line we want to grow; margin acceptable at the expected volume.",
    "We qualified a similar unit for the prime last year; the ROM can reuse most of it.",
    "Good fit with the roadmap; the prime asked us directly, which helps the odds.",
]
NO_BID_RATIONALES = [
    "Nobody free to write the answer before the deadline: the structures team is on the CDR.",
    "Outside our product lines; the price the prime expects leaves no margin.",
]


@transaction.atomic
def ensure_structure() -> list[BidCriterion]:
    if not BidCriterion.objects.exists():
        for label_en, label_fr, weight in DEFAULT_CRITERIA:
            services.save_criterion(actor=None, label_en=label_en, label_fr=label_fr, weight=weight)
    return active_criteria()


def _scores(rng: random.Random, criteria, *, bid: bool) -> dict[int, int]:
    low, high = (3, 5) if bid else (0, 3)
    return {c.pk: rng.randint(low, high) for c in criteria}


def _entered(deal: Deal, stage: Stage) -> datetime:
    change = StageChange.objects.filter(deal=deal, to_stage=stage).order_by("changed_at").first()
    return change.changed_at if change else deal.stage_entered_at


@transaction.atomic
def seed(*, users: dict[str, User], now: datetime) -> None:
    criteria = ensure_structure()
    rng = random.Random(4)
    gated = [s for p, n in RULES if (s := Stage.objects.filter(pipeline__name=p, name=n).first())]
    services.save_bid_rules(actor=None, stages=gated, approval_required=False)
    decided = set(BidDecision.objects.values_list("deal_id", flat=True))

    # Deals already past a gated stage had their bid decided just before entering it.
    for stage in gated:
        later = stage.pipeline.stages.filter(position__gte=stage.position)
        for deal in Deal.objects.filter(stage__in=later, deleted_at__isnull=True).order_by("pk"):
            if deal.pk in decided:
                continue
            when = max(deal.created_at, _entered(deal, stage) - timedelta(days=rng.randint(1, 4)))
            services.record_decision(
                deal=deal,
                actor=None,
                proposed_by=deal.owner,
                decision=Decision.BID,
                scores=_scores(rng, criteria, bid=True),
                rationale=rng.choice(BID_RATIONALES),
                occurred_at=when,
            )
            decided.add(deal.pk)

    # Deals lost for "No-bid" carry the decision that closed them.
    no_bid_lost = Deal.objects.filter(status=DealStatus.LOST, lost_reason__label__istartswith="no-bid")
    for deal in no_bid_lost.exclude(pk__in=decided).order_by("pk"):
        services.record_decision(
            deal=deal,
            actor=None,
            proposed_by=deal.owner,
            decision=Decision.NO_BID,
            scores=_scores(rng, criteria, bid=False),
            rationale=rng.choice(NO_BID_RATIONALES),
            occurred_at=(deal.lost_at or now) - timedelta(hours=2),
        )
        decided.add(deal.pk)

    # One open RFI under evaluation: the manager decides not to answer, which closes it as lost.
    evaluating = (
        Deal.objects.filter(
            pipeline__name="RFI",
            status=DealStatus.OPEN,
            stage__position__lt=_position("RFI", "ROM preparation"),
        )
        .exclude(pk__in=decided)
        .order_by("-stage__position", "pk")
        .first()
    )
    if evaluating is not None and "marc" in users:
        services.record_decision(
            deal=evaluating,
            actor=users["marc"],
            decision=Decision.NO_BID,
            scores=_scores(rng, criteria, bid=False),
            rationale=NO_BID_RATIONALES[0],
        )
        decided.add(evaluating.pk)

    # Approval on: a member's bid on a Sales deal under evaluation waits for Marc (notified).
    services.save_bid_rules(actor=None, stages=gated, approval_required=True)
    members = [users[name] for name in ("lea", "thomas") if name in users]
    candidate = (
        Deal.objects.filter(
            pipeline__name="Sales",
            status=DealStatus.OPEN,
            owner__in=members,
            stage__position__lt=_position("Sales", "Proposal preparation"),
        )
        .exclude(pk__in=decided)
        .order_by("-stage__position", "pk")
        .first()
    )
    if candidate is not None:
        services.record_decision(
            deal=candidate,
            actor=candidate.owner,
            decision=Decision.BID,
            scores=_scores(rng, criteria, bid=True),
            rationale=BID_RATIONALES[3],
        )


def _position(pipeline: str, stage: str) -> int:
    found = (
        Stage.objects.filter(pipeline__name=pipeline, name=stage).values_list("position", flat=True).first()
    )
    return found if found is not None else 0
