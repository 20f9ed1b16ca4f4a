"""Permission-scoped reads of bid management: criteria, rules, the decisions of deals one may see.

A decision is seen by whoever sees its deal (deals_visible_to), and recorded by
whoever may edit it (the same people). It is approved or rejected by a manager of
the deal owner's team, or by an administrator.
"""

from django.db.models import QuerySet
from django.http import Http404

from apogee.accounts.models import Role, User
from apogee.deals.models import Deal
from apogee.deals.queries import deals_visible_to
from apogee.pipelines.models import Stage

from .models import BINDING, BidCriterion, BidDecision, BidRule, BidSettings, Decision, DecisionStatus


def active_criteria() -> list[BidCriterion]:
    return list(BidCriterion.objects.filter(is_archived=False))


def all_criteria() -> QuerySet[BidCriterion]:
    return BidCriterion.objects.all()


def approval_required() -> bool:
    return BidSettings.objects.filter(pk=1, approval_required=True).exists()


def stages_requiring_bid() -> QuerySet[Stage]:
    return Stage.objects.filter(bid_rule__isnull=False).select_related("pipeline")


def stage_requires_bid(stage: Stage) -> bool:
    return BidRule.objects.filter(stage=stage).exists()


def decisions_visible_to(user: User) -> QuerySet[BidDecision]:
    if not user.is_authenticated or not user.is_active:
        return BidDecision.objects.none()
    return BidDecision.objects.filter(deal__in=deals_visible_to(user).values("pk"))


def get_decision_for_user_or_404(user: User, decision_id) -> BidDecision:
    # 404 rather than 403: a decision on a deal the user may not see does not exist for them.
    try:
        return (
            decisions_visible_to(user)
            .select_related("deal", "deal__owner", "proposed_by", "decided_by")
            .get(pk=int(decision_id))
        )
    except (BidDecision.DoesNotExist, ValueError, TypeError):
        raise Http404("No such decision") from None


def decisions_on(deal: Deal) -> list[BidDecision]:
    """Every decision of the deal, the latest first; the caller has checked the user sees the deal."""
    return list(BidDecision.objects.filter(deal=deal).select_related("proposed_by", "decided_by"))


def binding_decision(deal: Deal) -> BidDecision | None:
    """The decision that counts: the latest approved or final one."""
    return BidDecision.objects.filter(deal=deal, status__in=BINDING).order_by("-id").first()


def has_binding_bid(deal: Deal) -> bool:
    decision = binding_decision(deal)
    return decision is not None and decision.decision == Decision.BID


def pending_proposal(deal: Deal) -> BidDecision | None:
    return (
        BidDecision.objects.filter(deal=deal, status=DecisionStatus.PROPOSED)
        .select_related("proposed_by")
        .order_by("-id")
        .first()
    )


def can_approve(user: User | None, deal: Deal) -> bool:
    """A manager of the owner's team, or an administrator; None is a system task."""
    if user is None:
        return True
    if user.is_workspace_admin:
        return True
    return bool(user.is_manager and user.team_id and user.team_id == deal.owner.team_id)


def approvers_for(deal: Deal) -> list[User]:
    """Who is asked to approve: the managers of the owner's team, else the administrators."""
    team_id = deal.owner.team_id
    if team_id:
        managers = list(User.objects.filter(is_active=True, role=Role.MANAGER, team_id=team_id))
        if managers:
            return managers
    return [u for u in User.objects.filter(is_active=True) if u.is_workspace_admin]
