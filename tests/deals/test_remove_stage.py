"""Removing a stage that holds deals: they move first, each move recorded (deals.services.remove_stage)."""

import pytest

from apogee.core.errors import PermissionDenied
from apogee.core.models import DomainEvent
from apogee.deals.errors import StageNotInPipeline
from apogee.deals.models import Deal, StageChange
from apogee.deals.services import remove_stage
from apogee.pipelines.errors import StageHasDeals
from apogee.pipelines.models import Stage
from tests.deals.factories import make_deal, stage

pytestmark = pytest.mark.django_db


@pytest.fixture
def ccn_deals(workspace, salesperson):
    ccn = workspace["CCN"]
    preparation = stage(ccn, "Preparation")
    return [make_deal(pipeline=ccn, owner=salesperson, stage=preparation, title=f"CCN {n}") for n in (1, 2)]


def _changes(deal):
    return [(c.from_stage_id, c.to_stage_id, c.changed_by_id) for c in StageChange.objects.filter(deal=deal)]


def test_remove_stage_moves_its_deals_and_records_each_move(workspace, ccn_deals, admin, salesperson):
    ccn = workspace["CCN"]
    preparation, request = stage(ccn, "Preparation"), stage(ccn, "Request")
    untouched = make_deal(pipeline=ccn, owner=salesperson, stage=stage(ccn, "At customer"))

    moved = remove_stage(stage=preparation, move_deals_to=request, actor=admin)

    assert moved == 2
    assert not Stage.objects.filter(pk=preparation.pk).exists()
    for deal in ccn_deals:
        stored = Deal.objects.get(pk=deal.pk)
        assert (stored.stage, stored.version) == (request, 2)
        # the creation's from/to the deleted stage is kept, with the stage now unknown
        assert _changes(deal) == [(None, None, None), (None, request.pk, admin.pk)]
        event = DomainEvent.objects.get(name="deal.stage_changed", subject_id=deal.pk)
        assert (event.actor, event.data["from_stage_name"], event.data["to_stage_name"]) == (
            admin,
            "Preparation",
            "Request",
        )
    assert Deal.objects.get(pk=untouched.pk).version == 1
    assert DomainEvent.objects.get(name="stage.deleted").data == {"name": "Preparation", "pipeline": ccn.pk}


def test_remove_stage_skips_gates_on_purpose(sales_pipeline, admin, salesperson):
    deal = make_deal(
        pipeline=sales_pipeline, owner=salesperson, stage=stage(sales_pipeline, "Opportunity identified")
    )

    remove_stage(
        stage=stage(sales_pipeline, "Opportunity identified"),
        move_deals_to=stage(sales_pipeline, "Proposal at customer"),
        actor=admin,
    )

    assert Deal.objects.get(pk=deal.pk).stage.name == "Proposal at customer"


def test_an_empty_stage_is_simply_deleted(workspace, admin):
    negotiation = stage(workspace["CCN"], "Negotiation")

    assert remove_stage(stage=negotiation, actor=admin) == 0

    assert not Stage.objects.filter(pk=negotiation.pk).exists()


def test_a_stage_with_deals_and_no_destination_is_kept(workspace, ccn_deals, admin):
    preparation = stage(workspace["CCN"], "Preparation")
    events_before = DomainEvent.objects.count()

    with pytest.raises(StageHasDeals) as refused:
        remove_stage(stage=preparation, actor=admin)

    assert refused.value.deal_count == 2
    assert Stage.objects.filter(pk=preparation.pk).exists()
    assert {d.stage_id for d in Deal.objects.all()} == {preparation.pk}
    assert DomainEvent.objects.count() == events_before


@pytest.mark.parametrize("destination", ["other pipeline", "itself"])
def test_the_destination_must_be_another_stage_of_the_pipeline(workspace, ccn_deals, admin, destination):
    preparation = stage(workspace["CCN"], "Preparation")
    target = stage(workspace["Sales"], "First contact") if destination == "other pipeline" else preparation
    events_before = DomainEvent.objects.count()

    with pytest.raises(StageNotInPipeline):
        remove_stage(stage=preparation, move_deals_to=target, actor=admin)

    assert Stage.objects.filter(pk=preparation.pk).exists()
    assert [(d.stage_id, d.version) for d in Deal.objects.all()] == [(preparation.pk, 1), (preparation.pk, 1)]
    assert DomainEvent.objects.count() == events_before


@pytest.mark.parametrize("user", ["manager", "salesperson"])
def test_only_an_administrator_removes_stages(request, workspace, ccn_deals, user):
    actor = request.getfixturevalue(user)
    ccn = workspace["CCN"]
    preparation = stage(ccn, "Preparation")
    events_before = DomainEvent.objects.count()

    with pytest.raises(PermissionDenied):
        remove_stage(stage=preparation, move_deals_to=stage(ccn, "Request"), actor=actor)

    assert Stage.objects.filter(pk=preparation.pk).exists()
    assert {d.stage_id for d in Deal.objects.all()} == {preparation.pk}
    assert DomainEvent.objects.count() == events_before
