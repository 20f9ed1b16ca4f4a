"""The pipeline board and its drop target, over HTTP as the browser uses them."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apogee.deals.models import Visibility
from apogee.deals.services import update_deal
from tests.deals.factories import make_deal, stage

pytestmark = pytest.mark.django_db


def test_board_shows_columns_with_counts_totals_and_cards(client_for, sales_pipeline, salesperson):
    identified = stage(sales_pipeline, "Opportunity identified")
    make_deal(
        pipeline=sales_pipeline,
        owner=salesperson,
        stage=identified,
        title="Hinge for CHIME",
        value=100000,
        currency="EUR",
    )
    make_deal(pipeline=sales_pipeline, owner=salesperson, stage=identified, title="Baffle", value=50000)

    response = client_for(salesperson).get(reverse("deals:board"), {"pipeline": sales_pipeline.pk})

    assert response.status_code == 200
    board = response.context["board"]
    column = next(c for c in board.columns if c.stage == identified)
    assert column.count == 2
    # 100000 EUR at 0.93 (rate from 2026-01-01) + 50000 CHF
    assert str(column.total) == "143000.00"
    assert str(column.weighted) == "28600.00"  # 20 %
    assert [d.title for d in column.cards] == ["Baffle", "Hinge for CHIME"]
    assert [c.stage.name for c in board.columns] == [
        "First contact",
        "Opportunity identified",
        "Opportunity in evaluation",
        "Proposal preparation",
        "Proposal at customer",
        "Selected / negotiation",
    ]
    assert "Hinge for CHIME" in response.content.decode()


def test_board_hides_deals_the_user_may_not_see(client_for, sales_pipeline, salesperson, other_salesperson):
    make_deal(pipeline=sales_pipeline, owner=salesperson, title="Private bid", visibility=Visibility.OWNER)

    response = client_for(other_salesperson).get(reverse("deals:board"), {"pipeline": sales_pipeline.pk})

    assert "Private bid" not in response.content.decode()
    assert response.context["board"].count == 0


def test_board_filters_by_custom_field(client_for, sales_pipeline, salesperson):
    make_deal(
        pipeline=sales_pipeline,
        owner=salesperson,
        title="ESA deal",
        custom_values={"opportunity_type": "esa"},
    )
    make_deal(
        pipeline=sales_pipeline,
        owner=salesperson,
        title="Watch deal",
        custom_values={"opportunity_type": "commercial"},
    )

    response = client_for(salesperson).get(
        reverse("deals:board"), {"pipeline": sales_pipeline.pk, "f": "opportunity_type:eq:esa"}
    )

    titles = [d.title for c in response.context["board"].columns for d in c.cards]
    assert titles == ["ESA deal"]


def test_board_query_count_does_not_grow_with_deals(
    client_for, sales_pipeline, salesperson, django_assert_num_queries
):
    client = client_for(salesperson)
    make_deal(pipeline=sales_pipeline, owner=salesperson)
    url = reverse("deals:board") + f"?pipeline={sales_pipeline.pk}"
    client.get(url)  # warm the session

    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for index, name in enumerate(["First contact", "Opportunity identified", "Proposal at customer"] * 10):
        make_deal(
            pipeline=sales_pipeline,
            owner=salesperson,
            stage=stage(sales_pipeline, name),
            custom_values={"opportunity_type": "esa", "offer_type": "firm"},
            value=1000 + index,
        )
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert response.context["board"].count == 31


def test_drop_on_gated_stage_opens_the_gate_dialog_and_moves_nothing(client_for, sales_pipeline, salesperson):
    deal = make_deal(
        pipeline=sales_pipeline, owner=salesperson, stage=stage(sales_pipeline, "Opportunity identified")
    )
    evaluation = stage(sales_pipeline, "Opportunity in evaluation")

    response = client_for(salesperson).post(
        reverse("deals:move", args=[deal.pk]), {"stage": evaluation.pk}, headers={"HX-Request": "true"}
    )

    assert response.status_code == 200
    assert response["HX-Retarget"] == "#dialog"
    assert 'name="cf_opportunity_type"' in response.content.decode()
    assert json.loads(response["HX-Trigger"]) == {"board-refresh": True}
    deal.refresh_from_db()
    assert deal.stage.name == "Opportunity identified"


def test_gate_dialog_completes_the_move_once_the_field_is_valid(client_for, sales_pipeline, salesperson):
    deal = make_deal(pipeline=sales_pipeline, owner=salesperson)
    evaluation = stage(sales_pipeline, "Opportunity in evaluation")
    client = client_for(salesperson)
    url = reverse("deals:move", args=[deal.pk])
    form = {"stage": evaluation.pk, "gate": "1", "gate_keys": ["opportunity_type"]}

    empty = client.post(url, {**form, "cf_opportunity_type": ""}, headers={"HX-Request": "true"})
    assert empty.status_code == 200
    assert "This field is required." in empty.content.decode()
    deal.refresh_from_db()
    assert deal.stage.name == "First contact"

    done = client.post(url, {**form, "cf_opportunity_type": "esa"}, headers={"HX-Request": "true"})

    assert done.status_code == 204
    assert json.loads(done["HX-Trigger"])["close-dialog"] is True
    deal.refresh_from_db()
    assert deal.stage == evaluation
    assert deal.custom_values["opportunity_type"] == "esa"


@pytest.mark.parametrize(
    ("_case", "user_fixture", "expected_status"),
    [
        ("another team's member cannot see the private deal", "other_salesperson", 404),
        ("a teammate cannot see an owner-only deal", "teammate", 404),
        ("the owner moves it", "salesperson", 302),
        ("the team's manager moves it", "manager", 302),
        ("an administrator moves it", "admin", 302),
    ],
)
def test_only_people_who_may_see_a_deal_can_move_it(
    request, client_for, sales_pipeline, salesperson, _case, user_fixture, expected_status
):
    deal = make_deal(pipeline=sales_pipeline, owner=salesperson, visibility=Visibility.OWNER)
    second = stage(sales_pipeline, "Opportunity identified")

    response = client_for(request.getfixturevalue(user_fixture)).post(
        reverse("deals:move", args=[deal.pk]), {"stage": second.pk}
    )

    assert response.status_code == expected_status
    deal.refresh_from_db()
    assert deal.stage == (second if expected_status == 302 else stage(sales_pipeline, "First contact"))


def test_inline_edit_refuses_a_save_based_on_an_old_version(
    client_for, sales_pipeline, salesperson, teammate
):
    deal = make_deal(pipeline=sales_pipeline, owner=salesperson, value=1000)
    loaded_version = deal.version
    update_deal(deal=deal, actor=teammate, changes={"value": "2000"})

    response = client_for(salesperson).post(
        reverse("deals:edit_field", args=[deal.pk, "value"]),
        {"version": loaded_version, "value": "3000", "currency": "CHF"},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 200
    content = response.content.decode()
    assert "Someone else changed this deal" in content
    assert "1000.00 → 2000" in content
    assert "Teammate Test" in content
    deal.refresh_from_db()
    assert str(deal.value) == "2000.00"


def test_inline_edit_saves_with_the_current_version(client_for, sales_pipeline, salesperson):
    deal = make_deal(pipeline=sales_pipeline, owner=salesperson, value=1000)

    response = client_for(salesperson).post(
        reverse("deals:edit_field", args=[deal.pk, "cf_programme"]),
        {"version": deal.version, "cf_programme": "horizon_europe"},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 200
    assert response["HX-Refresh"] == "true"
    deal.refresh_from_db()
    assert deal.custom_values["programme"] == "horizon_europe"
    assert deal.version == 2
