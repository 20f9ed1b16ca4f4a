"""Contract pages: list with filters and totals, the contract with its CCNs, editing, a new CCN,
the contract section of the deal page; 404 for contracts on deals one may not see, 403 to edit another's."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apogee.contracts.models import Contract
from apogee.contracts.queries import pipeline_creates_contracts
from apogee.contracts.services import update_contract
from apogee.deals.models import Deal, Visibility
from apogee.deals.services import mark_deal_won
from tests.contacts.factories import make_organization
from tests.contracts.factories import make_change_notice
from tests.deals.factories import make_deal

pytestmark = pytest.mark.django_db


@pytest.fixture
def hidden_contract(sales_pipeline, other_salesperson, win):
    """A contract on a private deal of someone in another team."""
    deal = make_deal(
        pipeline=sales_pipeline, owner=other_salesperson, visibility=Visibility.OWNER, title="Secret"
    )
    return win(deal).contract


def test_the_list_shows_visible_contracts_with_their_totals(
    client_for, contract, hidden_contract, salesperson
):
    won = make_change_notice(contract, owner=salesperson, value=12000)
    mark_deal_won(deal=won, actor=None)
    make_change_notice(contract, owner=salesperson, value=-5000)

    page = client_for(salesperson).get(reverse("contracts:index")).content.decode()

    assert contract.number in page and "Arm" in page
    assert hidden_contract.number not in page and "Secret" not in page
    assert "EUR 100’000" in page and "+EUR 12’000" in page and "−EUR 5’000" in page
    assert "EUR 112’000" in page


def test_the_list_filters_by_customer_status_and_year(client_for, sales_pipeline, salesperson, win, admin):
    esa = make_organization("European Space Agency")
    ohb = make_organization("OHB System")
    for_esa = win(make_deal(pipeline=sales_pipeline, owner=salesperson, organization=esa)).contract
    for_ohb = win(make_deal(pipeline=sales_pipeline, owner=salesperson, organization=ohb)).contract
    update_contract(contract=for_ohb, actor=admin, changes={"status": "closed", "signed_on": "2024-05-01"})
    client = client_for(salesperson)

    def numbers(**params):
        page = client.get(reverse("contracts:index"), params).content.decode()
        return [c.number for c in (for_esa, for_ohb) if c.number in page]

    assert numbers() == [for_esa.number, for_ohb.number]
    assert numbers(customer=esa.pk) == [for_esa.number]
    assert numbers(status="closed") == [for_ohb.number]
    assert numbers(year=2024) == [for_ohb.number]
    assert client.get(reverse("contracts:index"), {"year": "soon"}).status_code == 200


def test_the_list_reads_a_constant_number_of_queries(
    client_for, sales_pipeline, salesperson, win, django_assert_num_queries
):
    client = client_for(salesperson)

    def add_contract():
        contract = win(make_deal(pipeline=sales_pipeline, owner=salesperson, currency="EUR")).contract
        make_change_notice(contract, owner=salesperson, value=100, currency="USD")

    add_contract()
    client.get(reverse("contracts:index"))  # warm-up: the session, the content types
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("contracts:index"))
    for _ in range(4):
        add_contract()

    with django_assert_num_queries(len(few.captured_queries)):
        client.get(reverse("contracts:index"))


def test_a_contract_on_a_deal_one_may_not_see_is_not_found(client_for, hidden_contract, salesperson):
    client = client_for(salesperson)

    assert client.get(reverse("contracts:detail", args=[hidden_contract.pk])).status_code == 404
    assert client.get(reverse("contracts:edit", args=[hidden_contract.pk])).status_code == 404
    assert client.get(reverse("contracts:change_notice_new", args=[hidden_contract.pk])).status_code == 404
    assert client.get(reverse("contracts:deal_panel", args=[hidden_contract.deal_id])).status_code == 404


def test_the_contract_page_shows_numbers_change_notices_and_totals(client_for, contract, salesperson):
    plus = make_change_notice(contract, owner=salesperson, value=12000, title="More tests")
    minus = make_change_notice(contract, owner=salesperson, value=-5000, title="Descoped unit")
    mark_deal_won(deal=plus, actor=None)
    mark_deal_won(deal=minus, actor=None)

    page = client_for(salesperson).get(reverse("contracts:detail", args=[contract.pk])).content.decode()

    assert f"Contract {contract.number}" in page
    assert "CCN-01" in page and "CCN-02" in page
    assert reverse("deals:detail", args=[plus.pk]) in page
    assert '<span class="amount negative" title="Reduces the contract value">−EUR 5’000</span>' in page
    assert "+EUR 7’000" in page and "EUR 107’000" in page
    assert reverse("contracts:change_notice_new", args=[contract.pk]) in page


def test_new_ccn_from_the_contract_page(client_for, contract, salesperson):
    client = client_for(salesperson)
    url = reverse("contracts:change_notice_new", args=[contract.pk])

    response = client.post(url, {"title": "Descope", "value": "-15000", "currency": "EUR"})

    deal = Deal.objects.get(title="Descope")
    assert response.status_code == 302 and response.url == reverse("deals:detail", args=[deal.pk])
    assert (deal.value, deal.parent_contract_id, deal.pipeline.name) == (
        Decimal("-15000.00"),
        contract.deal_id,
        "CCN",
    )
    assert deal.change_notice_number.number == "CCN-01"


def test_new_ccn_with_bad_input_shows_the_errors(client_for, contract, salesperson):
    response = client_for(salesperson).post(
        reverse("contracts:change_notice_new", args=[contract.pk]),
        {"title": "", "value": "lots", "currency": "EUR"},
    )

    assert response.status_code == 422
    page = response.content.decode()
    assert "This field is required." in page
    assert not Deal.objects.filter(parent_contract=contract.deal).exists()


def test_edit_with_bad_input_shows_field_errors_and_saves_nothing(
    client_for, contract, sales_pipeline, salesperson, win
):
    other = win(make_deal(pipeline=sales_pipeline, owner=salesperson)).contract
    client = client_for(salesperson)

    response = client.post(
        reverse("contracts:edit", args=[contract.pk]),
        {
            "number": other.number,
            "signed_on": "tomorrow",
            "value": "-3",
            "currency": "EUR",
            "status": "active",
        },
    )

    assert response.status_code == 422
    page = response.content.decode()
    assert "Another contract has this number." in page
    assert "Enter a date as YYYY-MM-DD." in page
    assert "The value cannot be negative." in page
    contract.refresh_from_db()
    assert contract.value == Decimal("100000.00")


def test_edit_saves_and_goes_back_to_the_contract(client_for, contract, salesperson):
    response = client_for(salesperson).post(
        reverse("contracts:edit", args=[contract.pk]),
        {
            "number": "C-ESA-7",
            "signed_on": "2026-03-01",
            "value": "98000",
            "currency": "EUR",
            "erp_project_number": "PRJ-7",
            "status": "active",
        },
    )

    assert response.status_code == 302
    contract.refresh_from_db()
    assert (contract.number, contract.value, contract.erp_project_number) == (
        "C-ESA-7",
        Decimal("98000.00"),
        "PRJ-7",
    )


def test_a_teammate_sees_but_may_not_edit_anothers_contract(client_for, contract, teammate):
    client = client_for(teammate)

    assert client.get(reverse("contracts:detail", args=[contract.pk])).status_code == 200
    assert client.get(reverse("contracts:edit", args=[contract.pk])).status_code == 403
    response = client.post(reverse("contracts:edit", args=[contract.pk]), {"number": "MINE"})
    assert response.status_code == 403
    contract.refresh_from_db()
    assert contract.number != "MINE"


def test_the_deal_page_loads_the_contract_panel(client_for, contract, salesperson):
    client = client_for(salesperson)

    page = client.get(reverse("deals:detail", args=[contract.deal_id])).content.decode()
    panel = client.get(reverse("contracts:deal_panel", args=[contract.deal_id])).content.decode()

    assert reverse("contracts:deal_panel", args=[contract.deal_id]) in page
    assert contract.number in panel and "EUR 100’000" in panel
    assert reverse("contracts:detail", args=[contract.pk]) in panel


def test_an_open_deal_page_does_not_load_the_panel(client_for, sales_pipeline, salesperson):
    deal = make_deal(pipeline=sales_pipeline, owner=salesperson)

    page = client_for(salesperson).get(reverse("deals:detail", args=[deal.pk])).content.decode()

    assert reverse("contracts:deal_panel", args=[deal.pk]) not in page


def test_a_change_notice_deal_names_its_number_and_contract(client_for, contract, salesperson):
    make_change_notice(contract, owner=salesperson)
    second = make_change_notice(contract, owner=salesperson)

    panel = client_for(salesperson).get(reverse("contracts:deal_panel", args=[second.pk])).content.decode()

    assert "<strong>CCN-02</strong> of contract" in panel
    assert f'<a href="{reverse("contracts:detail", args=[contract.pk])}">{contract.number}</a>' in panel


def test_a_won_deal_of_another_pipeline_offers_create_contract(client_for, workspace, salesperson, win):
    deal = win(make_deal(pipeline=workspace["RFI"], owner=salesperson))
    client = client_for(salesperson)

    panel = client.get(reverse("contracts:deal_panel", args=[deal.pk])).content.decode()
    response = client.post(reverse("contracts:create_for_deal", args=[deal.pk]))

    assert "Create contract" in panel
    contract = Contract.objects.get(deal=deal)
    assert response.status_code == 302 and response.url == reverse("contracts:detail", args=[contract.pk])


def test_only_an_administrator_opens_the_contract_settings(client_for, admin, manager, workspace):
    assert client_for(manager).get(reverse("contracts:settings")).status_code == 403

    client = client_for(admin)
    rfi = workspace["RFI"]
    data = {f"creates_{p.pk}": "on" for p in (workspace["Sales"], rfi)}
    data[f"holds_{workspace['CCN'].pk}"] = "on"
    response = client.post(reverse("contracts:settings"), data)

    assert response.status_code == 302
    assert pipeline_creates_contracts(rfi) and pipeline_creates_contracts(workspace["Sales"])
    assert not pipeline_creates_contracts(workspace["Missions"])
