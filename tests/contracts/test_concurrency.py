"""Numbers stay unique when writers race (PostgreSQL only: SQLite serializes writers already)."""

import threading

import pytest
from django.db import connection, connections

from apogee.contracts import services
from apogee.contracts.models import ChangeNotice, Contract
from apogee.deals.services import mark_deal_won
from tests.deals.factories import make_deal

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks and races need PostgreSQL"),
]


def _race(*calls):
    barrier = threading.Barrier(len(calls))
    errors = []

    def run(call):
        try:
            barrier.wait()
            call()
        except Exception as error:  # reported below, with the thread's traceback lost but its type kept
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []


def test_two_contracts_created_at_once_get_two_numbers(sales_pipeline, workspace, salesperson):
    deals = [make_deal(pipeline=workspace["RFI"], owner=salesperson) for _ in range(4)]
    for deal in deals:
        mark_deal_won(deal=deal, actor=None)

    _race(*[lambda d=deal: services.create_contract_for(deal=d, actor=None) for deal in deals])

    numbers = sorted(Contract.objects.values_list("number", flat=True))
    assert len(numbers) == len(set(numbers)) == 4
    assert [n[-3:] for n in numbers] == ["001", "002", "003", "004"]


def test_change_notices_created_at_once_get_consecutive_numbers(sales_pipeline, salesperson):
    deal = make_deal(pipeline=sales_pipeline, owner=salesperson)
    mark_deal_won(deal=deal, actor=None)
    contract = services.create_contract_for(deal=deal, actor=None)

    _race(
        *[
            lambda i=i: services.create_change_notice(
                contract=contract, actor=None, owner=salesperson, title=f"CCN {i}"
            )
            for i in range(4)
        ]
    )

    assert sorted(ChangeNotice.objects.values_list("sequence", flat=True)) == [1, 2, 3, 4]
