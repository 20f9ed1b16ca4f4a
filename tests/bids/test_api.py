"""/api/v1 of bid management: decisions, approval, criteria and rules, with the pages' permissions."""

import pytest

from apogee.bids import services
from apogee.bids.models import BidCriterion, BidDecision, BidRule
from apogee.deals.models import Deal
from apogee.notifications.models import Notification
from tests.bids.conftest import scores
from tests.deals.factories import make_deal

pytestmark = pytest.mark.django_db


def _body(criteria, decision="bid", value=4, rationale="Strong heritage."):
    return {
        "decision": decision,
        "scores": {str(k): v for k, v in scores(criteria, value).items()},
        "rationale": rationale,
    }


def test_record_and_list_decisions(api_as, criteria, evaluated_deal, salesperson):
    api = api_as(salesperson)

    created = api.post(f"/deals/{evaluated_deal.pk}/bid-decisions", _body(criteria, value=5))

    assert created.status_code == 201
    body = created.json()
    assert body["decision"] == "bid" and body["status"] == "final"
    assert body["total"] == "100.0"
    assert body["proposed_by_id"] == salesperson.pk and body["decided_by_id"] == salesperson.pk
    assert [s["label_en"] for s in body["scores"]] == ["Strategic fit", "Technical capability", "Margin"]
    listed = api.get(f"/deals/{evaluated_deal.pk}/bid-decisions").json()
    assert [d["id"] for d in listed] == [body["id"]]
    assert api.get(f"/bid-decisions/{body['id']}").json()["rationale"] == "Strong heritage."


def test_a_no_bid_through_the_api_closes_the_deal(api_as, criteria, evaluated_deal, salesperson):
    response = api_as(salesperson).post(
        f"/deals/{evaluated_deal.pk}/bid-decisions", _body(criteria, "no_bid", 1)
    )
    assert response.status_code == 201
    deal = Deal.objects.get(pk=evaluated_deal.pk)
    assert deal.status == "lost" and deal.lost_reason.label == "No-bid decision"


@pytest.mark.parametrize(
    ("change", "fields"),
    [
        ({"decision": "maybe"}, {"decision"}),
        ({"scores": {"1": 9}}, {"scores.1"}),
        ({"scores": {"1": "high"}}, {"scores.1"}),
        ({"rationale": ""}, {"rationale"}),
        ({"extra": 1}, {"extra"}),
    ],
)
def test_bad_input_answers_422_with_the_fields_at_fault(
    api_as, criteria, evaluated_deal, salesperson, change, fields
):
    body = {**_body(criteria), **change}
    if "scores" in change:
        body["scores"] = {str(criteria[0].pk): change["scores"]["1"], **{str(c.pk): 3 for c in criteria[1:]}}
        fields = {f"scores.{criteria[0].pk}"}
    response = api_as(salesperson).post(f"/deals/{evaluated_deal.pk}/bid-decisions", body)
    assert response.status_code == 422
    assert set(response.json()["fields"]) == fields
    assert not BidDecision.objects.exists()


def test_a_missing_score_is_named_by_its_criterion(api_as, criteria, evaluated_deal, salesperson):
    body = _body(criteria)
    del body["scores"][str(criteria[2].pk)]
    response = api_as(salesperson).post(f"/deals/{evaluated_deal.pk}/bid-decisions", body)
    assert response.status_code == 422
    assert response.json()["fields"] == {f"scores.{criteria[2].pk}": ["Score this criterion."]}


def test_a_deal_one_may_not_see_answers_404(api_as, criteria, sales_pipeline, salesperson, other_salesperson):
    deal = make_deal(pipeline=sales_pipeline, owner=salesperson, visibility="owner")
    decision = services.record_decision(
        deal=deal, actor=salesperson, decision="bid", scores=scores(criteria, 3), rationale="Mine."
    )
    api = api_as(other_salesperson)
    assert api.get(f"/deals/{deal.pk}/bid-decisions").status_code == 404
    assert api.post(f"/deals/{deal.pk}/bid-decisions", _body(criteria)).status_code == 404
    assert api.get(f"/bid-decisions/{decision.pk}").status_code == 404
    assert api.post(f"/bid-decisions/{decision.pk}/approve").status_code == 404
    assert api.get("/deals/999999/bid-decisions").status_code == 404
    assert BidDecision.objects.count() == 1


def test_the_approval_flow_through_the_api(
    api_as, approval, criteria, evaluated_deal, salesperson, teammate, manager
):
    proposed = api_as(salesperson).post(f"/deals/{evaluated_deal.pk}/bid-decisions", _body(criteria)).json()
    assert proposed["status"] == "proposed" and proposed["decided_by_id"] is None
    assert Notification.objects.filter(user=manager).count() == 1

    refused = api_as(teammate).post(f"/bid-decisions/{proposed['id']}/approve")
    assert refused.status_code == 403 and refused.json()["code"] == "permission_denied"

    approved = api_as(manager).post(f"/bid-decisions/{proposed['id']}/approve", {"note": "Go ahead."})
    assert approved.status_code == 200
    assert approved.json()["status"] == "approved" and approved.json()["review_note"] == "Go ahead."
    assert Notification.objects.filter(user=salesperson).count() == 1

    again = api_as(manager).post(f"/bid-decisions/{proposed['id']}/reject")
    assert again.status_code == 422


def test_reject_through_the_api(api_as, approval, criteria, evaluated_deal, salesperson, manager):
    proposed = api_as(salesperson).post(f"/deals/{evaluated_deal.pk}/bid-decisions", _body(criteria)).json()
    rejected = api_as(manager).post(f"/bid-decisions/{proposed['id']}/reject", {"note": "Later."})
    assert rejected.status_code == 200 and rejected.json()["status"] == "rejected"


def test_criteria_are_read_by_all_and_written_by_administrators(
    api_as, criteria, salesperson, manager, admin
):
    assert [c["label_en"] for c in api_as(salesperson).get("/bid-criteria").json()] == [
        "Strategic fit",
        "Technical capability",
        "Margin",
    ]
    for user in (salesperson, manager):
        api = api_as(user)
        assert api.post("/bid-criteria", {"label_en": "Risk", "weight": 2}).status_code == 403
        assert api.patch(f"/bid-criteria/{criteria[0].pk}", {"weight": 9}).status_code == 403
    assert not BidCriterion.objects.filter(label_en="Risk").exists()

    api = api_as(admin)
    created = api.post("/bid-criteria", {"label_en": "Risk", "label_fr": "Risque", "weight": 2})
    assert created.status_code == 201 and created.json()["position"] == 4
    patched = api.patch(f"/bid-criteria/{criteria[0].pk}", {"weight": 5, "is_archived": True})
    assert patched.json()["weight"] == 5 and patched.json()["is_archived"] is True
    assert [c["label_en"] for c in api.get("/bid-criteria").json()] == [
        "Technical capability",
        "Margin",
        "Risk",
    ]
    assert len(api.get("/bid-criteria", {"include_archived": "true"}).json()) == 4
    assert api.post("/bid-criteria", {"label_en": "Risk", "weight": 0}).status_code == 422
    assert api.patch("/bid-criteria/999999", {"weight": 2}).status_code == 404


def test_bid_rules_through_the_api(api_as, proposal_stage, salesperson, admin):
    assert api_as(salesperson).get("/bid-rules").json() == {"approval_required": False, "stage_ids": []}
    body = {"approval_required": True, "stage_ids": [proposal_stage.pk]}

    api = api_as(admin)
    response = api.http.put("/api/v1/bid-rules", body, content_type="application/json")
    assert response.status_code == 200 and response.json() == body
    assert list(BidRule.objects.values_list("stage_id", flat=True)) == [proposal_stage.pk]
    unknown = api.http.put(
        "/api/v1/bid-rules",
        {"approval_required": False, "stage_ids": [999999]},
        content_type="application/json",
    )
    assert unknown.status_code == 422 and list(unknown.json()["fields"]) == ["stage_ids"]
    assert list(BidRule.objects.values_list("stage_id", flat=True)) == [proposal_stage.pk]


def test_a_member_may_not_change_the_bid_rules(api_as, proposal_stage, salesperson):
    response = api_as(salesperson).http.put(
        "/api/v1/bid-rules",
        {"approval_required": True, "stage_ids": [proposal_stage.pk]},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert not BidRule.objects.exists()


def test_anonymous_callers_are_refused(anonymous_api, evaluated_deal):
    assert anonymous_api.get(f"/deals/{evaluated_deal.pk}/bid-decisions").status_code == 401
    assert anonymous_api.get("/bid-criteria").status_code == 401
