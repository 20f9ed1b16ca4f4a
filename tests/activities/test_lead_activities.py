"""Activities on a lead: actor and owner must see the lead; whoever sees the lead sees its activities."""

from datetime import date

import pytest

from apogee.activities.models import Activity
from apogee.activities.queries import activities_visible_to
from apogee.activities.services import create_activity, update_activity
from apogee.core.errors import ValidationFailed
from apogee.core.models import DomainEvent
from apogee.deals.models import Visibility
from apogee.leads.services import delete_lead
from tests.activities.factories import activity_type, make_activity
from tests.deals.factories import make_deal
from tests.leads.factories import make_lead

pytestmark = pytest.mark.django_db


def test_an_activity_scheduled_on_a_lead_is_linked_to_it_and_the_event_names_it(workspace, salesperson):
    lead = make_lead(owner=salesperson, title="Hinge for CHIME")

    activity = create_activity(
        actor=salesperson,
        type=activity_type("call"),
        subject="Call Camille",
        due=date(2026, 5, 4),
        lead=lead,
    )

    activity.refresh_from_db()
    assert (activity.lead, activity.deal, activity.owner) == (lead, None, salesperson)
    assert list(lead.activities.all()) == [activity]
    event = DomainEvent.objects.get(name="activity.created", subject_id=activity.pk)
    assert event.data["lead"] == lead.pk


@pytest.mark.parametrize(
    ("_case", "actor_fixture"),
    [("a teammate", "teammate"), ("a member of another team", "other_salesperson")],
)
def test_linking_to_another_members_private_lead_is_a_field_error_and_writes_nothing(
    request, workspace, salesperson, _case, actor_fixture
):
    lead = make_lead(owner=salesperson, visibility=Visibility.OWNER)
    actor = request.getfixturevalue(actor_fixture)

    with pytest.raises(ValidationFailed) as refused:
        create_activity(
            actor=actor, type=activity_type("call"), subject="Call", due=date(2026, 5, 4), lead=lead
        )

    assert refused.value.fields == {"lead": ["Choose a lead you can see."]}
    assert not Activity.objects.exists()


def test_linking_to_a_deleted_lead_is_a_field_error(workspace, salesperson):
    lead = make_lead(owner=salesperson)
    delete_lead(lead=lead, actor=salesperson)

    with pytest.raises(ValidationFailed) as refused:
        make_activity(owner=salesperson, actor=salesperson, lead=lead)

    assert refused.value.fields == {"lead": ["Choose a lead."]}
    assert not Activity.objects.exists()


def test_the_owner_must_see_the_lead_or_the_activity_would_be_lost_to_them(
    workspace, salesperson, other_salesperson, admin
):
    lead = make_lead(owner=salesperson, visibility=Visibility.OWNER)

    with pytest.raises(ValidationFailed) as refused:
        make_activity(owner=other_salesperson, actor=admin, lead=lead)

    assert list(refused.value.fields) == ["owner"]
    assert not Activity.objects.exists()


def test_moving_an_activity_to_a_lead_one_may_not_see_is_refused_and_changes_nothing(
    workspace, salesperson, teammate
):
    hidden = make_lead(owner=teammate, visibility=Visibility.OWNER)
    activity = make_activity(owner=salesperson, actor=salesperson)

    with pytest.raises(ValidationFailed) as refused:
        update_activity(activity=activity, actor=salesperson, changes={"lead": hidden})

    assert list(refused.value.fields) == ["lead"]
    activity.refresh_from_db()
    assert (activity.lead, activity.sequence) == (None, 0)


def test_update_links_and_unlinks_a_lead_and_records_the_change(workspace, salesperson):
    lead = make_lead(owner=salesperson)
    activity = make_activity(owner=salesperson, actor=salesperson)

    update_activity(activity=activity, actor=salesperson, changes={"lead": lead})
    update_activity(activity=activity, actor=salesperson, changes={"lead": None})

    activity.refresh_from_db()
    assert (activity.lead, activity.sequence) == (None, 2)
    changes = [
        e.data["changes"] for e in DomainEvent.objects.filter(name="activity.updated", subject_id=activity.pk)
    ]
    assert changes == [{"lead": [None, lead.pk]}, {"lead": [lead.pk, None]}]


@pytest.mark.parametrize(
    ("_case", "user_fixture", "sees"),
    [
        ("the lead's owner", "salesperson", True),
        ("the owner's manager", "manager", True),
        ("an administrator", "admin", True),
        ("a teammate, the lead being the owner's only", "teammate", False),
        ("another team's member", "other_salesperson", False),
    ],
)
def test_an_activity_on_a_private_lead_is_seen_by_whoever_sees_the_lead(
    request, workspace, salesperson, teammate, _case, user_fixture, sees
):
    lead = make_lead(owner=salesperson, visibility=Visibility.OWNER)
    # Owned by the lead's owner; a teammate attending does not make it theirs to see.
    activity = make_activity(owner=salesperson, lead=lead, attendee_users=[teammate])

    visible = activities_visible_to(request.getfixturevalue(user_fixture))

    assert visible.filter(pk=activity.pk).exists() is sees


def test_an_activity_on_a_deleted_lead_drops_out_of_every_list(workspace, salesperson):
    lead = make_lead(owner=salesperson)
    activity = make_activity(owner=salesperson, lead=lead)

    delete_lead(lead=lead, actor=salesperson)

    assert not activities_visible_to(salesperson).filter(pk=activity.pk).exists()


def test_with_a_deal_and_a_lead_the_deal_decides_who_sees_the_activity(sales_pipeline, salesperson, teammate):
    lead = make_lead(owner=salesperson, visibility=Visibility.EVERYONE)
    deal = make_deal(pipeline=sales_pipeline, owner=salesperson, visibility=Visibility.OWNER)
    activity = make_activity(owner=salesperson, lead=lead, deal=deal)

    assert activities_visible_to(salesperson).filter(pk=activity.pk).exists()
    assert not activities_visible_to(teammate).filter(pk=activity.pk).exists()
