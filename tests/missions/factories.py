"""Missions for tests: mission deals, their hand-offs into Sales, closed deals — all through services."""

from apogee.deals.models import LostReason
from apogee.deals.services import (
    delete_deal,
    hand_off_deal,
    mark_deal_lost,
    mark_deal_won,
    move_deal_to_stage,
    update_deal,
)
from apogee.missions.services import set_mission_profile
from tests.deals.factories import make_deal, stage


def make_mission(workspace, owner, *, profile: dict | None = None, at_last_stage=True, **extra):
    """A deal of the Missions pipeline (at its last stage, ready to hand off), with an optional profile."""
    pipeline = workspace["Missions"]
    last = pipeline.stages.order_by("-position").first() if at_last_stage else None
    mission = make_deal(pipeline=pipeline, owner=owner, stage=last, **extra)
    if profile is not None:
        set_mission_profile(deal=mission, actor=None, **profile)
    return mission


def hand_off(mission, **changes):
    """The Sales deal created by handing the mission off (same value and currency unless changed)."""
    deal = hand_off_deal(deal=mission, actor=None)
    if changes:
        deal = update_deal(deal=deal, actor=None, changes=changes)
    return deal


def to_stage(deal, name):
    return move_deal_to_stage(deal=deal, stage=stage(deal.pipeline, name), actor=None)


def win(deal):
    return mark_deal_won(deal=deal, actor=None)


def lose(deal):
    return mark_deal_lost(deal=deal, actor=None, reason=LostReason.objects.first())


def delete(deal):
    return delete_deal(deal=deal, actor=None)
