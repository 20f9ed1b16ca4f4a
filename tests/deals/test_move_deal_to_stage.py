"""Moving deals between stages, with stage gates (PRODUCT.md, target structure §7)."""

import pytest

from apogee.core.models import DomainEvent
from apogee.deals.errors import DealClosed, StageGateBlocked, StageNotInPipeline
from apogee.deals.models import StageChange
from apogee.deals.services import mark_deal_won, move_deal_to_stage, update_deal
from tests.deals.factories import make_deal, stage

pytestmark = pytest.mark.django_db


def test_gate_blocks_move_until_opportunity_type_set(sales_pipeline, salesperson):
    identified = stage(sales_pipeline, "Opportunity identified")
    evaluation = stage(sales_pipeline, "Opportunity in evaluation")
    deal = make_deal(pipeline=sales_pipeline, owner=salesperson, stage=identified)
    events_before = DomainEvent.objects.count()

    with pytest.raises(StageGateBlocked) as blocked:
        move_deal_to_stage(deal=deal, stage=evaluation, actor=salesperson)

    assert blocked.value.missing_fields == ["opportunity_type"]
    assert blocked.value.fields == {"opportunity_type": ["Required to enter “Opportunity in evaluation”."]}
    assert "Opportunity type" in blocked.value.message
    deal.refresh_from_db()
    assert deal.stage == identified
    assert StageChange.objects.filter(deal=deal).count() == 1  # only the creation
    assert DomainEvent.objects.count() == events_before

    update_deal(deal=deal, actor=salesperson, changes={"custom_values": {"opportunity_type": "esa"}})
    move_deal_to_stage(deal=deal, stage=evaluation, actor=salesperson)

    deal.refresh_from_db()
    assert deal.stage == evaluation
    event = DomainEvent.objects.filter(name="deal.stage_changed").get()
    assert event.data["from_stage"] == identified.pk
    assert event.data["to_stage"] == evaluation.pk
    assert event.actor == salesperson


def test_gate_applies_to_every_later_stage_too(sales_pipeline, salesperson):
    deal = make_deal(pipeline=sales_pipeline, owner=salesperson)
    negotiation = stage(sales_pipeline, "Selected / negotiation")

    with pytest.raises(StageGateBlocked) as blocked:
        move_deal_to_stage(deal=deal, stage=negotiation, actor=salesperson)

    assert blocked.value.missing_fields == ["opportunity_type", "offer_type"]


def test_gate_fields_given_with_the_move_are_saved_and_the_move_completes(sales_pipeline, salesperson):
    deal = make_deal(pipeline=sales_pipeline, owner=salesperson)
    evaluation = stage(sales_pipeline, "Opportunity in evaluation")

    move_deal_to_stage(
        deal=deal, stage=evaluation, actor=salesperson, custom_values={"opportunity_type": "national"}
    )

    deal.refresh_from_db()
    assert deal.stage == evaluation
    assert deal.custom_values["opportunity_type"] == "national"
    assert deal.version == 2


def test_invalid_gate_value_is_refused_and_nothing_moves(sales_pipeline, salesperson):
    deal = make_deal(pipeline=sales_pipeline, owner=salesperson)
    evaluation = stage(sales_pipeline, "Opportunity in evaluation")

    with pytest.raises(Exception) as refused:
        move_deal_to_stage(
            deal=deal, stage=evaluation, actor=salesperson, custom_values={"opportunity_type": "nasa"}
        )

    assert refused.value.fields == {"opportunity_type": ["Choose one of the options."]}
    deal.refresh_from_db()
    assert deal.stage.name == "First contact"
    assert "opportunity_type" not in deal.custom_values


def test_required_field_cannot_be_emptied_while_in_gated_stage(sales_pipeline, salesperson):
    evaluation = stage(sales_pipeline, "Opportunity in evaluation")
    deal = make_deal(
        pipeline=sales_pipeline,
        owner=salesperson,
        stage=evaluation,
        custom_values={"opportunity_type": "esa"},
    )

    with pytest.raises(StageGateBlocked):
        update_deal(deal=deal, actor=salesperson, changes={"custom_values": {"opportunity_type": ""}})

    deal.refresh_from_db()
    assert deal.custom_values["opportunity_type"] == "esa"


def test_stage_of_another_pipeline_is_refused(workspace, salesperson):
    deal = make_deal(pipeline=workspace["Sales"], owner=salesperson)
    rfi_stage = workspace["RFI"].stages.first()

    with pytest.raises(StageNotInPipeline):
        move_deal_to_stage(deal=deal, stage=rfi_stage, actor=salesperson)


def test_dropping_on_the_current_stage_records_nothing(sales_pipeline, salesperson):
    deal = make_deal(pipeline=sales_pipeline, owner=salesperson)
    count = DomainEvent.objects.count()

    move_deal_to_stage(deal=deal, stage=deal.stage, actor=salesperson)

    assert DomainEvent.objects.count() == count
    deal.refresh_from_db()
    assert deal.version == 1


def test_closed_deal_cannot_move(sales_pipeline, salesperson):
    deal = make_deal(pipeline=sales_pipeline, owner=salesperson)
    mark_deal_won(deal=deal, actor=salesperson)

    with pytest.raises(DealClosed):
        move_deal_to_stage(
            deal=deal, stage=stage(sales_pipeline, "Opportunity identified"), actor=salesperson
        )
