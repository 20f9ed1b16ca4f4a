"""Contracts: created once when a deal is won, numbered per year; change notices numbered per
contract, never reused; totals in the contract's currency."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from apogee.contracts import services
from apogee.contracts.consumers import create_contract_on_win, number_change_notice_on_create
from apogee.contracts.errors import DealNotWon
from apogee.contracts.models import ChangeNotice, Contract
from apogee.contracts.queries import change_notices_of, totals_of_listed, with_totals
from apogee.core.errors import PermissionDenied, ValidationFailed
from apogee.core.models import Currency, DomainEvent
from apogee.core.services import add_currency, set_exchange_rate
from apogee.deals.models import LostReason, Visibility
from apogee.deals.services import (
    create_deal,
    delete_deal,
    mark_deal_lost,
    mark_deal_won,
    reopen_deal,
)
from tests.contacts.factories import make_organization
from tests.contracts.factories import make_change_notice
from tests.deals.factories import make_deal

pytestmark = pytest.mark.django_db


def _this_year() -> int:
    return timezone.localdate().year


# Creation ----------------------------------------------------------------------------------------


def test_winning_a_sales_deal_creates_its_contract_from_the_deal(sales_pipeline, salesperson, win):
    prime = make_organization("Thales Alenia Space")
    agency = make_organization("European Space Agency")
    deal = make_deal(
        pipeline=sales_pipeline,
        owner=salesperson,
        value=250000,
        currency="EUR",
        organization=prime,
        details={"end_customer": agency},
    )

    deal = win(deal, actor=salesperson)

    contract = Contract.objects.get()
    assert contract.deal == deal
    assert contract.number == f"C-{_this_year()}-001"
    assert contract.signed_on == timezone.localdate(deal.won_at)
    assert (contract.value, contract.currency) == (Decimal("250000.00"), "EUR")
    assert (contract.customer, contract.end_customer) == (prime, agency)
    assert (contract.erp_project_number, contract.status) == ("", "active")
    event = DomainEvent.objects.get(name="contract.created")
    assert (event.subject_id, event.actor, event.data["deal"]) == (contract.pk, salesperson, deal.pk)


def test_a_won_event_delivered_twice_creates_one_contract(
    sales_pipeline, salesperson, django_capture_on_commit_callbacks
):
    deal = make_deal(pipeline=sales_pipeline, owner=salesperson)
    with django_capture_on_commit_callbacks() as callbacks:
        mark_deal_won(deal=deal, actor=salesperson)
    event = DomainEvent.objects.get(name="deal.won")

    for callback in callbacks:
        callback()
    create_contract_on_win(event.pk)

    assert Contract.objects.filter(deal=deal).count() == 1
    assert DomainEvent.objects.filter(name="contract.created").count() == 1


def test_a_deal_reopened_and_won_again_keeps_its_contract(sales_pipeline, salesperson, win):
    deal = win(make_deal(pipeline=sales_pipeline, owner=salesperson))
    first = Contract.objects.get()

    reopen_deal(deal=deal, actor=salesperson)
    deal = win(deal)

    assert list(Contract.objects.all()) == [first]
    assert Contract.objects.get().number == first.number


def test_only_pipelines_that_create_contracts_do(workspace, salesperson, admin, win):
    rfi_deal = win(make_deal(pipeline=workspace["RFI"], owner=salesperson))
    ccn_parent = win(make_deal(pipeline=workspace["Sales"], owner=salesperson))
    ccn = make_deal(pipeline=workspace["CCN"], owner=salesperson, parent_contract=ccn_parent)
    win(ccn)
    assert list(Contract.objects.values_list("deal_id", flat=True)) == [ccn_parent.pk]

    services.set_pipeline_contract_settings(
        pipeline=workspace["RFI"], creates_contracts=True, holds_change_notices=False, actor=admin
    )
    services.set_pipeline_contract_settings(
        pipeline=workspace["Sales"], creates_contracts=False, holds_change_notices=False, actor=admin
    )
    other_rfi = win(make_deal(pipeline=workspace["RFI"], owner=salesperson))
    other_sale = win(make_deal(pipeline=workspace["Sales"], owner=salesperson))

    assert Contract.objects.filter(deal=other_rfi).exists()
    assert not Contract.objects.filter(deal=other_sale).exists()
    assert not Contract.objects.filter(deal=rfi_deal).exists()


def test_only_an_administrator_changes_which_pipelines_create_contracts(workspace, manager):
    with pytest.raises(PermissionDenied):
        services.set_pipeline_contract_settings(
            pipeline=workspace["RFI"], creates_contracts=True, holds_change_notices=False, actor=manager
        )


def test_create_contract_by_hand_for_a_won_deal_of_another_pipeline(workspace, salesperson, win):
    deal = win(make_deal(pipeline=workspace["RFI"], owner=salesperson, value=5000))

    contract = services.create_contract_for(deal=deal, actor=salesperson)
    again = services.create_contract_for(deal=deal, actor=salesperson)

    assert again == contract
    assert (contract.value, contract.number) == (Decimal("5000.00"), f"C-{_this_year()}-001")


def test_an_open_deal_gets_no_contract_and_nothing_is_written(sales_pipeline, salesperson):
    deal = make_deal(pipeline=sales_pipeline, owner=salesperson)
    events = DomainEvent.objects.count()

    with pytest.raises(DealNotWon):
        services.create_contract_for(deal=deal, actor=salesperson)

    assert not Contract.objects.exists()
    assert DomainEvent.objects.count() == events


def test_a_teammate_may_not_create_the_contract_of_anothers_deal(
    workspace, salesperson, teammate, manager, win
):
    deal = win(make_deal(pipeline=workspace["RFI"], owner=salesperson))

    with pytest.raises(PermissionDenied):
        services.create_contract_for(deal=deal, actor=teammate)

    assert services.create_contract_for(deal=deal, actor=manager).deal == deal


def test_contract_numbers_follow_the_signature_year_and_skip_edited_ones(sales_pipeline, salesperson, win):
    year = _this_year()
    first = win(make_deal(pipeline=sales_pipeline, owner=salesperson)).contract
    second = win(make_deal(pipeline=sales_pipeline, owner=salesperson)).contract
    services.update_contract(contract=second, actor=None, changes={"number": f"C-{year}-010"})
    last_year = make_deal(pipeline=sales_pipeline, owner=salesperson)
    mark_deal_won(deal=last_year, actor=None, occurred_at=timezone.now() - timedelta(days=400))
    older = services.create_contract_for(deal=last_year, actor=None)
    third = win(make_deal(pipeline=sales_pipeline, owner=salesperson)).contract

    assert first.number == f"C-{year}-001"
    assert older.number.startswith(f"C-{older.signed_on.year}-")
    assert older.signed_on == timezone.localdate(timezone.now() - timedelta(days=400))
    assert third.number == f"C-{year}-011"


# Change notices ----------------------------------------------------------------------------------


def test_change_notices_are_numbered_per_contract(contract, sales_pipeline, salesperson, win):
    other = win(make_deal(pipeline=sales_pipeline, owner=salesperson)).contract

    first = make_change_notice(contract, owner=salesperson)
    second = make_change_notice(contract, owner=salesperson)
    elsewhere = make_change_notice(other, owner=salesperson)

    assert first.change_notice_number.number == "CCN-01"
    assert second.change_notice_number.number == "CCN-02"
    assert elsewhere.change_notice_number.number == "CCN-01"
    assert first.parent_contract == contract.deal and first.pipeline.name == "CCN"


def test_a_number_is_never_reused_after_a_change_notice_is_lost_deleted_or_purged(contract, salesperson):
    lost = make_change_notice(contract, owner=salesperson)
    deleted = make_change_notice(contract, owner=salesperson)
    purged = make_change_notice(contract, owner=salesperson)
    mark_deal_lost(deal=lost, actor=None, reason=LostReason.objects.first())
    delete_deal(deal=deleted, actor=None)
    purged.delete()

    after = make_change_notice(contract, owner=salesperson)

    assert after.change_notice_number.number == "CCN-04"
    assert list(ChangeNotice.objects.filter(contract=contract).values_list("sequence", flat=True)) == [
        1,
        2,
        4,
    ]


def test_a_change_notice_created_as_a_deal_is_numbered_after_commit_once(
    contract, ccn_pipeline, salesperson, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        deal = create_deal(
            title="More tests", pipeline=ccn_pipeline, actor=salesperson, parent_contract=contract.deal
        )
    event = DomainEvent.objects.get(name="deal.created", subject_id=deal.pk)

    number_change_notice_on_create(event.pk)
    number_change_notice_on_create(event.pk)

    assert ChangeNotice.objects.get(deal=deal).number == "CCN-01"
    assert ChangeNotice.objects.count() == 1
    contract.refresh_from_db()
    assert contract.last_change_notice_number == 1


def test_change_notices_opened_before_the_contract_are_numbered_when_it_is_created(
    workspace, salesperson, win
):
    parent = win(make_deal(pipeline=workspace["RFI"], owner=salesperson))
    older = make_deal(pipeline=workspace["CCN"], owner=salesperson, parent_contract=parent)
    newer = make_deal(pipeline=workspace["CCN"], owner=salesperson, parent_contract=parent)
    assert services.number_change_notice(deal=older, actor=None) is None

    contract = services.create_contract_for(deal=parent, actor=salesperson)

    assert [d.ccn_number for d in change_notices_of(salesperson, contract)] == ["CCN-01", "CCN-02"]
    assert [d.pk for d in change_notices_of(salesperson, contract)] == [older.pk, newer.pk]


def test_a_change_notice_may_be_negative_a_contract_may_not(contract, salesperson):
    ccn = make_change_notice(contract, owner=salesperson, value="-20000.50")

    assert ccn.value == Decimal("-20000.50")
    with pytest.raises(ValidationFailed) as refused:
        services.update_contract(contract=contract, actor=salesperson, changes={"value": "-1"})
    assert refused.value.fields == {"value": ["The value cannot be negative."]}


def test_a_change_notice_goes_under_a_won_contract_only(contract, salesperson):
    reopen_deal(deal=contract.deal, actor=salesperson)
    contract.refresh_from_db()

    with pytest.raises(ValidationFailed) as refused:
        make_change_notice(contract, owner=salesperson)

    assert "parent_contract" in refused.value.fields
    assert not ChangeNotice.objects.exists()


def test_a_new_change_notice_is_as_visible_as_its_contract(sales_pipeline, salesperson, win):
    deal = win(make_deal(pipeline=sales_pipeline, owner=salesperson, visibility=Visibility.OWNER))

    ccn = make_change_notice(deal.contract, owner=salesperson)

    assert ccn.visibility == Visibility.OWNER


# Totals ------------------------------------------------------------------------------------------


@pytest.fixture
def todays_rates(workspace):
    today = date.today()
    set_exchange_rate(
        currency=Currency.objects.get(code="EUR"), valid_from=today, rate_to_base="0.8", actor=None
    )
    set_exchange_rate(
        currency=Currency.objects.get(code="USD"), valid_from=today, rate_to_base="0.9", actor=None
    )


def test_totals_add_won_change_notices_and_show_open_ones_apart(contract, salesperson, todays_rates):
    make_change_notice(contract, owner=salesperson, value=12000)
    make_change_notice(contract, owner=salesperson, value=-5000)
    make_change_notice(contract, owner=salesperson, value=1000, currency="USD")  # 1125.00 EUR
    lost = make_change_notice(contract, owner=salesperson, value=50000)
    make_change_notice(contract, owner=salesperson, value=3000, title="Open one")
    open_usd = make_change_notice(contract, owner=salesperson, value=-100, currency="USD")  # -112.50 EUR
    for ccn in contract.deal.change_notices.exclude(title="Open one").exclude(pk__in=[lost.pk, open_usd.pk]):
        mark_deal_won(deal=ccn, actor=None)
    mark_deal_lost(deal=lost, actor=None, reason=LostReason.objects.first())

    (listed,) = with_totals(salesperson, [Contract.objects.get(pk=contract.pk)])
    totals = listed.totals

    assert totals.currency == "EUR"
    assert totals.original == Decimal("100000.00")
    assert totals.ccn_won == Decimal("8125.00")
    assert totals.ccn_pending == Decimal("2887.50")
    assert totals.current == Decimal("108125.00")
    assert (totals.won_count, totals.pending_count) == (3, 2)
    page = totals_of_listed(contract, change_notices_of(salesperson, contract))
    assert page == totals


def test_a_currency_without_rate_leaves_its_sum_unknown_not_wrong(contract, salesperson):
    add_currency(code="GBP", name="Pound", actor=None)
    ccn = make_change_notice(contract, owner=salesperson, value=1000, currency="GBP")
    mark_deal_won(deal=ccn, actor=None)
    make_change_notice(contract, owner=salesperson, value=1000)

    (listed,) = with_totals(salesperson, [contract])

    assert listed.totals.ccn_won is None and listed.totals.current is None
    assert listed.totals.ccn_pending == Decimal("1000")


def test_totals_count_only_the_change_notices_one_may_see(
    sales_pipeline, salesperson, other_salesperson, ccn_pipeline, win
):
    contract = win(make_deal(pipeline=sales_pipeline, owner=salesperson, value=1000)).contract
    hidden = create_deal(
        title="Private CCN",
        pipeline=ccn_pipeline,
        actor=None,
        owner=salesperson,
        value=500,
        visibility=Visibility.OWNER,
        parent_contract=contract.deal,
    )
    mark_deal_won(deal=hidden, actor=None)

    (mine,) = with_totals(salesperson, [contract])
    (theirs,) = with_totals(other_salesperson, [Contract.objects.get()])

    assert mine.totals.current == Decimal("1500.00")
    assert theirs.totals.current == Decimal("1000.00")


# Editing -----------------------------------------------------------------------------------------


def test_edit_a_contract_records_what_changed(contract, salesperson):
    services.update_contract(
        contract=contract,
        actor=salesperson,
        changes={"number": "ESA-4000123", "erp_project_number": "PRJ-0042", "signed_on": "2026-02-03"},
    )

    contract.refresh_from_db()
    assert (contract.number, contract.erp_project_number, contract.signed_on) == (
        "ESA-4000123",
        "PRJ-0042",
        date(2026, 2, 3),
    )
    event = DomainEvent.objects.get(name="contract.updated")
    assert event.data["changes"]["erp_project_number"] == ["", "PRJ-0042"]


def test_bad_input_names_every_field_and_changes_nothing(contract, sales_pipeline, salesperson, win):
    other = win(make_deal(pipeline=sales_pipeline, owner=salesperson)).contract
    events = DomainEvent.objects.count()

    with pytest.raises(ValidationFailed) as refused:
        services.update_contract(
            contract=contract,
            actor=salesperson,
            changes={
                "number": other.number,
                "signed_on": "03.02.2026",
                "value": "12.345",
                "currency": "XYZ",
                "status": "archived",
                "erp_project_number": "x" * 41,
            },
        )

    assert set(refused.value.fields) == {
        "number",
        "signed_on",
        "value",
        "currency",
        "status",
        "erp_project_number",
    }
    assert refused.value.fields["number"] == ["Another contract has this number."]
    contract.refresh_from_db()
    assert contract.number == f"C-{_this_year()}-001"
    assert DomainEvent.objects.count() == events


def test_only_the_owner_a_manager_or_an_administrator_edits_a_contract(contract, teammate, manager, admin):
    with pytest.raises(PermissionDenied):
        services.update_contract(contract=contract, actor=teammate, changes={"erp_project_number": "X"})

    services.update_contract(contract=contract, actor=manager, changes={"erp_project_number": "M"})
    services.update_contract(contract=contract, actor=admin, changes={"erp_project_number": "A"})
    contract.refresh_from_db()
    assert contract.erp_project_number == "A"
