"""Stage-entry guards: other apps' rules on entering a stage, enforced by the deal services and the board."""

import pytest

from apogee.deals import guards
from apogee.deals.errors import StageEntryBlocked
from apogee.deals.models import Deal, StageChange
from apogee.deals.services import create_deal, move_deal_to_stage
from tests.deals.factories import make_deal, stage

pytestmark = pytest.mark.django_db


@pytest.fixture
def proposal_needs_a_ticket(monkeypatch):
    """A guard like bid management's: no entering "Proposal preparation" without a ticket."""
    calls = []

    def guard(*, deal, stage, actor):
        calls.append((deal, stage, actor))
        if stage.name == "Proposal preparation" and not (deal and deal.custom_values.get("ticket")):
            raise StageEntryBlocked(
                "Record the bid decision first.", stage=stage, action_url=f"/ticket/{deal.pk if deal else 0}/"
            )

    monkeypatch.setattr(guards, "_guards", [])
    guards.register_stage_guard(guard)
    guards.register_stage_guard(guard)  # registering twice keeps one
    return calls


def test_a_guard_blocks_the_move_and_nothing_is_written(proposal_needs_a_ticket, sales_pipeline, salesperson):
    deal = make_deal(
        pipeline=sales_pipeline,
        owner=salesperson,
        custom_values={"opportunity_type": "esa", "offer_type": "firm"},
    )
    before = StageChange.objects.filter(deal=deal).count()
    with pytest.raises(StageEntryBlocked) as blocked:
        move_deal_to_stage(deal=deal, stage=stage(sales_pipeline, "Proposal preparation"), actor=salesperson)
    assert blocked.value.action_url == f"/ticket/{deal.pk}/"
    stored = Deal.objects.get(pk=deal.pk)
    assert stored.stage.name == "First contact" and stored.version == deal.version
    assert StageChange.objects.filter(deal=deal).count() == before
    # Other stages are not its business; it was asked once per move, with the actor.
    move_deal_to_stage(deal=deal, stage=stage(sales_pipeline, "Opportunity identified"), actor=salesperson)
    assert [(s.name, a) for _d, s, a in proposal_needs_a_ticket][-1] == (
        "Opportunity identified",
        salesperson,
    )


def test_creating_straight_into_a_guarded_stage_is_blocked(
    proposal_needs_a_ticket, sales_pipeline, salesperson
):
    with pytest.raises(StageEntryBlocked):
        create_deal(
            title="Straight to proposal",
            pipeline=sales_pipeline,
            stage=stage(sales_pipeline, "Proposal preparation"),
            actor=salesperson,
            owner=salesperson,
            custom_values={"opportunity_type": "esa", "offer_type": "firm"},
        )
    assert not Deal.objects.filter(title="Straight to proposal").exists()


def test_the_board_opens_the_guard_action_in_the_dialog(
    proposal_needs_a_ticket, client_for, sales_pipeline, salesperson
):
    deal = make_deal(
        pipeline=sales_pipeline,
        owner=salesperson,
        stage=stage(sales_pipeline, "Opportunity in evaluation"),
        custom_values={"opportunity_type": "esa", "offer_type": "firm"},
    )
    target = stage(sales_pipeline, "Proposal preparation")
    client = client_for(salesperson)

    response = client.post(f"/deals/{deal.pk}/move/", {"stage": target.pk}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response["HX-Retarget"] == "#dialog"
    body = response.content.decode()
    assert "Record the bid decision first." in body and f'hx-get="/ticket/{deal.pk}/"' in body

    plain = client.post(f"/deals/{deal.pk}/move/", {"stage": target.pk})
    assert plain.status_code == 302 and plain["Location"] == f"/ticket/{deal.pk}/"
    assert Deal.objects.get(pk=deal.pk).stage.name == "Opportunity in evaluation"
