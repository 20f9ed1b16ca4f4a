"""Lineage across deals: an RFI's ROM is seen from the Sales deal handed off from it, and back."""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from apogee.deals.models import Deal, Visibility
from apogee.offers import services
from apogee.offers.queries import lineage
from apogee.offers.templatetags.offers import compact_amount
from tests.deals.factories import make_deal
from tests.offers.factories import make_offer

pytestmark = pytest.mark.django_db


@pytest.fixture
def rfi_and_sales(workspace, salesperson):
    rfi = make_deal(pipeline=workspace["RFI"], owner=salesperson, title="RFI Harmony bearing")
    rom = make_offer(deal=rfi, actor=salesperson, offer_type="rom", amount="1200000", currency="EUR")
    services.submit_offer(offer=rom, actor=salesperson, submitted_on=date(2025, 5, 1))
    sales = make_deal(
        pipeline=workspace["Sales"], owner=salesperson, title="Harmony bearing", origin_deal=rfi
    )
    firm = make_offer(deal=sales, actor=salesperson, amount="1500000", currency="EUR")
    services.submit_offer(offer=firm, actor=salesperson, submitted_on=date(2026, 2, 1))
    services.revise_offer(
        offer=firm, actor=salesperson, changes={"amount": "1450000", "submitted_on": "2026-03-01"}
    )
    return rfi, sales


def test_sales_deal_shows_the_rom_of_its_rfi_then_its_current_firm_offer(rfi_and_sales, salesperson):
    rfi, sales = rfi_and_sales
    chain = lineage(salesperson, sales)
    assert [(step.deal.pk, step.relation) for step in chain] == [(rfi.pk, "origin"), (sales.pk, "self")]
    assert [[(o.offer_type, o.amount) for o in step.offers] for step in chain] == [
        [("rom", Decimal("1200000.00"))],
        [("firm", Decimal("1450000.00"))],
    ]


def test_rfi_deal_shows_the_offers_of_the_deal_handed_off_from_it(rfi_and_sales, salesperson):
    rfi, sales = rfi_and_sales
    chain = lineage(salesperson, rfi)
    assert [(step.deal.pk, step.relation) for step in chain] == [(rfi.pk, "self"), (sales.pk, "handed_off")]


def test_panel_draws_the_compact_timeline_line(client_for, rfi_and_sales, salesperson):
    _rfi, sales = rfi_and_sales
    html = client_for(salesperson).get(reverse("offers:panel", args=[sales.pk])).content.decode()
    line = html.split('class="lineage-line">')[1].split("</p>")[0]
    text = " ".join(re.sub(r"<[^>]+>", "", line).split())
    assert text == "ROM 1.2 M EUR (2025) → firm offer 1.45 M EUR (2026)"


def test_an_origin_the_user_may_not_see_stays_out_of_the_lineage(workspace, salesperson, other_salesperson):
    rfi = make_deal(pipeline=workspace["RFI"], owner=other_salesperson, visibility=Visibility.OWNER)
    make_offer(deal=rfi, actor=other_salesperson, offer_type="rom", amount="999")
    sales = make_deal(pipeline=workspace["Sales"], owner=salesperson, origin_deal=rfi)
    make_offer(deal=sales, actor=salesperson)

    assert lineage(salesperson, sales) == []
    # The Sales deal is shared with everyone: from the private RFI, its owner sees where it went.
    assert [step.relation for step in lineage(other_salesperson, rfi)] == ["self", "handed_off"]


def test_lineage_is_empty_when_no_other_deal_has_offers(workspace, salesperson):
    rfi = make_deal(pipeline=workspace["RFI"], owner=salesperson)
    sales = make_deal(pipeline=workspace["Sales"], owner=salesperson, origin_deal=rfi)
    make_offer(deal=sales, actor=salesperson)
    assert lineage(salesperson, sales) == []


def test_a_loop_of_origins_does_not_spin(workspace, salesperson):
    a = make_deal(pipeline=workspace["Sales"], owner=salesperson)
    b = make_deal(pipeline=workspace["Sales"], owner=salesperson, origin_deal=a)
    Deal.objects.filter(pk=a.pk).update(origin_deal=b)
    make_offer(deal=a, actor=salesperson)
    make_offer(deal=b, actor=salesperson)
    a.refresh_from_db()
    chain = lineage(salesperson, a)
    assert [(step.deal.pk, step.relation) for step in chain] == [(b.pk, "origin"), (a.pk, "self")]


@pytest.mark.parametrize(
    ("amount", "shown"),
    [
        ("1200000", "1.2 M"),
        ("1450000", "1.45 M"),
        ("85000", "85 k"),
        ("950", "950"),
        ("-45000", "-45 k"),
        ("2500000000", "2.5 bn"),
    ],
)
def test_compact_amounts(amount, shown):
    assert compact_amount(Decimal(amount)) == shown
