"""The personal ICS feed, read back with the icalendar parser as a subscribed calendar would."""

from datetime import UTC, date, datetime

import pytest
from django.urls import reverse
from icalendar import Calendar

from apogee.activities.services import delete_activity, reset_calendar_feed, update_activity
from apogee.deals.models import Visibility
from apogee.leads.services import convert_lead_to_deal
from tests.activities.factories import make_activity
from tests.deals.factories import make_deal
from tests.leads.factories import make_lead

pytestmark = pytest.mark.django_db


def _events(client, url) -> dict[str, object]:
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = Calendar.from_ical(response.content)
    return {str(e["UID"]): e for e in calendar.walk("VEVENT")}


@pytest.fixture
def feed_url(salesperson):
    return reverse("activities:feed", args=[reset_calendar_feed(user=salesperson, actor=salesperson)])


def test_feed_carries_timed_and_all_day_activities_with_stable_uids(
    client, sales_pipeline, salesperson, teammate, feed_url
):
    deal = make_deal(pipeline=sales_pipeline, owner=salesperson, title="Baffle for CHIME")
    meeting = make_activity(
        owner=salesperson,
        kind="meeting",
        subject="Kick-off",
        due=datetime(2026, 5, 4, 7, 30, tzinfo=UTC),
        duration_minutes=90,
        deal=deal,
    )
    deadline = make_activity(owner=salesperson, kind="deadline", subject="Offer due", due=date(2026, 5, 8))
    invited = make_activity(owner=teammate, subject="Teammate's call", attendee_users=[salesperson])
    make_activity(owner=teammate, subject="Not for me")

    events = _events(client, feed_url)

    assert set(events) == {f"{a.uid}@apogee" for a in (meeting, deadline, invited)}
    kick_off = events[f"{meeting.uid}@apogee"]
    assert kick_off["SEQUENCE"] == 0
    assert kick_off.decoded("DTSTART") == datetime(2026, 5, 4, 7, 30, tzinfo=UTC)
    assert kick_off.decoded("DTEND") == datetime(2026, 5, 4, 9, 0, tzinfo=UTC)
    assert str(kick_off["SUMMARY"]) == "⚇ Kick-off"
    assert "Deal: Baffle for CHIME" in str(kick_off["DESCRIPTION"])
    assert "DTSTAMP" in kick_off and "LAST-MODIFIED" in kick_off
    offer = events[f"{deadline.uid}@apogee"]
    assert offer.decoded("DTSTART") == date(2026, 5, 8)
    assert offer.decoded("DTEND") == date(2026, 5, 9)
    assert offer["DTSTART"].params.get("VALUE") == "DATE"


def test_an_edit_keeps_the_uid_with_a_new_sequence_and_a_deletion_drops_the_event(
    client, workspace, salesperson, feed_url
):
    activity = make_activity(owner=salesperson, subject="Call Anke", due=date(2026, 5, 4))
    uid = f"{activity.uid}@apogee"
    assert _events(client, feed_url)[uid]["SEQUENCE"] == 0

    update_activity(activity=activity, actor=salesperson, changes={"due": date(2026, 5, 5)})

    edited = _events(client, feed_url)[uid]
    assert edited["SEQUENCE"] == 1
    assert edited.decoded("DTSTART") == date(2026, 5, 5)

    delete_activity(activity=activity, actor=salesperson)
    assert _events(client, feed_url) == {}


def test_the_feed_follows_deal_visibility(client, sales_pipeline, salesperson, teammate):
    # The teammate is invited to an activity on a deal only its owner sees: the feed must not leak it.
    private = make_deal(pipeline=sales_pipeline, owner=salesperson, visibility=Visibility.OWNER)
    make_activity(owner=salesperson, deal=private, attendee_users=[teammate])
    url = reverse("activities:feed", args=[reset_calendar_feed(user=teammate, actor=teammate)])

    assert _events(client, url) == {}


def test_a_wrong_reset_or_revoked_secret_is_404(client_for, client, workspace, salesperson):
    make_activity(owner=salesperson)
    old = reset_calendar_feed(user=salesperson, actor=salesperson)
    assert client.get(reverse("activities:feed", args=["not-the-secret"])).status_code == 404

    browser = client_for(salesperson)
    created = browser.post(reverse("activities:feed_reset"))
    new_url = created.context["url"]
    assert client.get(reverse("activities:feed", args=[old])).status_code == 404
    assert client.get(new_url).status_code == 200

    browser.post(reverse("activities:feed_revoke"))
    assert client.get(new_url).status_code == 404


def test_a_lead_activity_names_its_lead_then_its_deal_once_converted(
    client, sales_pipeline, salesperson, feed_url
):
    lead = make_lead(owner=salesperson, title="Hinge for CHIME")
    activity = make_activity(owner=salesperson, lead=lead, subject="Call Camille")
    uid = f"{activity.uid}@apogee"
    before = _events(client, feed_url)[uid]

    convert_lead_to_deal(lead=lead, actor=salesperson)
    after = _events(client, feed_url)[uid]

    assert (before["SEQUENCE"], str(before["DESCRIPTION"])) == (0, "Lead: Hinge for CHIME")
    assert (after["SEQUENCE"], str(after["DESCRIPTION"])) == (1, "Deal: Hinge for CHIME")
