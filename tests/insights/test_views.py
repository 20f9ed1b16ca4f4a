"""Insights pages: every report renders, drill-down respects permissions, saved reports and dashboards."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apogee.deals.models import Visibility
from apogee.deals.services import mark_deal_won
from apogee.insights import services
from apogee.insights.models import Dashboard, DashboardItem, SavedReport
from apogee.insights.reports.registry import REPORTS
from tests.activities.factories import make_activity
from tests.deals.factories import make_deal

pytestmark = pytest.mark.django_db


def report_url(kind, **params):
    from urllib.parse import urlencode

    return f"{reverse('insights:report', args=[kind])}?{urlencode(params, doseq=True)}"


@pytest.mark.parametrize("kind", list(REPORTS))
def test_every_report_renders_with_its_chart_and_table(client_for, sales_pipeline, salesperson, kind):
    deal = make_deal(pipeline=sales_pipeline, owner=salesperson, title="Reaction wheel")
    mark_deal_won(deal=deal, actor=None)
    make_deal(pipeline=sales_pipeline, owner=salesperson, title="Still open")
    make_activity(owner=salesperson, actor=salesperson, deal=deal)
    response = client_for(salesperson).get(report_url(kind, **{"from": "2020-01-01", "to": "2030-12-31"}))
    assert response.status_code == 200
    assert response.context["report"] is not None
    assert b'<table class="data report">' in response.content
    assert b'id="report-chart-data"' in response.content


def test_bad_filters_show_errors_and_no_report(client_for, workspace, salesperson):
    response = client_for(salesperson).get(
        report_url("won-lost", **{"from": "2026-13-01", "group": "nonsense"})
    )
    assert response.status_code == 200
    assert response.context["report"] is None
    assert "Enter a date as YYYY-MM-DD." in response.content.decode()
    assert "This field cannot group a report." in response.content.decode()


def test_unknown_report_is_404(client_for, workspace, salesperson):
    assert client_for(salesperson).get("/insights/reports/horoscope/").status_code == 404


def test_funnel_bars_link_to_the_deals_behind_them(
    client_for, sales_pipeline, salesperson, other_salesperson
):
    make_deal(pipeline=sales_pipeline, owner=salesperson, title="Visible gimbal")
    make_deal(
        pipeline=sales_pipeline, owner=other_salesperson, title="Private hinge", visibility=Visibility.OWNER
    )
    client = client_for(salesperson)
    page = client.get(report_url("funnel", pipeline=sales_pipeline.pk))
    chart = json.loads(page.context["chart"] and json.dumps(page.context["chart"]))
    first_bar = chart["data"]["datasets"][0]["links"][0]
    assert chart["data"]["datasets"][0]["data"][0] == 1
    drill = client.get(first_bar)
    assert drill.status_code == 200
    titles = [d.title for d in drill.context["page"].object_list]
    assert titles == ["Visible gimbal"]


def test_activities_report_has_no_deal_drill_down(client_for, workspace, salesperson):
    assert client_for(salesperson).get(reverse("insights:drill", args=["activities"])).status_code == 404


def test_report_page_queries_do_not_grow_with_deals(client_for, sales_pipeline, salesperson):
    client = client_for(salesperson)
    make_deal(pipeline=sales_pipeline, owner=salesperson)
    for kind in ("funnel", "won-lost", "forecast"):
        url = report_url(kind, pipeline=sales_pipeline.pk, group="owner")
        client.get(url)
        with CaptureQueriesContext(connection) as few:
            client.get(url)
        for _ in range(15):
            mark_deal_won(deal=make_deal(pipeline=sales_pipeline, owner=salesperson), actor=None)
            make_deal(pipeline=sales_pipeline, owner=salesperson)
        with CaptureQueriesContext(connection) as many:
            client.get(url)
        assert len(many) == len(few), kind


def test_save_a_report_then_open_it(client_for, sales_pipeline, salesperson):
    client = client_for(salesperson)
    query = f"pipeline={sales_pipeline.pk}&group=cf:opportunity_type&from=2026-01-01&to=2026-06-30"
    response = client.post(
        reverse("insights:save_report"),
        {"kind": "funnel", "query": query, "name": "ESA funnel H1", "chart": "bar", "mode": "new"},
    )
    saved = SavedReport.objects.get(name="ESA funnel H1")
    assert response.status_code == 302
    assert response["Location"].endswith(f"&saved={saved.pk}")
    assert dict(saved.params) == {
        "pipeline": str(sales_pipeline.pk),
        "group": "cf:opportunity_type",
        "from": "2026-01-01",
        "to": "2026-06-30",
    }
    page = client.get(response["Location"])
    assert page.context["spec"].grouping.key == "cf:opportunity_type"
    assert page.context["can_edit_saved"] is True


def test_saving_without_a_name_or_with_bad_filters_saves_nothing(client_for, workspace, salesperson):
    client = client_for(salesperson)
    client.post(reverse("insights:save_report"), {"kind": "funnel", "query": "", "name": " "})
    client.post(reverse("insights:save_report"), {"kind": "funnel", "query": "from=nope", "name": "Broken"})
    assert not SavedReport.objects.exists()


def test_someone_elses_report_cannot_be_changed_or_deleted(client_for, workspace, salesperson, teammate):
    shared = services.save_report(
        actor=salesperson, name="Team funnel", kind="funnel", params=[], is_shared=True
    )
    client = client_for(teammate)
    client.post(
        reverse("insights:save_report"),
        {"kind": "funnel", "query": "", "name": "Hijacked", "saved": shared.pk, "mode": "update"},
    )
    client.post(reverse("insights:delete_report", args=[shared.pk]))
    shared.refresh_from_db()
    assert shared.name == "Team funnel"
    assert SavedReport.objects.count() == 1
    # Saving it "as new" makes the teammate's own copy.
    client.post(
        reverse("insights:save_report"),
        {"kind": "funnel", "query": "", "name": "Hijacked", "saved": shared.pk, "mode": "new"},
    )
    assert SavedReport.objects.filter(name="Hijacked", owner=teammate).exists()


def test_a_private_report_is_invisible_to_others(client_for, workspace, salesperson, teammate):
    private = services.save_report(actor=salesperson, name="Mine", kind="forecast", params=[])
    client = client_for(teammate)
    assert client.get(report_url("forecast", saved=private.pk)).status_code == 404
    assert client.get(reverse("insights:card", args=[private.pk])).status_code == 404
    assert client.post(reverse("insights:delete_report", args=[private.pk])).status_code == 404


def test_build_a_dashboard_and_share_it(client_for, sales_pipeline, salesperson, teammate, other_salesperson):
    make_deal(pipeline=sales_pipeline, owner=other_salesperson, value=777, visibility=Visibility.OWNER)
    report = services.save_report(actor=salesperson, name="Forecast", kind="forecast", params=[])
    client = client_for(salesperson)
    client.post(reverse("insights:save_dashboard"), {"name": "Monday"})
    dashboard = Dashboard.objects.get(name="Monday")
    client.post(reverse("insights:add_item", args=[dashboard.pk]), {"report": report.pk, "width": "full"})
    assert list(dashboard.items.values_list("report__name", "width")) == [("Forecast", "full")]
    # Not shared yet: the teammate cannot open it.
    assert client_for(teammate).get(reverse("insights:dashboard", args=[dashboard.pk])).status_code == 404
    client_for(salesperson).post(
        reverse("insights:save_dashboard"), {"dashboard": dashboard.pk, "name": "Monday", "is_shared": "on"}
    )
    viewer = client_for(teammate)
    page = viewer.get(reverse("insights:dashboard", args=[dashboard.pk]))
    assert page.status_code == 200 and page.context["can_edit"] is False
    # The private report shows through the shared dashboard, computed with the viewer's permissions.
    card = viewer.get(reverse("insights:card", args=[report.pk]))
    assert card.status_code == 200
    assert "777" not in card.content.decode()
    viewer.post(reverse("insights:delete_dashboard", args=[dashboard.pk]))
    assert Dashboard.objects.filter(pk=dashboard.pk).exists()


def test_dashboard_items_move_and_leave(client_for, workspace, salesperson):
    client = client_for(salesperson)
    dashboard = services.save_dashboard(actor=salesperson, name="Board")
    first, second = (
        services.save_report(actor=salesperson, name=name, kind="won-lost", params=[])
        for name in ("One", "Two")
    )
    for report in (first, second):
        services.add_report_to_dashboard(dashboard=dashboard, report=report, actor=salesperson)
    item = DashboardItem.objects.get(report=second)
    client.post(reverse("insights:move_item", args=[dashboard.pk, item.pk]), {"direction": "up"})
    assert list(dashboard.items.values_list("report__name", flat=True)) == ["Two", "One"]
    client.post(reverse("insights:remove_item", args=[dashboard.pk, item.pk]))
    assert list(dashboard.items.values_list("report__name", flat=True)) == ["One"]
    assert SavedReport.objects.filter(pk=second.pk).exists()


def test_adding_a_report_ignores_an_outside_next(client_for, workspace, salesperson):
    client = client_for(salesperson)
    dashboard = services.save_dashboard(actor=salesperson, name="Board")
    report = services.save_report(actor=salesperson, name="One", kind="won-lost", params=[])
    response = client.post(
        reverse("insights:add_item", args=[dashboard.pk]),
        {"report": report.pk, "next": "https://evil.example/"},
    )
    assert response["Location"] == reverse("insights:dashboard", args=[dashboard.pk])


def test_only_an_admin_picks_the_default_dashboard(workspace, salesperson, admin):
    from apogee.core.errors import PermissionDenied

    mine = services.save_dashboard(actor=salesperson, name="Mine")
    with pytest.raises(PermissionDenied):
        services.save_dashboard(actor=salesperson, name="Mine", is_default=True, dashboard=mine)
    first = services.save_dashboard(actor=admin, name="First")
    services.save_dashboard(actor=admin, name="First", is_default=True, dashboard=first)
    second = services.save_dashboard(actor=admin, name="Second")
    services.save_dashboard(actor=admin, name="Second", is_default=True, dashboard=second)
    assert list(Dashboard.objects.filter(is_default=True)) == [second]


def test_index_shows_reports_and_empty_states(client_for, workspace, salesperson):
    page = client_for(salesperson).get(reverse("insights:index"))
    assert page.status_code == 200
    body = page.content.decode()
    assert "No saved report yet." in body
    for kind in REPORTS.values():
        assert str(kind.title) in body


def test_period_presets_keep_the_other_filters(client_for, sales_pipeline, salesperson):
    from django.utils import timezone

    page = client_for(salesperson).get(report_url("funnel", pipeline=sales_pipeline.pk, group="owner"))
    year = timezone.localdate().year
    presets = dict(page.context["presets"])
    assert (
        presets["This year"] == f"pipeline={sales_pipeline.pk}&group=owner&from={year}-01-01&to={year}-12-31"
    )
    assert presets["Last year"].endswith(f"from={year - 1}-01-01&to={year - 1}-12-31")


def test_saved_reports_and_dashboards_show_in_the_audit_trail(client_for, workspace, admin, salesperson):
    report = services.save_report(actor=salesperson, name="Quarterly ESA", kind="won-lost", params=[])
    dashboard = services.save_dashboard(actor=salesperson, name="Board")
    services.add_report_to_dashboard(dashboard=dashboard, report=report, actor=salesperson)
    page = client_for(admin).get("/settings/audit/", {"event": "insights"}).content.decode()
    assert "Saved the report “Quarterly ESA”" in page
    assert "Added “Quarterly ESA” to the dashboard" in page


def test_a_report_exports_as_csv_with_raw_numbers(client_for, sales_pipeline, salesperson):
    import csv
    import io

    from tests.contacts.factories import make_organization

    hostile = make_organization(name='=HYPERLINK("http://evil.example")')
    deal = make_deal(pipeline=sales_pipeline, owner=salesperson, value=2500, organization=hostile)
    mark_deal_won(deal=deal, actor=None)
    response = client_for(salesperson).get(
        reverse("insights:export_csv", args=["won-lost"]), {"interval": "year", "group": "organization"}
    )
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["Won and lost"]
    assert rows[1] == ["Organization", "Won", "Won value", "Lost", "Lost value", "Win rate"]
    # The organization's name is data, never a formula.
    assert rows[2] == ['\'=HYPERLINK("http://evil.example")', "1", "2500.00", "0", "0", "100.0"]


def test_the_csv_export_refuses_bad_filters_without_a_file(client_for, workspace, salesperson):
    response = client_for(salesperson).get(reverse("insights:export_csv", args=["funnel"]), {"from": "x"})
    assert response.status_code == 302
