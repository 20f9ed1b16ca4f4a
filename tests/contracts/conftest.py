"""Contract fixtures: the CCN pipeline, a won Sales deal with its contract (made by the real consumer)."""

import pytest

from apogee.deals.services import mark_deal_won
from tests.api.conftest import anonymous_api, api_as  # noqa: F401 - fixtures, re-exported for pytest
from tests.deals.factories import make_deal


@pytest.fixture
def ccn_pipeline(workspace):
    return workspace["CCN"]


@pytest.fixture
def win(django_capture_on_commit_callbacks):
    """win(deal) marks it won and runs the after-commit consumers, as a committed request would."""

    def won(deal, actor=None):
        with django_capture_on_commit_callbacks(execute=True):
            deal = mark_deal_won(deal=deal, actor=actor)
        deal.refresh_from_db()
        return deal

    return won


@pytest.fixture
def contract(sales_pipeline, salesperson, win):
    """A contract of 100’000 EUR on a Sales deal of the salesperson, visible to everyone."""
    deal = win(
        make_deal(pipeline=sales_pipeline, owner=salesperson, value=100000, currency="EUR", title="Arm")
    )
    return deal.contract
