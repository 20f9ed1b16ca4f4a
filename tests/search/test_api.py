"""GET /api/v1/search: ranked hits over every kind, the same permissions as the pages."""

import pytest

from apogee.deals.models import Visibility
from tests.contacts.factories import make_organization
from tests.deals.factories import make_deal
from tests.leads.factories import make_lead
from tests.notes.factories import make_note

pytestmark = pytest.mark.django_db


def test_search_answers_ranked_hits(api_as, sales_pipeline, salesperson):
    org = make_organization("Sirius Labs", city="Bern")
    deal = make_deal(pipeline=sales_pipeline, owner=salesperson, title="Sirius telescope", organization=org)

    response = api_as(salesperson).get("/search", {"q": "sirius"})

    assert response.status_code == 200
    body = response.json()
    assert {(hit["kind"], hit["id"]) for hit in body} == {("organization", org.pk), ("deal", deal.pk)}
    hits = {hit["kind"]: hit for hit in body}
    assert hits["organization"] | {"rank": 0} == {
        "kind": "organization",
        "id": org.pk,
        "label": "Sirius Labs",
        "detail": "Bern",
        "url": f"/contacts/organizations/{org.pk}/",
        "rank": 0,
    }
    assert body[0]["rank"] >= body[1]["rank"] > 0


def test_kinds_and_limit_narrow_the_answer(api_as, sales_pipeline, salesperson):
    make_organization("Vela")
    lead = make_lead(owner=salesperson, title="Vela lead")
    for index in range(3):
        make_deal(pipeline=sales_pipeline, owner=salesperson, title=f"Vela {index}")
    client = api_as(salesperson)

    assert [(h["kind"], h["id"]) for h in client.get("/search", {"q": "vela", "kinds": "lead"}).json()] == [
        ("lead", lead.pk)
    ]
    assert {h["kind"] for h in client.get("/search", {"q": "vela", "kinds": "deal,lead"}).json()} == {
        "deal",
        "lead",
    }
    assert len(client.get("/search", {"q": "vela", "limit": 2}).json()) == 2


def test_a_private_deal_and_its_notes_are_never_returned(
    api_as, sales_pipeline, salesperson, other_salesperson
):
    secret = make_deal(
        pipeline=sales_pipeline, owner=salesperson, title="Orion secret", visibility=Visibility.OWNER
    )
    note = make_note(target=secret, author=salesperson, body="Orion pricing")

    assert api_as(other_salesperson).get("/search", {"q": "orion"}).json() == []
    assert {(h["kind"], h["id"]) for h in api_as(salesperson).get("/search", {"q": "orion"}).json()} == {
        ("deal", secret.pk),
        ("note", note.pk),
    }


def test_anonymous_callers_get_401(anonymous_api):
    response = anonymous_api.get("/search", {"q": "x"})

    assert response.status_code == 401
    assert response.json() == {"code": "unauthorized", "message": "Authentication required.", "fields": {}}


def test_an_unknown_kind_is_422_naming_the_field(api_as, salesperson):
    response = api_as(salesperson).get("/search", {"q": "x", "kinds": "deal,contract"})

    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation_failed"
    assert list(body["fields"]) == ["kinds"]
    assert "contract" in body["fields"]["kinds"][0]


@pytest.mark.parametrize("params", [{"limit": 0}, {"limit": 101}, {"limit": "x"}, {"q": "x" * 201}])
def test_bad_limits_and_overlong_queries_are_422(api_as, salesperson, params):
    response = api_as(salesperson).get("/search", {"q": "x"} | params)

    assert response.status_code == 422
    assert response.json()["code"] == "validation_failed"


def test_special_characters_are_not_an_error(api_as, salesperson):
    response = api_as(salesperson).get("/search", {"q": '"NEAR(a* -b) AND ('})

    assert response.status_code == 200
    assert response.json() == []
