"""The funnel in a browser: filter on a qualification field, the numbers change, a number opens its deals."""

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.deals.factories import make_deal
from tests.e2e.conftest import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_funnel_filtered_on_origin_rfi(live_server, page, workspace, salesperson):
    sales = workspace["Sales"]
    for index in range(2):
        make_deal(
            pipeline=sales, owner=salesperson, title=f"From an RFI {index}", custom_values={"origin": "rfi"}
        )
    for index in range(3):
        make_deal(
            pipeline=sales, owner=salesperson, title=f"Direct {index}", custom_values={"origin": "direct"}
        )
    log_in(page, live_server, salesperson.username, PASSWORD)

    page.goto(f"{live_server.url}/insights/reports/funnel/?pipeline={sales.pk}")
    first_row = page.locator("table.report tbody tr").first
    expect(first_row.locator("td").nth(2)).to_have_text("5")
    expect(page.locator("canvas[data-report-chart]")).to_be_visible()

    page.get_by_label("Field", exact=True).select_option(label="Origin")
    page.locator("[data-custom-filter-value]").select_option(label="RFI")
    page.get_by_role("button", name="Add", exact=True).click()

    expect(page.locator(".active-filters")).to_contain_text("origin eq rfi")
    expect(first_row.locator("td").nth(2)).to_have_text("2")
    first_row.locator("td").nth(2).get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Funnel and conversion")
    expect(page.locator("table.data tbody tr")).to_have_count(2)
    expect(page.locator("table.data")).to_contain_text("From an RFI 0")


def test_clicking_a_bar_opens_its_deals(live_server, page, workspace, salesperson):
    sales = workspace["Sales"]
    make_deal(pipeline=sales, owner=salesperson, title="Solar array drive")
    log_in(page, live_server, salesperson.username, PASSWORD)
    page.goto(f"{live_server.url}/insights/reports/funnel/?pipeline={sales.pk}")
    canvas = page.locator("canvas[data-report-chart]")
    expect(canvas).to_be_visible()
    # Where Chart.js drew the first bar, in the canvas's own coordinates.
    x, y = canvas.evaluate(
        "c => { const bar = Chart.getChart(c).getDatasetMeta(0).data[0];"
        " return [bar.x, (bar.y + bar.base) / 2]; }"
    )
    canvas.click(position={"x": x, "y": y})
    expect(page).to_have_url(re.compile(r"/insights/reports/funnel/deals/\?"))
    expect(page.locator("table.data")).to_contain_text("Solar array drive")
