"""Permission-scoped reads of deals: the one door for pages, API, exports and the board.

Visibility: administrators see every deal; everyone sees their own deals and
deals shared with everyone; a deal shared with the owner's team is seen by that
team; a manager sees every deal of their team. A deal one may see, one may edit.
"""

from django.db.models import Q, QuerySet
from django.http import Http404

from apogee.accounts.models import User

from .models import Deal, LostReason, SavedView, Visibility


def visibility_q(user: User, prefix: str = "") -> Q:
    if user.is_workspace_admin:
        return Q()
    cond = Q(**{f"{prefix}owner": user}) | Q(**{f"{prefix}visibility": Visibility.EVERYONE})
    if user.team_id:
        cond |= Q(**{f"{prefix}visibility": Visibility.TEAM, f"{prefix}owner__team_id": user.team_id})
        if user.is_manager:
            cond |= Q(**{f"{prefix}owner__team_id": user.team_id})
    return cond


def deals_visible_to(user: User) -> QuerySet[Deal]:
    if not user.is_authenticated or not user.is_active:
        return Deal.objects.none()
    return Deal.objects.filter(visibility_q(user), deleted_at__isnull=True)


def deleted_deal_for_user_or_404(user: User, deal_id) -> Deal:
    """A deleted deal the user could see, for undo."""
    try:
        return Deal.objects.filter(visibility_q(user), deleted_at__isnull=False).get(pk=int(deal_id))
    except (Deal.DoesNotExist, ValueError, TypeError):
        raise Http404("No such deal") from None


def can_see_deal(user: User, deal: Deal) -> bool:
    return deals_visible_to(user).filter(pk=deal.pk).exists()


def get_deal_for_user_or_404(user: User, deal_id) -> Deal:
    # 404 rather than 403: a deal the user may not see does not exist for them.
    try:
        return (
            deals_visible_to(user)
            .select_related(
                "pipeline",
                "stage",
                "organization",
                "end_customer",
                "owner",
                "lost_reason",
                "origin_deal",
                "parent_contract",
            )
            .get(pk=int(deal_id))
        )
    except (Deal.DoesNotExist, ValueError, TypeError):
        raise Http404("No such deal") from None


def active_lost_reasons() -> QuerySet[LostReason]:
    return LostReason.objects.filter(is_archived=False)


def saved_views_for(user: User, pipeline_id: int | None = None) -> QuerySet[SavedView]:
    qs = SavedView.objects.filter(Q(owner=user) | Q(is_shared=True)).select_related("owner")
    if pipeline_id is not None:
        qs = qs.filter(Q(pipeline_id=pipeline_id) | Q(pipeline__isnull=True))
    return qs
