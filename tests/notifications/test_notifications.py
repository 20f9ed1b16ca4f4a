"""In-app notifications: notify(), one's own list, mark read, the sidebar's unread count, the API."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apogee.core.errors import PermissionDenied, ValidationFailed
from apogee.core.models import DomainEvent
from apogee.notifications.models import Notification
from apogee.notifications.services import mark_all_read, mark_read, notify

pytestmark = pytest.mark.django_db


def test_notify_stores_the_notification_and_records_an_event(salesperson, manager):
    sent = notify(user=salesperson, text="  Marc   approved your bid. ", url="/deals/3/", actor=manager)

    assert (sent.user, sent.text, sent.url, sent.read_at) == (
        salesperson,
        "Marc approved your bid.",
        "/deals/3/",
        None,
    )
    event = DomainEvent.objects.get(name="notification.sent")
    assert event.subject_id == sent.pk and event.actor == manager
    assert event.data == {"user": salesperson.pk, "text": "Marc approved your bid.", "url": "/deals/3/"}


@pytest.mark.parametrize(
    ("text", "url", "field"),
    [
        ("", "", "text"),
        ("Hi", "https://evil.example/", "url"),
        ("Hi", "//evil.example/", "url"),
        ("Hi", "deals/1/", "url"),
    ],
)
def test_notify_refuses_empty_text_and_links_outside_apogee(salesperson, text, url, field):
    with pytest.raises(ValidationFailed) as error:
        notify(user=salesperson, text=text, url=url)
    assert list(error.value.fields) == [field]
    assert not Notification.objects.exists()


def test_a_long_text_is_shortened(salesperson):
    assert len(notify(user=salesperson, text="x" * 400).text) == 300


def test_a_deactivated_user_is_not_notified(salesperson):
    salesperson.is_active = False
    salesperson.save()
    assert notify(user=salesperson, text="Hello") is None
    assert not Notification.objects.exists()


def test_only_the_recipient_marks_a_notification_read(salesperson, teammate):
    sent = notify(user=salesperson, text="Hello")
    with pytest.raises(PermissionDenied):
        mark_read(notification=sent, actor=teammate)
    assert mark_read(notification=sent, actor=salesperson).read_at is not None
    first = sent.read_at
    assert mark_read(notification=sent, actor=salesperson).read_at == first  # once is enough
    assert DomainEvent.objects.filter(name="notification.read").count() == 1


def test_mark_all_read_touches_only_ones_own(salesperson, teammate):
    for text in ("One", "Two"):
        notify(user=salesperson, text=text)
    notify(user=teammate, text="Theirs")
    assert mark_all_read(actor=salesperson) == 2
    assert mark_all_read(actor=salesperson) == 0
    assert Notification.objects.get(user=teammate).read_at is None


# Pages -------------------------------------------------------------------------------------------


def test_the_list_shows_ones_own_notifications_newest_first(client_for, salesperson, teammate):
    notify(user=salesperson, text="Older")
    notify(user=salesperson, text="Newer")
    notify(user=teammate, text="Not yours")
    body = client_for(salesperson).get("/notifications/").content.decode()
    assert body.index("Newer") < body.index("Older")
    assert "Not yours" not in body
    assert "Mark all read" in body


def test_opening_a_notification_marks_it_read_and_follows_its_link(client_for, salesperson):
    sent = notify(user=salesperson, text="Approve", url="/deals/7/")
    response = client_for(salesperson).post(f"/notifications/{sent.pk}/open/")
    assert response.status_code == 302 and response["Location"] == "/deals/7/"
    assert Notification.objects.get(pk=sent.pk).read_at is not None


def test_someone_elses_notification_answers_404(client_for, salesperson, teammate):
    sent = notify(user=salesperson, text="Private")
    client = client_for(teammate)
    assert client.post(f"/notifications/{sent.pk}/open/").status_code == 404
    assert client.post(f"/notifications/{sent.pk}/read/").status_code == 404
    assert Notification.objects.get(pk=sent.pk).read_at is None


def test_mark_read_and_mark_all_read_pages(client_for, salesperson):
    one, _two = notify(user=salesperson, text="One"), notify(user=salesperson, text="Two")
    client = client_for(salesperson)
    assert client.post(f"/notifications/{one.pk}/read/").status_code == 302
    assert Notification.objects.filter(read_at__isnull=True).count() == 1
    assert client.post("/notifications/read-all/").status_code == 302
    assert not Notification.objects.filter(read_at__isnull=True).exists()
    assert client.get("/notifications/read-all/").status_code == 405


def test_the_list_requires_a_login(client):
    assert client.get("/notifications/").status_code == 302


def test_the_sidebar_shows_the_unread_count_with_one_query(client_for, salesperson):
    client = client_for(salesperson)
    for text in ("One", "Two", "Three"):
        notify(user=salesperson, text=text)
    mark_read(notification=Notification.objects.get(text="One"), actor=salesperson)

    with CaptureQueriesContext(connection) as queries:
        body = client.get("/me/").content.decode()
    assert '<span class="badge unread-count" title="Unread notifications">2</span>' in body
    counting = [
        q["sql"]
        for q in queries.captured_queries
        if "notifications_notification" in q["sql"] and "COUNT" in q["sql"] and "read_at" in q["sql"]
    ]
    assert len(counting) == 1

    mark_all_read(actor=salesperson)
    assert "unread-count" not in client.get("/notifications/").content.decode()


# API ---------------------------------------------------------------------------------------------


def test_the_api_lists_ones_own_and_marks_them_read(api_as, salesperson, teammate):
    first = notify(user=salesperson, text="First", url="/deals/1/")
    notify(user=salesperson, text="Second")
    theirs = notify(user=teammate, text="Theirs")
    api = api_as(salesperson)

    listed = api.get("/notifications").json()
    assert [n["text"] for n in listed] == ["Second", "First"]
    assert listed[1]["url"] == "/deals/1/" and listed[1]["read_at"] is None

    read = api.post(f"/notifications/{first.pk}/read")
    assert read.status_code == 200 and read.json()["read_at"] is not None
    assert [n["text"] for n in api.get("/notifications", {"unread": "true"}).json()] == ["Second"]
    assert api.post(f"/notifications/{theirs.pk}/read").status_code == 404
    assert api.post("/notifications/read-all").json() == {"marked_read": 1}
    assert api.get("/notifications", {"limit": "0"}).status_code == 422


def test_the_api_needs_authentication(anonymous_api):
    assert anonymous_api.get("/notifications").status_code == 401
