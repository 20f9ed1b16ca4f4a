"""Scheduling, editing, marking done and deleting activities through the services."""

from datetime import UTC, date, datetime

import pytest

from apogee.activities.models import Activity, ActivityAttendee
from apogee.activities.services import (
    create_activity,
    delete_activity,
    mark_activity_done,
    mark_activity_undone,
    update_activity,
)
from apogee.core.errors import PermissionDenied, ValidationFailed
from apogee.core.models import DomainEvent
from apogee.deals.models import Visibility
from tests.activities.factories import activity_type, make_activity
from tests.contacts.factories import make_organization, make_person
from tests.deals.factories import make_deal

pytestmark = pytest.mark.django_db


def _events(name):
    return list(DomainEvent.objects.filter(name=name).values_list("subject_id", "data"))


def test_create_links_deal_person_organization_and_attendees_and_records_the_event(
    sales_pipeline, salesperson, teammate
):
    organization = make_organization("ESA ESTEC")
    person = make_person("Anke de Vries")
    deal = make_deal(pipeline=sales_pipeline, owner=salesperson, organization=organization)

    activity = create_activity(
        actor=salesperson,
        type=activity_type("meeting"),
        subject="Kick-off at ESTEC",
        due=datetime(2026, 5, 4, 7, 30, tzinfo=UTC),
        duration_minutes=90,
        deal=deal,
        person=person,
        organization=organization,
        note="Bring the samples.",
        attendee_users=[teammate],
        attendee_persons=[person],
    )

    activity = Activity.objects.get()
    assert (activity.subject, activity.owner, activity.deal, activity.person) == (
        "Kick-off at ESTEC",
        salesperson,
        deal,
        person,
    )
    assert activity.due_at == datetime(2026, 5, 4, 7, 30, tzinfo=UTC)
    assert activity.due_date == date(2026, 5, 4)
    assert activity.sequence == 0
    assert list(ActivityAttendee.objects.order_by("id").values_list("user_id", "person_id")) == [
        (teammate.pk, None),
        (None, person.pk),
    ]
    event = DomainEvent.objects.get(name="activity.created")
    assert event.subject_id == activity.pk
    assert event.actor == salesperson
    assert event.data["deal"] == deal.pk
    assert event.data["type"] == "meeting"
    assert event.data["attendees"] == {"users": [teammate.pk], "persons": [person.pk]}


def test_a_date_alone_makes_an_all_day_activity(workspace, salesperson):
    activity = make_activity(owner=salesperson, due=date(2026, 5, 6))

    assert activity.is_all_day
    assert activity.due_at is None
    assert activity.due_date == date(2026, 5, 6)


@pytest.mark.parametrize(
    ("_case", "changes", "field"),
    [
        ("an empty subject", {"subject": "  "}, "subject"),
        ("a subject too long", {"subject": "x" * 201}, "subject"),
        ("a note too long", {"note": "x" * 5001}, "note"),
        ("a zero duration", {"duration_minutes": 0}, "duration_minutes"),
        ("a naive time", {"due": datetime(2026, 5, 4, 9, 0)}, "due"),
        ("no date", {"due": "tomorrow"}, "due"),
    ],
)
def test_invalid_fields_are_named_and_nothing_is_written(workspace, salesperson, _case, changes, field):
    arguments = {"subject": "Call back", "due": date(2026, 5, 4), **changes}

    with pytest.raises(ValidationFailed) as refused:
        create_activity(actor=salesperson, type=activity_type("call"), **arguments)

    assert list(refused.value.fields) == [field]
    assert not Activity.objects.exists()
    assert not DomainEvent.objects.filter(name__startswith="activity.").exists()


def test_an_archived_type_is_refused_for_a_new_activity(workspace, salesperson):
    call = activity_type("call")
    call.is_archived = True
    call.save()

    with pytest.raises(ValidationFailed) as refused:
        make_activity(owner=salesperson, actor=salesperson)

    assert list(refused.value.fields) == ["type"]
    assert not Activity.objects.exists()


def test_a_deal_the_actor_cannot_see_is_refused(sales_pipeline, salesperson, other_salesperson):
    private = make_deal(pipeline=sales_pipeline, owner=salesperson, visibility=Visibility.OWNER)

    with pytest.raises(ValidationFailed) as refused:
        make_activity(owner=other_salesperson, actor=other_salesperson, deal=private)

    assert refused.value.fields == {"deal": ["Choose a deal you can see."]}
    assert not Activity.objects.exists()


def test_an_owner_who_cannot_see_the_deal_is_refused(sales_pipeline, salesperson, manager, other_salesperson):
    team_deal = make_deal(pipeline=sales_pipeline, owner=salesperson, visibility=Visibility.TEAM)

    with pytest.raises(ValidationFailed) as refused:
        make_activity(owner=other_salesperson, actor=manager, deal=team_deal)

    assert list(refused.value.fields) == ["owner"]
    assert not Activity.objects.exists()


def test_edit_bumps_the_sequence_keeps_the_uid_and_records_the_changes(workspace, salesperson):
    activity = make_activity(owner=salesperson, subject="Call Anke", due=date(2026, 5, 4))
    uid = activity.uid

    update_activity(
        activity=activity,
        actor=salesperson,
        changes={"subject": "Call Anke about the baffle", "due": date(2026, 5, 5)},
    )

    activity.refresh_from_db()
    assert activity.uid == uid
    assert activity.sequence == 1
    assert activity.subject == "Call Anke about the baffle"
    assert _events("activity.updated") == [
        (
            activity.pk,
            {
                "changes": {
                    "subject": ["Call Anke", "Call Anke about the baffle"],
                    "due_date": ["2026-05-04", "2026-05-05"],
                },
                "deal": None,
                "sequence": 1,
            },
        )
    ]


def test_an_edit_that_changes_nothing_writes_nothing(workspace, salesperson):
    activity = make_activity(owner=salesperson, subject="Call Anke")

    update_activity(activity=activity, actor=salesperson, changes={"subject": "Call Anke"})

    activity.refresh_from_db()
    assert activity.sequence == 0
    assert not DomainEvent.objects.filter(name="activity.updated").exists()


def test_a_refused_edit_changes_nothing(workspace, salesperson):
    activity = make_activity(owner=salesperson, subject="Call Anke")

    with pytest.raises(ValidationFailed):
        update_activity(
            activity=activity, actor=salesperson, changes={"subject": "", "note": "Kept out as well"}
        )

    activity.refresh_from_db()
    assert (activity.subject, activity.note, activity.sequence) == ("Call Anke", "", 0)


def test_done_and_undone_are_recorded_once_each(workspace, salesperson):
    activity = make_activity(owner=salesperson)

    mark_activity_done(activity=activity, actor=salesperson)
    mark_activity_done(activity=activity, actor=salesperson)  # a double click
    activity.refresh_from_db()
    assert activity.is_done
    assert activity.done_at is not None
    assert activity.sequence == 1

    mark_activity_undone(activity=activity, actor=salesperson)
    activity.refresh_from_db()
    assert (activity.is_done, activity.done_at, activity.sequence) == (False, None, 2)
    assert [e[0] for e in _events("activity.done")] == [activity.pk]
    assert [e[0] for e in _events("activity.undone")] == [activity.pk]


def test_delete_hides_the_activity_and_records_the_event(workspace, salesperson):
    activity = make_activity(owner=salesperson)

    delete_activity(activity=activity, actor=salesperson)

    activity.refresh_from_db()
    assert activity.deleted_at is not None
    assert activity.sequence == 1
    assert [e[0] for e in _events("activity.deleted")] == [activity.pk]


def test_someone_who_cannot_see_an_activity_cannot_change_it(sales_pipeline, salesperson, other_salesperson):
    private = make_deal(pipeline=sales_pipeline, owner=salesperson, visibility=Visibility.OWNER)
    activity = make_activity(owner=salesperson, deal=private)

    with pytest.raises(PermissionDenied):
        mark_activity_done(activity=activity, actor=other_salesperson)

    activity.refresh_from_db()
    assert not activity.is_done
    assert not DomainEvent.objects.filter(name="activity.done").exists()
