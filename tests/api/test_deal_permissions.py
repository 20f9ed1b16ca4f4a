"""Who may do what to a deal through the API: a deal one may not see is 404 on every verb.

Visibility (deals/queries.py): administrators see every deal; a manager sees their
team's deals; everyone sees their own deals and deals shared with everyone.
"""

import pytest

from apogee.core.models import DomainEvent
from apogee.deals.models import Deal, DealParticipant, LostReason, StageChange, Visibility
from tests.contacts.factories import make_person
from tests.deals.factories import make_deal, stage

pytestmark = pytest.mark.django_db

NOT_FOUND = {"code": "not_found", "message": "Not found.", "fields": {}}


@pytest.fixture
def private_deal(sales_pipeline, salesperson):
    """The salesperson's deal, visible to its owner only, with one participant."""
    return make_deal(
        pipeline=sales_pipeline,
        owner=salesperson,
        stage=stage(sales_pipeline, "First contact"),
        title="Confidential bid",
        visibility=Visibility.OWNER,
        participants=[(make_person("Anke de Vries"), "contract_officer")],
    )


def _every_verb(deal):
    """(method, path, body) for every deal endpoint, each a valid request for someone who may see it."""
    second = stage(deal.pipeline, "Opportunity identified")
    participant = deal.participants.get()
    person = make_person("Paolo Brenni")
    return [
        ("get", f"/deals/{deal.pk}", None),
        ("patch", f"/deals/{deal.pk}", {"version": deal.version, "title": "Leaked"}),
        ("post", f"/deals/{deal.pk}/move", {"stage_id": second.pk}),
        ("post", f"/deals/{deal.pk}/won", None),
        ("post", f"/deals/{deal.pk}/lost", {"lost_reason_id": LostReason.objects.first().pk}),
        ("post", f"/deals/{deal.pk}/reopen", None),
        ("post", f"/deals/{deal.pk}/handoff", None),
        ("post", f"/deals/{deal.pk}/participants", {"person_id": person.pk, "role": "other"}),
        ("delete", f"/deals/{deal.pk}/participants/{participant.pk}", None),
    ]


def _state(deal):
    row = Deal.objects.filter(pk=deal.pk).values(
        "title", "stage_id", "status", "version", "lost_reason_id", "visibility", "owner_id"
    )
    return (
        list(row),
        list(DealParticipant.objects.filter(deal=deal).values_list("person_id", "role")),
        StageChange.objects.filter(deal=deal).count(),
        Deal.objects.count(),
    )


@pytest.mark.parametrize("user_fixture", ["other_salesperson", "teammate"])
def test_a_deal_one_may_not_see_is_404_on_every_verb_and_nothing_changes(
    request, api_as, private_deal, user_fixture
):
    api = api_as(request.getfixturevalue(user_fixture))
    requests = _every_verb(private_deal)
    before = _state(private_deal)
    events_before = DomainEvent.objects.count()

    for method, path, body in requests:
        response = getattr(api, method)(path, body)

        assert (method, path, response.status_code) == (method, path, 404)
        assert response.json() == NOT_FOUND

    assert _state(private_deal) == before
    assert DomainEvent.objects.count() == events_before


def test_the_same_requests_reach_the_deal_for_its_owner(api_as, salesperson, private_deal):
    api = api_as(salesperson)

    statuses = [
        getattr(api, method)(path, body).status_code for method, path, body in _every_verb(private_deal)
    ]

    # get, patch, move, won, lost (already won), reopen, handoff (Sales hands off nowhere), add, remove
    assert statuses == [200, 200, 200, 200, 422, 200, 422, 201, 204]


def test_a_deal_one_may_not_see_is_left_out_of_the_list(
    api_as, other_salesperson, private_deal, sales_pipeline
):
    shared = make_deal(pipeline=sales_pipeline, owner=private_deal.owner, visibility=Visibility.EVERYONE)

    response = api_as(other_salesperson).get("/deals")

    assert [d["id"] for d in response.json()["items"]] == [shared.pk]
    assert response.json()["count"] == 1


@pytest.mark.parametrize(
    ("user_fixture", "expected_status"),
    [
        ("other_salesperson", 404),
        ("teammate", 404),
        ("salesperson", 200),
        ("manager", 200),
        ("admin", 200),
    ],
)
def test_who_may_edit_a_private_deal(request, api_as, private_deal, user_fixture, expected_status):
    api = api_as(request.getfixturevalue(user_fixture))

    read = api.get(f"/deals/{private_deal.pk}")
    edit = api.patch(f"/deals/{private_deal.pk}", {"version": 1, "title": "Edited"})

    assert (read.status_code, edit.status_code) == (expected_status, expected_status)
    private_deal.refresh_from_db()
    assert private_deal.title == ("Edited" if expected_status == 200 else "Confidential bid")


@pytest.mark.parametrize(
    ("visibility", "teammate_status"), [("team", 200), ("owner", 404), ("everyone", 200)]
)
def test_visibility_setting_decides_what_a_teammate_sees(
    api_as, teammate, salesperson, sales_pipeline, visibility, teammate_status
):
    deal = make_deal(pipeline=sales_pipeline, owner=salesperson, visibility=visibility)

    response = api_as(teammate).get(f"/deals/{deal.pk}")

    assert response.status_code == teammate_status


def test_a_change_notice_needs_a_parent_contract_one_may_see(
    api_as, other_salesperson, salesperson, private_deal, sales_pipeline
):
    response = api_as(other_salesperson).post(
        "/deals",
        {"title": "Change notice 1", "pipeline_id": sales_pipeline.pk, "parent_contract_id": private_deal.pk},
    )

    assert response.status_code == 422
    assert response.json()["fields"] == {"parent_contract_id": ["No such deal."]}
    assert Deal.objects.count() == 1
