"""Mission writes: the profile, links, the missions-pipeline setting; permissions and bad input."""

import pytest

from apogee.contacts.services import create_organization
from apogee.core.errors import NotFound, PermissionDenied, ValidationFailed
from apogee.core.models import DomainEvent
from apogee.deals.models import Visibility
from apogee.missions import services
from apogee.missions.errors import AlreadyInMission, NotAMission
from apogee.missions.models import MissionLink, MissionProfile
from apogee.missions.queries import is_mission_pipeline, missions_visible_to
from tests.deals.factories import make_deal

from .factories import delete, hand_off, make_mission

PROFILE = {
    "programme": "Earth Explorer 10",
    "expected_tender_year": 2028,
    "expected_launch_year": 2032,
    "phase": "B1",
    "go_ahead_probability": 60,
}


@pytest.fixture
def esa(db):
    return create_organization(actor=None, name="European Space Agency", roles=["agency"])


def _events(name):
    return list(DomainEvent.objects.filter(name=name).order_by("id"))


def test_set_profile_creates_it_and_records_the_values(workspace, salesperson, esa):
    mission = make_mission(workspace, salesperson)

    profile = services.set_mission_profile(deal=mission, actor=salesperson, agency=esa, **PROFILE)

    profile.refresh_from_db()
    assert (profile.agency, profile.programme, profile.expected_tender_year) == (
        esa,
        "Earth Explorer 10",
        2028,
    )
    assert (profile.expected_launch_year, profile.phase, profile.go_ahead_probability) == (2032, "B1", 60)
    (event,) = _events("mission.profile_set")
    assert (event.subject_type, event.subject_id, event.actor) == ("deal", mission.pk, salesperson)
    assert event.data["created"] is True
    assert event.data["changes"]["go_ahead_probability"] == [None, 60]
    assert event.data["changes"]["agency"] == [None, "European Space Agency"]
    assert event.data["agency_id"] == esa.pk


def test_saving_the_same_profile_again_records_nothing(workspace, salesperson, esa):
    mission = make_mission(workspace, salesperson)
    services.set_mission_profile(deal=mission, actor=salesperson, agency=esa, **PROFILE)

    services.set_mission_profile(deal=mission, actor=salesperson, agency=esa, **PROFILE)

    assert len(_events("mission.profile_set")) == 1


def test_changing_the_profile_records_only_what_changed(workspace, salesperson, esa):
    mission = make_mission(workspace, salesperson)
    services.set_mission_profile(deal=mission, actor=salesperson, agency=esa, **PROFILE)

    services.set_mission_profile(
        deal=mission, actor=salesperson, agency=esa, **{**PROFILE, "go_ahead_probability": 75}
    )

    assert MissionProfile.objects.get(deal=mission).go_ahead_probability == 75
    event = _events("mission.profile_set")[-1]
    assert event.data == {
        "created": False,
        "changes": {"go_ahead_probability": [60, 75]},
        "agency_id": esa.pk,
    }


def test_profile_defaults_to_an_even_go_ahead(workspace, salesperson):
    mission = make_mission(workspace, salesperson)

    profile = services.set_mission_profile(deal=mission, actor=salesperson)

    assert profile.go_ahead_probability == 50
    assert profile.expected_tender_year is None


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"expected_tender_year": 2030, "expected_launch_year": 2029}, "expected_launch_year"),
        ({"expected_tender_year": 1999}, "expected_tender_year"),
        ({"expected_launch_year": 2101}, "expected_launch_year"),
        ({"expected_tender_year": "soon"}, "expected_tender_year"),
        ({"go_ahead_probability": 101}, "go_ahead_probability"),
        ({"go_ahead_probability": -1}, "go_ahead_probability"),
        ({"go_ahead_probability": "50%"}, "go_ahead_probability"),
        ({"phase": "Z"}, "phase"),
        ({"programme": "x" * 121}, "programme"),
        ({"programme": "Earth\x00Explorer"}, "programme"),
    ],
)
def test_bad_profile_values_are_refused_by_field_and_nothing_is_written(
    workspace, salesperson, changes, field
):
    mission = make_mission(workspace, salesperson)

    with pytest.raises(ValidationFailed) as refused:
        services.set_mission_profile(deal=mission, actor=salesperson, **{**PROFILE, **changes})

    assert list(refused.value.fields) == [field]
    assert not MissionProfile.objects.exists()
    assert not _events("mission.profile_set")


def test_a_deleted_agency_is_refused(workspace, salesperson, esa):
    mission = make_mission(workspace, salesperson)
    esa.deleted_at = esa.created_at
    with pytest.raises(ValidationFailed) as refused:
        services.set_mission_profile(deal=mission, actor=salesperson, agency=esa)
    assert "agency" in refused.value.fields


def test_a_sales_deal_has_no_mission_profile(sales_pipeline, salesperson):
    deal = make_deal(pipeline=sales_pipeline, owner=salesperson)

    with pytest.raises(NotAMission):
        services.set_mission_profile(deal=deal, actor=salesperson, **PROFILE)
    assert not MissionProfile.objects.exists()


def test_someone_who_cannot_see_the_mission_cannot_set_its_profile(workspace, salesperson, other_salesperson):
    mission = make_mission(workspace, salesperson, visibility=Visibility.TEAM)

    with pytest.raises(PermissionDenied):
        services.set_mission_profile(deal=mission, actor=other_salesperson, **PROFILE)
    assert not MissionProfile.objects.exists()


def test_a_teammate_may_set_the_profile_of_a_team_mission(workspace, salesperson, teammate):
    mission = make_mission(workspace, salesperson, visibility=Visibility.TEAM)

    services.set_mission_profile(deal=mission, actor=teammate, **PROFILE)

    assert MissionProfile.objects.get(deal=mission).programme == "Earth Explorer 10"


def test_link_deal_counts_it_in_the_mission_and_records_an_event(workspace, sales_pipeline, salesperson):
    mission = make_mission(workspace, salesperson)
    deal = make_deal(pipeline=sales_pipeline, owner=salesperson, title="Hinge for CHIME")

    link = services.link_deal(mission=mission, deal=deal, actor=salesperson)

    assert (link.mission, link.deal, link.linked_by) == (mission, deal, salesperson)
    (event,) = _events("mission.deal_linked")
    assert (event.subject_id, event.data) == (
        mission.pk,
        {"deal_id": deal.pk, "deal_title": "Hinge for CHIME"},
    )


def test_a_mission_is_not_linked_to_itself_nor_to_another_mission(workspace, salesperson):
    mission = make_mission(workspace, salesperson)
    other = make_mission(workspace, salesperson)

    with pytest.raises(ValidationFailed):
        services.link_deal(mission=mission, deal=mission, actor=salesperson)
    with pytest.raises(ValidationFailed):
        services.link_deal(mission=mission, deal=other, actor=salesperson)
    assert not MissionLink.objects.exists()


def test_only_a_mission_takes_links(sales_pipeline, salesperson):
    a = make_deal(pipeline=sales_pipeline, owner=salesperson)
    b = make_deal(pipeline=sales_pipeline, owner=salesperson)

    with pytest.raises(NotAMission):
        services.link_deal(mission=a, deal=b, actor=salesperson)


def test_linking_twice_or_into_a_second_mission_is_refused(workspace, sales_pipeline, salesperson):
    mission = make_mission(workspace, salesperson)
    other = make_mission(workspace, salesperson)
    deal = make_deal(pipeline=sales_pipeline, owner=salesperson)
    services.link_deal(mission=mission, deal=deal, actor=salesperson)

    with pytest.raises(AlreadyInMission):
        services.link_deal(mission=mission, deal=deal, actor=salesperson)
    with pytest.raises(AlreadyInMission):
        services.link_deal(mission=other, deal=deal, actor=salesperson)
    assert MissionLink.objects.count() == 1
    assert len(_events("mission.deal_linked")) == 1


def test_a_deal_handed_off_from_a_mission_needs_no_link(workspace, salesperson):
    mission = make_mission(workspace, salesperson)
    other = make_mission(workspace, salesperson)
    handed = hand_off(mission)

    with pytest.raises(AlreadyInMission):
        services.link_deal(mission=mission, deal=handed, actor=salesperson)
    with pytest.raises(AlreadyInMission):
        services.link_deal(mission=other, deal=handed, actor=salesperson)
    assert not MissionLink.objects.exists()


def test_a_deleted_deal_is_not_linked(workspace, sales_pipeline, salesperson):
    mission = make_mission(workspace, salesperson)
    deal = delete(make_deal(pipeline=sales_pipeline, owner=salesperson))

    with pytest.raises(ValidationFailed):
        services.link_deal(mission=mission, deal=deal, actor=None)


def test_linking_needs_the_mission_and_the_deal_visible(
    workspace, sales_pipeline, salesperson, other_salesperson
):
    mission = make_mission(workspace, salesperson)
    private_mission = make_mission(workspace, salesperson, visibility=Visibility.OWNER)
    their_private_deal = make_deal(pipeline=sales_pipeline, owner=salesperson, visibility=Visibility.OWNER)
    own_deal = make_deal(pipeline=sales_pipeline, owner=other_salesperson)

    with pytest.raises(PermissionDenied):
        services.link_deal(mission=mission, deal=their_private_deal, actor=other_salesperson)
    with pytest.raises(PermissionDenied):
        services.link_deal(mission=private_mission, deal=own_deal, actor=other_salesperson)
    assert not MissionLink.objects.exists()


def test_unlink_deal_removes_the_link_and_records_an_event(workspace, sales_pipeline, salesperson):
    mission = make_mission(workspace, salesperson)
    deal = make_deal(pipeline=sales_pipeline, owner=salesperson)
    services.link_deal(mission=mission, deal=deal, actor=salesperson)

    services.unlink_deal(mission=mission, deal=deal, actor=salesperson)

    assert not MissionLink.objects.exists()
    (event,) = _events("mission.deal_unlinked")
    assert event.data["deal_id"] == deal.pk


def test_unlinking_a_deal_that_is_not_linked_is_not_found(workspace, salesperson):
    mission = make_mission(workspace, salesperson)
    handed = hand_off(mission)

    with pytest.raises(NotFound):
        services.unlink_deal(mission=mission, deal=handed, actor=salesperson)
    assert not _events("mission.deal_unlinked")


def test_unlinking_needs_the_mission_visible(workspace, sales_pipeline, salesperson, other_salesperson):
    mission = make_mission(workspace, salesperson, visibility=Visibility.TEAM)
    deal = make_deal(pipeline=sales_pipeline, owner=other_salesperson)
    services.link_deal(mission=mission, deal=deal, actor=None)

    with pytest.raises(PermissionDenied):
        services.unlink_deal(mission=mission, deal=deal, actor=other_salesperson)
    assert MissionLink.objects.count() == 1


def test_the_pipeline_named_missions_holds_missions_until_an_administrator_says_otherwise(workspace, admin):
    missions, rfi = workspace["Missions"], workspace["RFI"]
    assert is_mission_pipeline(missions) and not is_mission_pipeline(rfi)

    services.set_mission_pipeline(pipeline=rfi, holds_missions=True, actor=admin)
    services.set_mission_pipeline(pipeline=missions, holds_missions=False, actor=admin)

    assert is_mission_pipeline(rfi) and not is_mission_pipeline(missions)
    events = _events("mission.pipeline_changed")
    assert [(e.subject_type, e.subject_id, e.data) for e in events] == [
        ("pipeline", rfi.pk, {"holds_missions": [False, True]}),
        ("pipeline", missions.pk, {"holds_missions": [True, False]}),
    ]


def test_flagging_a_pipeline_makes_its_deals_missions(workspace, admin, salesperson):
    rfi_deal = make_deal(pipeline=workspace["RFI"], owner=salesperson)
    services.set_mission_pipeline(pipeline=workspace["RFI"], holds_missions=True, actor=admin)

    assert list(missions_visible_to(salesperson)) == [rfi_deal]
    services.set_mission_profile(deal=rfi_deal, actor=salesperson, go_ahead_probability=30)


def test_only_an_administrator_says_which_pipelines_hold_missions(workspace, manager):
    with pytest.raises(PermissionDenied):
        services.set_mission_pipeline(pipeline=workspace["Sales"], holds_missions=True, actor=manager)
    assert not is_mission_pipeline(workspace["Sales"])
    assert not _events("mission.pipeline_changed")
