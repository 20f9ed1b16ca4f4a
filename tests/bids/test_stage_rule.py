"""The bid rule: a deal enters a chosen stage only with a binding "bid"; the board asks for it."""

import json

import pytest

from apogee.bids import services
from apogee.deals.errors import StageEntryBlocked
from apogee.deals.models import Deal, StageChange
from apogee.deals.services import create_deal, move_deal_to_stage, reopen_deal
from tests.bids.conftest import QUALIFIED, scores
from tests.deals.factories import make_deal, stage

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def _bid(deal, actor, criteria, decision="bid"):
    return services.record_decision(
        deal=deal, actor=actor, decision=decision, scores=scores(criteria, 4), rationale="Good fit."
    )


def _triggers(response) -> dict:
    return json.loads(response.headers.get("HX-Trigger", "{}"))


def test_a_move_into_the_stage_without_a_decision_is_blocked_and_nothing_is_written(
    bid_rule, evaluated_deal, salesperson
):
    changes = StageChange.objects.filter(deal=evaluated_deal).count()
    with pytest.raises(StageEntryBlocked) as blocked:
        move_deal_to_stage(deal=evaluated_deal, stage=bid_rule, actor=salesperson)

    assert blocked.value.message == "Record a bid decision before “Proposal preparation”."
    assert blocked.value.action_url == f"/bids/deals/{evaluated_deal.pk}/decide/?stage={bid_rule.pk}"
    stored = Deal.objects.get(pk=evaluated_deal.pk)
    assert stored.stage.name == "Opportunity in evaluation" and stored.version == evaluated_deal.version
    assert StageChange.objects.filter(deal=evaluated_deal).count() == changes


def test_a_final_bid_opens_the_stage(bid_rule, criteria, evaluated_deal, salesperson):
    _bid(evaluated_deal, salesperson, criteria)
    moved = move_deal_to_stage(deal=evaluated_deal, stage=bid_rule, actor=salesperson)
    assert moved.stage == bid_rule


def test_stages_without_a_rule_are_not_concerned(bid_rule, sales_pipeline, salesperson):
    deal = make_deal(pipeline=sales_pipeline, owner=salesperson, custom_values=dict(QUALIFIED))
    moved = move_deal_to_stage(
        deal=deal, stage=stage(sales_pipeline, "Opportunity in evaluation"), actor=salesperson
    )
    assert moved.stage.name == "Opportunity in evaluation"


def test_without_any_rule_every_stage_is_open(criteria, evaluated_deal, salesperson, proposal_stage):
    assert (
        move_deal_to_stage(deal=evaluated_deal, stage=proposal_stage, actor=salesperson).stage
        == proposal_stage
    )


@pytest.mark.parametrize("outcome", ["proposed", "rejected"])
def test_a_bid_awaiting_approval_or_rejected_does_not_open_the_stage(
    approval, criteria, evaluated_deal, salesperson, manager, outcome
):
    proposal = _bid(evaluated_deal, salesperson, criteria)
    if outcome == "rejected":
        services.reject_decision(decision=proposal, actor=manager)
    with pytest.raises(StageEntryBlocked) as blocked:
        move_deal_to_stage(deal=evaluated_deal, stage=approval, actor=salesperson)
    if outcome == "proposed":
        assert "awaits a manager's approval" in blocked.value.message
    assert Deal.objects.get(pk=evaluated_deal.pk).stage.name == "Opportunity in evaluation"


def test_an_approved_bid_opens_the_stage(approval, criteria, evaluated_deal, salesperson, manager):
    services.approve_decision(decision=_bid(evaluated_deal, salesperson, criteria), actor=manager)
    assert move_deal_to_stage(deal=evaluated_deal, stage=approval, actor=salesperson).stage == approval


def test_a_later_no_bid_closes_the_stage_again_after_reopening(
    bid_rule, criteria, evaluated_deal, salesperson
):
    _bid(evaluated_deal, salesperson, criteria)
    _bid(evaluated_deal, salesperson, criteria, decision="no_bid")
    reopen_deal(deal=evaluated_deal, actor=salesperson)
    with pytest.raises(StageEntryBlocked):
        move_deal_to_stage(deal=evaluated_deal, stage=bid_rule, actor=salesperson)


def test_creating_a_deal_straight_into_the_stage_is_blocked(bid_rule, sales_pipeline, salesperson):
    with pytest.raises(StageEntryBlocked) as blocked:
        create_deal(
            title="Straight to proposal",
            pipeline=sales_pipeline,
            stage=bid_rule,
            actor=salesperson,
            custom_values=dict(QUALIFIED),
        )
    assert blocked.value.action_url == ""
    assert not Deal.objects.filter(title="Straight to proposal").exists()


# The board ---------------------------------------------------------------------------------------


def test_the_board_move_opens_the_decision_dialog(
    bid_rule, criteria, client_for, evaluated_deal, salesperson
):
    client = client_for(salesperson)

    response = client.post(f"/deals/{evaluated_deal.pk}/move/", {"stage": bid_rule.pk}, headers=HTMX)

    assert response.status_code == 200
    assert response.headers["HX-Retarget"] == "#dialog"
    action_url = f"/bids/deals/{evaluated_deal.pk}/decide/?stage={bid_rule.pk}"
    assert f'hx-get="{action_url}"' in response.content.decode()
    dialog = client.get(action_url, headers=HTMX)
    body = dialog.content.decode()
    assert dialog.status_code == 200
    assert "A bid decision is needed to enter “Proposal preparation”" in body
    assert f'name="stage" value="{bid_rule.pk}"' in body
    assert f'name="score_{criteria[0].pk}"' in body
    assert "Save decision and move" in body


def test_recording_a_bid_in_the_dialog_completes_the_move(
    bid_rule, criteria, client_for, evaluated_deal, salesperson
):
    client = client_for(salesperson)
    data = {"decision": "bid", "rationale": "We built the breadboard.", "stage": bid_rule.pk}
    data.update({f"score_{c.pk}": "4" for c in criteria})

    response = client.post(f"/bids/deals/{evaluated_deal.pk}/decide/", data, headers=HTMX)

    assert response.status_code == 204
    triggers = _triggers(response)
    assert triggers["board-refresh"] == {} and triggers["close-dialog"] == {} and "bids-changed" in triggers
    assert triggers["toast"]["message"] == (
        "Bid recorded; “Hold-down mechanism for CHIME” moved to “Proposal preparation”."
    )
    assert Deal.objects.get(pk=evaluated_deal.pk).stage == bid_rule


def test_from_the_deal_page_the_page_reloads_after_the_move(
    bid_rule, criteria, client_for, evaluated_deal, salesperson
):
    data = {"decision": "bid", "rationale": "Fit.", "stage": bid_rule.pk}
    data.update({f"score_{c.pk}": "3" for c in criteria})
    headers = {**HTMX, "HX-Current-URL": f"http://testserver/deals/{evaluated_deal.pk}/"}

    response = client_for(salesperson).post(f"/bids/deals/{evaluated_deal.pk}/decide/", data, headers=headers)

    assert response.status_code == 204 and response.headers["HX-Refresh"] == "true"
    assert Deal.objects.get(pk=evaluated_deal.pk).stage == bid_rule


def test_a_proposal_in_the_dialog_says_so_and_leaves_the_deal_where_it_is(
    approval, criteria, client_for, evaluated_deal, salesperson, manager
):
    data = {"decision": "bid", "rationale": "Fit.", "stage": approval.pk}
    data.update({f"score_{c.pk}": "5" for c in criteria})

    response = client_for(salesperson).post(f"/bids/deals/{evaluated_deal.pk}/decide/", data, headers=HTMX)

    body = response.content.decode()
    assert response.status_code == 200
    assert "awaits a manager's approval" in body
    assert "Manager Test" in body
    assert Deal.objects.get(pk=evaluated_deal.pk).stage.name == "Opportunity in evaluation"


def test_a_no_bid_in_the_dialog_closes_the_deal_and_refreshes_the_board(
    bid_rule, criteria, client_for, evaluated_deal, salesperson
):
    data = {"decision": "no_bid", "rationale": "Nobody free.", "stage": bid_rule.pk}
    data.update({f"score_{c.pk}": "1" for c in criteria})

    response = client_for(salesperson).post(f"/bids/deals/{evaluated_deal.pk}/decide/", data, headers=HTMX)

    assert response.status_code == 204
    assert _triggers(response)["board-refresh"] == {}
    deal = Deal.objects.get(pk=evaluated_deal.pk)
    assert deal.status == "lost" and deal.stage.name == "Opportunity in evaluation"


def test_when_a_gate_still_blocks_the_dialog_hands_over_to_the_boards_move(
    bid_rule, criteria, client_for, sales_pipeline, salesperson
):
    # The deal lacks the "offer type" the stage's gate needs.
    deal = make_deal(
        pipeline=sales_pipeline,
        owner=salesperson,
        stage=stage(sales_pipeline, "Opportunity in evaluation"),
        custom_values={"opportunity_type": "esa"},
    )
    client = client_for(salesperson)
    data = {"decision": "bid", "rationale": "Fit.", "stage": bid_rule.pk}
    data.update({f"score_{c.pk}": "4" for c in criteria})

    response = client.post(f"/bids/deals/{deal.pk}/decide/", data, headers=HTMX)

    body = response.content.decode()
    assert response.status_code == 200
    assert "Bid recorded." in body and f'hx-post="/deals/{deal.pk}/move/"' in body
    assert Deal.objects.get(pk=deal.pk).stage.name == "Opportunity in evaluation"
    # The board's move now asks for the gate's field only: the bid is there.
    gate = client.post(f"/deals/{deal.pk}/move/", {"stage": bid_rule.pk}, headers=HTMX)
    assert "deals/_gate_dialog.html" in [t.name for t in gate.templates]
    done = client.post(
        f"/deals/{deal.pk}/move/",
        {"stage": bid_rule.pk, "gate": "1", "gate_keys": "offer_type", "cf_offer_type": "firm"},
        headers=HTMX,
    )
    assert done.status_code == 204
    assert Deal.objects.get(pk=deal.pk).stage == bid_rule
