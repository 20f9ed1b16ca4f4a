"""The missions page and the mission section of deal pages, through HTTP."""

import json
from decimal import Decimal

from django.urls import reverse

from apogee.contacts.services import create_organization
from apogee.core.models import DomainEvent
from apogee.deals.models import Visibility
from apogee.missions.models import MissionLink, MissionProfile
from apogee.missions.services import link_deal
from tests.deals.factories import make_deal

from .factories import hand_off, make_mission

HTMX = {"HX-Request": "true"}


def test_missions_page_lists_missions_by_tender_year_with_roll_ups(client_for, workspace, salesperson):
    esa = create_organization(actor=None, name="European Space Agency", roles=["agency"])
    chime = make_mission(
        workspace,
        salesperson,
        title="CHIME — hinge",
        profile={
            "agency": esa,
            "programme": "Copernicus Expansion",
            "expected_tender_year": 2027,
            "expected_launch_year": 2030,
            "phase": "B2",
            "go_ahead_probability": 80,
        },
    )
    hand_off(chime, value=Decimal("250000"))  # 10 % × 80 % → 20000
    make_mission(workspace, salesperson, title="Harmony — drive", profile={"expected_tender_year": 2029})

    page = client_for(salesperson).get(reverse("missions:list"))

    html = page.content.decode()
    assert page.status_code == 200
    assert (
        html.index("Tender 2027")
        < html.index("CHIME — hinge")
        < html.index("Tender 2029")
        < html.index("Harmony")
    )
    for text in (
        "European Space Agency",
        "Copernicus Expansion",
        "B2 (detailed definition)",
        "80%",
        "CHF 250’000",
        "CHF 20’000",
    ):
        assert text in html
    assert reverse("missions:list") in html  # the sidebar link


def test_missions_page_horizon_filter(client_for, workspace, salesperson):
    from datetime import date

    year = date.today().year
    make_mission(workspace, salesperson, title="Far away", profile={"expected_tender_year": year + 8})

    client = client_for(salesperson)

    assert "Far away" not in client.get(reverse("missions:list")).content.decode()
    assert "Far away" in client.get(reverse("missions:list"), {"horizon": "all"}).content.decode()


def test_missions_page_needs_a_login(client, workspace):
    page = client.get(reverse("missions:list"))
    assert page.status_code == 302


def test_deal_page_loads_the_mission_section(client_for, workspace, salesperson):
    mission = make_mission(workspace, salesperson)

    page = client_for(salesperson).get(reverse("deals:detail", args=[mission.pk]))

    assert reverse("missions:panel", args=[mission.pk]) in page.content.decode()


def test_mission_panel_shows_profile_roll_up_and_deals(client_for, workspace, sales_pipeline, salesperson):
    mission = make_mission(
        workspace, salesperson, profile={"programme": "Earth Explorer 10", "go_ahead_probability": 50}
    )
    hand_off(mission, title="Solar array drive", value=Decimal("10000"))
    linked = make_deal(pipeline=sales_pipeline, owner=salesperson, title="Bracket set", value=20000)
    link_deal(mission=mission, deal=linked, actor=None)

    html = (
        client_for(salesperson)
        .get(reverse("missions:panel", args=[mission.pk]), headers=HTMX)
        .content.decode()
    )

    assert 'hx-disinherit="*"' in html and "missions-changed from:body" in html
    for text in (
        "Earth Explorer 10",
        "Solar array drive",
        "Bracket set",
        "2 deals",
        "CHF 30’000",
        "CHF 1’500",
    ):
        assert text in html
    assert reverse("missions:unlink", args=[mission.pk, linked.pk]) in html
    assert reverse("missions:link", args=[mission.pk]) in html


def test_a_sales_deal_says_which_mission_it_is_part_of(client_for, workspace, salesperson):
    mission = make_mission(workspace, salesperson, title="TRUTHS — baffle")
    handed = hand_off(mission)

    html = client_for(salesperson).get(reverse("missions:panel", args=[handed.pk])).content.decode()

    assert "Part of mission" in html and "TRUTHS — baffle" in html
    assert reverse("deals:detail", args=[mission.pk]) in html


def test_a_hidden_mission_is_not_hinted_at_on_its_deal(
    client_for, workspace, sales_pipeline, salesperson, other_salesperson
):
    mission = make_mission(workspace, salesperson, title="Secret mission", visibility=Visibility.OWNER)
    deal = make_deal(pipeline=sales_pipeline, owner=other_salesperson)
    link_deal(mission=mission, deal=deal, actor=None)

    html = client_for(other_salesperson).get(reverse("missions:panel", args=[deal.pk])).content.decode()

    assert "Secret" not in html and "Part of mission" not in html


def test_panel_of_a_deal_one_may_not_see_is_not_found(client_for, workspace, salesperson, other_salesperson):
    mission = make_mission(workspace, salesperson, visibility=Visibility.OWNER)
    client = client_for(other_salesperson)

    assert client.get(reverse("missions:panel", args=[mission.pk])).status_code == 404
    assert client.get(reverse("missions:profile", args=[mission.pk])).status_code == 404
    assert client.post(reverse("missions:link", args=[mission.pk]), {}).status_code == 404


def test_profile_dialog_saves_and_asks_the_panel_to_refresh(client_for, workspace, salesperson):
    mission = make_mission(workspace, salesperson)
    client = client_for(salesperson)

    form = client.get(reverse("missions:profile", args=[mission.pk]), headers=HTMX)
    saved = client.post(
        reverse("missions:profile", args=[mission.pk]),
        {
            "programme": "Earth Watch",
            "expected_tender_year": "2029",
            "expected_launch_year": "2032",
            "phase": "A",
            "go_ahead_probability": "45",
        },
        headers=HTMX,
    )

    assert form["HX-Retarget"] == "#dialog"
    assert saved.status_code == 204
    assert set(json.loads(saved["HX-Trigger"])) == {"missions-changed", "close-dialog", "toast"}
    profile = MissionProfile.objects.get(deal=mission)
    assert (profile.programme, profile.expected_tender_year, profile.phase, profile.go_ahead_probability) == (
        "Earth Watch",
        2029,
        "A",
        45,
    )


def test_profile_form_shows_errors_and_writes_nothing(client_for, workspace, salesperson):
    mission = make_mission(workspace, salesperson)
    client = client_for(salesperson)

    in_dialog = client.post(
        reverse("missions:profile", args=[mission.pk]),
        {"expected_tender_year": "2030", "expected_launch_year": "2028", "go_ahead_probability": "50"},
        headers=HTMX,
    )
    full_page = client.post(reverse("missions:profile", args=[mission.pk]), {"go_ahead_probability": "150"})

    assert in_dialog.status_code == 200
    assert "The launch cannot come before the tender." in in_dialog.content.decode()
    assert full_page.status_code == 422
    assert not MissionProfile.objects.exists()
    assert not DomainEvent.objects.filter(name="mission.profile_set").exists()


def test_profile_of_a_sales_deal_is_not_found(client_for, sales_pipeline, workspace, salesperson):
    deal = make_deal(pipeline=sales_pipeline, owner=salesperson)

    assert client_for(salesperson).get(reverse("missions:profile", args=[deal.pk])).status_code == 404


def test_link_dialog_offers_only_linkable_deals_and_links(client_for, workspace, sales_pipeline, salesperson):
    mission = make_mission(workspace, salesperson)
    other_mission = make_mission(workspace, salesperson, title="Other mission")
    handed = hand_off(mission, title="Already handed off")
    free = make_deal(pipeline=sales_pipeline, owner=salesperson, title="Free deal")
    client = client_for(salesperson)

    form = client.get(reverse("missions:link", args=[mission.pk]), headers=HTMX).content.decode()
    saved = client.post(reverse("missions:link", args=[mission.pk]), {"deal": free.pk}, headers=HTMX)

    assert "Free deal" in form and "Already handed off" not in form and "Other mission" not in form
    assert saved.status_code == 204
    assert MissionLink.objects.get().deal == free
    assert handed.pk and other_mission.pk


def test_linking_a_deal_one_may_not_see_is_refused(
    client_for, workspace, sales_pipeline, salesperson, other_salesperson
):
    mission = make_mission(workspace, salesperson)
    hidden = make_deal(pipeline=sales_pipeline, owner=salesperson, visibility=Visibility.OWNER)

    answer = client_for(other_salesperson).post(
        reverse("missions:link", args=[mission.pk]), {"deal": hidden.pk}
    )

    assert answer.status_code == 422
    assert not MissionLink.objects.exists()


def test_unlink_answers_the_refreshed_panel(client_for, workspace, sales_pipeline, salesperson):
    mission = make_mission(workspace, salesperson)
    deal = make_deal(pipeline=sales_pipeline, owner=salesperson, title="To unlink")
    link_deal(mission=mission, deal=deal, actor=None)
    client = client_for(salesperson)

    answer = client.post(reverse("missions:unlink", args=[mission.pk, deal.pk]), headers=HTMX)
    again = client.post(reverse("missions:unlink", args=[mission.pk, deal.pk]), headers=HTMX)

    assert answer.status_code == 200
    assert "To unlink" not in answer.content.decode()
    assert not MissionLink.objects.exists()
    assert again.status_code == 404


def test_without_htmx_the_forms_redirect_to_the_deal_page(client_for, workspace, sales_pipeline, salesperson):
    mission = make_mission(workspace, salesperson)
    deal = make_deal(pipeline=sales_pipeline, owner=salesperson)
    client = client_for(salesperson)

    page = client.get(reverse("missions:link", args=[mission.pk]))
    linked = client.post(reverse("missions:link", args=[mission.pk]), {"deal": deal.pk})
    unlinked = client.post(reverse("missions:unlink", args=[mission.pk, deal.pk]))

    assert page.status_code == 200 and "<html" in page.content.decode()
    assert linked.status_code == 302 and linked["Location"] == reverse("deals:detail", args=[mission.pk])
    assert unlinked.status_code == 302
