"""The daily-work journey of the leads and activities issue, in a real browser:

quick-add a lead from anywhere, convert it into a Sales deal through the stage gate's
prompt, schedule an activity from the deal, mark it done and schedule the next one
from the prompt, then find the deal again through the search box, keyboard only.
"""

import pytest
from playwright.sync_api import expect

from apogee.activities.models import Activity
from apogee.deals.models import Deal
from apogee.leads.models import Lead
from tests.conftest import PASSWORD
from tests.e2e.conftest import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_quick_add_convert_through_gate_schedule_complete_next_and_search(
    live_server, page, workspace, salesperson
):
    log_in(page, live_server, salesperson.username, PASSWORD)

    # Quick add, from the board.
    page.get_by_role("button", name="Quick add lead").click()
    dialog = page.locator("dialog#dialog")
    dialog.get_by_label("Title").fill("Propulsion valve for LISA")
    dialog.get_by_label("or a new organization").fill("Sener Aeroespacial")
    dialog.get_by_role("button", name="Add lead").click()
    expect(dialog).not_to_be_visible()
    lead = Lead.objects.get(title="Propulsion valve for LISA")
    assert lead.organization.name == "Sener Aeroespacial"

    # Convert into Sales, straight into the gated "Opportunity in evaluation".
    page.goto(f"{live_server.url}/leads/{lead.pk}/")
    page.get_by_role("link", name="Convert to deal").click()
    dialog.get_by_label("Pipeline").select_option(label="Sales")
    dialog.get_by_label("Stage").select_option(label="Sales — Opportunity in evaluation")
    dialog.get_by_role("button", name="Convert").click()
    dialog.get_by_label("Opportunity type").wait_for()
    dialog.get_by_label("Opportunity type").select_option("esa")
    dialog.get_by_role("button", name="Convert").click()
    page.wait_for_url(f"{live_server.url}/deals/*/")
    deal = Deal.objects.get(title="Propulsion valve for LISA")
    assert deal.stage.name == "Opportunity in evaluation"
    assert deal.custom_values["opportunity_type"] == "esa"

    # Schedule an activity from the deal page.
    panel = page.locator(f"#activities-deal-{deal.pk}")
    panel.get_by_role("link", name="Schedule").click()
    dialog.get_by_label("Subject").fill("Call the ESA technical officer")
    dialog.get_by_role("button", name="Save").click()
    panel.get_by_text("Call the ESA technical officer").wait_for()

    # Mark it done; the prompt offers the next one on the same deal.
    panel.get_by_role("button", name="Mark “Call the ESA technical officer” as done").click()
    dialog.get_by_text("Schedule the next activity").wait_for()
    dialog.get_by_label("Subject").fill("Send the compliance matrix")
    dialog.get_by_role("button", name="Save").click()
    panel.get_by_text("Send the compliance matrix").wait_for()
    done, following = Activity.objects.filter(deal=deal).order_by("id")
    assert done.is_done and not following.is_done
    assert following.deal_id == deal.pk

    # The timeline tells the story, conversion included.
    timeline = page.locator(f"#timeline-deal-{deal.pk}")
    page.reload()
    timeline.get_by_text("Completed “Call the ESA technical officer”").wait_for()
    assert "Converted the lead to the deal" in timeline.inner_text()

    # Find it again from another page: "/" focuses the search box, arrows pick, Enter opens.
    page.goto(f"{live_server.url}/activities/")
    page.keyboard.press("/")
    page.keyboard.type("lisa valv")
    listbox = page.locator("#global-search-listbox")
    deal_option = listbox.locator(".search-option", has=page.locator(".kind-deal"))
    deal_option.wait_for()
    # The deal comes before the lead it was converted from: a converted lead is history.
    page.keyboard.press("ArrowDown")
    expect(deal_option).to_have_attribute("aria-selected", "true")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/deals/{deal.pk}/")
