"""Optimistic concurrency on deals: a save based on an old version is refused and says what changed."""

from datetime import date
from decimal import Decimal

import pytest

from apogee.core.models import DomainEvent
from apogee.deals.errors import DealVersionConflict
from apogee.deals.models import Deal, Visibility
from apogee.deals.services import mark_deal_won, move_deal_to_stage, update_deal
from tests.deals.factories import make_deal, stage

pytestmark = pytest.mark.django_db


@pytest.fixture
def deal(sales_pipeline, salesperson):
    return make_deal(
        pipeline=sales_pipeline,
        owner=salesperson,
        title="Hinge for CHIME",
        value=10000,
        visibility=Visibility.TEAM,
        custom_values={"mission": "CHIME"},
    )


def test_a_save_based_on_an_old_version_lists_the_other_users_change(deal, salesperson, teammate):
    loaded_version = deal.version
    update_deal(deal=deal, actor=teammate, changes={"title": "Hinge for CHIME (phase B)", "value": "12000"})
    events_before = DomainEvent.objects.count()

    with pytest.raises(DealVersionConflict) as conflict:
        update_deal(
            deal=deal,
            actor=salesperson,
            changes={"title": "Hinge", "expected_close_date": "2026-09-30"},
            expected_version=loaded_version,
        )

    assert conflict.value.current_version == 2
    assert conflict.value.changes == [
        {
            "field": "title",
            "old": "Hinge for CHIME",
            "new": "Hinge for CHIME (phase B)",
            "by": "Teammate Test",
        },
        {"field": "value", "old": "10000.00", "new": "12000.00", "by": "Teammate Test"},
        # A typed value stops following the offers: part of what the other user changed.
        {"field": "value_follows_offer", "old": True, "new": False, "by": "Teammate Test"},
    ]
    assert conflict.value.as_payload()["code"] == "version_conflict"
    stored = Deal.objects.get(pk=deal.pk)
    assert (stored.title, stored.value, stored.expected_close_date, stored.version) == (
        "Hinge for CHIME (phase B)",
        Decimal("12000.00"),
        None,
        2,
    )
    assert DomainEvent.objects.count() == events_before


def test_a_move_and_a_custom_value_change_are_listed(deal, salesperson, teammate, sales_pipeline):
    move_deal_to_stage(
        deal=deal,
        stage=stage(sales_pipeline, "Opportunity in evaluation"),
        actor=teammate,
        custom_values={"opportunity_type": "esa"},
    )

    with pytest.raises(DealVersionConflict) as conflict:
        update_deal(deal=deal, actor=salesperson, changes={"title": "Hinge"}, expected_version=1)

    assert conflict.value.current_version == 2
    assert conflict.value.changes == [
        {"field": "custom.opportunity_type", "old": None, "new": "esa", "by": "Teammate Test"},
        {"field": "stage", "old": "First contact", "new": "Opportunity in evaluation", "by": "Teammate Test"},
    ]


def test_only_changes_after_the_loaded_version_are_listed(deal, salesperson, teammate):
    update_deal(deal=deal, actor=salesperson, changes={"title": "Hinge v2"})
    update_deal(deal=deal, actor=teammate, changes={"custom_values": {"mission": "Harmony"}})

    with pytest.raises(DealVersionConflict) as conflict:
        update_deal(deal=deal, actor=salesperson, changes={"title": "Hinge v3"}, expected_version=2)

    assert conflict.value.changes == [
        {"field": "custom.mission", "old": "CHIME", "new": "Harmony", "by": "Teammate Test"}
    ]


def test_a_save_based_on_the_current_version_goes_through_and_bumps_it(deal, salesperson, teammate):
    update_deal(deal=deal, actor=teammate, changes={"title": "Hinge v2"})

    saved = update_deal(
        deal=deal, actor=salesperson, changes={"expected_close_date": date(2026, 9, 30)}, expected_version="2"
    )

    assert saved.version == 3
    stored = Deal.objects.get(pk=deal.pk)
    assert (stored.title, stored.expected_close_date, stored.version) == ("Hinge v2", date(2026, 9, 30), 3)
    assert DomainEvent.objects.filter(name="deal.updated").last().data == {
        "changes": {"expected_close_date": [None, "2026-09-30"]},
        "version": 3,
    }


def test_a_save_without_an_expected_version_is_not_checked(deal, salesperson, teammate):
    update_deal(deal=deal, actor=teammate, changes={"title": "Hinge v2"})

    update_deal(deal=deal, actor=salesperson, changes={"title": "Hinge v3"})

    assert Deal.objects.get(pk=deal.pk).version == 3


def test_a_save_that_changes_nothing_keeps_the_version(deal, salesperson):
    events_before = DomainEvent.objects.count()

    update_deal(deal=deal, actor=salesperson, changes={"title": " Hinge for CHIME ", "value": "10000"})

    assert Deal.objects.get(pk=deal.pk).version == 1
    assert DomainEvent.objects.count() == events_before


def test_a_conflict_caused_by_winning_the_deal_says_so(deal, salesperson, teammate):
    mark_deal_won(deal=deal, actor=teammate)

    with pytest.raises(DealVersionConflict) as conflict:
        update_deal(deal=deal, actor=salesperson, changes={"title": "Hinge"}, expected_version=1)

    assert conflict.value.changes == [{"field": "status", "old": "open", "new": "won", "by": "Teammate Test"}]
