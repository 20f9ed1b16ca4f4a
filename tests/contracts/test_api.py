"""/api/v1 contracts: list with filters and paging, read, edit, change notices, create for a deal;
404 for contracts on deals one may not see, 403 to edit another's, 422 naming the fields."""

import pytest

from apogee.deals.models import Visibility
from apogee.deals.services import mark_deal_won
from tests.contacts.factories import make_organization
from tests.contracts.factories import make_change_notice
from tests.deals.factories import make_deal

pytestmark = pytest.mark.django_db


@pytest.fixture
def hidden_contract(sales_pipeline, other_salesperson, win):
    deal = make_deal(pipeline=sales_pipeline, owner=other_salesperson, visibility=Visibility.OWNER)
    return win(deal).contract


def test_list_contracts_with_totals_as_strings(api_as, contract, hidden_contract, salesperson):
    won = make_change_notice(contract, owner=salesperson, value=-2500)
    mark_deal_won(deal=won, actor=None)
    make_change_notice(contract, owner=salesperson, value=4000)

    response = api_as(salesperson).get("/contracts")

    assert response.status_code == 200
    body = response.json()
    assert (body["count"], body["limit"], body["offset"]) == (1, 100, 0)
    (item,) = body["items"]
    assert item["number"] == contract.number and item["deal_id"] == contract.deal_id
    assert item["value"] == "100000.00"
    assert item["totals"] == {
        "currency": "EUR",
        "original_value": "100000.00",
        "change_notices_won": "-2500.00",
        "change_notices_pending": "4000.00",
        "current_total": "97500.00",
        "won_count": 1,
        "pending_count": 1,
    }


def test_list_filters_and_pages(api_as, sales_pipeline, salesperson, win):
    esa = make_organization("European Space Agency")
    contracts = [
        win(make_deal(pipeline=sales_pipeline, owner=salesperson, organization=esa if i else None)).contract
        for i in range(3)
    ]
    api = api_as(salesperson)

    by_customer = api.get("/contracts", {"customer": esa.pk}).json()
    paged = api.get("/contracts", {"limit": 1, "offset": 1}).json()

    assert by_customer["count"] == 2
    assert {c["id"] for c in by_customer["items"]} == {contracts[1].pk, contracts[2].pk}
    assert paged["count"] == 3 and len(paged["items"]) == 1
    assert api.get("/contracts", {"status": "closed"}).json()["count"] == 0
    assert api.get("/contracts", {"status": "archived"}).status_code == 422
    assert api.get("/contracts", {"limit": 0}).status_code == 422


def test_a_contract_one_may_not_see_is_404_on_every_verb(api_as, hidden_contract, salesperson):
    api = api_as(salesperson)

    assert api.get("/contracts").json()["count"] == 0
    assert api.get(f"/contracts/{hidden_contract.pk}").status_code == 404
    assert api.patch(f"/contracts/{hidden_contract.pk}", {"number": "X"}).status_code == 404
    assert api.get(f"/contracts/{hidden_contract.pk}/change-notices").status_code == 404
    assert api.post(f"/deals/{hidden_contract.deal_id}/contract").status_code == 404
    assert api.get("/contracts/99999999").status_code == 404


def test_patch_a_contract(api_as, contract, salesperson):
    response = api_as(salesperson).patch(
        f"/contracts/{contract.pk}",
        {"erp_project_number": "PRJ-001", "signed_on": "2026-01-15", "value": "99000.5"},
    )

    assert response.status_code == 200
    body = response.json()
    assert (body["erp_project_number"], body["signed_on"], body["value"]) == (
        "PRJ-001",
        "2026-01-15",
        "99000.50",
    )
    assert body["totals"]["current_total"] == "99000.50"


def test_patch_with_bad_fields_is_422_naming_them(api_as, contract, salesperson):
    api = api_as(salesperson)

    refused = api.patch(f"/contracts/{contract.pk}", {"number": "", "value": "-5", "currency": "ABC"})
    unknown = api.patch(f"/contracts/{contract.pk}", {"customer_id": 3})
    null = api.patch(f"/contracts/{contract.pk}", {"number": None})

    assert refused.status_code == 422
    assert set(refused.json()["fields"]) == {"number", "value", "currency"}
    assert unknown.status_code == 422 and "customer_id" in unknown.json()["fields"]
    assert null.status_code == 422 and null.json()["fields"] == {"number": ["This field cannot be null."]}


def test_a_member_may_not_edit_a_teammates_contract(api_as, contract, teammate, manager):
    refused = api_as(teammate).patch(f"/contracts/{contract.pk}", {"erp_project_number": "T"})
    allowed = api_as(manager).patch(f"/contracts/{contract.pk}", {"erp_project_number": "M"})

    assert refused.status_code == 403 and refused.json()["code"] == "permission_denied"
    assert allowed.status_code == 200


def test_list_the_change_notices_of_a_contract(api_as, contract, salesperson):
    make_change_notice(contract, owner=salesperson, value=1000, title="More")
    less = make_change_notice(contract, owner=salesperson, value=-300, title="Less")

    response = api_as(salesperson).get(f"/contracts/{contract.pk}/change-notices")

    assert response.status_code == 200
    assert [(c["number"], c["title"], c["value"], c["status"]) for c in response.json()] == [
        ("CCN-01", "More", "1000.00", "open"),
        ("CCN-02", "Less", "-300.00", "open"),
    ]
    assert response.json()[1]["deal_id"] == less.pk


def test_create_the_contract_of_a_won_deal(api_as, workspace, salesperson, win):
    deal = win(make_deal(pipeline=workspace["RFI"], owner=salesperson, value=700, currency="USD"))
    open_deal = make_deal(pipeline=workspace["RFI"], owner=salesperson)
    api = api_as(salesperson)

    created = api.post(f"/deals/{deal.pk}/contract")
    again = api.post(f"/deals/{deal.pk}/contract")
    refused = api.post(f"/deals/{open_deal.pk}/contract")

    assert created.status_code == 201
    assert (created.json()["value"], created.json()["currency"]) == ("700.00", "USD")
    assert again.status_code == 200 and again.json()["id"] == created.json()["id"]
    assert refused.status_code == 422 and refused.json()["code"] == "deal_not_won"


def test_anonymous_is_401(anonymous_api, contract):
    assert anonymous_api.get("/contracts").status_code == 401
    assert anonymous_api.get(f"/contracts/{contract.pk}").status_code == 401
