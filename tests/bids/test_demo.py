"""The demo's bid management: criteria, rules, and decisions consistent with where the deals are."""

import pytest
from django.db import transaction

from apogee.bids import demo
from apogee.bids.models import BidCriterion, BidDecision, BidRule, BidSettings
from apogee.bids.queries import has_binding_bid
from apogee.deals.models import Deal
from apogee.notifications.models import Notification
from apogee.workspace.demo import seed_demo

pytestmark = pytest.mark.django_db


def test_ensure_structure_adds_the_five_criteria_once(db):
    demo.ensure_structure()
    demo.ensure_structure()
    assert list(BidCriterion.objects.values_list("label_en", "weight")) == [
        ("Strategic fit", 3),
        ("Technical capability", 3),
        ("Capacity of the people who would answer", 2),
        ("Win probability", 2),
        ("Margin", 1),
    ]


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        seed_demo()
        yield
        transaction.set_rollback(True)


def test_the_demo_requires_a_bid_before_proposal_and_rom_preparation(seeded):
    assert sorted(BidRule.objects.values_list("stage__pipeline__name", "stage__name")) == [
        ("RFI", "ROM preparation"),
        ("Sales", "Proposal preparation"),
    ]
    assert BidSettings.objects.get().approval_required is True


def test_every_demo_deal_past_a_gated_stage_has_its_bid(seeded):
    for rule in BidRule.objects.select_related("stage"):
        past = Deal.objects.filter(
            pipeline=rule.stage.pipeline, stage__position__gte=rule.stage.position, deleted_at__isnull=True
        )
        assert past.exists()
        for deal in past:
            assert has_binding_bid(deal) or deal.status == "lost", deal


def test_the_demo_has_a_no_bid_and_a_proposal_waiting_for_marc(seeded):
    no_bid = BidDecision.objects.filter(decision="no_bid", status="final").select_related("deal__lost_reason")
    assert no_bid.exists()
    assert all(d.deal.status == "lost" and d.deal.lost_reason.label.startswith("No-bid") for d in no_bid)
    proposed = BidDecision.objects.get(status="proposed")
    assert proposed.deal.pipeline.name == "Sales" and proposed.deal.status == "open"
    assert proposed.proposed_by.username in ("lea", "thomas")
    assert Notification.objects.filter(user__username="marc", url=f"/deals/{proposed.deal_id}/").exists()
