"""The activities API: list, create, edit, done, delete; 422 names the field, 404 hides the unseen."""

from datetime import date

import pytest

from apogee.activities.models import Activity
from apogee.core.models import DomainEvent
from apogee.deals.models import Visibility
from apogee.leads.services import delete_lead
from tests.activities.factories import activity_type, make_activity
from tests.contacts.factories import make_person
from tests.deals.factories import make_deal
from tests.leads.factories import make_lead

pytestmark = pytest.mark.django_db

NOT_FOUND = {"code": "not_found", "message": "Not found.", "fields": {}}


def test_create_an_all_day_activity_on_a_deal(api_as, sales_pipeline, salesperson, teammate):
    deal = make_deal(pipeline=sales_pipeline, owner=salesperson)
    person = make_person("Anke de Vries")

    response = api_as(salesperson).post(
        "/activities",
        {
            "type_id": activity_type("task").pk,
            "subject": "Send the offer",
            "due_date": "2026-05-08",
            "deal_id": deal.pk,
            "person_id": person.pk,
            "attendee_user_ids": [teammate.pk],
        },
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    activity = Activity.objects.get()
    assert body["id"] == activity.pk
    assert body["uid"] == str(activity.uid)
    assert (body["type_key"], body["due_date"], body["due_at"]) == ("task", "2026-05-08", None)
    assert (body["owner_id"], body["deal_id"], body["person_id"]) == (salesperson.pk, deal.pk, person.pk)
    assert body["attendee_user_ids"] == [teammate.pk]
    assert body["sequence"] == 0
    assert DomainEvent.objects.filter(name="activity.created", subject_id=activity.pk).exists()


def test_create_a_timed_activity_stores_utc(api_as, workspace, salesperson):
    response = api_as(salesperson).post(
        "/activities",
        {"type_id": activity_type("call").pk, "subject": "Call", "due_at": "2026-05-04T09:30:00+02:00"},
    )

    assert response.status_code == 201
    assert response.json()["due_at"] == "2026-05-04T07:30:00Z"


@pytest.mark.parametrize(
    ("_case", "body", "fields"),
    [
        ("an empty subject", {"subject": ""}, ["subject"]),
        ("no due date", {"due_date": None}, ["__all__"]),
        ("both due forms", {"due_at": "2026-05-04T09:30:00+02:00"}, ["__all__"]),
        ("an unknown type", {"type_id": 999999}, ["type_id"]),
        ("a misspelt field", {"subjet": "x"}, ["subjet"]),
    ],
)
def test_bad_input_is_422_naming_the_field_and_writes_nothing(
    api_as, workspace, salesperson, _case, body, fields
):
    valid = {"type_id": activity_type("call").pk, "subject": "Call", "due_date": "2026-05-04"}

    response = api_as(salesperson).post("/activities", {**valid, **body})

    assert response.status_code == 422
    assert sorted(response.json()["fields"]) == fields
    assert not Activity.objects.exists()


def test_a_deal_one_may_not_see_is_422_on_deal_id(api_as, sales_pipeline, salesperson, other_salesperson):
    private = make_deal(pipeline=sales_pipeline, owner=salesperson, visibility=Visibility.OWNER)

    response = api_as(other_salesperson).post(
        "/activities",
        {
            "type_id": activity_type("call").pk,
            "subject": "Call",
            "due_date": "2026-05-04",
            "deal_id": private.pk,
        },
    )

    assert response.status_code == 422
    assert response.json()["fields"] == {"deal_id": ["No such deal."]}
    assert not Activity.objects.exists()


def test_patch_changes_the_fields_sent_and_bumps_the_sequence(api_as, workspace, salesperson):
    activity = make_activity(owner=salesperson, subject="Call Anke", due=date(2026, 5, 4))

    response = api_as(salesperson).patch(
        f"/activities/{activity.pk}", {"subject": "Call Anke back", "due_date": "2026-05-05"}
    )

    assert response.status_code == 200
    body = response.json()
    assert (body["subject"], body["due_date"], body["sequence"], body["uid"]) == (
        "Call Anke back",
        "2026-05-05",
        1,
        str(activity.uid),
    )


def test_patch_with_an_empty_subject_is_422_and_changes_nothing(api_as, workspace, salesperson):
    activity = make_activity(owner=salesperson, subject="Call Anke")

    response = api_as(salesperson).patch(f"/activities/{activity.pk}", {"subject": "  "})

    assert response.status_code == 422
    assert list(response.json()["fields"]) == ["subject"]
    activity.refresh_from_db()
    assert (activity.subject, activity.sequence) == ("Call Anke", 0)


def test_done_then_undone(api_as, workspace, salesperson):
    activity = make_activity(owner=salesperson)
    api = api_as(salesperson)

    done = api.post(f"/activities/{activity.pk}/done")
    assert done.status_code == 200
    assert done.json()["is_done"] is True
    undone = api.post(f"/activities/{activity.pk}/undone")
    assert (undone.json()["is_done"], undone.json()["done_at"]) == (False, None)


def test_list_filters_and_hides_what_one_may_not_see(
    api_as, sales_pipeline, salesperson, teammate, other_salesperson
):
    private = make_deal(pipeline=sales_pipeline, owner=salesperson, visibility=Visibility.OWNER)
    on_private = make_activity(owner=salesperson, deal=private, subject="Private", due=date(2026, 5, 4))
    open_call = make_activity(owner=other_salesperson, subject="Outsider's own", due=date(2026, 5, 5))
    make_activity(owner=teammate, subject="Teammate's own", due=date(2026, 5, 6))

    mine = api_as(salesperson).get("/activities", {"owner": salesperson.pk})
    outsider = api_as(other_salesperson).get("/activities")

    assert [a["subject"] for a in mine.json()["items"]] == ["Private"]
    assert [a["id"] for a in outsider.json()["items"]] == [open_call.pk]
    assert outsider.json()["count"] == 1
    assert on_private.pk not in [a["id"] for a in outsider.json()["items"]]


def test_every_verb_on_an_activity_one_may_not_see_is_404(
    api_as, sales_pipeline, salesperson, other_salesperson
):
    private = make_deal(pipeline=sales_pipeline, owner=salesperson, visibility=Visibility.OWNER)
    activity = make_activity(owner=salesperson, deal=private, subject="Secret call")
    api = api_as(other_salesperson)

    responses = [
        api.get(f"/activities/{activity.pk}"),
        api.patch(f"/activities/{activity.pk}", {"subject": "Leaked"}),
        api.post(f"/activities/{activity.pk}/done"),
        api.post(f"/activities/{activity.pk}/undone"),
        api.delete(f"/activities/{activity.pk}"),
    ]

    assert [(r.status_code, r.json()) for r in responses] == [(404, NOT_FOUND)] * 5
    activity.refresh_from_db()
    assert (activity.subject, activity.is_done, activity.deleted_at, activity.sequence) == (
        "Secret call",
        False,
        None,
        0,
    )


def test_delete_is_204_and_the_activity_is_gone(api_as, workspace, salesperson):
    activity = make_activity(owner=salesperson)
    api = api_as(salesperson)

    assert api.delete(f"/activities/{activity.pk}").status_code == 204
    assert api.get(f"/activities/{activity.pk}").status_code == 404


def test_activity_types_are_listed(api_as, workspace, salesperson):
    response = api_as(salesperson).get("/activity-types")

    assert [t["key"] for t in response.json()] == ["call", "meeting", "task", "deadline", "email", "linkedin"]


def test_anonymous_is_401(anonymous_api):
    assert anonymous_api.get("/activities").status_code == 401


# Activities on a lead --------------------------------------------------------------------------


def test_create_an_activity_on_a_lead(api_as, workspace, salesperson):
    lead = make_lead(owner=salesperson, title="Hinge for CHIME")

    response = api_as(salesperson).post(
        "/activities",
        {
            "type_id": activity_type("call").pk,
            "subject": "Call",
            "due_date": "2026-05-04",
            "lead_id": lead.pk,
        },
    )

    assert response.status_code == 201, response.json()
    activity = Activity.objects.get()
    assert (activity.lead, activity.deal) == (lead, None)
    assert (response.json()["lead_id"], response.json()["deal_id"]) == (lead.pk, None)


@pytest.mark.parametrize("_case", ["another member's private lead", "a deleted lead", "no lead at all"])
def test_a_lead_one_may_not_use_is_422_on_lead_id_and_writes_nothing(
    api_as, workspace, salesperson, other_salesperson, _case
):
    if _case == "another member's private lead":
        lead_id = make_lead(owner=other_salesperson, visibility=Visibility.OWNER).pk
    elif _case == "a deleted lead":
        lead = make_lead(owner=salesperson)
        delete_lead(lead=lead, actor=salesperson)
        lead_id = lead.pk
    else:
        lead_id = 2**40
    api = api_as(salesperson)

    created = api.post(
        "/activities",
        {
            "type_id": activity_type("call").pk,
            "subject": "Call",
            "due_date": "2026-05-04",
            "lead_id": lead_id,
        },
    )
    existing = make_activity(owner=salesperson)
    patched = api.patch(f"/activities/{existing.pk}", {"lead_id": lead_id})

    assert (created.status_code, patched.status_code) == (422, 422)
    assert created.json()["fields"] == patched.json()["fields"] == {"lead_id": ["No such lead."]}
    assert list(Activity.objects.all()) == [existing]
    existing.refresh_from_db()
    assert (existing.lead, existing.sequence) == (None, 0)


def test_patch_links_a_lead_and_null_unlinks_it(api_as, workspace, salesperson):
    lead = make_lead(owner=salesperson)
    activity = make_activity(owner=salesperson)
    api = api_as(salesperson)

    linked = api.patch(f"/activities/{activity.pk}", {"lead_id": lead.pk})
    unlinked = api.patch(f"/activities/{activity.pk}", {"lead_id": None})

    assert (linked.json()["lead_id"], linked.json()["sequence"]) == (lead.pk, 1)
    assert (unlinked.json()["lead_id"], unlinked.json()["sequence"]) == (None, 2)


def test_list_filters_by_lead_and_hides_a_private_leads_activities(
    api_as, workspace, salesperson, other_salesperson
):
    lead = make_lead(owner=salesperson, visibility=Visibility.OWNER)
    other_lead = make_lead(owner=salesperson)
    on_lead = make_activity(owner=salesperson, lead=lead, subject="On the lead", due=date(2026, 5, 4))
    make_activity(owner=salesperson, lead=other_lead, subject="On the other lead")
    make_activity(owner=salesperson, subject="On nothing")

    mine = api_as(salesperson).get("/activities", {"lead": lead.pk})
    outsider = api_as(other_salesperson).get("/activities", {"lead": lead.pk})

    assert (mine.json()["count"], [a["id"] for a in mine.json()["items"]]) == (1, [on_lead.pk])
    assert (outsider.json()["count"], outsider.json()["items"]) == (0, [])
