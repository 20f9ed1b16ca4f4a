"""The products API: the catalogue by role, a deal's products; members may not write, 404 hides, 422 names."""

from decimal import Decimal

import pytest

from apogee.deals.models import Visibility
from apogee.products.models import DealProduct, Product
from tests.deals.factories import make_deal
from tests.products.factories import make_line, make_product

pytestmark = pytest.mark.django_db

NOT_FOUND = {"code": "not_found", "message": "Not found.", "fields": {}}


@pytest.fixture
def deal(sales_pipeline, salesperson):
    return make_deal(
        pipeline=sales_pipeline,
        owner=salesperson,
        visibility=Visibility.OWNER,
        title="Secret",
        currency="EUR",
    )


def test_anonymous_requests_are_401(anonymous_api, workspace):
    assert anonymous_api.get("/products").status_code == 401
    assert anonymous_api.post("/products", {"name": "x"}).status_code == 401


def test_a_manager_creates_then_everyone_reads(api_as, workspace, manager, salesperson):
    response = api_as(manager).post(
        "/products",
        {
            "name": "Stepper motor SM-28",
            "code": "MOT-SM28",
            "unit": "piece",
            "prices": [{"amount": "2950", "currency": "CHF"}, {"amount": 3150.5, "currency": "EUR"}],
            "product_line": "motor",
        },
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert {k: body[k] for k in ("name", "code", "unit", "prices", "product_line", "is_active")} == {
        "name": "Stepper motor SM-28",
        "code": "MOT-SM28",
        "unit": "piece",
        "prices": [{"amount": "2950.00", "currency": "CHF"}, {"amount": "3150.50", "currency": "EUR"}],
        "product_line": "motor",
        "is_active": True,
    }

    api = api_as(salesperson)
    assert api.get(f"/products/{body['id']}").json()["name"] == "Stepper motor SM-28"
    listed = api.get("/products", {"q": "sm-28"}).json()
    assert (listed["count"], [p["id"] for p in listed["items"]]) == (1, [body["id"]])


@pytest.mark.parametrize("role", ["admin", "manager"])
def test_managers_and_admins_may_write(request, api_as, workspace, role):
    api = api_as(request.getfixturevalue(role))
    created = api.post("/products", {"name": "Hinge"})
    assert created.status_code == 201
    patched = api.patch(f"/products/{created.json()['id']}", {"unit": "piece", "is_active": False})
    assert patched.status_code == 200
    assert (patched.json()["unit"], patched.json()["is_active"]) == ("piece", False)


def test_a_member_may_not_write_the_catalogue(api_as, workspace, salesperson):
    product = make_product(name="Hinge")
    api = api_as(salesperson)

    created = api.post("/products", {"name": "Motor"})
    patched = api.patch(f"/products/{product.pk}", {"name": "Other"})

    assert (created.status_code, patched.status_code) == (403, 403)
    assert created.json()["code"] == "permission_denied"
    assert list(Product.objects.values_list("name", flat=True)) == ["Hinge"]


def test_bad_catalogue_input_is_422_naming_the_fields(api_as, workspace, manager):
    make_product(name="Motor", code="MOT-1")
    api = api_as(manager)

    response = api.post(
        "/products", {"name": "A", "prices": [{"amount": "-1", "currency": "CHF"}], "colour": 1}
    )
    assert response.status_code == 422
    assert {"prices.0.amount", "colour"} <= set(response.json()["fields"])

    response = api.post(
        "/products",
        {
            "name": " ",
            "code": "mot-1",
            "product_line": "warp",
            "prices": [{"amount": "1.001", "currency": "CHF"}],
        },
    )
    assert response.status_code == 422
    assert response.json()["code"] == "validation_failed"
    assert set(response.json()["fields"]) == {"name", "code", "product_line", "prices"}

    response = api.post(
        "/products",
        {"name": "A", "prices": [{"amount": "1", "currency": "CHF"}, {"amount": "2", "currency": "CHF"}]},
    )
    assert (response.status_code, list(response.json()["fields"])) == (422, ["prices"])

    product = Product.objects.get()
    response = api.patch(f"/products/{product.pk}", {"name": None})
    assert (response.status_code, list(response.json()["fields"])) == (422, ["name"])
    assert Product.objects.count() == 1


def test_the_list_filters_by_status_and_pages(api_as, workspace, salesperson):
    for n in range(3):
        make_product(name=f"Active {n}")
    make_product(name="Archived", is_active=False)
    api = api_as(salesperson)

    page = api.get("/products", {"limit": 2, "offset": 1}).json()
    assert (page["count"], [p["name"] for p in page["items"]]) == (3, ["Active 1", "Active 2"])
    assert [p["name"] for p in api.get("/products", {"status": "archived"}).json()["items"]] == ["Archived"]
    assert api.get("/products", {"status": "all"}).json()["count"] == 4
    assert api.get("/products", {"status": "gone"}).status_code == 422
    assert api.get("/products/999999").json() == NOT_FOUND


def test_deal_products_add_list_change_remove(api_as, deal, salesperson):
    motor = make_product(name="Motor", code="MOT", prices=[{"amount": "100", "currency": "EUR"}])
    api = api_as(salesperson)

    added = api.post(
        f"/deals/{deal.pk}/products", {"product_id": motor.pk, "quantity": "2.5", "discount_percent": 10}
    )
    assert added.status_code == 201, added.json()
    body = added.json()
    assert {k: body[k] for k in ("deal_id", "product_id", "product_name", "product_code")} == {
        "deal_id": deal.pk,
        "product_id": motor.pk,
        "product_name": "Motor",
        "product_code": "MOT",
    }
    assert (
        body["quantity"],
        body["item_price"],
        body["currency"],
        body["discount_percent"],
        body["total"],
    ) == (
        "2.5",
        "100.00",
        "EUR",
        "10",
        "225.00",
    )

    listed = api.get(f"/deals/{deal.pk}/products").json()
    assert [line["id"] for line in listed] == [body["id"]]

    patched = api.patch(f"/deals/{deal.pk}/products/{body['id']}", {"item_price": "90", "comment": None})
    assert patched.status_code == 200
    assert (patched.json()["item_price"], patched.json()["total"], patched.json()["comment"]) == (
        "90.00",
        "202.50",
        "",
    )

    removed = api.delete(f"/deals/{deal.pk}/products/{body['id']}")
    assert removed.status_code == 204
    assert not DealProduct.objects.exists()


def test_bad_line_input_is_422_naming_the_fields(api_as, deal, salesperson):
    motor = make_product(name="Motor")
    old = make_product(name="Old", is_active=False)
    api = api_as(salesperson)

    response = api.post(
        f"/deals/{deal.pk}/products", {"product_id": motor.pk, "quantity": 0, "discount_percent": 101}
    )
    assert response.status_code == 422
    assert set(response.json()["fields"]) == {"quantity", "discount_percent"}

    response = api.post(f"/deals/{deal.pk}/products", {"product_id": 999999})
    assert (response.status_code, list(response.json()["fields"])) == (422, ["product_id"])

    response = api.post(f"/deals/{deal.pk}/products", {"product_id": old.pk})
    assert response.status_code == 422
    assert response.json()["fields"] == {"product_id": ["“Old” is archived: choose an active product."]}

    response = api.post(f"/deals/{deal.pk}/products", {"product_id": motor.pk, "currency": "EURO", "x": 1})
    assert response.status_code == 422
    assert {"currency", "x"} <= set(response.json()["fields"])

    line = make_line(deal=deal, product=motor)
    response = api.patch(f"/deals/{deal.pk}/products/{line.pk}", {"quantity": None, "item_price": "1.001"})
    assert response.status_code == 422
    assert set(response.json()["fields"]) == {"quantity"}
    response = api.patch(
        f"/deals/{deal.pk}/products/{line.pk}", {"item_price": "1.001", "product_id": old.pk}
    )
    assert set(response.json()["fields"]) == {"item_price", "product_id"}
    assert DealProduct.objects.get().item_price == Decimal("100.00")


def test_products_of_a_deal_one_may_not_see_are_404(
    api_as, deal, sales_pipeline, salesperson, other_salesperson
):
    motor = make_product(name="Motor")
    line = make_line(deal=deal, product=motor)
    api = api_as(other_salesperson)

    responses = [
        api.get(f"/deals/{deal.pk}/products"),
        api.post(f"/deals/{deal.pk}/products", {"product_id": motor.pk}),
        api.patch(f"/deals/{deal.pk}/products/{line.pk}", {"quantity": 3}),
        api.delete(f"/deals/{deal.pk}/products/{line.pk}"),
    ]

    assert [r.status_code for r in responses] == [404] * 4
    assert all(r.json() == NOT_FOUND for r in responses)
    # A line reached through another deal is 404 too, even to the deal's owner.
    other = make_deal(pipeline=sales_pipeline, owner=salesperson)
    assert api_as(salesperson).delete(f"/deals/{other.pk}/products/{line.pk}").status_code == 404
    assert list(DealProduct.objects.values_list("pk", "quantity")) == [(line.pk, Decimal("1.000"))]


def test_the_schema_documents_the_product_endpoints(api_as, salesperson):
    paths = api_as(salesperson).get("/openapi.json").json()["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/products"])
    assert {"get", "patch"} <= set(paths["/api/v1/products/{product_id}"])
    assert {"get", "post"} <= set(paths["/api/v1/deals/{deal_id}/products"])
    assert {"patch", "delete"} <= set(paths["/api/v1/deals/{deal_id}/products/{line_id}"])
