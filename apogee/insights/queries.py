"""Permission-scoped reads of saved reports and dashboards: one's own and the shared ones."""

from django.db.models import Q, QuerySet
from django.http import Http404

from apogee.accounts.models import User

from .models import Dashboard, DashboardItem, SavedReport


def reports_visible_to(user: User) -> QuerySet[SavedReport]:
    if not user.is_authenticated or not user.is_active:
        return SavedReport.objects.none()
    return SavedReport.objects.filter(Q(owner=user) | Q(is_shared=True)).select_related("owner")


def dashboards_visible_to(user: User) -> QuerySet[Dashboard]:
    if not user.is_authenticated or not user.is_active:
        return Dashboard.objects.none()
    return Dashboard.objects.filter(Q(owner=user) | Q(is_shared=True) | Q(is_default=True)).select_related(
        "owner"
    )


def _get_or_404(queryset, pk):
    try:
        return queryset.get(pk=int(pk))
    except (queryset.model.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404("Not found") from None


def get_report_for_user_or_404(user: User, pk) -> SavedReport:
    return _get_or_404(reports_visible_to(user), pk)


def get_dashboard_for_user_or_404(user: User, pk) -> Dashboard:
    return _get_or_404(dashboards_visible_to(user), pk)


def default_dashboard_for(user: User) -> Dashboard | None:
    """The workspace default, else the user's first own dashboard."""
    visible = dashboards_visible_to(user)
    return visible.filter(is_default=True).first() or visible.filter(owner=user).first()


def items_of(dashboard: Dashboard) -> QuerySet[DashboardItem]:
    return dashboard.items.select_related("report", "report__owner")


def can_edit(user: User, obj: SavedReport | Dashboard) -> bool:
    return obj.owner_id == user.pk or user.is_workspace_admin


def get_card_report_for_user_or_404(user: User, pk) -> SavedReport:
    """A report to show as a card: one the user may see, or one on a dashboard they may see."""
    on_visible_dashboard = DashboardItem.objects.filter(dashboard__in=dashboards_visible_to(user)).values(
        "report_id"
    )
    visible = SavedReport.objects.filter(
        Q(pk__in=reports_visible_to(user).values("pk")) | Q(pk__in=on_visible_dashboard)
    )
    return _get_or_404(visible, pk)
