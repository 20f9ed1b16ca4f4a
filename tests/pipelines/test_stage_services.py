"""Adding, changing, ordering and deleting stages (pipelines/services.py)."""

import pytest

from apogee.core.errors import PermissionDenied, ValidationFailed
from apogee.core.models import DomainEvent
from apogee.customfields.models import FieldDefinition
from apogee.customfields.services import update_field_definition
from apogee.pipelines.errors import StageHasDeals
from apogee.pipelines.models import Stage
from apogee.pipelines.queries import ordered_stages
from apogee.pipelines.services import add_stage, create_pipeline, delete_stage, reorder_stages, update_stage
from tests.deals.factories import make_deal, stage

pytestmark = pytest.mark.django_db


def _names(pipeline):
    return [s.name for s in ordered_stages(pipeline)]


def test_add_stage_with_its_settings(workspace, admin):
    ccn = workspace["CCN"]

    added = add_stage(
        pipeline=ccn,
        name="Signature",
        probability="95",
        rotting_days="7",
        gate_field_keys=["offer_type", "origin", "offer_type"],
        actor=admin,
    )

    assert (added.position, added.probability, added.rotting_days) == (5, 95, 7)
    assert added.gate_field_keys == ["offer_type", "origin"]
    assert _names(ccn) == ["Request", "Preparation", "At customer", "Negotiation", "Signature"]
    assert DomainEvent.objects.get(name="stage.created", actor=admin).data == {
        "pipeline": ccn.pk,
        "name": "Signature",
        "probability": 95,
        "rotting_days": 7,
        "gate_field_keys": ["offer_type", "origin"],
    }


@pytest.mark.parametrize(("probability", "rotting_days"), [(0, 1), (100, 3650), (50, "")])
def test_probability_and_rotting_bounds_are_accepted(workspace, admin, probability, rotting_days):
    added = add_stage(
        pipeline=workspace["CCN"],
        name="Edge",
        probability=probability,
        rotting_days=rotting_days,
        actor=admin,
    )

    assert added.probability == probability
    assert added.rotting_days == (rotting_days or None)


@pytest.mark.parametrize(
    ("_case", "settings", "fields"),
    [
        (
            "probability below 0",
            {"probability": -1},
            {"probability": ["Enter a whole number from 0 to 100."]},
        ),
        (
            "probability above 100",
            {"probability": 101},
            {"probability": ["Enter a whole number from 0 to 100."]},
        ),
        (
            "probability text",
            {"probability": "high"},
            {"probability": ["Enter a whole number from 0 to 100."]},
        ),
        (
            "rotting 0 days",
            {"rotting_days": 0},
            {"rotting_days": ["Enter a number of days from 1 to 3650, or leave empty."]},
        ),
        (
            "rotting over ten years",
            {"rotting_days": 3651},
            {"rotting_days": ["Enter a number of days from 1 to 3650, or leave empty."]},
        ),
        (
            "rotting text",
            {"rotting_days": "soon"},
            {"rotting_days": ["Enter a number of days from 1 to 3650, or leave empty."]},
        ),
        (
            "unknown gate key",
            {"gate_field_keys": ["offer_type", "budget", "colour"]},
            {"gate_field_keys": ["Unknown deal field: budget, colour"]},
        ),
        ("no name", {"name": " "}, {"name": ["This field is required."]}),
    ],
)
def test_invalid_stage_is_refused_and_nothing_is_written(workspace, admin, _case, settings, fields):
    ccn = workspace["CCN"]
    events_before = DomainEvent.objects.count()

    with pytest.raises(ValidationFailed) as refused:
        add_stage(pipeline=ccn, actor=admin, **{"name": "Signature", **settings})

    assert refused.value.fields == fields
    assert _names(ccn) == ["Request", "Preparation", "At customer", "Negotiation"]
    assert DomainEvent.objects.count() == events_before


def test_a_gate_on_an_archived_field_is_refused(workspace, admin):
    update_field_definition(
        definition=FieldDefinition.objects.get(entity="deal", key="mission"), is_archived=True, actor=admin
    )

    with pytest.raises(ValidationFailed) as refused:
        add_stage(pipeline=workspace["CCN"], name="Signature", gate_field_keys=["mission"], actor=admin)

    assert refused.value.fields == {"gate_field_keys": ["Unknown deal field: mission"]}


def test_update_stage_changes_only_what_is_given(sales_pipeline, admin):
    proposal = stage(sales_pipeline, "Proposal at customer")

    update_stage(stage=proposal, name="Offer at customer", probability=65, actor=admin)

    proposal.refresh_from_db()
    assert (proposal.name, proposal.probability, proposal.rotting_days) == ("Offer at customer", 65, 60)
    assert DomainEvent.objects.get(name="stage.updated").data == {
        "changes": {"probability": [60, 65], "name": ["Proposal at customer", "Offer at customer"]}
    }


def test_update_stage_clears_rotting_days_with_an_empty_value(sales_pipeline, admin):
    proposal = stage(sales_pipeline, "Proposal at customer")

    update_stage(stage=proposal, rotting_days="", gate_field_keys=[], actor=admin)

    proposal.refresh_from_db()
    assert proposal.rotting_days is None
    assert proposal.gate_field_keys == []


def test_invalid_update_changes_nothing(sales_pipeline, admin):
    proposal = stage(sales_pipeline, "Proposal at customer")
    events_before = DomainEvent.objects.count()

    with pytest.raises(ValidationFailed) as refused:
        update_stage(stage=proposal, name="Offer", probability=150, rotting_days=0, actor=admin)

    assert set(refused.value.fields) == {"probability", "rotting_days"}
    proposal.refresh_from_db()
    assert (proposal.name, proposal.probability, proposal.rotting_days) == ("Proposal at customer", 60, 60)
    assert DomainEvent.objects.count() == events_before


def test_reorder_stages(workspace, admin):
    ccn = workspace["CCN"]
    by_name = {s.name: s.pk for s in ccn.stages.all()}
    order = [by_name[n] for n in ("Preparation", "Request", "Negotiation", "At customer")]

    reorder_stages(pipeline=ccn, ordered_ids=order, actor=admin)

    assert _names(ccn) == ["Preparation", "Request", "Negotiation", "At customer"]
    assert DomainEvent.objects.get(name="stage.reordered").data == {"order": order}


def test_reorder_stages_refuses_a_stage_of_another_pipeline(workspace, admin):
    ccn = workspace["CCN"]
    ids = [*[s.pk for s in ccn.stages.all()][:3], workspace["Sales"].stages.first().pk]
    events_before = DomainEvent.objects.count()

    with pytest.raises(ValidationFailed) as refused:
        reorder_stages(pipeline=ccn, ordered_ids=ids, actor=admin)

    assert refused.value.fields == {"order": ["Give every stage exactly once."]}
    assert _names(ccn) == ["Request", "Preparation", "At customer", "Negotiation"]
    assert DomainEvent.objects.count() == events_before


def test_delete_an_empty_stage(workspace, admin, salesperson):
    ccn = workspace["CCN"]
    preparation = stage(ccn, "Preparation")

    delete_stage(stage=preparation, actor=admin)

    assert _names(ccn) == ["Request", "At customer", "Negotiation"]
    assert DomainEvent.objects.get(name="stage.deleted").data == {"name": "Preparation", "pipeline": ccn.pk}


def test_a_stage_holding_deals_is_not_deleted_and_says_how_many(workspace, admin, salesperson):
    ccn = workspace["CCN"]
    preparation = stage(ccn, "Preparation")
    for _ in range(3):
        make_deal(pipeline=ccn, owner=salesperson, stage=preparation)
    events_before = DomainEvent.objects.count()

    with pytest.raises(StageHasDeals) as refused:
        delete_stage(stage=preparation, actor=admin)

    assert refused.value.deal_count == 3
    assert refused.value.message == "“Preparation” still holds 3 deal(s). Move them to another stage first."
    assert refused.value.fields == {"move_deals_to": ["Choose the stage that receives the deals."]}
    assert Stage.objects.filter(pk=preparation.pk).exists()
    assert DomainEvent.objects.count() == events_before


def test_the_last_stage_of_a_pipeline_is_not_deleted(admin):
    pipeline = create_pipeline(name="Products", stage_names=["Quote"], actor=admin)
    events_before = DomainEvent.objects.count()

    with pytest.raises(ValidationFailed) as refused:
        delete_stage(stage=pipeline.stages.get(), actor=admin)

    assert refused.value.fields == {"stage": ["This is the last stage."]}
    assert pipeline.stages.count() == 1
    assert DomainEvent.objects.count() == events_before


@pytest.mark.parametrize("user", ["manager", "salesperson"])
def test_only_an_administrator_changes_stages(request, workspace, user):
    actor = request.getfixturevalue(user)
    ccn = workspace["CCN"]
    request_stage = stage(ccn, "Request")
    events_before = DomainEvent.objects.count()

    for attempt in (
        lambda: add_stage(pipeline=ccn, name="Signature", actor=actor),
        lambda: update_stage(stage=request_stage, probability=99, actor=actor),
        lambda: reorder_stages(pipeline=ccn, ordered_ids=[s.pk for s in ccn.stages.all()], actor=actor),
        lambda: delete_stage(stage=request_stage, actor=actor),
    ):
        with pytest.raises(PermissionDenied):
            attempt()

    assert _names(ccn) == ["Request", "Preparation", "At customer", "Negotiation"]
    assert Stage.objects.get(pk=request_stage.pk).probability == 30
    assert DomainEvent.objects.count() == events_before
