"""Roll-ups from the database: which deals count, for whom, and at what cost in queries."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apogee.deals.models import Visibility
from apogee.missions.queries import by_tender_year, mission_detail, mission_rows, missions_of, roll_ups_for
from apogee.missions.services import link_deal
from tests.deals.factories import make_deal

from .factories import delete, hand_off, lose, make_mission, to_stage, win

TODAY = date(2026, 6, 1)


def _roll(user, mission):
    return roll_ups_for(user, [mission], on=TODAY)[mission.pk]


def test_handed_off_and_linked_deals_roll_up_with_the_go_ahead_probability(
    workspace, sales_pipeline, salesperson
):
    mission = make_mission(workspace, salesperson, value=999, profile={"go_ahead_probability": 40})
    handed = hand_off(
        mission, value=Decimal("100000"), custom_values={"opportunity_type": "esa", "offer_type": "firm"}
    )  # Sales "First contact": 10 %
    to_stage(handed, "Proposal preparation")  # 50 %
    linked = make_deal(pipeline=sales_pipeline, owner=salesperson, value=200000, currency="EUR")
    link_deal(mission=mission, deal=linked, actor=None)  # EUR 200000 × 0.93 = CHF 186000, First contact 10 %
    won = hand_off(mission, value=Decimal("30000"))
    win(won)
    lost = hand_off(mission, value=Decimal("5000000"))
    lose(lost)

    result = _roll(salesperson, mission)

    assert (result.open_count, result.won_count, result.lost_count) == (2, 1, 1)
    assert result.total_value == Decimal(
        "316000.00"
    )  # 100000 + 186000 + 30000; the mission's own 999 is not in it
    # 100000 × 50% × 40% + 186000 × 10% × 40% + 30000 (won, certain)
    assert result.expected_value == Decimal("57440.00")


def test_deals_handed_off_from_a_member_count_at_any_depth(workspace, sales_pipeline, salesperson):
    mission = make_mission(workspace, salesperson, profile={"go_ahead_probability": 100})
    rfi_pipeline = workspace["RFI"]
    rfi = make_deal(pipeline=rfi_pipeline, owner=salesperson, value=1000, stage=rfi_pipeline.stages.last())
    link_deal(mission=mission, deal=rfi, actor=None)
    from_rfi = hand_off(rfi, value=Decimal("2000"))
    child = hand_off(mission, value=Decimal("4000"))
    grandchild = make_deal(pipeline=sales_pipeline, owner=salesperson, value=8000, origin_deal=child)
    make_deal(pipeline=sales_pipeline, owner=salesperson, value=16000, origin_deal=grandchild)

    result = _roll(salesperson, mission)

    assert result.open_count == 5
    assert result.total_value == Decimal("31000.00")
    assert {d.deal.pk for d in mission_detail(salesperson, mission).members} >= {from_rfi.pk, child.pk}


def test_a_private_deal_of_another_team_is_neither_counted_nor_shown(
    workspace, sales_pipeline, salesperson, other_salesperson, admin
):
    mission = make_mission(workspace, salesperson, profile={"go_ahead_probability": 100})
    visible = make_deal(pipeline=sales_pipeline, owner=other_salesperson, value=1000)
    private = make_deal(pipeline=sales_pipeline, owner=salesperson, value=50000, visibility=Visibility.OWNER)
    link_deal(mission=mission, deal=visible, actor=None)
    link_deal(mission=mission, deal=private, actor=None)

    theirs = _roll(other_salesperson, mission)
    detail = mission_detail(other_salesperson, mission)

    assert (theirs.count, theirs.total_value) == (1, Decimal("1000.00"))
    assert [row.deal.pk for row in detail.members] == [visible.pk]
    assert _roll(salesperson, mission).total_value == Decimal("51000.00")
    assert _roll(admin, mission).count == 2


def test_a_private_deal_in_the_middle_of_the_chain_still_connects_its_hand_offs(
    workspace, sales_pipeline, salesperson, other_salesperson
):
    mission = make_mission(workspace, salesperson, profile={"go_ahead_probability": 100})
    hidden = make_deal(
        pipeline=sales_pipeline, owner=salesperson, value=7, visibility=Visibility.OWNER, origin_deal=mission
    )
    make_deal(pipeline=sales_pipeline, owner=other_salesperson, value=300, origin_deal=hidden)

    assert _roll(other_salesperson, mission).total_value == Decimal("300.00")


def test_deleted_deals_and_mission_deals_are_not_counted(workspace, sales_pipeline, salesperson):
    mission = make_mission(workspace, salesperson)
    gone = hand_off(mission)
    delete(gone)
    another_mission = make_deal(pipeline=workspace["Missions"], owner=salesperson, origin_deal=mission)

    result = _roll(salesperson, mission)

    assert result.count == 0
    assert another_mission.pk not in {row.deal.pk for row in mission_detail(salesperson, mission).members}


def test_without_a_profile_the_go_ahead_is_even(workspace, salesperson):
    mission = make_mission(workspace, salesperson)
    hand_off(mission, value=Decimal("1000"))  # 10 %

    assert _roll(salesperson, mission).expected_value == Decimal("50.00")


def test_a_sales_deal_knows_the_missions_it_is_part_of_when_they_are_visible(
    workspace, sales_pipeline, salesperson, other_salesperson
):
    mission = make_mission(workspace, salesperson, title="CHIME")
    secret = make_mission(workspace, salesperson, title="Secret", visibility=Visibility.OWNER)
    handed = hand_off(mission)
    grandchild = make_deal(pipeline=sales_pipeline, owner=other_salesperson, origin_deal=handed)
    linked = make_deal(pipeline=sales_pipeline, owner=other_salesperson)
    link_deal(mission=secret, deal=linked, actor=None)

    assert missions_of(salesperson, handed) == [mission]
    assert missions_of(other_salesperson, grandchild) == [mission]
    assert missions_of(salesperson, linked) == [secret]
    assert missions_of(other_salesperson, linked) == []
    assert missions_of(salesperson, mission) == []


def test_missions_list_by_tender_year_within_the_horizon(workspace, salesperson):
    def mission(title, tender, **extra):
        profile = {"expected_tender_year": tender} if tender else {}
        return make_mission(workspace, salesperson, title=title, profile=profile, **extra)

    later = mission("Harmony", 2029)
    soon = mission("CHIME", 2027)
    undated = mission("Newcomer", None)
    no_profile = make_mission(workspace, salesperson, title="Bare")
    too_far = mission("LISA", 2034)
    past = mission("Old", 2024)
    closed = mission("Cancelled", 2027)
    lose(closed)

    default = mission_rows(salesperson, today=TODAY)
    everything = mission_rows(salesperson, today=TODAY, horizon_years=None, include_closed=True)

    assert [r.mission for r in default] == [soon, later, no_profile, undated]
    assert [r.mission.title for r in everything] == [
        "Old",
        "CHIME",
        "Cancelled",
        "Harmony",
        "LISA",
        "Bare",
        "Newcomer",
    ]
    groups = by_tender_year(default)
    assert [(g.year, [r.mission.pk for r in g.rows]) for g in groups] == [
        (2027, [soon.pk]),
        (2029, [later.pk]),
        (None, [no_profile.pk, undated.pk]),
    ]
    assert too_far.pk and past.pk


def test_year_subtotals_add_the_missions_roll_ups(workspace, salesperson):
    a = make_mission(
        workspace, salesperson, profile={"expected_tender_year": 2027, "go_ahead_probability": 100}
    )
    b = make_mission(
        workspace, salesperson, profile={"expected_tender_year": 2027, "go_ahead_probability": 50}
    )
    hand_off(a, value=Decimal("1000"))
    hand_off(b, value=Decimal("3000"))

    (group,) = by_tender_year(mission_rows(salesperson, today=TODAY))

    assert group.subtotal.total_value == Decimal("4000.00")
    assert group.subtotal.expected_value == Decimal("250.00")  # 1000 × 10% + 3000 × 10% × 50%


def test_a_mission_the_user_may_not_see_is_not_listed(workspace, salesperson, other_salesperson):
    make_mission(workspace, salesperson, visibility=Visibility.OWNER)

    assert mission_rows(other_salesperson, today=TODAY) == []
    assert len(mission_rows(salesperson, today=TODAY)) == 1


def _queries_for_list(user):
    with CaptureQueriesContext(connection) as captured:
        rows = mission_rows(user, today=TODAY, horizon_years=None)
        [r.profile and r.profile.agency for r in rows]
    return len(captured.captured_queries), len(rows)


@pytest.mark.parametrize("missions", [2, 6])
def test_the_list_costs_the_same_queries_whatever_the_number_of_missions(
    workspace, sales_pipeline, salesperson, missions
):
    from apogee.contacts.services import create_organization

    esa = create_organization(actor=None, name="ESA", roles=["agency"])
    for index in range(missions):
        mission = make_mission(
            workspace, salesperson, profile={"agency": esa, "expected_tender_year": 2027 + index % 3}
        )
        handed = hand_off(mission)
        make_deal(pipeline=sales_pipeline, owner=salesperson, origin_deal=handed)
        link_deal(mission=mission, deal=make_deal(pipeline=sales_pipeline, owner=salesperson), actor=None)

    count, rows = _queries_for_list(salesperson)

    assert rows == missions
    # The missions, their members (one recursive query), the visible members, the exchange rates.
    assert count == 4
