"""Creating deals (deals.services.create_deal): who may, where, and what is validated."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from apogee.accounts.services import update_user
from apogee.core.errors import PermissionDenied, ValidationFailed
from apogee.core.models import DomainEvent
from apogee.deals.errors import StageGateBlocked, StageNotInPipeline
from apogee.deals.models import Deal, LostReason, StageChange
from apogee.deals.services import create_deal, mark_deal_lost, mark_deal_won, reopen_deal, update_deal
from apogee.pipelines.services import set_pipeline_archived
from tests.contacts.factories import make_organization, make_person
from tests.deals.factories import make_deal, stage

pytestmark = pytest.mark.django_db


def _nothing_written(events_before):
    assert not Deal.objects.exists()
    assert not StageChange.objects.exists()
    assert DomainEvent.objects.count() == events_before


def test_create_deal_in_the_first_stage_with_history_and_event(sales_pipeline, salesperson):
    esa = make_organization("European Space Agency")
    officer = make_person("Anke de Vries")

    deal = create_deal(
        title="  Hinge for CHIME ",
        pipeline=sales_pipeline,
        actor=salesperson,
        organization=esa,
        value="1’250’000.50",
        currency="eur",
        expected_close_date="2026-09-30",
        custom_values={"mission": "CHIME"},
        participants=[(officer, "contract_officer")],
    )

    deal.refresh_from_db()
    assert (deal.title, deal.owner, deal.stage.name, deal.status, deal.version) == (
        "Hinge for CHIME",
        salesperson,
        "First contact",
        "open",
        1,
    )
    assert (deal.value, deal.currency, deal.expected_close_date) == (
        Decimal("1250000.50"),
        "EUR",
        date(2026, 9, 30),
    )
    assert (deal.organization, deal.visibility, deal.custom_values) == (esa, "everyone", {"mission": "CHIME"})
    assert [(p.person, p.role) for p in deal.participants.all()] == [(officer, "contract_officer")]
    change = StageChange.objects.get(deal=deal)
    assert (change.from_stage, change.to_stage, change.changed_by) == (None, deal.stage, salesperson)
    event = DomainEvent.objects.get(name="deal.created")
    assert (event.subject_id, event.actor) == (deal.pk, salesperson)
    assert event.data == {
        "title": "Hinge for CHIME",
        "pipeline": sales_pipeline.pk,
        "stage": deal.stage_id,
        "value": "1250000.50",
        "currency": "EUR",
        "owner": salesperson.pk,
        "origin_deal": None,
    }


def test_occurred_at_backdates_the_creation(sales_pipeline, salesperson):
    when = datetime(2024, 5, 6, 7, 8, tzinfo=UTC)

    deal = make_deal(pipeline=sales_pipeline, owner=salesperson, occurred_at=when)

    deal.refresh_from_db()
    assert (deal.created_at, deal.stage_entered_at) == (when, when)
    assert StageChange.objects.get(deal=deal).changed_at == when


def test_a_member_cannot_create_a_deal_for_someone_else(sales_pipeline, salesperson, teammate):
    events_before = DomainEvent.objects.count()

    with pytest.raises(PermissionDenied):
        create_deal(title="For you", pipeline=sales_pipeline, actor=salesperson, owner=teammate)

    _nothing_written(events_before)


@pytest.mark.parametrize("creator", ["manager", "admin"])
def test_managers_and_administrators_create_deals_for_others(request, sales_pipeline, salesperson, creator):
    actor = request.getfixturevalue(creator)

    deal = create_deal(title="For you", pipeline=sales_pipeline, actor=actor, owner=salesperson)

    assert deal.owner == salesperson
    assert DomainEvent.objects.get(name="deal.created").actor == actor


def test_a_change_notice_belongs_to_a_won_contract(workspace, salesperson):
    sales, ccn = workspace["Sales"], workspace["CCN"]
    contract = make_deal(pipeline=sales, owner=salesperson, title="Hinge contract")
    events_before = DomainEvent.objects.count()

    with pytest.raises(ValidationFailed) as refused:
        make_deal(pipeline=ccn, owner=salesperson, title="CCN 1", parent_contract=contract)

    assert refused.value.fields == {"parent_contract": ["Choose a won deal."]}
    assert list(Deal.objects.values_list("title", flat=True)) == ["Hinge contract"]
    assert DomainEvent.objects.count() == events_before

    contract = mark_deal_won(deal=contract, actor=salesperson)
    notice = make_deal(pipeline=ccn, owner=salesperson, title="CCN 1", parent_contract=contract)
    assert list(contract.change_notices.all()) == [notice]


def test_a_lost_deal_is_no_parent_contract(workspace, salesperson):
    contract = make_deal(pipeline=workspace["Sales"], owner=salesperson)
    contract = mark_deal_lost(deal=contract, actor=salesperson, reason=LostReason.objects.first())

    with pytest.raises(ValidationFailed) as refused:
        make_deal(pipeline=workspace["CCN"], owner=salesperson, parent_contract=contract)

    assert refused.value.fields == {"parent_contract": ["Choose a won deal."]}

    assert Deal.objects.count() == 1


def test_a_stage_of_another_pipeline_is_refused(workspace, salesperson):
    events_before = DomainEvent.objects.count()

    with pytest.raises(StageNotInPipeline):
        make_deal(pipeline=workspace["Sales"], owner=salesperson, stage=stage(workspace["CCN"], "Request"))

    _nothing_written(events_before)


def test_an_archived_pipeline_takes_no_new_deals(workspace, admin, salesperson):
    set_pipeline_archived(pipeline=workspace["RFI"], archived=True, actor=admin)
    events_before = DomainEvent.objects.count()

    with pytest.raises(ValidationFailed) as refused:
        make_deal(pipeline=workspace["RFI"], owner=salesperson)

    assert refused.value.fields == {"pipeline": ["Choose an active pipeline."]}
    _nothing_written(events_before)


def test_a_deal_created_in_a_gated_stage_needs_the_gate_fields(sales_pipeline, salesperson):
    preparation = stage(sales_pipeline, "Proposal preparation")
    events_before = DomainEvent.objects.count()

    with pytest.raises(StageGateBlocked) as blocked:
        make_deal(
            pipeline=sales_pipeline,
            owner=salesperson,
            stage=preparation,
            custom_values={"offer_type": "firm"},
        )

    assert blocked.value.missing_fields == ["opportunity_type"]
    _nothing_written(events_before)


@pytest.mark.parametrize(
    ("_case", "fields", "errors"),
    [
        ("no title", {"title": "  "}, {"title": ["This field is required."]}),
        ("title too long", {"title": "x" * 201}, {"title": ["At most 200 characters."]}),
        ("negative value", {"value": "-1"}, {"value": ["The value cannot be negative."]}),
        ("three decimals", {"value": "10.005"}, {"value": ["Enter an amount with at most two decimals."]}),
        ("value too large", {"value": "1e12"}, {"value": ["Enter an amount with at most two decimals."]}),
        ("value not a number", {"value": "lots"}, {"value": ["Enter an amount with at most two decimals."]}),
        ("value NaN", {"value": "NaN"}, {"value": ["Enter an amount with at most two decimals."]}),
        (
            "unknown currency",
            {"currency": "GBP"},
            {"currency": ["Choose one of the workspace's currencies."]},
        ),
        (
            "bad date",
            {"expected_close_date": "30.09.2026"},
            {"expected_close_date": ["Enter a date as YYYY-MM-DD."]},
        ),
        ("bad visibility", {"visibility": "secret"}, {"visibility": ["Choose a valid visibility."]}),
        ("organization not one", {"organization": "ESA"}, {"organization": ["Choose an organization."]}),
    ],
)
def test_invalid_deal_is_refused_and_nothing_is_written(sales_pipeline, salesperson, _case, fields, errors):
    events_before = DomainEvent.objects.count()

    with pytest.raises(ValidationFailed) as refused:
        create_deal(**{"title": "Hinge", "pipeline": sales_pipeline, "actor": salesperson, **fields})

    assert refused.value.fields == errors
    _nothing_written(events_before)


def test_an_inactive_owner_is_refused(sales_pipeline, salesperson, manager, admin):
    update_user(user=salesperson, actor=admin, is_active=False)
    events_before = DomainEvent.objects.count()

    with pytest.raises(ValidationFailed) as refused:
        create_deal(title="Hinge", pipeline=sales_pipeline, actor=manager, owner=salesperson)

    assert refused.value.fields == {"owner": ["Choose an active user."]}
    _nothing_written(events_before)


def test_update_refuses_unknown_fields_and_writes_nothing(sales_pipeline, salesperson):
    deal = make_deal(pipeline=sales_pipeline, owner=salesperson, title="Hinge")
    events_before = DomainEvent.objects.count()

    with pytest.raises(ValidationFailed) as refused:
        update_deal(deal=deal, actor=salesperson, changes={"title": "Hinge v2", "status": "won"})

    assert refused.value.fields == {"status": ["Unknown field."]}
    assert Deal.objects.get(pk=deal.pk).title == "Hinge"
    assert DomainEvent.objects.count() == events_before


def test_a_contract_reopened_meanwhile_is_no_parent_contract(workspace, salesperson):
    contract = mark_deal_won(
        deal=make_deal(pipeline=workspace["Sales"], owner=salesperson), actor=salesperson
    )
    reopen_deal(deal=contract, actor=salesperson)  # `contract` is now an outdated copy that says "won"

    with pytest.raises(ValidationFailed):
        make_deal(pipeline=workspace["CCN"], owner=salesperson, parent_contract=contract)

    assert Deal.objects.count() == 1


def test_a_title_with_a_nul_character_is_refused(sales_pipeline, salesperson):
    with pytest.raises(ValidationFailed) as refused:
        create_deal(title="Hinge\x00", pipeline=sales_pipeline, actor=salesperson)

    assert refused.value.fields == {"title": ["Text may not contain NUL characters."]}
