"""Converting a lead into a deal: default pipeline, stage gates asked on the spot, once only."""

from decimal import Decimal

import pytest

from apogee.core.models import DomainEvent
from apogee.deals.errors import StageGateBlocked
from apogee.deals.models import Deal, ParticipantRole
from apogee.leads.errors import LeadAlreadyConverted
from apogee.leads.models import LeadKind, LeadStatus
from apogee.leads.services import convert_lead_to_deal
from tests.deals.factories import stage
from tests.leads.factories import make_lead

pytestmark = pytest.mark.django_db


def test_gate_asks_for_opportunity_type_when_converting_into_evaluation(sales_pipeline, salesperson):
    lead = make_lead(
        owner=salesperson,
        title="Hinge for CHIME",
        new_organization_name="Thales Alenia Space",
        new_person_name="Camille Fabre",
        expected_value="120000",
        currency="EUR",
    )
    evaluation = stage(sales_pipeline, "Opportunity in evaluation")

    with pytest.raises(StageGateBlocked) as blocked:
        convert_lead_to_deal(lead=lead, actor=salesperson, pipeline=sales_pipeline, stage=evaluation)

    assert blocked.value.missing_fields == ["opportunity_type"]
    assert not Deal.objects.exists()
    lead.refresh_from_db()
    assert (lead.status, lead.converted_deal, lead.converted_at) == (LeadStatus.OPEN, None, None)
    assert not DomainEvent.objects.filter(name="lead.converted").exists()

    deal = convert_lead_to_deal(
        lead=lead,
        actor=salesperson,
        pipeline=sales_pipeline,
        stage=evaluation,
        custom_values={"opportunity_type": "esa"},
    )

    assert (deal.title, deal.pipeline, deal.stage, deal.owner) == (
        "Hinge for CHIME",
        sales_pipeline,
        evaluation,
        salesperson,
    )
    assert (deal.value, deal.currency, deal.organization) == (Decimal("120000.00"), "EUR", lead.organization)
    assert deal.custom_values == {"opportunity_type": "esa"}
    assert [(p.person, p.role) for p in deal.participants.all()] == [(lead.person, ParticipantRole.OTHER)]
    lead.refresh_from_db()
    assert (lead.status, lead.converted_deal) == (LeadStatus.ARCHIVED, deal)
    assert lead.archived_at is not None and lead.converted_at is not None
    event = DomainEvent.objects.get(name="lead.converted")
    assert (event.subject_id, event.actor) == (lead.pk, salesperson)
    assert event.data == {
        "deal": deal.pk,
        "pipeline": sales_pipeline.pk,
        "stage": evaluation.pk,
        "was": "open",
        "notes_moved": 0,
        "activities_moved": 0,
    }


def test_a_mission_lead_goes_to_missions_and_any_other_to_sales(workspace, salesperson):
    mission = make_lead(owner=salesperson, kind=LeadKind.MISSION, title="CHIME follow-on")
    other = make_lead(owner=salesperson, title="Watch motor")

    mission_deal = convert_lead_to_deal(lead=mission, actor=salesperson)
    other_deal = convert_lead_to_deal(lead=other, actor=salesperson)

    assert (mission_deal.pipeline.name, mission_deal.stage.name) == ("Missions", "First contact")
    assert (other_deal.pipeline.name, other_deal.stage.name) == ("Sales", "First contact")


def test_converting_twice_is_refused(sales_pipeline, salesperson):
    lead = make_lead(owner=salesperson)
    deal = convert_lead_to_deal(lead=lead, actor=salesperson)

    with pytest.raises(LeadAlreadyConverted):
        convert_lead_to_deal(lead=lead, actor=salesperson)

    assert list(Deal.objects.all()) == [deal]
    assert DomainEvent.objects.filter(name="lead.converted").count() == 1


def test_a_member_converting_a_colleagues_shared_lead_owns_the_deal(sales_pipeline, salesperson, teammate):
    lead = make_lead(owner=salesperson)

    deal = convert_lead_to_deal(lead=lead, actor=teammate)

    assert deal.owner == teammate
    lead.refresh_from_db()
    assert lead.owner == salesperson
