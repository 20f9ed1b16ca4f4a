"""The bid rule in the browser: a drag into "Proposal preparation" asks for the decision, then moves."""

import pytest
from playwright.sync_api import expect

from apogee.bids import services
from apogee.bids.models import BidDecision
from apogee.deals.models import Deal
from tests.conftest import PASSWORD
from tests.deals.factories import make_deal, stage
from tests.e2e.conftest import log_in
from tests.e2e.test_board_journey import _drag

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_drag_into_a_stage_that_needs_a_bid_records_the_decision_and_moves(
    live_server, page, workspace, salesperson
):
    sales = workspace["Sales"]
    proposal = stage(sales, "Proposal preparation")
    services.save_bid_rules(actor=None, stages=[proposal], approval_required=False)
    criteria = [
        services.save_criterion(actor=None, label_en="Strategic fit", weight=3),
        services.save_criterion(actor=None, label_en="Technical capability", weight=2),
    ]
    deal = make_deal(
        pipeline=sales,
        owner=salesperson,
        stage=stage(sales, "Opportunity in evaluation"),
        custom_values={"opportunity_type": "esa", "offer_type": "firm"},
        title="Solar array drive for CO2M",
    )
    log_in(page, live_server, salesperson.username, PASSWORD)

    page.goto(f"{live_server.url}/?pipeline={sales.pk}")
    _drag(
        page, page.locator(f"#deal-{deal.pk}"), page.locator(f'.column-body[data-stage-id="{proposal.pk}"]')
    )

    dialog = page.locator("dialog#dialog")
    dialog.get_by_text("Record a bid decision before “Proposal preparation”.").wait_for()
    dialog.get_by_role("button", name="Save decision and move").wait_for()
    # The card went back to its column while the decision is asked for.
    assert Deal.objects.get(pk=deal.pk).stage.name == "Opportunity in evaluation"
    for criterion, score in zip(criteria, ("5", "4"), strict=True):
        dialog.locator(
            f'label.bid-score-choice:has(input[name="score_{criterion.pk}"][value="{score}"])'
        ).click()
    dialog.get_by_label("Bid", exact=True).check()
    dialog.get_by_label("Rationale").fill("We built the breadboard; the mechanisms team is free in Q3.")
    dialog.get_by_role("button", name="Save decision and move").click()

    page.locator(f'.column-body[data-stage-id="{proposal.pk}"] #deal-{deal.pk}').wait_for()
    expect(dialog).to_be_hidden()
    expect(page.locator(".htmx-request")).to_have_count(0)
    page.reload()
    assert page.locator(f'.column-body[data-stage-id="{proposal.pk}"] #deal-{deal.pk}').count() == 1
    assert Deal.objects.get(pk=deal.pk).stage == proposal
    decision = BidDecision.objects.get(deal=deal)
    assert (decision.decision, decision.status, [r["score"] for r in decision.scores]) == (
        "bid",
        "final",
        [5, 4],
    )
    assert str(decision.total) == "92.0"

    # The deal page shows it in the bid panel.
    page.goto(f"{live_server.url}/deals/{deal.pk}/")
    panel = page.locator(f"#bids-deal-{deal.pk}")
    panel.get_by_text("We built the breadboard").wait_for()
    assert "92" in panel.inner_text() and "Decided" in panel.inner_text()


def test_a_missing_score_keeps_the_dialog_open_with_the_error(live_server, page, workspace, salesperson):
    sales = workspace["Sales"]
    proposal = stage(sales, "Proposal preparation")
    services.save_bid_rules(actor=None, stages=[proposal], approval_required=False)
    services.save_criterion(actor=None, label_en="Strategic fit", weight=3)
    deal = make_deal(
        pipeline=sales,
        owner=salesperson,
        stage=stage(sales, "Opportunity in evaluation"),
        custom_values={"opportunity_type": "esa", "offer_type": "firm"},
    )
    log_in(page, live_server, salesperson.username, PASSWORD)
    page.goto(f"{live_server.url}/?pipeline={sales.pk}")
    _drag(
        page, page.locator(f"#deal-{deal.pk}"), page.locator(f'.column-body[data-stage-id="{proposal.pk}"]')
    )

    dialog = page.locator("dialog#dialog")
    dialog.get_by_label("Bid", exact=True).check()
    dialog.get_by_label("Rationale").fill("Fit.")
    dialog.get_by_role("button", name="Save decision and move").click()

    dialog.get_by_text("Score this criterion.").wait_for()
    assert not BidDecision.objects.exists()
    assert Deal.objects.get(pk=deal.pk).stage.name == "Opportunity in evaluation"
