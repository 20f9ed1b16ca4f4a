"""The deal timeline tells the bid's story: decisions, offers and their revisions, under one filter."""

import pytest

from apogee.bids import services as bids
from apogee.offers.services import create_offer, revise_offer, submit_offer
from apogee.timeline.queries import timeline_for
from tests.deals.factories import make_deal

pytestmark = pytest.mark.django_db


def test_decisions_and_offers_appear_on_the_deal_timeline(sales_pipeline, salesperson, other_salesperson):
    criterion = bids.save_criterion(actor=None, label_en="Strategic fit", weight=1)
    deal = make_deal(pipeline=sales_pipeline, owner=salesperson, title="Reaction wheel")
    bids.record_decision(
        deal=deal, actor=salesperson, decision="bid", scores={criterion.pk: 4}, rationale="Core product"
    )
    offer = create_offer(deal=deal, actor=salesperson, offer_type="firm", amount="1500000", currency="EUR")
    submit_offer(offer=offer, actor=salesperson)
    revise_offer(offer=offer, actor=salesperson, changes={"amount": "1450000"})

    texts = [e.text for e in timeline_for(salesperson, deal, kinds=["bid"]).entries]
    assert texts[0] == f"Revised firm offer OFF-{deal.pk}-1 (revision 2): EUR 1450000.00"
    assert f"Submitted firm offer OFF-{deal.pk}-1: EUR 1500000.00" in texts
    assert f"Drafted firm offer OFF-{deal.pk}-1: EUR 1500000.00" in texts
    assert texts[-1] == "Recorded a bid decision (score 80.0)"
    # The other kinds stay out of this filter, and the bid's events stay out of theirs.
    assert all(e.kind == "bid" for e in timeline_for(salesperson, deal, kinds=["bid"]).entries)
    assert not [
        e for e in timeline_for(salesperson, deal, kinds=["change"]).entries if e.name.startswith("offer.")
    ]
