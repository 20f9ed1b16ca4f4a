"""Who sees which deal (deals/queries.py), and that the services refuse the others.

Administrators see every deal; everyone sees their own and the deals shared with
everyone; a team deal is seen by the owner's team; a manager sees every deal of
their team. A deal one may see, one may edit.
"""

import pytest

from apogee.accounts.services import create_user
from apogee.core.errors import PermissionDenied
from apogee.core.models import DomainEvent
from apogee.deals.models import Deal, DealStatus, LostReason, StageChange, Visibility
from apogee.deals.queries import can_see_deal, deals_visible_to
from apogee.deals.services import (
    add_participant,
    hand_off_deal,
    mark_deal_lost,
    mark_deal_won,
    move_deal_to_stage,
    reopen_deal,
    update_deal,
)
from tests.contacts.factories import make_person
from tests.deals.factories import make_deal, stage

pytestmark = pytest.mark.django_db

VIEWERS = ["admin", "manager", "salesperson", "teammate", "other_salesperson"]

# Owned by `salesperson` (team Sales): who sees it, per visibility.
MATRIX = {
    Visibility.OWNER: {"admin", "manager", "salesperson"},
    Visibility.TEAM: {"admin", "manager", "salesperson", "teammate"},
    Visibility.EVERYONE: set(VIEWERS),
}


@pytest.fixture
def people(request, admin, manager, salesperson, teammate, other_salesperson):
    return {name: request.getfixturevalue(name) for name in VIEWERS}


@pytest.mark.parametrize("visibility", list(MATRIX))
@pytest.mark.parametrize("viewer", VIEWERS)
def test_visibility_matrix(sales_pipeline, people, visibility, viewer):
    deal = make_deal(pipeline=sales_pipeline, owner=people["salesperson"], visibility=visibility)

    sees = viewer in MATRIX[visibility]

    assert deals_visible_to(people[viewer]).filter(pk=deal.pk).exists() is sees
    assert can_see_deal(people[viewer], deal) is sees


def test_each_user_sees_exactly_their_deals(sales_pipeline, people):
    salesperson, teammate, outsider = people["salesperson"], people["teammate"], people["other_salesperson"]
    make_deal(pipeline=sales_pipeline, owner=salesperson, title="mine, private", visibility=Visibility.OWNER)
    make_deal(pipeline=sales_pipeline, owner=salesperson, title="mine, team", visibility=Visibility.TEAM)
    make_deal(pipeline=sales_pipeline, owner=teammate, title="teammate, private", visibility=Visibility.OWNER)
    make_deal(pipeline=sales_pipeline, owner=outsider, title="outsider, team", visibility=Visibility.TEAM)
    make_deal(pipeline=sales_pipeline, owner=outsider, title="outsider, everyone")

    def titles(user):
        return set(deals_visible_to(user).values_list("title", flat=True))

    assert titles(salesperson) == {"mine, private", "mine, team", "outsider, everyone"}
    assert titles(teammate) == {"mine, team", "teammate, private", "outsider, everyone"}
    assert titles(people["manager"]) == {
        "mine, private",
        "mine, team",
        "teammate, private",
        "outsider, everyone",
    }
    assert titles(outsider) == {"outsider, team", "outsider, everyone"}
    assert titles(people["admin"]) == {
        "mine, private",
        "mine, team",
        "teammate, private",
        "outsider, team",
        "outsider, everyone",
    }


def test_an_inactive_user_sees_nothing(sales_pipeline, salesperson):
    make_deal(pipeline=sales_pipeline, owner=salesperson)
    salesperson.is_active = False

    assert not deals_visible_to(salesperson).exists()


def test_a_user_without_a_team_sees_no_team_deals(sales_pipeline, salesperson, admin):
    loner = create_user(username="loner", email="loner@apogee.test", password="correct-horse-9", actor=admin)
    make_deal(pipeline=sales_pipeline, owner=salesperson, visibility=Visibility.TEAM)

    assert not deals_visible_to(loner).exists()


def _snapshot(deal):
    deal = Deal.objects.get(pk=deal.pk)
    return (deal.title, deal.stage_id, deal.status, deal.version, deal.custom_values)


@pytest.mark.parametrize(
    "act",
    [
        "update",
        "move",
        "won",
        "lost",
        "participant",
    ],
)
@pytest.mark.parametrize("intruder", ["teammate", "other_salesperson"])
def test_someone_who_cannot_see_a_deal_cannot_change_it(request, sales_pipeline, salesperson, act, intruder):
    actor = request.getfixturevalue(intruder)
    deal = make_deal(pipeline=sales_pipeline, owner=salesperson, visibility=Visibility.OWNER)
    reason = LostReason.objects.first()
    person = make_person("Anke de Vries")
    before = _snapshot(deal)
    events_before = DomainEvent.objects.count()
    attempts = {
        "update": lambda: update_deal(deal=deal, actor=actor, changes={"title": "Mine now"}),
        "move": lambda: move_deal_to_stage(
            deal=deal, stage=stage(sales_pipeline, "Opportunity identified"), actor=actor
        ),
        "won": lambda: mark_deal_won(deal=deal, actor=actor),
        "lost": lambda: mark_deal_lost(deal=deal, actor=actor, reason=reason),
        "participant": lambda: add_participant(deal=deal, person=person, role="other", actor=actor),
    }

    with pytest.raises(PermissionDenied):
        attempts[act]()

    assert _snapshot(deal) == before
    assert StageChange.objects.filter(deal=deal).count() == 1
    assert not deal.participants.exists()
    assert DomainEvent.objects.count() == events_before


def test_someone_who_cannot_see_a_closed_deal_cannot_reopen_it(
    sales_pipeline, salesperson, other_salesperson
):
    deal = make_deal(pipeline=sales_pipeline, owner=salesperson, visibility=Visibility.TEAM)
    mark_deal_won(deal=deal, actor=salesperson)
    events_before = DomainEvent.objects.count()

    with pytest.raises(PermissionDenied):
        reopen_deal(deal=deal, actor=other_salesperson)

    assert Deal.objects.get(pk=deal.pk).status == DealStatus.WON
    assert DomainEvent.objects.count() == events_before


def test_someone_who_cannot_see_a_deal_cannot_hand_it_off(workspace, salesperson, other_salesperson):
    missions = workspace["Missions"]
    deal = make_deal(
        pipeline=missions,
        owner=salesperson,
        stage=stage(missions, "Opportunity identified"),
        visibility=Visibility.OWNER,
    )

    with pytest.raises(PermissionDenied):
        hand_off_deal(deal=deal, actor=other_salesperson)

    assert Deal.objects.count() == 1


@pytest.mark.parametrize("editor", ["teammate", "manager", "admin"])
def test_whoever_sees_a_deal_may_edit_it(request, sales_pipeline, salesperson, editor):
    actor = request.getfixturevalue(editor)
    deal = make_deal(pipeline=sales_pipeline, owner=salesperson, visibility=Visibility.TEAM)

    update_deal(deal=deal, actor=actor, changes={"title": "Renamed"})

    assert Deal.objects.get(pk=deal.pk).title == "Renamed"


def test_a_member_who_is_not_the_owner_cannot_reassign(sales_pipeline, salesperson, teammate, manager):
    deal = make_deal(pipeline=sales_pipeline, owner=salesperson, visibility=Visibility.TEAM)

    with pytest.raises(PermissionDenied):
        update_deal(deal=deal, actor=teammate, changes={"owner": teammate})

    assert Deal.objects.get(pk=deal.pk).owner == salesperson
    update_deal(deal=deal, actor=manager, changes={"owner": teammate})
    assert Deal.objects.get(pk=deal.pk).owner == teammate
