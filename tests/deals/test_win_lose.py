"""Closing deals as won or lost, and reopening them (deals/services.py)."""

from datetime import UTC, datetime

import pytest

from apogee.core.errors import ValidationFailed
from apogee.core.models import DomainEvent
from apogee.deals.errors import DealClosed
from apogee.deals.models import Deal, DealStatus, LostReason
from apogee.deals.services import mark_deal_lost, mark_deal_won, reopen_deal, save_lost_reason
from tests.deals.factories import make_deal

pytestmark = pytest.mark.django_db

WHEN = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


@pytest.fixture
def deal(sales_pipeline, salesperson):
    return make_deal(pipeline=sales_pipeline, owner=salesperson, value=120000, currency="EUR")


def _state(deal):
    deal = Deal.objects.get(pk=deal.pk)
    return (deal.status, deal.won_at, deal.lost_at, deal.lost_reason, deal.lost_note, deal.version)


def test_won_closes_the_deal_and_records_the_value(deal, salesperson):
    mark_deal_won(deal=deal, actor=salesperson, occurred_at=WHEN)

    assert _state(deal) == ("won", WHEN, None, None, "", 2)
    event = DomainEvent.objects.get(name="deal.won")
    assert (event.subject_id, event.actor) == (deal.pk, salesperson)
    assert event.data == {"value": "120000.00", "currency": "EUR", "stage": deal.stage_id, "version": 2}


def test_a_closed_deal_is_not_closed_again(deal, salesperson):
    mark_deal_won(deal=deal, actor=salesperson)
    before = _state(deal)
    events_before = DomainEvent.objects.count()

    with pytest.raises(DealClosed):
        mark_deal_won(deal=deal, actor=salesperson)
    with pytest.raises(DealClosed):
        mark_deal_lost(deal=deal, actor=salesperson, reason=LostReason.objects.first())

    assert _state(deal) == before
    assert DomainEvent.objects.count() == events_before


def test_lost_requires_a_reason_when_the_workspace_has_reasons(deal, salesperson):
    events_before = DomainEvent.objects.count()

    with pytest.raises(ValidationFailed) as refused:
        mark_deal_lost(deal=deal, actor=salesperson, note="They chose another supplier")

    assert refused.value.fields == {"lost_reason": ["Choose a reason."]}
    assert _state(deal) == ("open", None, None, None, "", 1)
    assert DomainEvent.objects.count() == events_before


def test_lost_with_a_reason_and_a_note(deal, salesperson):
    reason = LostReason.objects.get(label="Price too high")

    mark_deal_lost(
        deal=deal, actor=salesperson, reason=reason, note="  15 % above the winner ", occurred_at=WHEN
    )

    assert _state(deal) == ("lost", None, WHEN, reason, "15 % above the winner", 2)
    assert DomainEvent.objects.get(name="deal.lost").data == {
        "reason": reason.pk,
        "reason_label": "Price too high",
        "note": "15 % above the winner",
        "stage": deal.stage_id,
        "version": 2,
    }


def test_an_archived_reason_is_refused(deal, admin, salesperson):
    reason = LostReason.objects.get(label="Schedule")
    save_lost_reason(reason=reason, label="Schedule", is_archived=True, actor=admin)
    events_before = DomainEvent.objects.count()

    with pytest.raises(ValidationFailed) as refused:
        mark_deal_lost(deal=deal, actor=salesperson, reason=reason)

    assert refused.value.fields == {"lost_reason": ["Choose an active reason."]}
    assert _state(deal)[0] == "open"
    assert DomainEvent.objects.count() == events_before


def test_a_note_longer_than_500_characters_is_refused(deal, salesperson):
    with pytest.raises(ValidationFailed) as refused:
        mark_deal_lost(deal=deal, actor=salesperson, reason=LostReason.objects.first(), note="x" * 501)

    assert refused.value.fields == {"lost_note": ["At most 500 characters."]}
    assert _state(deal)[0] == "open"


def test_without_active_reasons_lost_needs_none(deal, admin, salesperson):
    for reason in LostReason.objects.all():
        save_lost_reason(reason=reason, label=reason.label, is_archived=True, actor=admin)

    mark_deal_lost(deal=deal, actor=salesperson, occurred_at=WHEN)

    assert _state(deal) == ("lost", None, WHEN, None, "", 2)


def test_reopen_clears_the_outcome(deal, salesperson):
    mark_deal_lost(deal=deal, actor=salesperson, reason=LostReason.objects.first(), note="Too expensive")

    reopen_deal(deal=deal, actor=salesperson)

    assert _state(deal) == ("open", None, None, None, "", 3)
    assert DomainEvent.objects.get(name="deal.reopened").data == {"was": "lost", "version": 3}


def test_reopen_a_won_deal_then_win_it_again(deal, salesperson):
    mark_deal_won(deal=deal, actor=salesperson)
    reopen_deal(deal=deal, actor=salesperson)

    mark_deal_won(deal=deal, actor=salesperson, occurred_at=WHEN)

    assert _state(deal) == ("won", WHEN, None, None, "", 4)
    assert list(
        DomainEvent.objects.filter(subject_type="deal", subject_id=deal.pk).values_list("name", flat=True)
    ) == ["deal.created", "deal.won", "deal.reopened", "deal.won"]


def test_reopening_an_open_deal_changes_nothing(deal, salesperson):
    events_before = DomainEvent.objects.count()

    reopen_deal(deal=deal, actor=salesperson)

    assert _state(deal) == (DealStatus.OPEN, None, None, None, "", 1)
    assert DomainEvent.objects.count() == events_before
