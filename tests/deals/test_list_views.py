"""The deal list, its CSV export, deal creation, won/lost, hand-off and saved views over HTTP."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apogee.core.models import DomainEvent
from apogee.deals.models import Deal, LostReason, SavedView, Visibility
from tests.contacts.factories import make_organization
from tests.deals.factories import make_deal, stage

pytestmark = pytest.mark.django_db


def test_list_sorts_by_value_and_paginates(client_for, sales_pipeline, salesperson):
    for value in (300, 100, 200):
        make_deal(pipeline=sales_pipeline, owner=salesperson, title=f"Deal worth {value}", value=value)

    response = client_for(salesperson).get(reverse("deals:list"), {"sort": "-value"})

    assert response.status_code == 200
    assert [d.title for d, _cells in response.context["rows"]] == [
        "Deal worth 300",
        "Deal worth 200",
        "Deal worth 100",
    ]
    assert response.context["page"].paginator.count == 3


def test_list_shows_chosen_custom_field_column(client_for, sales_pipeline, salesperson):
    make_deal(
        pipeline=sales_pipeline, owner=salesperson, title="Motor", custom_values={"product_line": ["motor"]}
    )

    response = client_for(salesperson).get(reverse("deals:list"), {"col": ["title", "cf_product_line"]})

    assert [c.key for c in response.context["columns"]] == ["title", "cf_product_line"]
    ((_deal, cells),) = response.context["rows"]
    assert [cell for cell, _column in cells] == ["Motor", "Motor"]


def test_list_query_count_is_constant_in_the_number_of_deals(
    client_for, sales_pipeline, salesperson, django_assert_num_queries
):
    client = client_for(salesperson)
    org = make_organization("Thales Alenia Space")
    make_deal(pipeline=sales_pipeline, owner=salesperson, organization=org)
    url = (
        reverse("deals:list")
        + "?col=title&col=organization&col=stage&col=owner&col=value_base&col=cf_programme"
    )
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for index in range(30):
        make_deal(
            pipeline=sales_pipeline,
            owner=salesperson,
            organization=org,
            custom_values={"programme": "esa_gstp"},
            value=index,
        )

    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert response.context["page"].paginator.count == 31


def test_csv_export_has_the_current_filters_and_neutralises_formulas(client_for, sales_pipeline, salesperson):
    make_deal(
        pipeline=sales_pipeline,
        owner=salesperson,
        title='=HYPERLINK("x")',
        value=5,
        custom_values={"opportunity_type": "esa"},
    )
    make_deal(
        pipeline=sales_pipeline,
        owner=salesperson,
        title="Commercial deal",
        custom_values={"opportunity_type": "commercial"},
    )

    response = client_for(salesperson).get(
        reverse("deals:export"),
        {"f": "opportunity_type:eq:esa", "col": ["title", "value", "cf_opportunity_type"]},
    )

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = b"".join(response.streaming_content).decode("utf-8")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows == [["Title", "Value", "Opportunity type"], ['\'=HYPERLINK("x")', "CHF 5", "ESA"]]


def test_csv_export_leaves_out_deals_the_user_may_not_see(
    client_for, sales_pipeline, salesperson, other_salesperson
):
    make_deal(pipeline=sales_pipeline, owner=salesperson, title="Secret", visibility=Visibility.OWNER)

    response = client_for(other_salesperson).get(reverse("deals:export"))

    text = b"".join(response.streaming_content).decode("utf-8")
    assert "Secret" not in text


def test_create_deal_form_refuses_a_gated_stage_without_the_field(client_for, sales_pipeline, salesperson):
    evaluation = stage(sales_pipeline, "Opportunity in evaluation")
    form = {
        "title": "New bid",
        "pipeline": sales_pipeline.pk,
        "stage": evaluation.pk,
        "value": "1000",
        "currency": "EUR",
        "owner": salesperson.pk,
        "visibility": "everyone",
    }
    client = client_for(salesperson)

    refused = client.post(reverse("deals:create"), form)

    assert refused.status_code == 200
    assert refused.context["form"].errors["cf_opportunity_type"] == [
        "Required to enter “Opportunity in evaluation”."
    ]
    assert not Deal.objects.exists()

    created = client.post(reverse("deals:create"), {**form, "cf_opportunity_type": "esa"})

    deal = Deal.objects.get()
    assert created.status_code == 302
    assert created["Location"] == reverse("deals:detail", args=[deal.pk])
    assert (deal.title, deal.stage, str(deal.value), deal.currency) == (
        "New bid",
        evaluation,
        "1000.00",
        "EUR",
    )


def test_lost_asks_for_a_reason_and_records_it(client_for, sales_pipeline, salesperson):
    deal = make_deal(pipeline=sales_pipeline, owner=salesperson)
    reason = LostReason.objects.get(label="Price too high")
    client = client_for(salesperson)

    refused = client.post(reverse("deals:lost", args=[deal.pk]), {"lost_reason": "", "note": ""})
    assert "Choose a reason." in refused.content.decode()
    deal.refresh_from_db()
    assert deal.status == "open"

    client.post(reverse("deals:lost", args=[deal.pk]), {"lost_reason": reason.pk, "note": "20 % above"})

    deal.refresh_from_db()
    assert (deal.status, deal.lost_reason, deal.lost_note) == ("lost", reason, "20 % above")
    assert DomainEvent.objects.filter(name="deal.lost", subject_id=deal.pk).count() == 1


def test_won_then_reopen(client_for, sales_pipeline, salesperson):
    deal = make_deal(pipeline=sales_pipeline, owner=salesperson)
    client = client_for(salesperson)

    client.post(reverse("deals:won", args=[deal.pk]))
    deal.refresh_from_db()
    assert deal.status == "won"
    assert deal.won_at is not None

    client.post(reverse("deals:reopen", args=[deal.pk]))
    deal.refresh_from_db()
    assert (deal.status, deal.won_at) == ("open", None)


def test_hand_off_from_the_last_mission_stage_opens_the_new_sales_deal(client_for, workspace, salesperson):
    missions = workspace["Missions"]
    mission = make_deal(
        pipeline=missions,
        owner=salesperson,
        stage=stage(missions, "Opportunity identified"),
        title="CHIME mechanisms",
        custom_values={"mission": "CHIME"},
    )

    response = client_for(salesperson).post(reverse("deals:handoff", args=[mission.pk]))

    sales_deal = Deal.objects.get(origin_deal=mission)
    assert response.status_code == 302
    assert response["Location"] == reverse("deals:detail", args=[sales_deal.pk])
    assert (sales_deal.pipeline, sales_deal.stage.name, sales_deal.title) == (
        workspace["Sales"],
        "First contact",
        "CHIME mechanisms",
    )
    page = client_for(salesperson).get(reverse("deals:detail", args=[mission.pk])).content.decode()
    assert "Handed off to" in page


def test_saved_view_is_private_unless_shared(client_for, sales_pipeline, salesperson, teammate, manager):
    client_for(salesperson).post(
        reverse("deals:save_view"),
        {
            "name": "My ESA deals",
            "query": "status=open&f=opportunity_type:eq:esa",
            "pipeline": sales_pipeline.pk,
            "next": "https://evil.example/",
        },
    )
    view = SavedView.objects.get()
    assert view.params == [["status", "open"], ["f", "opportunity_type:eq:esa"]]
    assert view.is_shared is False

    teammate_page = client_for(teammate).get(reverse("deals:board"), {"pipeline": sales_pipeline.pk})
    assert [v.name for v in teammate_page.context["saved_views"]] == []

    response = client_for(manager).post(
        reverse("deals:save_view"),
        {
            "name": "Team ESA",
            "query": "f=opportunity_type:eq:esa",
            "is_shared": "on",
            "next": "https://evil.example/",
        },
    )
    assert response["Location"] == reverse("deals:board")  # no open redirect
    teammate_page = client_for(teammate).get(reverse("deals:board"), {"pipeline": sales_pipeline.pk})
    assert [v.name for v in teammate_page.context["saved_views"]] == ["Team ESA"]


def test_deal_page_is_404_for_someone_who_may_not_see_it(
    client_for, sales_pipeline, salesperson, other_salesperson
):
    deal = make_deal(pipeline=sales_pipeline, owner=salesperson, visibility=Visibility.OWNER)
    client = client_for(other_salesperson)

    for url in (
        reverse("deals:detail", args=[deal.pk]),
        reverse("deals:edit_field", args=[deal.pk, "title"]),
    ):
        assert client.get(url).status_code == 404
    assert client.post(reverse("deals:won", args=[deal.pk])).status_code == 404
    deal.refresh_from_db()
    assert deal.status == "open"
