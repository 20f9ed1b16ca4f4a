"""My activities in a real browser: marking one done from the list asks for the next one in the dialog."""

import pytest
from playwright.sync_api import expect

from apogee.activities.models import Activity
from tests.activities.factories import make_activity
from tests.conftest import PASSWORD
from tests.deals.factories import make_deal
from tests.e2e.conftest import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_done_from_my_activities_prompts_for_the_next_one(live_server, page, workspace, salesperson):
    deal = make_deal(pipeline=workspace["Sales"], owner=salesperson, title="Antenna pointing mechanism")
    make_activity(owner=salesperson, actor=salesperson, deal=deal, subject="Call the prime")
    log_in(page, live_server, salesperson.username, PASSWORD)

    page.goto(f"{live_server.url}/activities/")
    page.get_by_role("button", name="Mark “Call the prime” as done").click()
    dialog = page.locator("dialog#dialog")
    expect(dialog.get_by_text("Schedule the next activity")).to_be_visible()
    dialog.get_by_label("Subject").fill("Send the minutes")
    dialog.get_by_role("button", name="Save").click()
    expect(page.locator("#activity-buckets").get_by_text("Send the minutes")).to_be_visible()
    assert Activity.objects.get(subject="Send the minutes").deal_id == deal.pk
    assert Activity.objects.get(subject="Call the prime").is_done
