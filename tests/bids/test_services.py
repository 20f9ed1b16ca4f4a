"""Recording bid / no-bid decisions: scores, totals, snapshots, no-bid closing the deal, approval."""

from decimal import Decimal

import pytest

from apogee.bids import services
from apogee.bids.models import BidDecision
from apogee.core.errors import PermissionDenied, ValidationFailed
from apogee.core.models import DomainEvent
from apogee.deals.errors import DealClosed
from apogee.deals.models import Deal, LostReason
from apogee.deals.services import mark_deal_won, reopen_deal, save_lost_reason
from apogee.notifications.models import Notification
from tests.bids.conftest import scores
from tests.deals.factories import make_deal

pytestmark = pytest.mark.django_db


def _record(deal, actor, criteria, decision="bid", values=(4,), rationale="Heritage from the breadboard."):
    return services.record_decision(
        deal=deal, actor=actor, decision=decision, scores=scores(criteria, *values), rationale=rationale
    )


def test_a_decision_without_approval_is_final_with_its_weighted_total(criteria, evaluated_deal, salesperson):
    decision = _record(evaluated_deal, salesperson, criteria, values=(5, 4, 3))

    assert decision.status == "final"
    assert decision.decision == "bid"
    # (5×3 + 4×2 + 3×1) / (5 × 6) = 26/30
    assert decision.total == Decimal("86.7")
    assert decision.proposed_by == salesperson and decision.decided_by == salesperson
    assert decision.decided_at == decision.proposed_at
    assert decision.scores == [
        {
            "criterion": criteria[0].pk,
            "label_en": "Strategic fit",
            "label_fr": "Adéquation stratégique",
            "weight": 3,
            "score": 5,
        },
        {
            "criterion": criteria[1].pk,
            "label_en": "Technical capability",
            "label_fr": "",
            "weight": 2,
            "score": 4,
        },
        {"criterion": criteria[2].pk, "label_en": "Margin", "label_fr": "Marge", "weight": 1, "score": 3},
    ]
    event = DomainEvent.objects.get(name="bid_decision.recorded")
    assert event.subject_id == decision.pk and event.actor == salesperson
    assert event.data["deal"] == evaluated_deal.pk and event.data["total"] == "86.7"


def test_totals_run_from_0_to_100(criteria, evaluated_deal, salesperson):
    assert _record(evaluated_deal, salesperson, criteria, values=(0,)).total == Decimal("0.0")
    assert _record(evaluated_deal, salesperson, criteria, values=(5,)).total == Decimal("100.0")


def test_without_criteria_a_decision_has_no_total(evaluated_deal, salesperson):
    decision = services.record_decision(
        deal=evaluated_deal, actor=salesperson, decision="bid", scores={}, rationale="Obvious fit."
    )
    assert decision.scores == [] and decision.total is None


def test_editing_or_archiving_a_criterion_leaves_past_decisions_unchanged(
    criteria, evaluated_deal, salesperson, admin
):
    decision = _record(evaluated_deal, salesperson, criteria, values=(5, 4, 3))
    services.save_criterion(actor=admin, criterion=criteria[0], label_en="Fit with strategy", weight=10)
    services.save_criterion(actor=admin, criterion=criteria[2], label_en="Margin", weight=1, is_archived=True)

    stored = BidDecision.objects.get(pk=decision.pk)
    assert [(r["label_en"], r["weight"], r["score"]) for r in stored.scores] == [
        ("Strategic fit", 3, 5),
        ("Technical capability", 2, 4),
        ("Margin", 1, 3),
    ]
    assert stored.total == Decimal("86.7")
    # New decisions are scored on the active criteria as they are now.
    later = services.record_decision(
        deal=evaluated_deal,
        actor=salesperson,
        decision="bid",
        scores={criteria[0].pk: 5, criteria[1].pk: 0},
        rationale="Rescored.",
    )
    assert [(r["label_en"], r["weight"]) for r in later.scores] == [
        ("Fit with strategy", 10),
        ("Technical capability", 2),
    ]
    assert later.total == Decimal("83.3")


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("missing", "Score this criterion."),
        (6, "Give a score from 0 to 5."),
        (-1, "Give a score from 0 to 5."),
        ("high", "Enter a whole number."),
        (2.5, "Enter a whole number."),
        (True, "Enter a whole number."),
    ],
)
def test_a_bad_score_is_reported_on_its_criterion_and_nothing_is_written(
    criteria, evaluated_deal, salesperson, given, expected
):
    values = scores(criteria, 3)
    if given == "missing":
        del values[criteria[1].pk]
    else:
        values[criteria[1].pk] = given
    with pytest.raises(ValidationFailed) as error:
        services.record_decision(
            deal=evaluated_deal, actor=salesperson, decision="bid", scores=values, rationale="Why not."
        )
    assert error.value.fields == {f"scores.{criteria[1].pk}": [expected]}
    assert not BidDecision.objects.exists()
    assert not DomainEvent.objects.filter(name__startswith="bid_decision").exists()


def test_every_fault_is_reported_at_once(criteria, evaluated_deal, salesperson):
    with pytest.raises(ValidationFailed) as error:
        services.record_decision(
            deal=evaluated_deal,
            actor=salesperson,
            decision="maybe",
            scores={criteria[0].pk: 9, 999999: 3},
            rationale="   ",
        )
    assert error.value.fields == {
        "decision": ["Choose bid or no-bid."],
        "scores.999999": ["No such criterion, or it is archived."],
        f"scores.{criteria[0].pk}": ["Give a score from 0 to 5."],
        f"scores.{criteria[1].pk}": ["Score this criterion."],
        f"scores.{criteria[2].pk}": ["Score this criterion."],
        "rationale": ["This field is required."],
    }
    assert not BidDecision.objects.exists()


def test_scores_that_are_not_a_mapping_are_refused(criteria, evaluated_deal, salesperson):
    with pytest.raises(ValidationFailed) as error:
        services.record_decision(
            deal=evaluated_deal, actor=salesperson, decision="bid", scores=[1, 2, 3], rationale="List."
        )
    assert error.value.fields == {"scores": ["Give one score per criterion."]}


def test_a_long_rationale_is_refused(criteria, evaluated_deal, salesperson):
    with pytest.raises(ValidationFailed) as error:
        _record(evaluated_deal, salesperson, criteria, rationale="x" * 5001)
    assert error.value.fields == {"rationale": ["At most 5000 characters."]}


def test_every_decision_is_kept_and_the_latest_counts(criteria, evaluated_deal, salesperson):
    from apogee.bids.queries import binding_decision, decisions_on

    first = _record(evaluated_deal, salesperson, criteria, values=(2,))
    second = _record(evaluated_deal, salesperson, criteria, values=(4,))
    assert [d.pk for d in decisions_on(evaluated_deal)] == [second.pk, first.pk]
    assert binding_decision(evaluated_deal) == second


# No-bid ------------------------------------------------------------------------------------------


def test_a_no_bid_closes_the_deal_as_lost_with_reason_no_bid_and_keeps_the_scores(
    criteria, evaluated_deal, salesperson
):
    decision = _record(
        evaluated_deal,
        salesperson,
        criteria,
        decision="no_bid",
        values=(1, 2, 0),
        rationale="Team fully booked.",
    )

    deal = Deal.objects.get(pk=evaluated_deal.pk)
    assert deal.status == "lost"
    # The demo's "No-bid decision" reason is the one used; no second reason is made.
    assert deal.lost_reason.label == "No-bid decision"
    assert LostReason.objects.filter(label__istartswith="no-bid").count() == 1
    assert deal.lost_note == "Team fully booked."
    stored = BidDecision.objects.get(pk=decision.pk)
    assert stored.status == "final" and stored.decision == "no_bid"
    assert [r["score"] for r in stored.scores] == [1, 2, 0]
    assert stored.total == Decimal("23.3")
    lost = DomainEvent.objects.get(name="deal.lost", subject_id=deal.pk)
    assert lost.actor == salesperson and lost.data["reason_label"] == "No-bid decision"


def test_a_no_bid_creates_the_no_bid_reason_when_the_workspace_has_none(
    criteria, sales_pipeline, salesperson, admin
):
    LostReason.objects.filter(label__istartswith="no-bid").update(label="Declined")
    deal = make_deal(pipeline=sales_pipeline, owner=salesperson)

    _record(deal, salesperson, criteria, decision="no_bid")

    assert Deal.objects.get(pk=deal.pk).lost_reason.label == "No-bid"


def test_a_no_bid_restores_an_archived_no_bid_reason(criteria, sales_pipeline, salesperson, admin):
    reason = LostReason.objects.get(label="No-bid decision")
    save_lost_reason(actor=admin, reason=reason, label=reason.label, is_archived=True)
    deal = make_deal(pipeline=sales_pipeline, owner=salesperson)

    _record(deal, salesperson, criteria, decision="no_bid")

    reason.refresh_from_db()
    assert not reason.is_archived
    assert Deal.objects.get(pk=deal.pk).lost_reason == reason


def test_deciding_on_a_closed_deal_is_refused(criteria, evaluated_deal, salesperson):
    mark_deal_won(deal=evaluated_deal, actor=salesperson)
    with pytest.raises(DealClosed):
        _record(evaluated_deal, salesperson, criteria)
    assert not BidDecision.objects.exists()


def test_after_a_no_bid_the_deal_can_be_reopened_and_decided_again(criteria, evaluated_deal, salesperson):
    _record(evaluated_deal, salesperson, criteria, decision="no_bid")
    reopen_deal(deal=evaluated_deal, actor=salesperson)

    decision = _record(evaluated_deal, salesperson, criteria, decision="bid")

    assert decision.status == "final"
    assert Deal.objects.get(pk=evaluated_deal.pk).status == "open"
    assert BidDecision.objects.filter(deal=evaluated_deal).count() == 2


# Permissions -------------------------------------------------------------------------------------


def test_someone_who_may_not_see_the_deal_cannot_decide(
    criteria, sales_pipeline, salesperson, other_salesperson
):
    deal = make_deal(pipeline=sales_pipeline, owner=salesperson, visibility="owner")
    with pytest.raises(PermissionDenied):
        _record(deal, other_salesperson, criteria)
    assert not BidDecision.objects.exists()


def test_a_decision_is_recorded_in_ones_own_name(criteria, evaluated_deal, salesperson, teammate):
    with pytest.raises(PermissionDenied):
        services.record_decision(
            deal=evaluated_deal,
            actor=salesperson,
            proposed_by=teammate,
            decision="bid",
            scores=scores(criteria, 3),
            rationale="On behalf.",
        )


# Approval ----------------------------------------------------------------------------------------


def test_with_approval_required_a_members_decision_is_proposed_and_the_teams_manager_notified(
    approval, criteria, evaluated_deal, salesperson, manager, teammate, admin
):
    decision = _record(evaluated_deal, salesperson, criteria)

    assert decision.status == "proposed"
    assert decision.decided_by is None and decision.decided_at is None
    notes = list(Notification.objects.all())
    assert [(n.user, n.url) for n in notes] == [(manager, f"/deals/{evaluated_deal.pk}/")]
    assert notes[0].text == (
        "Salesperson Test proposes to bid on “Hold-down mechanism for CHIME”: approve or reject it."
    )
    # Nothing happens to the deal until approval, even for a no-bid.
    assert Deal.objects.get(pk=evaluated_deal.pk).status == "open"


def test_without_a_manager_in_the_team_the_administrators_are_asked(
    approval, criteria, evaluated_deal, salesperson, admin
):
    _record(evaluated_deal, salesperson, criteria)
    assert [n.user for n in Notification.objects.all()] == [admin]


def test_a_manager_or_an_administrator_decides_directly(approval, criteria, evaluated_deal, manager, admin):
    assert _record(evaluated_deal, manager, criteria).status == "final"
    assert _record(evaluated_deal, admin, criteria).status == "final"
    assert not Notification.objects.exists()


def test_a_manager_of_another_team_only_proposes(approval, criteria, sales_pipeline, salesperson, other_team):
    from apogee.accounts.models import Role
    from apogee.accounts.services import create_user

    foreign_manager = create_user(
        username="foreign",
        email="f@apogee.test",
        password="x-123-long-pass",
        actor=None,
        role=Role.MANAGER,
        team=other_team,
    )
    deal = make_deal(pipeline=sales_pipeline, owner=salesperson)
    assert _record(deal, foreign_manager, criteria).status == "proposed"


def test_the_manager_approves_and_the_proposer_is_notified(
    approval, criteria, evaluated_deal, salesperson, manager
):
    proposal = _record(evaluated_deal, salesperson, criteria)

    approved = services.approve_decision(decision=proposal, actor=manager, note="Go.")

    assert approved.status == "approved"
    assert approved.decided_by == manager and approved.decided_at is not None
    assert approved.review_note == "Go."
    told = Notification.objects.get(user=salesperson)
    assert told.text == "Manager Test approved your decision to bid on “Hold-down mechanism for CHIME”."
    assert told.url == f"/deals/{evaluated_deal.pk}/"
    assert DomainEvent.objects.filter(
        name="bid_decision.approved", subject_id=proposal.pk, actor=manager
    ).exists()


def test_an_approved_no_bid_closes_the_deal_as_lost(approval, criteria, evaluated_deal, salesperson, manager):
    proposal = _record(evaluated_deal, salesperson, criteria, decision="no_bid", values=(1,))
    assert Deal.objects.get(pk=evaluated_deal.pk).status == "open"

    services.approve_decision(decision=proposal, actor=manager)

    deal = Deal.objects.get(pk=evaluated_deal.pk)
    assert deal.status == "lost" and deal.lost_reason.label == "No-bid decision"
    assert [r["score"] for r in BidDecision.objects.get(pk=proposal.pk).scores] == [1, 1, 1]


def test_the_manager_rejects_with_a_note_and_the_proposer_is_notified(
    approval, criteria, evaluated_deal, salesperson, manager
):
    proposal = _record(evaluated_deal, salesperson, criteria)

    rejected = services.reject_decision(decision=proposal, actor=manager, note="Nobody free before June.")

    assert rejected.status == "rejected" and rejected.decided_by == manager
    told = Notification.objects.get(user=salesperson)
    assert told.text == (
        "Manager Test rejected your decision to bid on “Hold-down mechanism for CHIME”. "
        "Nobody free before June."
    )


@pytest.mark.parametrize("reviewer", ["salesperson", "teammate", "other_salesperson"])
def test_only_a_manager_of_the_team_or_an_administrator_reviews(
    approval, criteria, evaluated_deal, salesperson, request, reviewer
):
    proposal = _record(evaluated_deal, salesperson, criteria)
    who = request.getfixturevalue(reviewer)
    for review in (services.approve_decision, services.reject_decision):
        with pytest.raises(PermissionDenied):
            review(decision=proposal, actor=who)
    assert BidDecision.objects.get(pk=proposal.pk).status == "proposed"


def test_an_administrator_may_approve(approval, criteria, evaluated_deal, salesperson, admin):
    proposal = _record(evaluated_deal, salesperson, criteria)
    assert services.approve_decision(decision=proposal, actor=admin).status == "approved"


def test_only_a_pending_proposal_is_reviewed(approval, criteria, evaluated_deal, salesperson, manager):
    proposal = _record(evaluated_deal, salesperson, criteria)
    services.reject_decision(decision=proposal, actor=manager)
    with pytest.raises(ValidationFailed) as error:
        services.approve_decision(decision=proposal, actor=manager)
    assert error.value.fields == {"status": ["It is “Rejected” already."]}
    assert BidDecision.objects.get(pk=proposal.pk).status == "rejected"


def test_a_new_decision_supersedes_a_pending_proposal(
    approval, criteria, evaluated_deal, salesperson, manager
):
    proposal = _record(evaluated_deal, salesperson, criteria, values=(2,))
    direct = _record(evaluated_deal, manager, criteria, values=(4,))

    assert BidDecision.objects.get(pk=proposal.pk).status == "superseded"
    assert direct.status == "final"
    assert DomainEvent.objects.filter(name="bid_decision.superseded", subject_id=proposal.pk).exists()
    with pytest.raises(ValidationFailed):
        services.approve_decision(decision=proposal, actor=manager)


def test_approving_a_no_bid_on_a_deal_closed_meanwhile_is_refused(
    approval, criteria, evaluated_deal, salesperson, manager
):
    proposal = _record(evaluated_deal, salesperson, criteria, decision="no_bid")
    mark_deal_won(deal=evaluated_deal, actor=salesperson)
    with pytest.raises(DealClosed):
        services.approve_decision(decision=proposal, actor=manager)
    assert BidDecision.objects.get(pk=proposal.pk).status == "proposed"
    assert Deal.objects.get(pk=evaluated_deal.pk).status == "won"
