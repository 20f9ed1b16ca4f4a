"""The deal's timeline tells what happened to its products; the audit trail, to the catalogue."""

import pytest

from apogee.core.models import DomainEvent
from apogee.products import services
from apogee.timeline.describe import describe
from apogee.timeline.queries import timeline_for
from tests.deals.factories import make_deal
from tests.products.factories import make_line, make_product

pytestmark = pytest.mark.django_db


def test_product_lines_appear_on_the_deal_timeline_with_their_changes(sales_pipeline, salesperson):
    deal = make_deal(pipeline=sales_pipeline, owner=salesperson, currency="CHF")
    motor = make_product(name="Stepper motor", prices=[{"amount": "2950", "currency": "CHF"}])
    line = services.add_deal_product(actor=salesperson, deal=deal, product=motor, quantity=2)
    services.update_deal_product(
        actor=salesperson, line=line, changes={"quantity": 3, "discount_percent": "5"}
    )
    services.remove_deal_product(actor=salesperson, line=line)

    entries = [e for e in timeline_for(salesperson, deal).entries if e.name.startswith("products.")]

    assert [e.text for e in entries] == [
        "Removed product “Stepper motor” ×3",
        "Changed product “Stepper motor”",
        "Added product “Stepper motor” ×2",
    ]
    assert entries[1].changes == [("Quantity", "2", "3"), ("Discount (%)", "0", "5")]
    assert {e.kind for e in entries} == {"change"}


def test_catalogue_events_are_described_for_the_audit_trail(workspace, manager):
    product = make_product(name="Hinge", prices=[{"amount": "10", "currency": "CHF"}])
    services.update_product(
        actor=manager,
        product=product,
        changes={"prices": [{"amount": "12", "currency": "CHF"}, {"amount": "13", "currency": "EUR"}]},
    )
    services.archive_product(actor=manager, product=product)
    services.restore_product(actor=manager, product=product)

    entries = describe(DomainEvent.objects.filter(subject_type="product").order_by("id"))

    assert [e.text for e in entries] == [
        "Added “Hinge” to the product catalogue",
        "Changed the product “Hinge”",
        "Archived the product “Hinge”",
        "Restored the product “Hinge”",
    ]
    assert entries[1].changes == [("Prices", "CHF 10.00", "CHF 12.00, EUR 13.00")]


def test_a_line_added_by_an_import_is_on_the_timeline_too(sales_pipeline, salesperson):
    deal = make_deal(pipeline=sales_pipeline, owner=salesperson)
    make_line(deal=deal, product=make_product(name="Bracket set"), quantity="1.5")

    (entry,) = [e for e in timeline_for(salesperson, deal).entries if e.name.startswith("products.")]
    assert (entry.text, entry.who) == ("Added product “Bracket set” ×1.5", "System")
