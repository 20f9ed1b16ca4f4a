"""The insights API: the same reports as the pages, with the caller's permissions and 422 on bad input."""

import pytest

from apogee.deals.models import Visibility
from apogee.deals.services import mark_deal_won
from tests.deals.factories import make_deal

pytestmark = pytest.mark.django_db


@pytest.fixture
def won_deals(sales_pipeline, salesperson, other_salesperson):
    mine = make_deal(pipeline=sales_pipeline, owner=salesperson, value=1000, title="Mine")
    private = make_deal(
        pipeline=sales_pipeline,
        owner=other_salesperson,
        value=5000,
        title="Theirs",
        visibility=Visibility.OWNER,
    )
    for deal in (mine, private):
        mark_deal_won(deal=deal, actor=None)
    return mine, private


def test_report_lists_every_kind(api_as, salesperson):
    response = api_as(salesperson).get("/insights/reports")
    assert response.status_code == 200
    assert [k["key"] for k in response.json()] == [
        "funnel",
        "progress",
        "won-lost",
        "forecast",
        "cycle-time",
        "activities",
    ]


def test_won_lost_counts_only_what_the_caller_may_see(api_as, won_deals, salesperson, admin):
    mine = api_as(salesperson).get("/insights/reports/won-lost", {"interval": "year"}).json()
    everything = api_as(admin).get("/insights/reports/won-lost", {"interval": "year"}).json()
    assert mine["currency"] == "CHF"
    total_mine = mine["tables"][0]["rows"][-1]
    total_all = everything["tables"][0]["rows"][-1]
    assert total_mine["is_total"] and total_all["is_total"]
    assert total_mine["cells"][1:3] == [1, "1000.00"]
    assert total_all["cells"][1:3] == [2, "6000.00"]


def test_drill_down_lists_the_deals_behind_a_number(api_as, won_deals, salesperson):
    response = api_as(salesperson).get("/insights/reports/won-lost/deals", {"outcome": "won"})
    assert response.status_code == 200
    assert [d["title"] for d in response.json()["results"]] == ["Mine"]
    assert response.json()["count"] == 1


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "2026-05-01", "to": "2026-01-01"}, "to"),
        ({"group": "cf:no_such_field"}, "group"),
        ({"pipeline": 999999}, "pipeline"),
        ({"f": "no_such_field:eq:x"}, "f"),
    ],
)
def test_bad_parameters_answer_422_with_the_field(api_as, workspace, salesperson, params, field):
    response = api_as(salesperson).get("/insights/reports/funnel", params)
    assert response.status_code == 422
    assert field in response.json()["fields"]


def test_malformed_values_answer_422_not_500(api_as, workspace, salesperson):
    for params in ({"from": "yesterday"}, {"interval": "fortnight"}, {"owner": "x"}):
        assert api_as(salesperson).get("/insights/reports/won-lost", params).status_code == 422


def test_unknown_report_is_422_and_anonymous_is_401(api_as, anonymous_api, workspace, salesperson):
    assert api_as(salesperson).get("/insights/reports/horoscope").status_code == 422
    assert anonymous_api.get("/insights/reports/funnel").status_code == 401


def test_funnel_grouped_by_a_custom_field(api_as, sales_pipeline, salesperson):
    make_deal(pipeline=sales_pipeline, owner=salesperson, custom_values={"opportunity_type": "esa"})
    make_deal(pipeline=sales_pipeline, owner=salesperson, custom_values={"opportunity_type": "commercial"})
    make_deal(pipeline=sales_pipeline, owner=salesperson, custom_values={"opportunity_type": "esa"})
    body = (
        api_as(salesperson)
        .get("/insights/reports/funnel", {"pipeline": sales_pipeline.pk, "group": "cf:opportunity_type"})
        .json()
    )
    rows = {row["cells"][0]: row["cells"][1] for row in body["tables"][0]["rows"]}
    assert rows == {"Commercial": 1, "ESA": 2}
