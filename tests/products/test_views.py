"""Catalogue pages and the products section of the deal page: who may do what, forms, htmx, query counts."""

import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apogee.core.models import DomainEvent
from apogee.deals.models import Visibility
from apogee.products.models import DealProduct, Product
from tests.deals.factories import make_deal
from tests.products.factories import make_line, make_product

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


@pytest.fixture
def deal(sales_pipeline, salesperson):
    return make_deal(
        pipeline=sales_pipeline,
        owner=salesperson,
        visibility=Visibility.OWNER,
        title="Secret",
        currency="CHF",
    )


def _triggers(response) -> dict:
    return json.loads(response.headers.get("HX-Trigger", "{}"))


# The catalogue ---------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_the_login(client):
    response = client.get(reverse("products:list"))
    assert response.status_code == 302
    assert "/accounts/login/" in response.url


@pytest.mark.parametrize(("role", "can_manage"), [("admin", True), ("manager", True), ("salesperson", False)])
def test_everyone_reads_the_catalogue_only_managers_and_admins_change_it(
    request, workspace, client_for, role, can_manage
):
    user = request.getfixturevalue(role)
    product = make_product(name="Stepper motor")
    client = client_for(user)
    expected = 200 if can_manage else 403

    page = client.get(reverse("products:list"))
    assert page.status_code == 200
    assert "Stepper motor" in page.content.decode()
    assert (reverse("products:create") in page.content.decode()) is can_manage
    assert client.get(reverse("products:create")).status_code == expected
    assert client.get(reverse("products:edit", args=[product.pk])).status_code == expected
    assert client.get(reverse("products:archive", args=[product.pk])).status_code == expected
    assert client.get(reverse("products:restore", args=[product.pk])).status_code == expected


def test_a_member_cannot_post_to_the_catalogue_and_nothing_changes(workspace, client_for, salesperson):
    product = make_product(name="Stepper motor")
    client = client_for(salesperson)

    assert client.post(reverse("products:create"), {"name": "New"}).status_code == 403
    assert client.post(reverse("products:edit", args=[product.pk]), {"name": "Other"}).status_code == 403
    assert client.post(reverse("products:archive", args=[product.pk])).status_code == 403

    product.refresh_from_db()
    assert (Product.objects.count(), product.name, product.is_active) == (1, "Stepper motor", True)


def test_a_manager_creates_a_product_with_prices_per_currency(workspace, client_for, manager):
    response = client_for(manager).post(
        reverse("products:create"),
        {
            "name": "Deployment hinge",
            "code": "MEC-DH3",
            "unit": "piece",
            "product_line": "mechanisms",
            "price_CHF": "18’200.50",
            "price_EUR": "",
            "price_USD": "21000",
            "description": "",
        },
    )

    assert response.status_code == 302
    product = Product.objects.get()
    assert response.url == reverse("products:list") + "?q=MEC-DH3"
    assert (product.name, product.product_line) == ("Deployment hinge", "mechanisms")
    assert product.prices == [
        {"amount": "18200.50", "currency": "CHF"},
        {"amount": "21000.00", "currency": "USD"},
    ]


def test_the_form_shows_field_errors_and_saves_nothing(workspace, client_for, manager):
    make_product(name="Motor", code="MOT-1")
    client = client_for(manager)

    response = client.post(reverse("products:create"), {"name": "", "price_CHF": "-3", "code": "x" * 61})
    assert response.status_code == 422
    errors = response.context["form"].errors
    assert set(errors) == {"name", "price_CHF", "code"}
    assert "Enter an amount of 0 or more, with at most two decimals." in response.content.decode()

    response = client.post(reverse("products:create"), {"name": "Copy", "code": "mot-1"})
    assert response.status_code == 422
    assert response.context["form"].errors["code"] == ["“Motor” already has the code MOT-1."]
    assert Product.objects.count() == 1


def test_the_product_form_offers_the_active_product_lines_and_keeps_the_current(
    workspace, client_for, manager
):
    product = make_product(name="Motor", product_line="motor")

    form = client_for(manager).get(reverse("products:edit", args=[product.pk])).context["form"]

    assert [key for key, _label in form.fields["product_line"].choices] == [
        "",
        "mechanisms",
        "structures",
        "motor",
        "batteries",
    ]
    assert form.initial["product_line"] == "motor"
    assert [f.name for f in form.price_fields()] == ["price_CHF", "price_EUR", "price_USD"]


def test_a_manager_edits_a_product_and_its_prices(workspace, client_for, manager):
    product = make_product(name="Motor", prices=[{"amount": "100", "currency": "GBP"}])
    client = client_for(manager)
    form = client.get(reverse("products:edit", args=[product.pk])).context["form"]
    # A currency the workspace does not have stays editable on the product that uses it.
    assert form.initial["price_GBP"] == "100.00"

    response = client.post(
        reverse("products:edit", args=[product.pk]),
        {
            "name": "Motor SM-28",
            "code": "",
            "unit": "pc",
            "price_CHF": "90",
            "price_GBP": "",
            "product_line": "",
        },
    )

    assert response.status_code == 302
    product.refresh_from_db()
    assert (product.name, product.unit, product.prices) == (
        "Motor SM-28",
        "pc",
        [{"amount": "90.00", "currency": "CHF"}],
    )


def test_archive_asks_then_archives_and_restore_brings_it_back(workspace, client_for, manager):
    product = make_product(name="Old motor")
    client = client_for(manager)

    confirm = client.get(reverse("products:archive", args=[product.pk]))
    assert "Archive Old motor?" in confirm.content.decode()
    response = client.post(reverse("products:archive", args=[product.pk]), {"next": "/products/?status=all"})
    assert (response.status_code, response.url) == (302, "/products/?status=all")
    product.refresh_from_db()
    assert product.is_active is False

    response = client.post(reverse("products:restore", args=[product.pk]), {"next": "https://evil.example/"})
    assert (response.status_code, response.url) == (302, reverse("products:list"))
    product.refresh_from_db()
    assert product.is_active is True


def test_the_list_shows_active_products_by_default_and_filters(workspace, client_for, salesperson):
    make_product(name="Stepper motor", code="MOT-SM28")
    make_product(name="Hinge", code="MEC-DH3")
    make_product(name="Old motor", is_active=False)
    client = client_for(salesperson)

    def names(**params):
        page = client.get(reverse("products:list"), params).context["page"]
        return [p.name for p in page.object_list]

    assert names() == ["Hinge", "Stepper motor"]
    assert names(status="archived") == ["Old motor"]
    assert names(status="all") == ["Hinge", "Old motor", "Stepper motor"]
    assert names(q="mot") == ["Stepper motor"]
    assert names(q="mec-") == ["Hinge"]
    assert names(status="all", q="motor") == ["Old motor", "Stepper motor"]
    # An unknown status is the default one, not an error.
    assert names(status="everything") == ["Hinge", "Stepper motor"]


def test_the_search_box_gets_the_results_alone(workspace, client_for, salesperson):
    make_product(name="Stepper motor")

    response = client_for(salesperson).get(reverse("products:list"), {"q": "step"}, headers=HTMX)

    body = response.content.decode()
    assert "Stepper motor" in body
    assert "<html" not in body
    assert "HX-Request" in response.headers["Vary"]


def test_empty_states_say_what_to_do(workspace, client_for, salesperson, manager):
    assert "A manager or an administrator adds the products" in (
        client_for(salesperson).get(reverse("products:list")).content.decode()
    )
    body = client_for(manager).get(reverse("products:list")).content.decode()
    assert "The catalogue is empty" in body and reverse("products:create") in body
    assert (
        "No product matches “zzz”."
        in client_for(manager).get(reverse("products:list"), {"q": "zzz"}).content.decode()
    )


def test_the_list_pages_by_50_with_a_constant_number_of_queries(
    workspace, client_for, salesperson, django_assert_num_queries
):
    make_product(name="Product 000", product_line="motor")
    client = client_for(salesperson)
    client.get(reverse("products:list"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("products:list"))
    for n in range(1, 60):
        make_product(name=f"Product {n:03d}", product_line="motor", prices=[{"amount": n, "currency": "CHF"}])

    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(reverse("products:list"))
    page = response.context["page"]
    assert (page.paginator.count, len(page.object_list), page.paginator.num_pages) == (60, 50, 2)
    assert response.context["page"].object_list[0].product_line_label == "Motor"
    assert [p.name for p in client.get(reverse("products:list"), {"page": 2}).context["page"].object_list][
        -1
    ] == ("Product 059")


def test_the_sidebar_links_to_the_catalogue(workspace, client_for, salesperson):
    body = client_for(salesperson).get(reverse("deals:list")).content.decode()
    assert f'href="{reverse("products:list")}"' in body


# The deal section ------------------------------------------------------------------------


def test_the_deal_page_loads_the_products_section(client_for, deal, salesperson):
    body = client_for(salesperson).get(reverse("deals:detail", args=[deal.pk])).content.decode()

    assert f'hx-get="{reverse("products:panel", args=[deal.pk])}"' in body
    assert f'id="products-deal-{deal.pk}"' in body


def test_the_panel_lists_the_lines_with_totals_and_their_sum(client_for, deal, salesperson):
    motor = make_product(name="Stepper motor", code="MOT-SM28", unit="piece")
    hours = make_product(name="Engineering support", unit="hour")
    make_line(deal=deal, product=motor, quantity=2, item_price="2950", discount_percent="10")
    make_line(deal=deal, product=hours, quantity="1200.5", item_price="165", comment="Design reviews")

    response = client_for(salesperson).get(reverse("products:panel", args=[deal.pk]))

    assert response.status_code == 200
    body = response.content.decode()
    assert response.context["editable"] is True
    assert response.context["sums"] == [("CHF", Decimal("203392.50"))]
    for text in (
        "Stepper motor",
        "MOT-SM28",
        "CHF 2’950.00",
        "10%",
        "CHF 5’310.00",
        "1’200.5",
        "hour",
        "CHF 198’082.50",
        "Design reviews",
        "CHF 203’392.50",
        reverse("products:add_line", args=[deal.pk]),
        reverse("products:remove_line", args=[deal.pk, response.context["lines"][0].pk]),
        "hx-confirm=",
    ):
        assert text in body, text


def test_lines_in_several_currencies_are_summed_per_currency(client_for, deal, salesperson):
    product = make_product()
    make_line(deal=deal, product=product, item_price="10", currency="CHF")
    make_line(deal=deal, product=product, item_price="20", currency="EUR")
    make_line(deal=deal, product=product, item_price="5", currency="EUR")

    response = client_for(salesperson).get(reverse("products:panel", args=[deal.pk]))

    assert response.context["sums"] == [("EUR", Decimal("25.00")), ("CHF", Decimal("10.00"))]
    assert "Total in EUR" in response.content.decode()


def test_an_empty_panel_says_what_to_do(client_for, deal, salesperson):
    body = client_for(salesperson).get(reverse("products:panel", args=[deal.pk])).content.decode()
    assert "No products on this deal yet. Add what the customer buys from the catalogue" in body


def test_the_panel_costs_the_same_queries_for_1_or_10_lines(
    client_for, deal, salesperson, django_assert_num_queries
):
    client = client_for(salesperson)
    url = reverse("products:panel", args=[deal.pk])
    make_line(deal=deal, product=make_product())
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for _ in range(9):
        make_line(deal=deal, product=make_product())

    with django_assert_num_queries(len(one.captured_queries)):
        response = client.get(url)
    assert len(response.context["lines"]) == 10


def test_another_team_gets_404_on_every_verb_and_nothing_changes(
    client_for, deal, salesperson, other_salesperson
):
    product = make_product()
    line = make_line(deal=deal, product=product)
    client = client_for(other_salesperson)

    responses = [
        client.get(reverse("products:panel", args=[deal.pk])),
        client.get(reverse("products:add_line", args=[deal.pk])),
        client.post(reverse("products:add_line", args=[deal.pk]), {"product": product.pk, "quantity": "1"}),
        client.get(reverse("products:line_price", args=[deal.pk]), {"product": product.pk}),
        client.get(reverse("products:edit_line", args=[deal.pk, line.pk])),
        client.post(reverse("products:edit_line", args=[deal.pk, line.pk]), {"quantity": "9"}),
        client.post(reverse("products:remove_line", args=[deal.pk, line.pk])),
    ]

    assert [r.status_code for r in responses] == [404] * 7
    assert list(DealProduct.objects.values_list("pk", "quantity")) == [(line.pk, Decimal("1.000"))]


def test_a_line_of_another_deal_is_404(client_for, deal, sales_pipeline, salesperson):
    other = make_deal(pipeline=sales_pipeline, owner=salesperson)
    line = make_line(deal=other, product=make_product())

    client = client_for(salesperson)
    assert client.get(reverse("products:edit_line", args=[deal.pk, line.pk])).status_code == 404
    assert client.post(reverse("products:remove_line", args=[deal.pk, line.pk])).status_code == 404
    assert DealProduct.objects.filter(pk=line.pk).exists()


def test_the_add_dialog_offers_active_products_and_prefills_the_price(client_for, deal, salesperson):
    motor = make_product(
        name="Motor", prices=[{"amount": "80", "currency": "EUR"}, {"amount": "90", "currency": "CHF"}]
    )
    make_product(name="Old motor", is_active=False)
    client = client_for(salesperson)

    dialog = client.get(reverse("products:add_line", args=[deal.pk]), headers=HTMX)
    assert dialog.headers["HX-Retarget"] == "#dialog"
    assert [p.name for p in dialog.context["form"].fields["product"].queryset] == ["Motor"]
    assert 'hx-get="{}"'.format(reverse("products:line_price", args=[deal.pk])) in dialog.content.decode()

    price = client.get(reverse("products:line_price", args=[deal.pk]), {"product": motor.pk}, headers=HTMX)
    assert price.status_code == 200
    assert (price.context["form"]["item_price"].value(), price.context["form"]["currency"].value()) == (
        Decimal("90"),
        "CHF",
    )
    assert f'id="line-price-{deal.pk}"' in price.content.decode()


def test_adding_a_line_with_htmx_closes_the_dialog_and_reloads_the_section(client_for, deal, salesperson):
    motor = make_product(name="Motor", prices=[{"amount": "90", "currency": "CHF"}])

    response = client_for(salesperson).post(
        reverse("products:add_line", args=[deal.pk]),
        {"product": motor.pk, "quantity": "2", "item_price": "", "currency": "CHF", "discount_percent": ""},
        headers=HTMX,
    )

    assert response.status_code == 204
    assert {"products-changed", "close-dialog", "toast"} <= set(_triggers(response))
    line = DealProduct.objects.get()
    assert (line.deal, line.product, line.quantity, line.item_price, line.discount_percent) == (
        deal,
        motor,
        Decimal("2"),
        Decimal("90.00"),
        Decimal("0"),
    )
    assert DomainEvent.objects.filter(name="products.deal_product_added", subject_id=deal.pk).count() == 1


def test_adding_without_javascript_goes_back_to_the_deal(client_for, deal, salesperson):
    motor = make_product(name="Motor")
    client = client_for(salesperson)

    page = client.get(reverse("products:add_line", args=[deal.pk]))
    assert page.status_code == 200 and "<html" in page.content.decode()
    response = client.post(
        reverse("products:add_line", args=[deal.pk]),
        {
            "product": motor.pk,
            "quantity": "1",
            "item_price": "12.50",
            "currency": "EUR",
            "discount_percent": "0",
        },
    )

    assert (response.status_code, response.url) == (302, reverse("deals:detail", args=[deal.pk]))
    assert (DealProduct.objects.get().item_price, DealProduct.objects.get().currency) == (
        Decimal("12.50"),
        "EUR",
    )


def test_bad_line_input_comes_back_in_the_dialog_with_field_errors(client_for, deal, salesperson):
    motor = make_product(name="Motor")
    client = client_for(salesperson)
    data = {
        "product": motor.pk,
        "quantity": "0",
        "item_price": "1.234",
        "currency": "CHF",
        "discount_percent": "120",
    }

    response = client.post(reverse("products:add_line", args=[deal.pk]), data, headers=HTMX)
    assert response.status_code == 200
    assert response.headers["HX-Retarget"] == "#dialog"
    assert set(response.context["form"].errors) == {"quantity", "item_price", "discount_percent"}
    assert "Enter a quantity above 0, with at most three decimals." in response.content.decode()

    response = client.post(reverse("products:add_line", args=[deal.pk]), data)
    assert response.status_code == 422
    assert not DealProduct.objects.exists()


def test_an_archived_product_cannot_be_added_through_a_forged_post(client_for, deal, salesperson):
    old = make_product(name="Old motor", is_active=False)

    response = client_for(salesperson).post(
        reverse("products:add_line", args=[deal.pk]),
        {"product": old.pk, "quantity": "1", "currency": "CHF"},
        headers=HTMX,
    )

    assert response.status_code == 200
    assert "product" in response.context["form"].errors
    assert not DealProduct.objects.exists()


def test_editing_a_line_keeps_its_archived_product_and_saves_the_changes(
    client_for, deal, salesperson, manager
):
    old = make_product(name="Old motor", prices=[{"amount": "50", "currency": "CHF"}])
    line = make_line(deal=deal, product=old)
    old.is_active = False
    old.save()
    client = client_for(salesperson)

    dialog = client.get(reverse("products:edit_line", args=[deal.pk, line.pk]), headers=HTMX)
    form = dialog.context["form"]
    assert [p.name for p in form.fields["product"].queryset] == ["Old motor"]
    assert (form["quantity"].value(), form["item_price"].value()) == ("1", Decimal("50.00"))

    response = client.post(
        reverse("products:edit_line", args=[deal.pk, line.pk]),
        {"product": old.pk, "quantity": "4", "item_price": "45", "currency": "CHF", "discount_percent": "0"},
        headers=HTMX,
    )

    assert response.status_code == 204
    line.refresh_from_db()
    assert (line.quantity, line.item_price) == (Decimal("4"), Decimal("45.00"))
    event = DomainEvent.objects.get(name="products.deal_product_changed")
    assert event.data["changes"] == {"quantity": ["1", "4"], "item_price": ["50.00", "45.00"]}


def test_editing_needs_a_price(client_for, deal, salesperson):
    line = make_line(deal=deal, product=make_product())

    response = client_for(salesperson).post(
        reverse("products:edit_line", args=[deal.pk, line.pk]),
        {"product": line.product_id, "quantity": "4", "item_price": "", "currency": "CHF"},
    )

    assert response.status_code == 422
    assert "item_price" in response.context["form"].errors


def test_removing_a_line(client_for, deal, salesperson):
    line = make_line(deal=deal, product=make_product(name="Motor"))
    client = client_for(salesperson)

    assert client.get(reverse("products:remove_line", args=[deal.pk, line.pk])).status_code == 405
    response = client.post(reverse("products:remove_line", args=[deal.pk, line.pk]), headers=HTMX)

    assert response.status_code == 204
    assert _triggers(response)["toast"]["message"] == "“Motor” removed from the deal."
    assert not DealProduct.objects.exists()
