"""The demo's catalogue and the products of open Sales deals; a second run changes nothing."""

from datetime import UTC, datetime

import pytest

from apogee.core.models import DomainEvent
from apogee.products import demo
from apogee.products.models import DealProduct, Product
from tests.deals.factories import make_deal

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 6, 15, 9, 0, tzinfo=UTC)


def test_seed_fills_the_catalogue_and_open_deals_once(workspace, salesperson):
    deals = [
        make_deal(pipeline=workspace["Sales"], owner=salesperson, custom_values={"product_line": ["motor"]})
        for _ in range(2)
    ]

    demo.seed(users={}, now=NOW)
    events = DomainEvent.objects.count()
    demo.seed(users={}, now=NOW)

    assert DomainEvent.objects.count() == events
    assert Product.objects.filter(is_active=True).count() == len(demo.CATALOGUE)
    assert list(Product.objects.filter(is_active=False).values_list("code", flat=True)) == ["MOT-SM20"]
    assert Product.objects.get(code="MOT-SM28").product_line == "motor"
    first = list(DealProduct.objects.filter(deal=deals[0]).select_related("product"))
    assert [line.product.code for line in first][1:] == ["SRV-ENG-H", "MOT-SM20"]
    assert first[0].product.product_line == "motor"
    assert DealProduct.objects.filter(deal=deals[1]).count() == 2
