"""Deals through the API: list with filters, create, edit with a version check, move, close, hand off."""

from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apogee.core.models import DomainEvent
from apogee.deals.models import Deal, DealParticipant, DealStatus, LostReason, StageChange
from apogee.deals.services import mark_deal_lost, mark_deal_won, save_lost_reason
from tests.contacts.factories import make_organization, make_person
from tests.deals.factories import make_deal, stage

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(api_as, salesperson):
    return api_as(salesperson)


@pytest.fixture
def deal(sales_pipeline, salesperson):
    return make_deal(
        pipeline=sales_pipeline,
        owner=salesperson,
        stage=stage(sales_pipeline, "Opportunity identified"),
        title="Reaction wheel bracket",
        value=Decimal("120000.00"),
    )


@time_machine.travel("2026-03-02 10:00:00Z", tick=False)
def test_create_deal_returns_the_full_deal(api, salesperson, sales_pipeline):
    organization = make_organization("Thales Alenia Space")
    person = make_person("Anke de Vries")
    first_contact = stage(sales_pipeline, "First contact")

    response = api.post(
        "/deals",
        {
            "title": "Hinge mechanism study",
            "pipeline_id": sales_pipeline.pk,
            "organization_id": organization.pk,
            "value": "250000.50",
            "currency": "EUR",
            "expected_close_date": "2026-09-30",
            "visibility": "team",
            "custom_fields": {"product_line": ["mechanisms"], "mission": "Harwell 2026"},
            "participants": [{"person_id": person.pk, "role": "contract_officer"}],
        },
    )

    assert response.status_code == 201
    deal = Deal.objects.get()
    participant = DealParticipant.objects.get()
    assert response.json() == {
        "id": deal.pk,
        "title": "Hinge mechanism study",
        "pipeline_id": sales_pipeline.pk,
        "stage_id": first_contact.pk,
        "status": "open",
        "value": "250000.50",
        "currency": "EUR",
        "value_in_base_currency": "232500.47",  # at the 2026 rate of 0.93
        "expected_close_date": "2026-09-30",
        "owner_id": salesperson.pk,
        "organization_id": organization.pk,
        "end_customer_id": None,
        "tender_reference": "",
        "clarification_deadline": None,
        "submission_deadline": None,
        "offer_valid_until": None,
        "value_follows_offer": True,
        "visibility": "team",
        "custom_fields": {"product_line": ["mechanisms"], "mission": "Harwell 2026"},
        "origin_deal_id": None,
        "parent_contract_id": None,
        "lost_reason_id": None,
        "lost_note": "",
        "won_at": None,
        "lost_at": None,
        "version": 1,
        "created_at": "2026-03-02T10:00:00Z",
        "updated_at": "2026-03-02T10:00:00Z",
        "participants": [{"id": participant.pk, "person_id": person.pk, "role": "contract_officer"}],
    }
    event = DomainEvent.objects.get(name="deal.created")
    assert (event.subject_id, event.actor, event.source) == (deal.pk, salesperson, "api")


def test_create_deal_in_a_gated_stage_names_the_missing_fields(api, sales_pipeline):
    response = api.post(
        "/deals",
        {
            "title": "Gated",
            "pipeline_id": sales_pipeline.pk,
            "stage_id": stage(sales_pipeline, "Proposal preparation").pk,
        },
    )

    assert response.status_code == 422
    assert response.json()["code"] == "stage_gate_blocked"
    assert response.json()["fields"] == {
        "opportunity_type": ["Required to enter “Proposal preparation”."],
        "offer_type": ["Required to enter “Proposal preparation”."],
    }
    assert not Deal.objects.exists()


def test_create_deal_with_unknown_references_is_422_on_each_id(api, workspace):
    response = api.post("/deals", {"title": "Ghost", "pipeline_id": 90001})
    stage_elsewhere = api.post(
        "/deals",
        {
            "title": "Misplaced",
            "pipeline_id": workspace["Sales"].pk,
            "stage_id": stage(workspace["RFI"], "RFI received").pk,
        },
    )
    no_person = api.post(
        "/deals",
        {"title": "Lonely", "pipeline_id": workspace["Sales"].pk, "participants": [{"person_id": 90002}]},
    )

    assert response.status_code == 422
    assert response.json()["fields"] == {"pipeline_id": ["Choose a pipeline."]}
    assert stage_elsewhere.status_code == 422
    assert stage_elsewhere.json()["code"] == "stage_not_in_pipeline"
    assert stage_elsewhere.json()["fields"] == {"stage_id": ["Choose a stage of the deal's pipeline."]}
    assert no_person.status_code == 422
    assert no_person.json()["fields"] == {"participants": ["Choose existing persons."]}
    assert not Deal.objects.exists()


def test_a_member_cannot_create_a_deal_for_someone_else(api, teammate, sales_pipeline):
    response = api.post(
        "/deals", {"title": "For you", "pipeline_id": sales_pipeline.pk, "owner_id": teammate.pk}
    )

    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert not Deal.objects.exists()


def test_a_manager_creates_a_deal_for_a_team_member(api_as, manager, teammate, sales_pipeline):
    response = api_as(manager).post(
        "/deals", {"title": "Delegated", "pipeline_id": sales_pipeline.pk, "owner_id": teammate.pk}
    )

    assert response.status_code == 201
    assert Deal.objects.get().owner == teammate


def test_the_same_participant_twice_in_one_role_is_422(api, sales_pipeline):
    person = make_person("Paolo Brenni")
    twice = [{"person_id": person.pk, "role": "other"}, {"person_id": person.pk, "role": "other"}]

    response = api.post("/deals", {"title": "Twice", "pipeline_id": sales_pipeline.pk, "participants": twice})

    assert response.status_code == 422
    assert response.json()["fields"] == {
        "__all__": ["Value error, A person appears twice with the same role."]
    }
    assert not Deal.objects.exists()


def test_list_filters_with_the_board_filters(api, salesperson, sales_pipeline, workspace):
    esa = make_deal(pipeline=sales_pipeline, owner=salesperson, custom_values={"opportunity_type": "esa"})
    make_deal(pipeline=sales_pipeline, owner=salesperson, custom_values={"opportunity_type": "national"})
    make_deal(pipeline=workspace["RFI"], owner=salesperson, custom_values={"opportunity_type": "esa"})
    won = make_deal(pipeline=sales_pipeline, owner=salesperson)
    mark_deal_won(deal=won, actor=None)

    by_field = api.get("/deals", {"pipeline": sales_pipeline.pk, "f": "opportunity_type:eq:esa"})
    by_status = api.get("/deals", {"status": "won"})
    everything = api.get("/deals", {"status": "all"})

    assert by_field.status_code == 200
    assert [d["id"] for d in by_field.json()["items"]] == [esa.pk]
    assert by_field.json()["count"] == 1
    assert [d["id"] for d in by_status.json()["items"]] == [won.pk]
    assert everything.json()["count"] == 4


def test_list_defaults_to_open_deals_newest_first(api, salesperson, sales_pipeline):
    older = make_deal(pipeline=sales_pipeline, owner=salesperson)
    newer = make_deal(pipeline=sales_pipeline, owner=salesperson)
    lost = make_deal(pipeline=sales_pipeline, owner=salesperson)
    mark_deal_lost(deal=lost, actor=None, reason=LostReason.objects.first())

    response = api.get("/deals")

    assert [d["id"] for d in response.json()["items"]] == [newer.pk, older.pk]


def test_list_is_ordered_by_a_whitelisted_field_and_paged(api, salesperson, sales_pipeline):
    values = [50, 10, 40, 20, 30]
    deals = {v: make_deal(pipeline=sales_pipeline, owner=salesperson, value=v) for v in values}

    first = api.get("/deals", {"ordering": "-value", "limit": 2})
    second = api.get("/deals", {"ordering": "-value", "limit": 2, "offset": 2})
    last = api.get("/deals", {"ordering": "-value", "limit": 2, "offset": 4})

    pages = [first.json(), second.json(), last.json()]
    assert [[d["id"] for d in page["items"]] for page in pages] == [
        [deals[50].pk, deals[40].pk],
        [deals[30].pk, deals[20].pk],
        [deals[10].pk],
    ]
    assert [page["count"] for page in pages] == [5, 5, 5]


def test_deals_without_close_date_come_last_in_date_order(api, salesperson, sales_pipeline):
    undated = make_deal(pipeline=sales_pipeline, owner=salesperson)
    later = make_deal(pipeline=sales_pipeline, owner=salesperson, expected_close_date="2026-12-01")
    sooner = make_deal(pipeline=sales_pipeline, owner=salesperson, expected_close_date="2026-06-01")

    ascending = api.get("/deals", {"ordering": "expected_close_date"})
    descending = api.get("/deals", {"ordering": "-expected_close_date"})

    assert [d["id"] for d in ascending.json()["items"]] == [sooner.pk, later.pk, undated.pk]
    assert [d["id"] for d in descending.json()["items"]] == [later.pk, sooner.pk, undated.pk]


@pytest.mark.parametrize(
    ("params", "fields"),
    [
        ({"close_from": "31.12.2026"}, {"close_from": ["Enter a date as YYYY-MM-DD."]}),
        ({"value_min": "lots"}, {"value_min": ["Enter a number."]}),
        ({"f": "no_such_field:eq:1"}, {"f": ["Unknown field: no_such_field"]}),
        ({"f": "mission:gt:3"}, {"f": ["Mission: This condition does not apply to this field."]}),
        ({"status": "pending"}, {"status": ["Input should be 'open', 'won', 'lost' or 'all'"]}),
        (
            {"owner": "me"},
            {"owner.0": ["Input should be a valid integer, unable to parse string as an integer"]},
        ),
        ({"ordering": "password"}, {"ordering": None}),
        ({"limit": 501}, {"limit": ["Input should be less than or equal to 500"]}),
        ({"limit": -1}, {"limit": ["Input should be greater than or equal to 1"]}),
        ({"offset": -5}, {"offset": ["Input should be greater than or equal to 0"]}),
    ],
)
def test_invalid_list_parameters_are_422_per_parameter(api, workspace, params, fields):
    response = api.get("/deals", params)

    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation_failed"
    assert set(body["fields"]) == set(fields)
    for name, messages in fields.items():
        if messages is not None:
            assert body["fields"][name] == messages


def test_list_query_count_does_not_grow_with_the_number_of_deals(
    api, salesperson, sales_pipeline, django_assert_num_queries
):
    person = make_person("Anke de Vries")

    def add_deals(count):
        for _ in range(count):
            make_deal(pipeline=sales_pipeline, owner=salesperson, participants=[(person, "other")])

    add_deals(3)
    api.get("/deals")  # the token's first use is recorded once; later reads write nothing
    with CaptureQueriesContext(connection) as three_deals:
        assert len(api.get("/deals").json()["items"]) == 3
    add_deals(27)

    # token lookup, count, page, participants, exchange rates
    with django_assert_num_queries(5):
        assert len(api.get("/deals").json()["items"]) == 30
    assert len(three_deals.captured_queries) == 5


def test_get_deal(api, deal):
    response = api.get(f"/deals/{deal.pk}")

    assert response.status_code == 200
    body = response.json()
    assert (body["id"], body["title"], body["value"], body["value_in_base_currency"], body["version"]) == (
        deal.pk,
        "Reaction wheel bracket",
        "120000.00",
        "120000.00",
        1,
    )


def test_patch_deal_with_current_version_saves_and_bumps_it(api, deal, teammate):
    response = api.patch(
        f"/deals/{deal.pk}",
        {
            "version": 1,
            "title": "Reaction wheel bracket, phase B",
            "value": 135000,
            "owner_id": teammate.pk,
            "custom_fields": {"opportunity_type": "esa"},
        },
    )

    assert response.status_code == 200
    assert (response.json()["version"], response.json()["value"], response.json()["owner_id"]) == (
        2,
        "135000.00",
        teammate.pk,
    )
    deal.refresh_from_db()
    assert (deal.title, deal.value, deal.owner, deal.custom_values, deal.version) == (
        "Reaction wheel bracket, phase B",
        Decimal("135000.00"),
        teammate,
        {"opportunity_type": "esa"},
        2,
    )


def test_second_patch_from_the_same_version_is_409_and_changes_nothing(api_as, api, deal, manager):
    first = api.patch(f"/deals/{deal.pk}", {"version": 1, "value": "130000"})
    second = api_as(manager).patch(f"/deals/{deal.pk}", {"version": 1, "title": "Overwritten"})

    assert first.status_code == 200
    assert second.status_code == 409
    assert second.json() == {
        "code": "version_conflict",
        "message": (
            "Someone else changed this deal while you were editing it. Review their changes and try again."
        ),
        "fields": {},
        "current_version": 2,
        "changes": [
            {"field": "value", "old": "120000.00", "new": "130000.00", "by": "Salesperson Test"},
            {"field": "value_follows_offer", "old": True, "new": False, "by": "Salesperson Test"},
        ],
    }
    deal.refresh_from_db()
    assert (deal.title, deal.value, deal.version) == ("Reaction wheel bracket", Decimal("130000.00"), 2)
    assert DomainEvent.objects.filter(name="deal.updated").count() == 1


def test_patch_without_version_is_422(api, deal):
    response = api.patch(f"/deals/{deal.pk}", {"title": "Blind write"})

    assert response.status_code == 422
    assert response.json()["fields"] == {"version": ["Field required"]}
    deal.refresh_from_db()
    assert deal.title == "Reaction wheel bracket"


def test_patch_field_errors_name_the_request_fields(api, deal):
    response = api.patch(
        f"/deals/{deal.pk}",
        {"version": 1, "title": "", "currency": "XXX", "value": "-5", "owner_id": None},
    )

    assert response.status_code == 422
    assert response.json()["fields"] == {
        "title": ["This field is required."],
        "value": ["The value cannot be negative."],
        "currency": ["Choose one of the workspace's currencies."],
        "owner_id": ["Choose an active user."],
    }
    deal.refresh_from_db()
    assert (deal.title, deal.currency, deal.version) == ("Reaction wheel bracket", "CHF", 1)


def test_move_into_a_gated_stage_is_422_on_the_missing_field(api, deal, sales_pipeline):
    evaluation = stage(sales_pipeline, "Opportunity in evaluation")

    response = api.post(f"/deals/{deal.pk}/move", {"stage_id": evaluation.pk})

    assert response.status_code == 422
    assert response.json() == {
        "code": "stage_gate_blocked",
        "message": "To enter “Opportunity in evaluation”, fill in: Opportunity type.",
        "fields": {"opportunity_type": ["Required to enter “Opportunity in evaluation”."]},
    }
    deal.refresh_from_db()
    assert (deal.stage.name, deal.version) == ("Opportunity identified", 1)
    assert StageChange.objects.filter(deal=deal).count() == 1


def test_move_with_the_gate_fields_completes(api, deal, sales_pipeline):
    evaluation = stage(sales_pipeline, "Opportunity in evaluation")

    response = api.post(
        f"/deals/{deal.pk}/move", {"stage_id": evaluation.pk, "custom_fields": {"opportunity_type": "esa"}}
    )

    assert response.status_code == 200
    assert (response.json()["stage_id"], response.json()["custom_fields"]) == (
        evaluation.pk,
        {"opportunity_type": "esa"},
    )
    event = DomainEvent.objects.get(name="deal.stage_changed")
    assert (event.data["to_stage"], event.source) == (evaluation.pk, "api")


def test_move_to_a_stage_of_another_pipeline_is_422_on_stage_id(api, deal, workspace):
    response = api.post(f"/deals/{deal.pk}/move", {"stage_id": stage(workspace["CCN"], "Request").pk})
    unknown = api.post(f"/deals/{deal.pk}/move", {"stage_id": 987654})

    assert response.status_code == 422
    assert response.json()["fields"] == {"stage_id": ["Choose a stage of the deal's pipeline."]}
    assert unknown.status_code == 422
    assert unknown.json()["fields"] == {"stage_id": ["Choose a stage."]}


def test_win_then_reopen(api, deal):
    won = api.post(f"/deals/{deal.pk}/won")
    again = api.post(f"/deals/{deal.pk}/won")
    reopened = api.post(f"/deals/{deal.pk}/reopen")

    assert won.status_code == 200
    assert (won.json()["status"], won.json()["version"]) == ("won", 2)
    assert won.json()["won_at"] is not None
    assert again.status_code == 422
    assert again.json()["code"] == "deal_closed"
    assert (reopened.json()["status"], reopened.json()["won_at"], reopened.json()["version"]) == (
        "open",
        None,
        3,
    )
    deal.refresh_from_db()
    assert (deal.status, deal.version) == (DealStatus.OPEN, 3)


def test_lose_needs_an_active_reason(api, deal):
    reason = LostReason.objects.get(label="Price too high")
    archived = save_lost_reason(actor=None, label="Old reason")
    save_lost_reason(actor=None, label="Old reason", reason=archived, is_archived=True)

    without = api.post(f"/deals/{deal.pk}/lost", {"note": "Too expensive"})
    with_archived = api.post(f"/deals/{deal.pk}/lost", {"lost_reason_id": archived.pk})
    too_long = api.post(f"/deals/{deal.pk}/lost", {"lost_reason_id": reason.pk, "note": "x" * 501})
    deal.refresh_from_db()
    assert (deal.status, deal.version) == (DealStatus.OPEN, 1)
    lost = api.post(f"/deals/{deal.pk}/lost", {"lost_reason_id": reason.pk, "note": "Competitor 20% cheaper"})

    assert without.status_code == 422
    assert without.json()["fields"] == {"lost_reason_id": ["Choose a reason."]}
    assert with_archived.status_code == 422
    assert with_archived.json()["fields"] == {"lost_reason_id": ["Choose a reason."]}
    assert too_long.status_code == 422
    assert too_long.json()["fields"] == {"note": ["At most 500 characters."]}
    assert lost.status_code == 200
    assert (lost.json()["status"], lost.json()["lost_reason_id"], lost.json()["lost_note"]) == (
        "lost",
        reason.pk,
        "Competitor 20% cheaper",
    )


def test_handoff_from_the_last_missions_stage_creates_a_linked_sales_deal(api, salesperson, workspace):
    missions = workspace["Missions"]
    origin = make_deal(
        pipeline=missions, owner=salesperson, stage=stage(missions, "Opportunity identified"), title="Harwell"
    )

    response = api.post(f"/deals/{origin.pk}/handoff")

    assert response.status_code == 200
    handed_off = Deal.objects.get(origin_deal=origin)
    sales = workspace["Sales"]
    assert (response.json()["id"], response.json()["pipeline_id"], response.json()["stage_id"]) == (
        handed_off.pk,
        sales.pk,
        stage(sales, "First contact").pk,
    )
    assert (response.json()["origin_deal_id"], response.json()["title"]) == (origin.pk, "Harwell")


def test_handoff_before_the_last_stage_is_422(api, salesperson, workspace):
    missions = workspace["Missions"]
    origin = make_deal(pipeline=missions, owner=salesperson)

    response = api.post(f"/deals/{origin.pk}/handoff")

    assert response.status_code == 422
    assert response.json()["code"] == "handoff_not_possible"
    assert response.json()["fields"] == {"stage": ["Move the deal to the last stage first."]}
    assert Deal.objects.count() == 1


def test_participants_are_added_and_removed(api, deal):
    person = make_person("Ingrid Solberg")

    added = api.post(f"/deals/{deal.pk}/participants", {"person_id": person.pk, "role": "technical_officer"})
    twice = api.post(f"/deals/{deal.pk}/participants", {"person_id": person.pk, "role": "technical_officer"})
    participant = DealParticipant.objects.get()

    assert added.status_code == 201
    assert added.json() == {"id": participant.pk, "person_id": person.pk, "role": "technical_officer"}
    assert twice.status_code == 422
    assert twice.json()["fields"] == {"person_id": ["This person already has this role on the deal."]}
    assert api.get(f"/deals/{deal.pk}").json()["participants"] == [added.json()]

    removed = api.delete(f"/deals/{deal.pk}/participants/{participant.pk}")
    again = api.delete(f"/deals/{deal.pk}/participants/{participant.pk}")

    assert removed.status_code == 204
    assert again.status_code == 404
    assert not DealParticipant.objects.exists()
    assert DomainEvent.objects.filter(name="deal.participant_removed").count() == 1


def test_participant_of_another_deal_cannot_be_removed_through_this_one(
    api, deal, sales_pipeline, salesperson
):
    other = make_deal(
        pipeline=sales_pipeline, owner=salesperson, participants=[(make_person("Jan"), "other")]
    )
    participant = other.participants.get()

    response = api.delete(f"/deals/{deal.pk}/participants/{participant.pk}")

    assert response.status_code == 404
    assert DealParticipant.objects.filter(pk=participant.pk).exists()


def test_lost_reasons_are_the_active_ones_in_order(api, workspace):
    retired = LostReason.objects.get(label="Schedule")
    save_lost_reason(actor=None, label="Schedule", reason=retired, is_archived=True)

    response = api.get("/lost-reasons")

    assert [r["label"] for r in response.json()] == [
        "Price too high",
        "Technical solution not selected",
        "Lost to a competitor",
        "Programme cancelled or postponed",
        "No-bid decision",
    ]
