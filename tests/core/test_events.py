"""The outbox (core/events.py): events are rows in the caller's transaction, consumers run after commit."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import transaction

from apogee.core.context import event_source
from apogee.core.events import jsonable, record_event, subscribe
from apogee.core.models import DomainEvent

pytestmark = pytest.mark.django_db


def test_an_event_names_its_subject_actor_and_source(admin):
    with event_source("api"):
        event = record_event("test.recorded", subject=admin, actor=admin, data={"n": 1})

    event.refresh_from_db()
    assert (event.name, event.subject_type, event.subject_id) == ("test.recorded", "user", admin.pk)
    assert (event.actor, event.source, event.data) == (admin, "api", {"n": 1})


def test_a_system_event_has_no_actor_and_the_system_source(admin):
    event = record_event("test.system", subject=admin)

    assert (event.actor, event.source, event.data) == (None, "system", {})


def test_consumers_run_after_commit_with_the_event_id(admin, django_capture_on_commit_callbacks):
    received = []
    subscribe("test.after_commit", received.append)
    subscribe("test.after_commit", received.append)  # subscribing twice delivers once

    with django_capture_on_commit_callbacks(execute=True):
        event = record_event("test.after_commit", subject=admin)
        assert received == []

    assert received == [event.pk]


def test_a_rolled_back_change_triggers_no_consumer(admin, django_capture_on_commit_callbacks):
    received = []
    subscribe("test.rolled_back", received.append)

    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        record_event("test.rolled_back", subject=admin)
        raise RuntimeError("boom")

    assert received == []
    assert not DomainEvent.objects.filter(name="test.rolled_back").exists()


def test_jsonable_turns_values_into_what_a_payload_stores(admin):
    assert jsonable(
        {
            "when": date(2026, 3, 1),
            "amount": Decimal("12.50"),
            "who": admin,
            "ids": (1, 2),
            3: None,
            "ok": True,
        }
    ) == {"when": "2026-03-01", "amount": "12.50", "who": admin.pk, "ids": [1, 2], "3": None, "ok": True}
