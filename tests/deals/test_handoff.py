"""Handing a deal off from the last stage of Missions or RFI into Sales (deals.services.hand_off_deal)."""

import pytest

from apogee.core.models import DomainEvent
from apogee.deals.errors import DealClosed, HandoffNotPossible
from apogee.deals.models import Deal, StageChange, Visibility
from apogee.deals.services import add_participant, hand_off_deal, mark_deal_won, move_deal_to_stage
from apogee.pipelines.models import HandoffMode
from apogee.pipelines.services import update_pipeline
from tests.contacts.factories import make_organization, make_person
from tests.deals.factories import make_deal, stage

pytestmark = pytest.mark.django_db

VALUES = {"opportunity_type": "esa", "product_line": ["mechanisms", "motor"], "mission": "CHIME"}


@pytest.fixture
def mission_deal(workspace, salesperson):
    """A Missions deal that went through every stage, with an organization and two participants."""
    missions = workspace["Missions"]
    esa = make_organization("European Space Agency")
    deal = make_deal(
        pipeline=missions,
        owner=salesperson,
        title="CHIME — deployment hinge opportunities",
        organization=esa,
        value=250000,
        currency="EUR",
        visibility=Visibility.TEAM,
        custom_values=VALUES,
    )
    for person, role in (
        (make_person("Anke de Vries"), "contract_officer"),
        (make_person("Paolo Brenni"), "technical_officer"),
    ):
        add_participant(deal=deal, person=person, role=role, actor=salesperson)
    for name in ("Contact with primes", "Follow-up", "Opportunity identified"):
        move_deal_to_stage(deal=deal, stage=stage(missions, name), actor=salesperson)
    return Deal.objects.get(pk=deal.pk)


def _history(deal):
    return [
        (c.from_stage.name if c.from_stage else None, c.to_stage.name)
        for c in StageChange.objects.filter(deal=deal).select_related("from_stage", "to_stage")
    ]


MISSION_HISTORY = [
    (None, "First contact"),
    ("First contact", "Contact with primes"),
    ("Contact with primes", "Follow-up"),
    ("Follow-up", "Opportunity identified"),
]


def test_hand_off_creates_a_linked_sales_deal_in_first_contact(workspace, mission_deal, salesperson):
    sales = workspace["Sales"]

    created = hand_off_deal(deal=mission_deal, actor=salesperson)

    created.refresh_from_db()
    assert created.pk != mission_deal.pk
    assert (created.pipeline, created.stage) == (sales, stage(sales, "First contact"))
    assert created.origin_deal == mission_deal
    assert list(mission_deal.handed_off_deals.all()) == [created]
    assert (created.title, created.owner, created.organization.name) == (
        "CHIME — deployment hinge opportunities",
        salesperson,
        "European Space Agency",
    )
    assert (str(created.value), created.currency, created.visibility) == ("250000.00", "EUR", "team")
    assert created.custom_values == VALUES
    assert sorted((p.person.name, p.role) for p in created.participants.all()) == [
        ("Anke de Vries", "contract_officer"),
        ("Paolo Brenni", "technical_officer"),
    ]
    # both deals keep their history
    mission_deal.refresh_from_db()
    assert (mission_deal.stage.name, mission_deal.status) == ("Opportunity identified", "open")
    assert _history(mission_deal) == MISSION_HISTORY
    assert _history(created) == [(None, "First contact")]
    event = DomainEvent.objects.get(name="deal.handed_off")
    assert (event.subject_id, event.actor) == (mission_deal.pk, salesperson)
    assert event.data == {
        "mode": "create_linked",
        "from_pipeline": workspace["Missions"].pk,
        "to_pipeline": sales.pk,
        "to_deal": created.pk,
    }
    assert (
        DomainEvent.objects.get(name="deal.created", subject_id=created.pk).data["origin_deal"]
        == mission_deal.pk
    )


def test_hand_off_from_the_last_rfi_stage(workspace, salesperson):
    rfi = workspace["RFI"]
    deal = make_deal(
        pipeline=rfi, owner=salesperson, stage=stage(rfi, "Outcome"), custom_values={"offer_type": "rom"}
    )

    created = hand_off_deal(deal=deal, actor=salesperson)

    assert (created.pipeline.name, created.stage.name, created.origin_deal) == (
        "Sales",
        "First contact",
        deal,
    )


def test_hand_off_in_move_mode_moves_the_deal_itself(workspace, mission_deal, admin, salesperson):
    sales = workspace["Sales"]
    update_pipeline(pipeline=workspace["Missions"], handoff_mode=HandoffMode.MOVE, actor=admin)
    mission_deal.refresh_from_db()

    result = hand_off_deal(deal=mission_deal, actor=salesperson)

    assert result.pk == mission_deal.pk
    assert Deal.objects.count() == 1
    moved = Deal.objects.get(pk=mission_deal.pk)
    assert (moved.pipeline, moved.stage.name, moved.version) == (sales, "First contact", 5)
    assert moved.custom_values == VALUES
    assert moved.participants.count() == 2
    assert _history(moved) == [*MISSION_HISTORY, ("Opportunity identified", "First contact")]
    moved_event = DomainEvent.objects.filter(name="deal.stage_changed", subject_id=moved.pk).last()
    assert (moved_event.data["from_pipeline"], moved_event.data["to_pipeline"]) == (
        workspace["Missions"].pk,
        sales.pk,
    )
    assert DomainEvent.objects.get(name="deal.handed_off").data == {
        "mode": "move",
        "from_pipeline": workspace["Missions"].pk,
        "to_pipeline": sales.pk,
        "to_deal": moved.pk,
    }


def test_hand_off_before_the_last_stage_is_refused(workspace, salesperson):
    missions = workspace["Missions"]
    deal = make_deal(pipeline=missions, owner=salesperson, stage=stage(missions, "Follow-up"))
    events_before = DomainEvent.objects.count()

    with pytest.raises(HandoffNotPossible) as refused:
        hand_off_deal(deal=deal, actor=salesperson)

    assert refused.value.fields == {"stage": ["Move the deal to the last stage first."]}
    assert Deal.objects.count() == 1
    assert Deal.objects.get(pk=deal.pk).stage.name == "Follow-up"
    assert DomainEvent.objects.count() == events_before


def test_a_pipeline_without_hand_off_target_refuses(sales_pipeline, salesperson):
    deal = make_deal(
        pipeline=sales_pipeline,
        owner=salesperson,
        stage=stage(sales_pipeline, "Selected / negotiation"),
        custom_values={"opportunity_type": "esa", "offer_type": "firm"},
    )
    events_before = DomainEvent.objects.count()

    with pytest.raises(HandoffNotPossible) as refused:
        hand_off_deal(deal=deal, actor=salesperson)

    assert refused.value.message == "“Sales” has no hand-off target."
    assert Deal.objects.count() == 1
    assert DomainEvent.objects.count() == events_before


def test_a_closed_deal_is_not_handed_off(mission_deal, salesperson):
    mark_deal_won(deal=mission_deal, actor=salesperson)

    with pytest.raises(DealClosed):
        hand_off_deal(deal=mission_deal, actor=salesperson)

    assert Deal.objects.count() == 1


def test_a_mission_hands_off_one_sales_deal_per_subsystem_opportunity(mission_deal, salesperson):
    # PRODUCT.md: "each identified subsystem opportunity is handed off into Sales, linked back to
    # its mission".
    first = hand_off_deal(deal=mission_deal, actor=salesperson)
    second = hand_off_deal(deal=mission_deal, actor=salesperson)

    assert list(Deal.objects.filter(origin_deal=mission_deal).order_by("pk")) == [first, second]


def test_a_teammate_who_may_edit_the_deal_may_hand_it_off(mission_deal, teammate, salesperson):
    created = hand_off_deal(deal=mission_deal, actor=teammate)

    assert (created.owner, created.origin_deal) == (salesperson, mission_deal)
