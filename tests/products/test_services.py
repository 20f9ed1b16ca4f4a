"""Product services: the catalogue's rules and permissions, a deal's products, their events and totals."""

from decimal import Decimal

import pytest

from apogee.core.errors import NotFound, PermissionDenied, ValidationFailed
from apogee.core.models import DomainEvent
from apogee.deals.models import Visibility
from apogee.products import services
from apogee.products.models import DealProduct, Product
from tests.deals.factories import make_deal
from tests.products.factories import make_line, make_product

pytestmark = pytest.mark.django_db


@pytest.fixture
def deal(sales_pipeline, salesperson):
    return make_deal(pipeline=sales_pipeline, owner=salesperson, currency="EUR", visibility=Visibility.OWNER)


def _events(name: str) -> list[DomainEvent]:
    return list(DomainEvent.objects.filter(name=name).order_by("id"))


def _field_errors(excinfo) -> dict[str, list[str]]:
    return excinfo.value.fields


# The catalogue ---------------------------------------------------------------------------


def test_a_manager_creates_a_product_with_prices_and_a_product_line(workspace, manager):
    product = services.create_product(
        actor=manager,
        name="  Stepper   motor SM-28 ",
        code="MOT-SM28",
        unit="piece",
        prices=[{"amount": "2950", "currency": "chf"}, {"amount": Decimal("3150.5"), "currency": "EUR"}],
        product_line="motor",
        description="Qualified.",
    )

    product.refresh_from_db()
    assert (product.name, product.code, product.unit, product.product_line, product.is_active) == (
        "Stepper motor SM-28",
        "MOT-SM28",
        "piece",
        "motor",
        True,
    )
    assert product.prices == [
        {"amount": "2950.00", "currency": "CHF"},
        {"amount": "3150.50", "currency": "EUR"},
    ]
    (event,) = _events("products.product_created")
    assert (event.subject_type, event.subject_id, event.actor_id) == ("product", product.pk, manager.pk)
    assert event.data["name"] == "Stepper motor SM-28"
    assert event.data["prices"] == product.prices


def test_an_administrator_may_change_the_catalogue_too(workspace, admin):
    product = services.create_product(actor=admin, name="Hinge")
    assert Product.objects.filter(pk=product.pk).exists()


def test_a_member_may_not_change_the_catalogue_and_nothing_is_written(workspace, salesperson):
    product = make_product(name="Hinge")
    before = DomainEvent.objects.count()

    with pytest.raises(PermissionDenied):
        services.create_product(actor=salesperson, name="Motor")
    with pytest.raises(PermissionDenied):
        services.update_product(actor=salesperson, product=product, changes={"name": "Other"})
    with pytest.raises(PermissionDenied):
        services.archive_product(actor=salesperson, product=product)
    with pytest.raises(PermissionDenied):
        services.restore_product(actor=salesperson, product=product)

    product.refresh_from_db()
    assert (product.name, product.is_active) == ("Hinge", True)
    assert Product.objects.count() == 1
    assert DomainEvent.objects.count() == before


@pytest.mark.parametrize(
    ("fields", "bad"),
    [
        ({"name": "  "}, {"name"}),
        ({"name": "x" * 201}, {"name"}),
        ({"name": "A\x00B"}, {"name"}),
        ({"name": "A", "code": "c" * 61}, {"code"}),
        ({"name": "A", "unit": "u" * 31}, {"unit"}),
        ({"name": "A", "prices": [{"amount": "-1", "currency": "CHF"}]}, {"prices"}),
        ({"name": "A", "prices": [{"amount": "1.001", "currency": "CHF"}]}, {"prices"}),
        ({"name": "A", "prices": [{"amount": "NaN", "currency": "CHF"}]}, {"prices"}),
        ({"name": "A", "prices": [{"amount": "ten", "currency": "CHF"}]}, {"prices"}),
        ({"name": "A", "prices": [{"amount": "1", "currency": "Swiss franc"}]}, {"prices"}),
        (
            {"name": "A", "prices": [{"amount": "1", "currency": "CHF"}, {"amount": "2", "currency": "chf"}]},
            {"prices"},
        ),
        ({"name": "A", "prices": [{"amount": "1"}]}, {"prices"}),
        ({"name": "A", "prices": [{"amount": "1", "currency": "CHF", "cost": "1"}]}, {"prices"}),
        ({"name": "A", "prices": "CHF 100"}, {"prices"}),
        ({"name": "A", "product_line": "warp_drive"}, {"product_line"}),
        ({"name": "", "code": "x" * 61, "product_line": "nope"}, {"name", "code", "product_line"}),
    ],
)
def test_bad_input_is_refused_naming_each_field_and_nothing_is_written(workspace, manager, fields, bad):
    with pytest.raises(ValidationFailed) as excinfo:
        services.create_product(actor=manager, **fields)

    assert set(_field_errors(excinfo)) == bad
    assert not Product.objects.exists()
    assert not DomainEvent.objects.filter(name__startswith="products.").exists()


def test_a_product_line_must_be_an_option_of_the_deal_field(workspace, manager):
    product = services.create_product(actor=manager, name="Bracket", product_line="structures")
    assert product.product_line == "structures"

    with pytest.raises(ValidationFailed) as excinfo:
        services.update_product(actor=manager, product=product, changes={"product_line": "Structures!"})
    assert "Unknown product line" in excinfo.value.fields["product_line"][0]


def test_without_the_product_line_field_only_an_empty_line_is_accepted(db, manager):
    with pytest.raises(ValidationFailed) as excinfo:
        services.create_product(actor=manager, name="Bracket", product_line="structures")
    assert set(excinfo.value.fields) == {"product_line"}

    assert services.create_product(actor=manager, name="Bracket").product_line == ""


def test_codes_are_unique_whatever_their_case_but_many_products_have_none(workspace, manager):
    first = make_product(name="Motor", code="MOT-1")
    make_product(name="No code A")
    make_product(name="No code B")

    with pytest.raises(ValidationFailed) as excinfo:
        services.create_product(actor=manager, name="Copy", code="mot-1")
    assert excinfo.value.fields["code"] == ["“Motor” already has the code MOT-1."]

    other = make_product(name="Hinge", code="HIN-1")
    with pytest.raises(ValidationFailed) as excinfo:
        services.update_product(actor=manager, product=other, changes={"code": "Mot-1"})
    assert set(excinfo.value.fields) == {"code"}
    # Its own code, in another case, is no clash.
    assert services.update_product(actor=manager, product=first, changes={"code": "mot-1"}).code == "mot-1"


def test_update_records_each_change_with_before_and_after(workspace, manager):
    product = make_product(name="Motor", unit="piece", prices=[{"amount": "10", "currency": "CHF"}])

    updated = services.update_product(
        actor=manager,
        product=product,
        changes={"name": "Motor SM-28", "unit": "piece", "prices": [{"amount": "12.50", "currency": "CHF"}]},
    )

    assert (updated.name, updated.prices) == ("Motor SM-28", [{"amount": "12.50", "currency": "CHF"}])
    (event,) = _events("products.product_updated")
    assert event.data["changes"] == {
        "name": ["Motor", "Motor SM-28"],
        "prices": [[{"amount": "10.00", "currency": "CHF"}], [{"amount": "12.50", "currency": "CHF"}]],
    }


def test_an_update_that_changes_nothing_records_nothing(workspace, manager):
    product = make_product(name="Motor")

    services.update_product(actor=manager, product=product, changes={"name": "Motor"})

    assert _events("products.product_updated") == []


def test_unknown_fields_are_refused(workspace, manager):
    product = make_product(name="Motor")
    with pytest.raises(ValidationFailed) as excinfo:
        services.update_product(actor=manager, product=product, changes={"colour": "red"})
    assert excinfo.value.fields == {"colour": ["Unknown field."]}


def test_archive_and_restore_record_once_each(workspace, manager):
    product = make_product(name="Motor")

    archived = services.archive_product(actor=manager, product=product)
    services.archive_product(actor=manager, product=product)
    assert archived.is_active is False
    restored = services.restore_product(actor=manager, product=product)
    assert restored.is_active is True

    assert [e.name for e in DomainEvent.objects.filter(subject_type="product").order_by("id")] == [
        "products.product_created",
        "products.product_archived",
        "products.product_restored",
    ]


def test_is_active_in_an_update_archives_with_its_own_event(workspace, manager):
    product = make_product(name="Motor")

    services.update_product(actor=manager, product=product, changes={"is_active": False, "unit": "pc"})

    product.refresh_from_db()
    assert (product.is_active, product.unit) == (False, "pc")
    assert [e.name for e in DomainEvent.objects.filter(subject_type="product").order_by("id")] == [
        "products.product_created",
        "products.product_updated",
        "products.product_archived",
    ]


# A deal's products -----------------------------------------------------------------------


def test_a_line_takes_the_products_price_in_the_deals_currency(deal, salesperson):
    product = make_product(
        prices=[{"amount": "100", "currency": "CHF"}, {"amount": "95.50", "currency": "EUR"}]
    )

    line = services.add_deal_product(actor=salesperson, deal=deal, product=product, quantity="2")

    assert (line.item_price, line.currency, line.quantity, line.position) == (
        Decimal("95.50"),
        "EUR",
        Decimal("2"),
        0,
    )
    assert line.total == Decimal("191.00")


def test_without_a_price_in_the_deals_currency_the_first_price_is_taken(deal, salesperson):
    product = make_product(
        prices=[{"amount": "100", "currency": "CHF"}, {"amount": "110", "currency": "USD"}]
    )

    line = services.add_deal_product(actor=salesperson, deal=deal, product=product)

    assert (line.item_price, line.currency) == (Decimal("100.00"), "CHF")


def test_without_any_price_the_line_is_zero_in_the_deals_currency(deal, salesperson):
    line = services.add_deal_product(actor=salesperson, deal=deal, product=make_product(prices=[]))

    assert (line.item_price, line.currency, line.total) == (Decimal("0.00"), "EUR", Decimal("0.00"))


def test_a_price_given_without_currency_is_in_the_deals_currency(deal, salesperson):
    product = make_product(prices=[{"amount": "100", "currency": "CHF"}])

    line = services.add_deal_product(actor=salesperson, deal=deal, product=product, item_price="80")
    assert (line.item_price, line.currency) == (Decimal("80.00"), "EUR")

    line = services.add_deal_product(actor=salesperson, deal=deal, product=product, currency="chf")
    assert (line.item_price, line.currency, line.position) == (Decimal("100.00"), "CHF", 1)


def test_the_total_applies_quantity_and_discount_to_the_cent(deal, salesperson):
    product = make_product(prices=[{"amount": "33.33", "currency": "EUR"}])

    line = services.add_deal_product(
        actor=salesperson, deal=deal, product=product, quantity="3.5", discount_percent="12.5"
    )

    # 3.5 × 33.33 × 0.875 = 102.073125
    assert line.total == Decimal("102.07")
    (event,) = _events("products.deal_product_added")
    assert (event.subject_type, event.subject_id) == ("deal", deal.pk)
    assert event.data == {
        "line": line.pk,
        "product": product.pk,
        "product_name": product.name,
        "quantity": "3.5",
        "item_price": "33.33",
        "currency": "EUR",
        "discount_percent": "12.5",
        "total": "102.07",
    }


@pytest.mark.parametrize(
    ("fields", "bad"),
    [
        ({"quantity": 0}, {"quantity"}),
        ({"quantity": "-1"}, {"quantity"}),
        ({"quantity": "1.0001"}, {"quantity"}),
        ({"quantity": "1e9"}, {"quantity"}),
        ({"quantity": None}, {"quantity"}),
        ({"discount_percent": "100.01"}, {"discount_percent"}),
        ({"discount_percent": -5}, {"discount_percent"}),
        ({"item_price": "1.234"}, {"item_price"}),
        ({"item_price": "Infinity"}, {"item_price"}),
        ({"currency": "EURO"}, {"currency"}),
        ({"comment": "x" * 2001}, {"comment"}),
        (
            {"quantity": 0, "discount_percent": 101, "currency": "1"},
            {"quantity", "discount_percent", "currency"},
        ),
    ],
)
def test_bad_line_input_is_refused_naming_each_field(deal, salesperson, fields, bad):
    product = make_product()

    with pytest.raises(ValidationFailed) as excinfo:
        services.add_deal_product(actor=salesperson, deal=deal, product=product, **fields)

    assert set(excinfo.value.fields) == bad
    assert not DealProduct.objects.exists()
    assert _events("products.deal_product_added") == []


def test_a_discount_of_100_and_a_credit_line_are_allowed(deal, salesperson):
    product = make_product()
    free = services.add_deal_product(actor=salesperson, deal=deal, product=product, discount_percent=100)
    credit = services.add_deal_product(actor=salesperson, deal=deal, product=product, item_price="-50")

    assert (free.total, credit.total) == (Decimal("0.00"), Decimal("-50.00"))


def test_a_person_may_not_put_an_archived_product_on_a_deal_but_an_import_may(deal, salesperson):
    product = make_product(name="Old motor", is_active=False)

    with pytest.raises(ValidationFailed) as excinfo:
        services.add_deal_product(actor=salesperson, deal=deal, product=product)
    assert excinfo.value.fields == {"product": ["“Old motor” is archived: choose an active product."]}

    line = services.add_deal_product(actor=None, deal=deal, product=product)
    assert line.product == product


def test_an_archived_product_stays_on_its_deals_and_its_line_can_still_change(deal, salesperson, manager):
    product = make_product(name="Old motor")
    line = make_line(deal=deal, product=product)
    services.archive_product(actor=manager, product=product)

    line = services.update_deal_product(actor=salesperson, line=line, changes={"quantity": "3"})

    assert DealProduct.objects.get(pk=line.pk).quantity == Decimal("3")


def test_who_may_not_see_the_deal_may_not_touch_its_products(deal, salesperson, other_salesperson):
    product = make_product()
    line = make_line(deal=deal, product=product)

    with pytest.raises(PermissionDenied):
        services.add_deal_product(actor=other_salesperson, deal=deal, product=product)
    with pytest.raises(PermissionDenied):
        services.update_deal_product(actor=other_salesperson, line=line, changes={"quantity": 5})
    with pytest.raises(PermissionDenied):
        services.remove_deal_product(actor=other_salesperson, line=line)

    assert list(DealProduct.objects.values_list("pk", "quantity")) == [(line.pk, Decimal("1.000"))]
    assert services.may_edit_deal_products(other_salesperson, deal) is False
    assert services.may_edit_deal_products(salesperson, deal) is True


def test_update_records_the_changes_on_the_deal(deal, salesperson):
    motor = make_product(name="Motor", prices=[{"amount": "100", "currency": "EUR"}])
    hinge = make_product(name="Hinge")
    line = make_line(deal=deal, product=motor, quantity=2)

    line = services.update_deal_product(
        actor=salesperson,
        line=line,
        changes={"product": hinge, "quantity": "2", "item_price": "90", "discount_percent": "10"},
    )

    assert (line.product, line.item_price, line.discount_percent, line.total) == (
        hinge,
        Decimal("90.00"),
        Decimal("10"),
        Decimal("162.00"),
    )
    (event,) = _events("products.deal_product_changed")
    assert (event.subject_type, event.subject_id) == ("deal", deal.pk)
    assert event.data["changes"] == {
        "product": ["Motor", "Hinge"],
        "item_price": ["100.00", "90.00"],
        "discount_percent": ["0", "10"],
    }


def test_update_refuses_bad_values_and_unknown_fields_and_changes_nothing(deal, salesperson):
    line = make_line(deal=deal, product=make_product())

    with pytest.raises(ValidationFailed) as excinfo:
        services.update_deal_product(
            actor=salesperson,
            line=line,
            changes={"quantity": None, "item_price": "", "discount_percent": "x", "deal": 3, "position": -1},
        )

    assert set(excinfo.value.fields) == {"quantity", "item_price", "discount_percent", "deal", "position"}
    assert DealProduct.objects.get(pk=line.pk).quantity == Decimal("1.000")
    assert _events("products.deal_product_changed") == []


def test_remove_takes_the_line_off_and_records_it_on_the_deal(deal, salesperson):
    product = make_product(name="Motor")
    line = make_line(deal=deal, product=product, quantity=2)

    services.remove_deal_product(actor=salesperson, line=line)

    assert not DealProduct.objects.exists()
    assert Product.objects.filter(pk=product.pk).exists()
    (event,) = _events("products.deal_product_removed")
    assert (event.subject_id, event.data["product_name"], event.data["quantity"]) == (deal.pk, "Motor", "2")
    with pytest.raises(NotFound):
        services.remove_deal_product(actor=salesperson, line=line)


def test_new_lines_go_last(deal, salesperson):
    product = make_product()
    lines = [make_line(deal=deal, product=product) for _ in range(3)]
    services.update_deal_product(actor=salesperson, line=lines[0], changes={"position": 10})

    line = make_line(deal=deal, product=product)

    assert [line.position for line in lines[1:]] == [1, 2]
    assert line.position == 11
