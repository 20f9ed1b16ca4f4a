"""The contracts part of the demo (apogee.contracts.demo.seed): contracts for the won deals of
contract pipelines (won before any consumer ran), change notices numbered, one contract with a
positive and a negative won CCN; seeding again changes nothing."""

from decimal import Decimal

import pytest
from django.utils import timezone

from apogee.contracts import demo
from apogee.contracts.models import ChangeNotice, Contract
from apogee.contracts.queries import with_totals
from apogee.deals.models import Deal
from apogee.deals.services import mark_deal_won
from tests.deals.factories import make_deal

pytestmark = pytest.mark.django_db


def test_the_demo_seed_creates_contracts_numbers_ccns_and_amends_one(workspace, admin, salesperson):
    # As in the demo: deals won inside one transaction, before any after-commit consumer ran.
    sales = [make_deal(pipeline=workspace["Sales"], owner=salesperson, value=200000) for _ in range(2)]
    for deal in sales:
        mark_deal_won(deal=deal, actor=None)
    rfi = make_deal(pipeline=workspace["RFI"], owner=salesperson)
    mark_deal_won(deal=rfi, actor=None)
    ccns = [
        make_deal(pipeline=workspace["CCN"], owner=salesperson, parent_contract=sales[1], value=v)
        for v in (10000, 0)
    ]

    demo.seed(users={}, now=timezone.now())

    assert set(Contract.objects.values_list("deal_id", flat=True)) == {sales[0].pk, sales[1].pk}
    assert [ChangeNotice.objects.get(deal=d).number for d in ccns] == ["CCN-01", "CCN-02"]
    amended = Contract.objects.get(deal=sales[1])
    won = {d.title: d.value for d in Deal.objects.filter(parent_contract=sales[1], status="won")}
    assert won == {demo.POSITIVE_CCN: Decimal("24000.00"), demo.NEGATIVE_CCN: Decimal("-10000.00")}
    (listed,) = with_totals(admin, [amended])
    assert listed.totals.current == Decimal("214000.00")

    counts = (Contract.objects.count(), ChangeNotice.objects.count(), Deal.objects.count())
    demo.seed(users={}, now=timezone.now())
    assert (Contract.objects.count(), ChangeNotice.objects.count(), Deal.objects.count()) == counts


def test_without_two_change_notices_the_demo_creates_them(workspace, admin, salesperson):
    deal = make_deal(pipeline=workspace["Sales"], owner=salesperson, value=50000)
    mark_deal_won(deal=deal, actor=None)

    demo.seed(users={}, now=timezone.now())

    contract = Contract.objects.get(deal=deal)
    numbered = ChangeNotice.objects.filter(contract=contract).select_related("deal").order_by("sequence")
    assert [(c.number, c.deal.value, c.deal.status) for c in numbered] == [
        ("CCN-01", Decimal("6000.00"), "won"),
        ("CCN-02", Decimal("-3000.00"), "won"),
    ]
