"""The demo workspace (workspace/demo.py): the PRODUCT.md structure, built through the services, once."""

import pytest
from django.db import transaction

from apogee.accounts.models import User
from apogee.core.models import Currency, DomainEvent
from apogee.customfields.models import FieldDefinition
from apogee.deals.models import Deal, DealStatus, LostReason, StageChange
from apogee.pipelines.models import Pipeline
from apogee.workspace.demo import ensure_structure, seed_demo

pytestmark = pytest.mark.django_db

STAGES = {
    "Missions": ["First contact", "Contact with primes", "Follow-up", "Opportunity identified"],
    "RFI": ["RFI received", "Evaluation (bid/no-bid)", "ROM preparation", "ROM at customer", "Outcome"],
    "Sales": [
        "First contact",
        "Opportunity identified",
        "Opportunity in evaluation",
        "Proposal preparation",
        "Proposal at customer",
        "Selected / negotiation",
    ],
    "CCN": ["Request", "Preparation", "At customer", "Negotiation"],
}


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """Seed once for the module (it takes a few seconds), and clean up after."""
    with django_db_blocker.unblock(), transaction.atomic():
        first = seed_demo()
        events_after_first = DomainEvent.objects.count()
        second = seed_demo()
        events_after_second = DomainEvent.objects.count()
        yield {"first": first, "second": second, "events": (events_after_first, events_after_second)}
        transaction.set_rollback(True)


def test_seeding_twice_gives_identical_counts_and_records_nothing_more(seeded):
    assert (
        seeded["first"]
        == seeded["second"]
        == {
            "users": 4,
            "organizations": 10,
            "persons": 15,
            # 60 generated, and the contracts demo's positive and negative change notices.
            "deals": 62,
            "pipelines": 4,
            "leads": 6,
            "activities": 16,
        }
    )
    events_after_first, events_after_second = seeded["events"]
    assert events_after_second == events_after_first


def test_the_four_pipelines_have_the_product_stages_in_order(seeded):
    pipelines = list(Pipeline.objects.order_by("position"))

    assert [p.name for p in pipelines] == ["Missions", "RFI", "Sales", "CCN"]
    for pipeline in pipelines:
        assert (
            list(pipeline.stages.order_by("position").values_list("name", flat=True)) == STAGES[pipeline.name]
        )


def test_gates_and_hand_offs(seeded):
    sales = Pipeline.objects.get(name="Sales")
    gates = {s.name: s.gate_field_keys for s in sales.stages.all() if s.gate_field_keys}

    assert gates == {
        "Opportunity in evaluation": ["opportunity_type"],
        "Proposal preparation": ["offer_type"],
    }
    handoffs = {p.name: (p.handoff_target.name if p.handoff_target else None) for p in Pipeline.objects.all()}
    assert handoffs == {"Missions": "Sales", "RFI": "Sales", "Sales": None, "CCN": None}


def test_the_demo_users_have_their_roles(seeded):
    assert sorted(User.objects.values_list("username", "role")) == [
        ("lea", "member"),
        ("marc", "manager"),
        ("sophie", "admin"),
        ("thomas", "member"),
    ]


def test_the_deals_are_spread_over_the_pipelines_with_histories(seeded):
    per_pipeline = {name: Deal.objects.filter(pipeline__name=name).count() for name in STAGES}

    assert per_pipeline == {"Missions": 10, "RFI": 12, "Sales": 30, "CCN": 10}
    assert StageChange.objects.count() > Deal.objects.count()
    assert not Deal.objects.filter(stage_changes__isnull=True).exists()
    assert Deal.objects.filter(status=DealStatus.WON).exists()
    assert not Deal.objects.filter(status=DealStatus.LOST, lost_reason__isnull=True).exists()
    handed_off = Deal.objects.filter(origin_deal__isnull=False)
    assert sorted(handed_off.values_list("origin_deal__pipeline__name", flat=True)) == [
        "Missions",
        "Missions",
        "RFI",
        "RFI",
    ]
    assert set(handed_off.values_list("pipeline__name", flat=True)) == {"Sales"}


def test_every_deal_past_a_gate_answers_it(seeded):
    for deal in Deal.objects.filter(pipeline__name="Sales", stage__position__gte=3):
        assert deal.custom_values.get("opportunity_type")
    for deal in Deal.objects.filter(pipeline__name="Sales", stage__position__gte=4):
        assert deal.custom_values.get("offer_type")


def test_change_notices_belong_to_won_contracts(seeded):
    notices = Deal.objects.filter(pipeline__name="CCN").select_related("parent_contract")

    assert notices.count() == 10
    assert all(n.parent_contract and n.parent_contract.status == DealStatus.WON for n in notices)


def test_ensure_structure_is_idempotent(db):
    ensure_structure()
    counts = (
        Pipeline.objects.count(),
        FieldDefinition.objects.count(),
        Currency.objects.count(),
        LostReason.objects.count(),
        DomainEvent.objects.count(),
    )

    ensure_structure()

    assert counts == (4, 7, 3, 6, DomainEvent.objects.count())
    assert (
        Pipeline.objects.count(),
        FieldDefinition.objects.count(),
        Currency.objects.count(),
        LostReason.objects.count(),
    ) == (4, 7, 3, 6)
