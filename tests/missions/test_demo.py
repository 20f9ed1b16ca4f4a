"""The missions part of the demo: profiles for the Missions deals, roll-ups on at least two, idempotent."""

from datetime import UTC, date, datetime

from apogee.contacts.services import create_organization
from apogee.core.models import DomainEvent
from apogee.missions import demo
from apogee.missions.models import MissionLink, MissionProfile
from apogee.missions.queries import mission_rows
from tests.deals.factories import make_deal

from .factories import hand_off, make_mission

NOW = datetime(2026, 6, 1, tzinfo=UTC)


def test_seed_profiles_the_missions_and_links_their_deals_once(workspace, sales_pipeline, admin, salesperson):
    esa = create_organization(actor=None, name="European Space Agency", roles=["agency"])
    chime = make_mission(workspace, salesperson, title="CHIME — hinge opportunities")
    harmony = make_mission(workspace, salesperson, title="Harmony — drive opportunities")
    unknown = make_mission(workspace, salesperson, title="Something else")
    hand_off(chime)
    about_harmony = make_deal(
        pipeline=sales_pipeline, owner=salesperson, custom_values={"mission": "Harmony"}
    )
    make_deal(pipeline=sales_pipeline, owner=salesperson, custom_values={"mission": "TRUTHS"})

    demo.seed(users={"sophie": admin, "lea": salesperson}, now=NOW)
    events = DomainEvent.objects.count()
    demo.seed(users={"sophie": admin, "lea": salesperson}, now=NOW)

    chime_profile = MissionProfile.objects.get(deal=chime)
    assert (chime_profile.agency, chime_profile.programme, chime_profile.expected_tender_year) == (
        esa,
        "Copernicus Expansion",
        2027,
    )
    assert MissionProfile.objects.get(deal=harmony).expected_tender_year == 2029
    assert not MissionProfile.objects.filter(deal=unknown).exists()
    assert [(link.mission, link.deal) for link in MissionLink.objects.all()] == [(harmony, about_harmony)]
    rolled_up = [r for r in mission_rows(admin, today=date(2026, 6, 1)) if r.roll_up.count]
    assert len(rolled_up) == 2
    assert DomainEvent.objects.count() == events
