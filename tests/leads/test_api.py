"""The leads JSON API: list with filters and pages, create, edit, convert (with gate errors), bulk, delete."""

import pytest

from apogee.contacts.services import create_organization
from apogee.core.models import DomainEvent
from apogee.deals.models import Deal, Visibility
from apogee.leads.models import Lead, LeadStatus
from tests.deals.factories import stage
from tests.leads.factories import make_label, make_lead

pytestmark = pytest.mark.django_db


def test_list_filters_and_pages(api_as, workspace, salesperson, teammate):
    hot = make_label("Hot")
    for index in range(3):
        make_lead(owner=salesperson, title=f"Mine {index}", labels=[hot], source="event")
    make_lead(owner=teammate, title="Theirs")
    api = api_as(salesperson)

    page = api.get("/leads", {"owner": salesperson.pk, "limit": 2, "offset": 1}).json()
    assert (page["count"], [item["title"] for item in page["items"]]) == (3, ["Mine 1", "Mine 0"])
    assert page["items"][0]["label_ids"] == [hot.pk]

    assert api.get("/leads", {"source": "web_form"}).json()["count"] == 0
    assert api.get("/leads", {"label": hot.pk, "age": "lt7"}).json()["count"] == 3
    refused = api.get("/leads", {"source": "fax"})
    assert refused.status_code == 422


def test_create_patch_and_delete(api_as, workspace, salesperson):
    api = api_as(salesperson)

    created = api.post(
        "/leads",
        {
            "title": "Future mission, 250 M",
            "new_organization_name": "Airbus Defence and Space",
            "kind": "mission",
            "expected_value": "250000000",
            "currency": "EUR",
        },
    )

    assert created.status_code == 201
    body = created.json()
    lead = Lead.objects.get()
    assert (body["id"], body["kind"], body["expected_value"], body["owner_id"]) == (
        lead.pk,
        "mission",
        "250000000.00",
        salesperson.pk,
    )
    assert lead.organization.name == "Airbus Defence and Space"

    patched = api.patch(f"/leads/{lead.pk}", {"title": "CHIME follow-on", "expected_value": None})
    assert (patched.status_code, patched.json()["title"], patched.json()["expected_value"]) == (
        200,
        "CHIME follow-on",
        None,
    )

    assert api.delete(f"/leads/{lead.pk}").status_code == 204
    assert api.get(f"/leads/{lead.pk}").status_code == 404
    assert api.post(f"/leads/{lead.pk}/restore").status_code == 200


def test_create_reports_a_suspected_duplicate_with_409(api_as, workspace, salesperson):
    existing = create_organization(actor=None, name="OHB System")

    response = api_as(salesperson).post("/leads", {"title": "Bracket", "new_organization_name": "OHB System"})

    assert response.status_code == 409
    body = response.json()
    assert (body["code"], body["duplicates"], list(body["fields"])) == (
        "duplicate_suspected",
        [existing.pk],
        ["new_organization_name"],
    )
    assert not Lead.objects.exists()


def test_convert_answers_422_with_the_gate_fields_then_converts(api_as, sales_pipeline, salesperson):
    lead = make_lead(owner=salesperson)
    evaluation = stage(sales_pipeline, "Opportunity in evaluation")
    api = api_as(salesperson)
    body = {"pipeline_id": sales_pipeline.pk, "stage_id": evaluation.pk}

    blocked = api.post(f"/leads/{lead.pk}/convert", body)

    assert blocked.status_code == 422
    assert (blocked.json()["code"], list(blocked.json()["fields"])) == (
        "stage_gate_blocked",
        ["opportunity_type"],
    )
    assert not Deal.objects.exists()

    converted = api.post(f"/leads/{lead.pk}/convert", body | {"custom_fields": {"opportunity_type": "esa"}})

    deal = Deal.objects.get()
    assert converted.status_code == 200
    assert (converted.json()["status"], converted.json()["converted_deal_id"]) == ("archived", deal.pk)
    again = api.post(f"/leads/{lead.pk}/convert", body | {"custom_fields": {"opportunity_type": "esa"}})
    assert (again.status_code, again.json()["code"]) == (409, "lead_already_converted")


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("get", "/leads/{id}", None),
        ("patch", "/leads/{id}", {"title": "Mine now"}),
        ("delete", "/leads/{id}", None),
        ("post", "/leads/{id}/convert", {}),
    ],
)
def test_a_lead_the_user_may_not_see_is_a_404(
    api_as, workspace, salesperson, other_salesperson, method, path, body
):
    lead = make_lead(owner=salesperson, title="Private", visibility=Visibility.OWNER)
    api = api_as(other_salesperson)

    response = getattr(api, method)(path.format(id=lead.pk), *([body] if body is not None else []))

    assert response.status_code == 404
    lead.refresh_from_db()
    assert (lead.title, lead.status, lead.deleted_at, lead.converted_deal) == ("Private", "open", None, None)
    assert api.get("/leads").json()["count"] == 0


def test_bulk_is_all_or_nothing(api_as, workspace, salesperson, other_salesperson):
    private = make_lead(owner=salesperson, visibility=Visibility.OWNER)
    shared = make_lead(owner=other_salesperson)
    api = api_as(other_salesperson)

    refused = api.post("/leads/bulk", {"action": "archive", "ids": [shared.pk, private.pk]})

    assert (refused.status_code, refused.json()["code"]) == (404, "leads_not_found")
    assert set(Lead.objects.values_list("status", flat=True)) == {LeadStatus.OPEN}
    assert not DomainEvent.objects.filter(name="lead.archived").exists()

    done = api.post("/leads/bulk", {"action": "archive", "ids": [shared.pk]})
    assert (done.status_code, [item["status"] for item in done.json()]) == (200, ["archived"])


def test_anonymous_requests_are_refused(anonymous_api, workspace):
    assert anonymous_api.get("/leads").status_code == 401
