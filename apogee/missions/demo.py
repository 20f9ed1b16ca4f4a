"""The missions part of the demo workspace: a profile for each Missions deal, and deals linked to them.

Called by apogee.workspace.demo after the deals exist. The Missions deals are named
after real ESA missions ("CHIME — … opportunities"); each gets a believable profile
(ESA, the programme, tender and launch years counted from today, phase, go-ahead).
Sales and RFI deals about the same mission that were not handed off from it are linked
to it, up to three per mission, so several missions show a roll-up. Running it again
changes nothing: existing profiles and links are kept.
"""

from datetime import datetime

from apogee.accounts.models import User
from apogee.contacts.models import Organization
from apogee.deals.models import Deal

from . import services
from .models import MissionLink, MissionProfile, Phase
from .queries import mission_ids_of, missions_visible_to

# mission: programme, tender year (from now), launch year (from now), phase, go-ahead %
PROFILES = {
    "CHIME": ("Copernicus Expansion", 1, 4, Phase.B2, 85),
    "CO2M": ("Copernicus Expansion", 1, 3, Phase.CD, 90),
    "CIMR": ("Copernicus Expansion", 1, 4, Phase.B2, 80),
    "ROSE-L": ("Copernicus Expansion", 2, 5, Phase.B2, 70),
    "LSTM": ("Copernicus Expansion", 2, 5, Phase.B1, 75),
    "FORUM": ("Earth Explorer 9", 2, 4, Phase.B2, 80),
    "Harmony": ("Earth Explorer 10", 3, 6, Phase.B1, 60),
    "TRUTHS": ("Earth Watch", 4, 7, Phase.A, 45),
    "LISA": ("Science Programme, L-class", 4, 9, Phase.B1, 65),
}
LINKS_PER_MISSION = 3


def _mission_name(deal: Deal) -> str | None:
    name = deal.custom_values.get("mission") or deal.title.split(" — ")[0]
    return name if name in PROFILES else None


def seed(*, users: dict[str, User], now: datetime) -> None:
    esa = Organization.objects.filter(name="European Space Agency", deleted_at__isnull=True).first()
    admin = next((u for u in users.values() if u.is_workspace_admin), None)
    if admin is None:
        return
    missions = list(missions_visible_to(admin).order_by("pk"))
    for mission in missions:
        name = _mission_name(mission)
        if name is None or MissionProfile.objects.filter(deal=mission).exists():
            continue
        programme, tender, launch, phase, go_ahead = PROFILES[name]
        services.set_mission_profile(
            deal=mission,
            actor=None,
            agency=esa,
            programme=programme,
            expected_tender_year=now.year + tender,
            expected_launch_year=now.year + launch,
            phase=phase,
            go_ahead_probability=go_ahead,
        )
    _seed_links(missions)


def _seed_links(missions: list[Deal]) -> None:
    candidates = list(
        Deal.objects.filter(
            deleted_at__isnull=True, pipeline__name__in=["Sales", "RFI"], origin_deal__isnull=True
        )
        .exclude(pk__in=MissionLink.objects.values("deal_id"))
        .order_by("pk")
    )
    for mission in missions:
        name = _mission_name(mission)
        if name is None or MissionLink.objects.filter(mission=mission).exists():
            continue
        linked = 0
        for deal in candidates:
            if linked == LINKS_PER_MISSION:
                break
            if deal.custom_values.get("mission") != name or mission_ids_of(deal):
                continue
            services.link_deal(mission=mission, deal=deal, actor=None)
            linked += 1
