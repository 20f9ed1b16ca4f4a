"""The missions JSON API: roll-ups, profiles, links; a permission matrix per endpoint."""

from decimal import Decimal

import pytest

from apogee.contacts.services import create_organization
from apogee.deals.models import Visibility
from apogee.missions.models import MissionLink, MissionProfile
from apogee.missions.services import link_deal
from tests.deals.factories import make_deal

from .factories import hand_off, make_mission, win

BODY = {
    "programme": "Earth Explorer 10",
    "expected_tender_year": 2028,
    "expected_launch_year": 2032,
    "phase": "B1",
    "go_ahead_probability": 60,
}


def test_list_missions_with_their_roll_ups(api_as, workspace, salesperson):
    mission = make_mission(
        workspace,
        salesperson,
        title="Harmony",
        profile={"expected_tender_year": 2027, "go_ahead_probability": 40},
    )
    hand_off(mission, value=Decimal("100000"))  # 10 % × 40 % → 4000
    win(hand_off(mission, value=Decimal("5000")))

    answer = api_as(salesperson).get("/missions")

    assert answer.status_code == 200
    (item,) = answer.json()
    assert item["deal_id"] == mission.pk and item["title"] == "Harmony"
    assert item["profile"]["expected_tender_year"] == 2027
    assert item["roll_up"] == {
        "count": 2,
        "open_count": 1,
        "won_count": 1,
        "lost_count": 0,
        "total_value": "105000.00",
        "expected_value": "9000.00",
        "currency": "CHF",
        "unconverted_count": 0,
    }


def test_list_missions_horizon(api_as, workspace, salesperson):
    from datetime import date

    make_mission(workspace, salesperson, profile={"expected_tender_year": date.today().year + 9})
    client = api_as(salesperson)

    assert client.get("/missions").json() == []
    assert len(client.get("/missions", {"all_years": "true"}).json()) == 1
    assert client.get("/missions", {"horizon_years": "-1"}).status_code == 422


def test_get_one_mission_lists_its_visible_deals(
    api_as, workspace, sales_pipeline, salesperson, other_salesperson
):
    mission = make_mission(workspace, salesperson)
    shown = make_deal(pipeline=sales_pipeline, owner=other_salesperson, value=100)
    hidden = make_deal(pipeline=sales_pipeline, owner=salesperson, visibility=Visibility.OWNER)
    link_deal(mission=mission, deal=shown, actor=None)
    link_deal(mission=mission, deal=hidden, actor=None)

    answer = api_as(other_salesperson).get(f"/missions/{mission.pk}")

    assert answer.status_code == 200
    assert [d["deal_id"] for d in answer.json()["deals"]] == [shown.pk]
    assert answer.json()["deals"][0]["linked"] is True
    assert answer.json()["roll_up"]["count"] == 1


def test_put_then_get_the_mission_profile(api_as, workspace, salesperson):
    esa = create_organization(actor=None, name="ESA", roles=["agency"])
    mission = make_mission(workspace, salesperson)
    client = api_as(salesperson)

    missing = client.get(f"/deals/{mission.pk}/mission-profile")
    put = client.http.put(
        f"/api/v1/deals/{mission.pk}/mission-profile",
        {**BODY, "agency_id": esa.pk},
        content_type="application/json",
    )
    got = client.get(f"/deals/{mission.pk}/mission-profile")

    assert missing.status_code == 404
    assert put.status_code == 200
    assert got.json() == {**put.json(), "agency_id": esa.pk, **BODY, "deal_id": mission.pk}


def _put(client, deal_id, body):
    return client.http.put(f"/api/v1/deals/{deal_id}/mission-profile", body, content_type="application/json")


@pytest.mark.parametrize(
    "body, field",
    [
        ({**BODY, "expected_launch_year": 2020}, "expected_launch_year"),
        ({**BODY, "go_ahead_probability": 120}, "go_ahead_probability"),
        ({**BODY, "phase": "F"}, "phase"),
        ({**BODY, "agency_id": 999999}, "agency_id"),
        ({**BODY, "colour": "blue"}, "colour"),
        ({**BODY, "expected_tender_year": "next"}, "expected_tender_year"),
    ],
)
def test_put_profile_with_bad_fields_answers_422_naming_them(api_as, workspace, salesperson, body, field):
    mission = make_mission(workspace, salesperson)

    answer = _put(api_as(salesperson), mission.pk, body)

    assert answer.status_code == 422
    assert field in answer.json()["fields"]
    assert not MissionProfile.objects.exists()


def test_put_profile_on_a_sales_deal_is_refused(api_as, sales_pipeline, workspace, salesperson):
    deal = make_deal(pipeline=sales_pipeline, owner=salesperson)

    answer = _put(api_as(salesperson), deal.pk, BODY)

    assert answer.status_code == 422
    assert answer.json()["code"] == "not_a_mission"


def test_profile_of_a_deal_one_may_not_see_is_not_found(api_as, workspace, salesperson, other_salesperson):
    mission = make_mission(workspace, salesperson, visibility=Visibility.OWNER, profile={})
    client = api_as(other_salesperson)

    assert client.get(f"/deals/{mission.pk}/mission-profile").status_code == 404
    assert _put(client, mission.pk, BODY).status_code == 404
    assert client.get(f"/missions/{mission.pk}").status_code == 404
    assert MissionProfile.objects.get().programme == ""


def test_link_and_unlink_a_deal(api_as, workspace, sales_pipeline, salesperson):
    mission = make_mission(workspace, salesperson)
    deal = make_deal(pipeline=sales_pipeline, owner=salesperson)
    client = api_as(salesperson)

    linked = client.post(f"/deals/{mission.pk}/mission-links/{deal.pk}")
    twice = client.post(f"/deals/{mission.pk}/mission-links/{deal.pk}")
    unlinked = client.delete(f"/deals/{mission.pk}/mission-links/{deal.pk}")
    again = client.delete(f"/deals/{mission.pk}/mission-links/{deal.pk}")

    assert linked.status_code == 201
    assert linked.json()["mission_id"] == mission.pk and linked.json()["deal_id"] == deal.pk
    assert twice.status_code == 409 and twice.json()["code"] == "already_in_mission"
    assert unlinked.status_code == 204
    assert again.status_code == 404
    assert not MissionLink.objects.exists()


def test_linking_the_mission_to_itself_or_to_a_sales_deal_is_refused(
    api_as, workspace, sales_pipeline, salesperson
):
    mission = make_mission(workspace, salesperson)
    deal = make_deal(pipeline=sales_pipeline, owner=salesperson)
    client = api_as(salesperson)

    assert client.post(f"/deals/{mission.pk}/mission-links/{mission.pk}").status_code == 422
    assert client.post(f"/deals/{deal.pk}/mission-links/{mission.pk}").json()["code"] == "not_a_mission"


def test_links_with_deals_one_may_not_see_are_not_found(
    api_as, workspace, sales_pipeline, salesperson, other_salesperson
):
    mission = make_mission(workspace, salesperson)
    private_mission = make_mission(workspace, salesperson, visibility=Visibility.OWNER)
    hidden = make_deal(pipeline=sales_pipeline, owner=salesperson, visibility=Visibility.OWNER)
    own = make_deal(pipeline=sales_pipeline, owner=other_salesperson)
    link_deal(mission=mission, deal=hidden, actor=None)
    client = api_as(other_salesperson)

    assert client.post(f"/deals/{private_mission.pk}/mission-links/{own.pk}").status_code == 404
    assert client.delete(f"/deals/{mission.pk}/mission-links/{hidden.pk}").status_code == 404
    assert client.post(f"/deals/{mission.pk}/mission-links/999999").status_code == 404
    assert MissionLink.objects.count() == 1


def test_only_an_administrator_flags_a_missions_pipeline(api_as, workspace, admin, manager):
    rfi = workspace["RFI"]

    refused = api_as(manager).http.put(
        f"/api/v1/pipelines/{rfi.pk}/mission-setting",
        {"holds_missions": True},
        content_type="application/json",
    )
    accepted = api_as(admin).http.put(
        f"/api/v1/pipelines/{rfi.pk}/mission-setting",
        {"holds_missions": True},
        content_type="application/json",
    )

    assert refused.status_code == 403 and refused.json()["code"] == "permission_denied"
    assert accepted.status_code == 200 and accepted.json() == {"pipeline_id": rfi.pk, "holds_missions": True}


def test_anonymous_requests_are_unauthorized(anonymous_api, workspace, salesperson):
    mission = make_mission(workspace, salesperson)

    assert anonymous_api.get("/missions").status_code == 401
    assert anonymous_api.get(f"/deals/{mission.pk}/mission-profile").status_code == 401
    assert anonymous_api.post(f"/deals/{mission.pk}/mission-links/1").status_code == 401
