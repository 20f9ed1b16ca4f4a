"""Timelines and the audit trail over /api/v1, with the pages' permission rules."""

import pytest

from apogee.deals.models import Visibility
from apogee.deals.services import update_deal
from apogee.notes.services import add_note
from tests.deals.factories import make_deal

pytestmark = pytest.mark.django_db


@pytest.fixture
def deal(sales_pipeline, salesperson):
    return make_deal(
        pipeline=sales_pipeline, owner=salesperson, title="Reaction wheel", visibility=Visibility.OWNER
    )


def test_a_deal_timeline_over_the_api(api_as, deal, salesperson):
    update_deal(deal=deal, actor=salesperson, changes={"value": "99000.00"})
    add_note(target=deal, body="<script>x</script><p>ok</p>", actor=salesperson)

    response = api_as(salesperson).get(f"/deals/{deal.pk}/timeline")
    assert response.status_code == 200
    body = response.json()
    assert [item["event"] for item in body["items"]] == ["note.added", "deal.updated", "deal.created"]
    assert body["items"][0]["body_html"] == "<p>ok</p>"
    assert body["items"][1]["changes"] == [
        {"field": "Value", "old": "10000.00", "new": "99000.00"},
        {"field": "Value follows the latest offer", "old": "yes", "new": "no"},
    ]
    assert body["items"][1]["actor"] == "Salesperson Test" and body["items"][1]["source"] == "system"
    assert body["has_more"] is False

    notes = api_as(salesperson).http.get(f"/api/v1/deals/{deal.pk}/timeline?kind=note&kind=stage&limit=1")
    assert [item["kind"] for item in notes.json()["items"]] == ["note"]


def test_timeline_permissions_and_bad_input(api_as, anonymous_api, deal, other_salesperson, salesperson):
    assert api_as(other_salesperson).get(f"/deals/{deal.pk}/timeline").status_code == 404
    assert anonymous_api.get(f"/deals/{deal.pk}/timeline").status_code == 401
    bad = api_as(salesperson).get(f"/deals/{deal.pk}/timeline", {"kind": "gossip", "limit": 0})
    assert bad.status_code == 422
    assert set(bad.json()["fields"]) == {"kind.0", "limit"}
    assert api_as(salesperson).get("/persons/999999/timeline").status_code == 404


def test_the_audit_trail_is_for_administrators_and_pages_by_id(api_as, admin, manager, deal, salesperson):
    assert api_as(manager).get("/audit").status_code == 403
    for n in range(3):
        update_deal(deal=deal, actor=salesperson, changes={"title": f"T{n}"})

    client = api_as(admin)
    first = client.get("/audit", {"event": "deal.updated", "limit": 2}).json()
    assert [item["text"] for item in first["items"]] == ["Changed the deal", "Changed the deal"]
    assert first["items"][0]["subject_type"] == "deal" and first["items"][0]["subject_id"] == deal.pk
    rest = client.get(
        "/audit", {"event": "deal.updated", "limit": 2, "before_id": first["next_before_id"]}
    ).json()
    assert len(rest["items"]) == 1 and rest["next_before_id"] is None
    assert rest["items"][0]["changes"][0]["new"] == "T0"

    assert client.get("/audit", {"source": "carrier-pigeon"}).status_code == 422
    assert client.get("/audit", {"source": "api"}).json()["items"] == []
