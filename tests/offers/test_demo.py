"""The demo's offers: a ROM on an RFI, seen from the Sales deal handed off from it; idempotent."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from apogee.deals.models import Deal
from apogee.offers import demo
from apogee.offers.models import Offer, OfferDocument
from apogee.offers.queries import lineage
from tests.deals.factories import make_deal

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 6, 15, 9, 0, tzinfo=UTC)


def test_seed_tells_the_rom_to_firm_offer_story_once(workspace, salesperson, admin):
    rfi = make_deal(pipeline=workspace["RFI"], owner=salesperson, title="RFI Harmony bearing", currency="EUR")
    for n in range(3):
        make_deal(pipeline=workspace["Sales"], owner=salesperson, title=f"Sales {n}", value=100000 * (n + 1))

    demo.seed(users={}, now=NOW)

    sales = Deal.objects.get(origin_deal=rfi)
    rom = Offer.objects.get(deal=rfi)
    assert (rom.offer_type, rom.amount, rom.currency, rom.status, rom.submitted_on.year) == (
        "rom",
        Decimal("1200000.00"),
        "EUR",
        "submitted",
        2025,
    )
    assert list(
        Offer.objects.filter(deal=sales).order_by("revision").values_list("revision", "amount", "status")
    ) == [
        (1, Decimal("1500000.00"), "superseded"),
        (2, Decimal("1450000.00"), "submitted"),
    ]
    assert (Deal.objects.get(pk=sales.pk).value, Deal.objects.get(pk=rfi.pk).value) == (
        Decimal("1450000.00"),
        Decimal("1200000.00"),
    )
    assert OfferDocument.objects.filter(offer__deal=sales, content_type="application/pdf").count() == 1
    assert [step.relation for step in lineage(admin, sales)] == ["origin", "self"]
    assert Offer.objects.exclude(deal__in=[rfi, sales]).count() == 3

    count = Offer.objects.count()
    demo.seed(users={}, now=NOW)
    assert Offer.objects.count() == count
