"""Offer services: lines and revisions, the status machine, validation, the deal's value following offers."""

from datetime import date
from decimal import Decimal

import pytest

from apogee.core.errors import PermissionDenied, ValidationFailed
from apogee.core.models import DomainEvent
from apogee.deals.models import Deal, Visibility
from apogee.deals.services import update_deal
from apogee.offers import services
from apogee.offers.errors import OfferStatusConflict
from apogee.offers.models import Offer, OfferStatus
from tests.deals.factories import make_deal
from tests.offers.factories import make_offer

pytestmark = pytest.mark.django_db


@pytest.fixture
def deal(sales_pipeline, salesperson):
    return make_deal(pipeline=sales_pipeline, owner=salesperson, value=10000, currency="CHF")


def _reload(obj):
    return type(obj).objects.get(pk=obj.pk)


def test_create_offer_starts_a_draft_line_with_its_reference(deal, salesperson):
    first = make_offer(deal=deal, actor=salesperson, offer_type="rom", amount="1200000.50")
    second = make_offer(deal=deal, actor=salesperson, offer_type="firm", amount="1450000")

    assert (first.number, first.revision, first.status) == (1, 1, OfferStatus.DRAFT)
    assert first.reference == f"OFF-{deal.pk}-1"
    assert second.reference == f"OFF-{deal.pk}-2"
    assert first.amount == Decimal("1200000.50")
    assert (first.is_binding, second.is_binding) == (False, True)
    assert first.created_by == salesperson
    event = DomainEvent.objects.filter(name="offer.created", subject_id=first.pk).get()
    assert event.data["deal"] == deal.pk
    assert event.data["amount"] == "1200000.50"


def test_binding_can_be_given_against_the_type_default(deal, salesperson):
    offer = make_offer(deal=deal, actor=salesperson, offer_type="rom", is_binding=True)
    assert offer.is_binding is True


def test_revise_supersedes_the_previous_revision_and_keeps_it(deal, salesperson):
    first = make_offer(deal=deal, actor=salesperson, amount="1500000", price_basis="firm_fixed_price")
    services.submit_offer(offer=first, actor=salesperson, submitted_on=date(2026, 3, 1))

    second = services.revise_offer(offer=first, actor=salesperson, changes={"amount": "1450000"})

    first = _reload(first)
    assert first.status == OfferStatus.SUPERSEDED
    assert first.amount == Decimal("1500000.00")
    assert first.submitted_on == date(2026, 3, 1)
    assert (second.number, second.revision, second.supersedes_id) == (1, 2, first.pk)
    assert second.amount == Decimal("1450000.00")
    assert second.price_basis == "firm_fixed_price"
    assert second.status == OfferStatus.DRAFT
    assert second.submitted_on is None
    assert list(Offer.objects.filter(deal=deal).values_list("revision", "status")) == [
        (1, "superseded"),
        (2, "draft"),
    ]
    names = list(DomainEvent.objects.filter(name__startswith="offer.").values_list("name", flat=True))
    assert names[-2:] == ["offer.superseded", "offer.revised"]


def test_revision_given_a_submission_day_is_submitted(deal, salesperson):
    first = make_offer(deal=deal, actor=salesperson)
    second = services.revise_offer(
        offer=first, actor=salesperson, changes={"submitted_on": "2026-04-02", "amount": "90000"}
    )
    assert second.status == OfferStatus.SUBMITTED
    assert second.submitted_on == date(2026, 4, 2)


def test_a_superseded_offer_cannot_change(deal, salesperson):
    first = make_offer(deal=deal, actor=salesperson)
    services.revise_offer(offer=first, actor=salesperson, changes={"amount": "1"})
    first = _reload(first)

    for attempt in (
        lambda: services.revise_offer(offer=first, actor=salesperson, changes={"amount": "2"}),
        lambda: services.submit_offer(offer=first, actor=salesperson),
        lambda: services.accept_offer(offer=first, actor=salesperson),
        lambda: services.reject_offer(offer=first, actor=salesperson),
        lambda: services.update_offer(offer=first, actor=salesperson, changes={"amount": "3"}),
    ):
        with pytest.raises(OfferStatusConflict):
            attempt()
    assert Offer.objects.filter(deal=deal).count() == 2
    assert _reload(first).status == OfferStatus.SUPERSEDED


def test_revising_a_stale_copy_of_a_superseded_offer_is_refused(deal, salesperson):
    first = make_offer(deal=deal, actor=salesperson)
    stale = Offer.objects.get(pk=first.pk)
    services.revise_offer(offer=first, actor=salesperson, changes={"amount": "5"})

    with pytest.raises(OfferStatusConflict):
        services.revise_offer(offer=stale, actor=salesperson, changes={"amount": "6"})
    assert Offer.objects.filter(deal=deal).count() == 2


def test_status_machine_submit_then_accept(deal, salesperson):
    offer = make_offer(deal=deal, actor=salesperson)
    with pytest.raises(OfferStatusConflict):
        services.accept_offer(offer=offer, actor=salesperson)

    offer = services.submit_offer(offer=offer, actor=salesperson)
    assert offer.status == OfferStatus.SUBMITTED
    assert offer.submitted_on is not None
    offer = services.accept_offer(offer=offer, actor=salesperson)
    assert offer.status == OfferStatus.ACCEPTED
    assert offer.decided_on is not None

    with pytest.raises(OfferStatusConflict):
        services.reject_offer(offer=offer, actor=salesperson)
    with pytest.raises(OfferStatusConflict):
        services.revise_offer(offer=offer, actor=salesperson, changes={})
    assert _reload(offer).status == OfferStatus.ACCEPTED


def test_rejected_offer_can_be_revised_into_a_new_draft(deal, salesperson):
    offer = services.submit_offer(offer=make_offer(deal=deal, actor=salesperson), actor=salesperson)
    offer = services.reject_offer(offer=offer, actor=salesperson)
    assert offer.status == OfferStatus.REJECTED

    revision = services.revise_offer(offer=offer, actor=salesperson, changes={"amount": "80000"})
    assert revision.status == OfferStatus.DRAFT
    assert _reload(offer).status == OfferStatus.SUPERSEDED


def test_only_a_draft_is_edited_in_place(deal, salesperson):
    offer = make_offer(deal=deal, actor=salesperson)
    offer = services.update_offer(offer=offer, actor=salesperson, changes={"amount": "123", "note": "v2"})
    assert (offer.amount, offer.note) == (Decimal("123.00"), "v2")

    services.submit_offer(offer=offer, actor=salesperson)
    with pytest.raises(OfferStatusConflict):
        services.update_offer(offer=offer, actor=salesperson, changes={"amount": "1"})
    assert _reload(offer).amount == Decimal("123.00")


def test_bad_input_names_every_field_and_writes_nothing(deal, salesperson):
    before = DomainEvent.objects.count()
    with pytest.raises(ValidationFailed) as caught:
        services.create_offer(
            deal=deal,
            actor=salesperson,
            offer_type="guess",
            amount="1.234",
            currency="XYZ",
            price_basis="whatever",
            valid_until="31/12/2026",
            note="x" * 2001,
        )
    assert set(caught.value.fields) == {
        "offer_type",
        "amount",
        "currency",
        "price_basis",
        "valid_until",
        "note",
    }
    assert Offer.objects.count() == 0
    assert DomainEvent.objects.count() == before


@pytest.mark.parametrize("amount", ["", None, "abc", "1e13", "NaN", "Infinity", 1.5])
def test_amounts_that_are_not_money_are_refused(deal, salesperson, amount):
    with pytest.raises(ValidationFailed) as caught:
        services.create_offer(deal=deal, actor=salesperson, offer_type="firm", amount=amount, currency="EUR")
    assert list(caught.value.fields) == ["amount"]


def test_negative_amount_only_on_a_change_notice(deal, salesperson, workspace):
    with pytest.raises(ValidationFailed) as caught:
        make_offer(deal=deal, actor=salesperson, amount="-5000")
    assert caught.value.fields == {"amount": ["The amount cannot be negative."]}

    won = make_deal(pipeline=workspace["Sales"], owner=salesperson)
    Deal.objects.filter(pk=won.pk).update(status="won")
    ccn = make_deal(pipeline=workspace["CCN"], owner=salesperson, parent_contract=won, value=0)
    quote = make_offer(deal=ccn, actor=salesperson, offer_type="ccn_quote", amount="-5000", currency="CHF")
    assert quote.amount == Decimal("-5000.00")
    assert _reload(ccn).value == Decimal("-5000.00")


def test_someone_who_may_not_see_the_deal_may_not_make_an_offer(
    sales_pipeline, salesperson, other_salesperson
):
    private = make_deal(pipeline=sales_pipeline, owner=salesperson, visibility=Visibility.OWNER)
    with pytest.raises(PermissionDenied):
        make_offer(deal=private, actor=other_salesperson)
    offer = make_offer(deal=private, actor=salesperson)
    with pytest.raises(PermissionDenied):
        services.submit_offer(offer=offer, actor=other_salesperson)
    assert _reload(offer).status == OfferStatus.DRAFT


# ------------------------------------------------------------------ the deal's value follows its offers


def test_deal_value_follows_the_latest_standing_offer(deal, salesperson):
    first = make_offer(deal=deal, actor=salesperson, amount="1500000", currency="EUR")
    deal = _reload(deal)
    assert (deal.value, deal.currency, deal.value_follows_offer) == (Decimal("1500000.00"), "EUR", True)

    services.revise_offer(offer=first, actor=salesperson, changes={"amount": "1450000"})
    deal = _reload(deal)
    assert (deal.value, deal.currency) == (Decimal("1450000.00"), "EUR")
    event = DomainEvent.objects.filter(name="deal.updated", subject_id=deal.pk).last()
    assert event.data["changes"]["value"] == ["1500000.00", "1450000.00"]


def test_a_rejected_offer_hands_the_value_back_to_the_one_before(deal, salesperson):
    make_offer(deal=deal, actor=salesperson, amount="200000", currency="CHF")
    second = make_offer(deal=deal, actor=salesperson, amount="300000", currency="USD")
    assert (_reload(deal).value, _reload(deal).currency) == (Decimal("300000.00"), "USD")

    services.submit_offer(offer=second, actor=salesperson)
    services.reject_offer(offer=second, actor=salesperson)
    deal = _reload(deal)
    assert (deal.value, deal.currency) == (Decimal("200000.00"), "CHF")


def test_a_typed_value_stops_the_following_until_handed_back(deal, salesperson):
    offer = make_offer(deal=deal, actor=salesperson, amount="1500000", currency="EUR")
    update_deal(deal=_reload(deal), actor=salesperson, changes={"value": "1300000"})
    deal = _reload(deal)
    assert (deal.value, deal.value_follows_offer) == (Decimal("1300000.00"), False)

    services.revise_offer(offer=offer, actor=salesperson, changes={"amount": "1450000"})
    make_offer(deal=deal, actor=salesperson, amount="9", currency="CHF")
    deal = _reload(deal)
    assert (deal.value, deal.currency, deal.value_follows_offer) == (Decimal("1300000.00"), "EUR", False)

    services.follow_offers(deal=deal, actor=salesperson)
    deal = _reload(deal)
    assert (deal.value, deal.currency, deal.value_follows_offer) == (Decimal("9.00"), "CHF", True)


def test_following_again_with_no_standing_offer_keeps_the_value(deal, salesperson):
    update_deal(deal=deal, actor=salesperson, changes={"value": "777"})
    services.follow_offers(deal=_reload(deal), actor=salesperson)
    deal = _reload(deal)
    assert (deal.value, deal.value_follows_offer) == (Decimal("777.00"), True)


def test_a_failed_offer_write_leaves_the_deal_value_alone(deal, salesperson):
    make_offer(deal=deal, actor=salesperson, amount="5000", currency="EUR")
    with pytest.raises(ValidationFailed):
        make_offer(deal=deal, actor=salesperson, amount="6000", currency="NOPE")
    deal = _reload(deal)
    assert (deal.value, deal.currency) == (Decimal("5000.00"), "EUR")
    assert Offer.objects.filter(deal=deal).count() == 1
