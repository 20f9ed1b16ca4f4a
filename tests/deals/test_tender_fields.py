"""End customer, tender reference and deadlines, offer validity, typed value vs offers, negative CCNs."""

from datetime import date, datetime

import pytest
from django.utils import timezone

from apogee.core.errors import ValidationFailed
from apogee.deals.models import Deal
from apogee.deals.services import create_deal, hand_off_deal, mark_deal_won, move_deal_to_stage, update_deal
from tests.contacts.factories import make_organization
from tests.deals.factories import make_deal

pytestmark = pytest.mark.django_db


def test_tender_details_are_set_on_creation_and_edited_with_events(sales_pipeline, salesperson):
    esa = make_organization("ESA")
    deal = create_deal(
        title="ITT AO/1-12345",
        pipeline=sales_pipeline,
        actor=salesperson,
        details={
            "end_customer": esa,
            "tender_reference": " AO/1-12345 ",
            "submission_deadline": "2027-03-15T12:00",
            "offer_valid_until": "2027-09-30",
        },
    )
    assert deal.end_customer == esa and deal.tender_reference == "AO/1-12345"
    assert deal.submission_deadline == timezone.make_aware(datetime(2027, 3, 15, 12, 0))
    assert deal.offer_valid_until == date(2027, 9, 30)

    update_deal(deal=deal, actor=salesperson, changes={"clarification_deadline": "2027-02-20T17:00"})
    event = deal_event(deal, "deal.updated")
    assert list(event.data["changes"]) == ["clarification_deadline"]


def deal_event(deal, name):
    from apogee.core.models import DomainEvent

    return DomainEvent.objects.filter(subject_type="deal", subject_id=deal.pk, name=name).latest("id")


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"submission_deadline": "next Tuesday"}, "submission_deadline"),
        ({"offer_valid_until": "31.12.2027"}, "offer_valid_until"),
        ({"tender_reference": "x" * 81}, "tender_reference"),
        ({"end_customer": "ESA"}, "end_customer"),
        ({"value_follows_offer": "yes"}, "value_follows_offer"),
    ],
)
def test_bad_tender_details_are_field_errors_and_nothing_changes(sales_pipeline, salesperson, changes, field):
    deal = make_deal(pipeline=sales_pipeline, owner=salesperson)
    with pytest.raises(ValidationFailed) as error:
        update_deal(deal=deal, actor=salesperson, changes=changes)
    assert field in error.value.fields
    assert Deal.objects.get(pk=deal.pk).version == deal.version


def test_typing_a_value_stops_it_following_the_offers_until_handed_back(sales_pipeline, salesperson):
    deal = make_deal(pipeline=sales_pipeline, owner=salesperson)
    assert deal.value_follows_offer
    deal = update_deal(deal=deal, actor=salesperson, changes={"value": "420000"})
    assert not deal.value_follows_offer
    deal = update_deal(deal=deal, actor=salesperson, changes={"value": "430000", "value_follows_offer": True})
    assert deal.value_follows_offer


def test_only_a_change_notice_may_be_negative(workspace, sales_pipeline, salesperson):
    with pytest.raises(ValidationFailed):
        make_deal(pipeline=sales_pipeline, owner=salesperson, value=-5000)
    contract = make_deal(
        pipeline=sales_pipeline, owner=salesperson, custom_values={"opportunity_type": "esa"}
    )
    mark_deal_won(deal=contract, actor=salesperson)
    ccn = make_deal(pipeline=workspace["CCN"], owner=salesperson, value=-5000, parent_contract=contract)
    assert ccn.value == -5000
    assert update_deal(deal=ccn, actor=salesperson, changes={"value": "-7500.50"}).value == -7500.5


def test_a_hand_off_keeps_the_end_customer_but_not_the_tender(workspace, salesperson):
    rfi = workspace["RFI"]
    esa = make_organization("European Space Agency")
    deal = make_deal(
        pipeline=rfi, owner=salesperson, details={"end_customer": esa, "tender_reference": "RFI-7"}
    )
    last = rfi.stages.order_by("-position").first()
    deal = move_deal_to_stage(deal=deal, stage=last, actor=salesperson, custom_values={"offer_type": "rom"})
    result = hand_off_deal(deal=deal, actor=salesperson)
    assert result.end_customer == esa and result.tender_reference == ""
