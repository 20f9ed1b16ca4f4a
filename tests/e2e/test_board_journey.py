"""The journey the issue names: drag a deal into a gated stage, answer the gate, see it stick; French UI."""

import pytest
from playwright.sync_api import expect

from apogee.deals.models import Deal
from tests.conftest import PASSWORD
from tests.deals.factories import make_deal, stage
from tests.e2e.conftest import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _drag(page, source, target):
    box = source.bounding_box()
    goal = target.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + 20)
    page.mouse.down()
    steps = 12
    for i in range(1, steps + 1):
        page.mouse.move(
            box["x"]
            + box["width"] / 2
            + (goal["x"] + goal["width"] / 2 - box["x"] - box["width"] / 2) * i / steps,
            box["y"] + 20 + (goal["y"] + 30 - box["y"] - 20) * i / steps,
        )
        page.wait_for_timeout(30)
    page.mouse.up()


def test_drag_into_gated_stage_asks_for_opportunity_type_and_persists(
    live_server, page, workspace, salesperson
):
    sales = workspace["Sales"]
    deal = make_deal(
        pipeline=sales,
        owner=salesperson,
        stage=stage(sales, "Opportunity identified"),
        title="Deployment hinge for CHIME",
    )
    evaluation = stage(sales, "Opportunity in evaluation")
    log_in(page, live_server, salesperson.username, PASSWORD)

    page.goto(f"{live_server.url}/?pipeline={sales.pk}")
    card = page.locator(f"#deal-{deal.pk}")
    target = page.locator(f'.column-body[data-stage-id="{evaluation.pk}"]')
    _drag(page, card, target)

    dialog = page.locator("dialog#dialog")
    dialog.get_by_label("Opportunity type").wait_for()
    assert "Opportunity in evaluation" in dialog.inner_text()
    dialog.get_by_label("Opportunity type").select_option("esa")
    dialog.get_by_role("button", name="Save and move").click()

    # The drag already put the card in the column; only the dialog closing says the move was saved.
    expect(dialog).to_be_hidden()
    expect(page.locator(".htmx-request")).to_have_count(0)
    page.reload()
    assert page.locator(f'.column-body[data-stage-id="{evaluation.pk}"] #deal-{deal.pk}').count() == 1
    stored = Deal.objects.get(pk=deal.pk)
    assert stored.stage == evaluation
    assert stored.custom_values["opportunity_type"] == "esa"


def test_cancelling_the_gate_dialog_leaves_the_deal_where_it_was(live_server, page, workspace, salesperson):
    sales = workspace["Sales"]
    identified = stage(sales, "Opportunity identified")
    deal = make_deal(pipeline=sales, owner=salesperson, stage=identified, title="Baffle for TRUTHS")
    evaluation = stage(sales, "Opportunity in evaluation")
    log_in(page, live_server, salesperson.username, PASSWORD)

    page.goto(f"{live_server.url}/?pipeline={sales.pk}")
    _drag(
        page, page.locator(f"#deal-{deal.pk}"), page.locator(f'.column-body[data-stage-id="{evaluation.pk}"]')
    )
    page.locator("dialog#dialog").get_by_role("button", name="Cancel").click()

    page.locator(f'.column-body[data-stage-id="{identified.pk}"] #deal-{deal.pk}').wait_for()
    assert Deal.objects.get(pk=deal.pk).stage == identified


def test_switching_to_french_shows_french_labels(live_server, page, workspace, salesperson):
    sales = workspace["Sales"]
    deal = make_deal(pipeline=sales, owner=salesperson, custom_values={"opportunity_type": "esa"})
    log_in(page, live_server, salesperson.username, PASSWORD)

    page.get_by_role("button", name="Français").click()
    page.wait_for_load_state()

    nav = page.locator("nav.sidebar").inner_text()
    assert "Affaires" in nav
    assert "Organisations" in nav
    assert page.locator("html").get_attribute("lang") == "fr"
    page.goto(f"{live_server.url}/deals/{deal.pk}/")
    body = page.locator("main").inner_text()
    assert "Type d'opportunité" in body
    assert "Chronologie" in body
