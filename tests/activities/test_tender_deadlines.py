"""A deal's tender deadlines become its owner's activities, follow every change, remind in the calendar."""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from icalendar import Calendar

from apogee.activities.deadlines import sync_tender_deadlines
from apogee.activities.models import Activity
from apogee.activities.services import reset_calendar_feed
from apogee.core.models import DomainEvent
from apogee.deals.models import LostReason
from apogee.deals.services import mark_deal_lost, reopen_deal, update_deal
from tests.deals.factories import make_deal

pytestmark = pytest.mark.django_db

SUBMISSION = datetime(2027, 3, 15, 11, 0, tzinfo=UTC)


@pytest.fixture
def deal(sales_pipeline, salesperson):
    return make_deal(pipeline=sales_pipeline, owner=salesperson, title="Sun sensor")


def _deadlines(deal):
    return list(Activity.objects.filter(deal=deal).exclude(tender_deadline="").order_by("tender_deadline"))


def _set(deal, actor, capture, **changes):
    with capture(execute=True):
        return update_deal(deal=deal, actor=actor, changes=changes)


def test_setting_a_deadline_plans_it_for_the_owner(deal, salesperson, django_capture_on_commit_callbacks):
    _set(
        deal,
        salesperson,
        django_capture_on_commit_callbacks,
        submission_deadline=SUBMISSION,
        tender_reference="AO-9",
    )
    (activity,) = _deadlines(deal)
    assert activity.tender_deadline == "submission"
    assert activity.owner == salesperson and activity.type.key == "deadline"
    assert activity.due_at == SUBMISSION and activity.subject == "Submission deadline: AO-9"
    assert not activity.is_done and activity.deleted_at is None


def test_the_activity_follows_the_deal_and_keeps_its_uid(
    deal, salesperson, teammate, manager, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    _set(deal, salesperson, capture, submission_deadline=SUBMISSION)
    (first,) = _deadlines(deal)
    deal = _set(deal, salesperson, capture, submission_deadline=SUBMISSION + timedelta(days=2))
    deal = _set(deal, manager, capture, owner=teammate)
    (moved,) = _deadlines(deal)
    assert moved.uid == first.uid and moved.sequence == first.sequence + 2
    assert moved.due_at == SUBMISSION + timedelta(days=2) and moved.owner == teammate

    deal = _set(deal, manager, capture, submission_deadline=None)
    (cleared,) = _deadlines(deal)
    assert cleared.deleted_at is not None


def test_a_closed_deal_drops_its_deadlines_and_a_reopened_one_gets_them_back(
    deal, salesperson, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    deal = _set(deal, salesperson, capture, clarification_deadline=SUBMISSION - timedelta(days=20))
    with capture(execute=True):
        deal = mark_deal_lost(deal=deal, actor=salesperson, reason=LostReason.objects.first())
    assert _deadlines(deal)[0].deleted_at is not None
    with capture(execute=True):
        reopen_deal(deal=deal, actor=salesperson)
    (back,) = _deadlines(deal)
    assert back.deleted_at is None and back.tender_deadline == "clarification"


def test_syncing_twice_changes_nothing(deal, salesperson, django_capture_on_commit_callbacks):
    _set(deal, salesperson, django_capture_on_commit_callbacks, submission_deadline=SUBMISSION)
    before = DomainEvent.objects.count()
    sync_tender_deadlines(deal.pk)
    sync_tender_deadlines(deal.pk)
    assert DomainEvent.objects.count() == before


def test_the_feed_reminds_a_week_and_a_day_before(
    client, deal, salesperson, django_capture_on_commit_callbacks
):
    _set(deal, salesperson, django_capture_on_commit_callbacks, submission_deadline=SUBMISSION)
    url = reverse("activities:feed", args=[reset_calendar_feed(user=salesperson, actor=salesperson)])
    calendar = Calendar.from_ical(client.get(url).content)
    (event,) = calendar.walk("VEVENT")
    assert event.decoded("DTSTART") == SUBMISSION
    triggers = sorted(alarm.decoded("TRIGGER") for alarm in event.walk("VALARM"))
    assert triggers == [-timedelta(days=7), -timedelta(days=1)]
