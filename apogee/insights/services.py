"""Writes of the insights app: saving reports, building and sharing dashboards.

Anyone may save a report or a dashboard and share it: what is shared is the question; each
reader gets the answer their own permissions allow. Only the owner or an administrator
changes or deletes one; only an administrator picks the workspace's default dashboard.
"""

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from apogee.accounts.models import User
from apogee.core.errors import PermissionDenied, ValidationFailed
from apogee.core.events import record_event

from . import events
from .models import ChartKind, Dashboard, DashboardItem, SavedReport, Width
from .queries import can_edit, reports_visible_to
from .reports.registry import REPORTS

MAX_PARAMS = 60
MAX_PARAM_LENGTH = 500
# Coordinates of a drill-down cell and the CSRF token are never part of a saved question.
NOT_SAVED = {"csrfmiddlewaretoken", "stage_cell", "bucket", "g", "outcome", "reason", "page", "name", "chart"}


def _clean_name(name: str) -> str:
    name = (name or "").strip()
    if not name or len(name) > 120:
        raise ValidationFailed(_("Give it a name."), fields={"name": [_("Enter 1 to 120 characters.")]})
    return name


def _clean_params(kind: str, params) -> list[list[str]]:
    pairs = [[str(k), str(v)] for k, v in params if k not in NOT_SAVED and str(v) != ""]
    if len(pairs) > MAX_PARAMS or any(len(v) > MAX_PARAM_LENGTH or "\x00" in v for _k, v in pairs):
        raise ValidationFailed(
            _("These filters cannot be saved."), fields={"params": [_("Too many or too long.")]}
        )
    spec = REPORTS[kind].parse(_as_lists(pairs))
    if not spec.is_valid:
        raise ValidationFailed(
            _("Correct the report's filters before saving it."),
            fields={name: list(messages) for name, messages in spec.errors.items()},
        )
    return pairs


def _as_lists(pairs) -> dict[str, list[str]]:
    result: dict[str, list[str]] = {}
    for key, value in pairs:
        result.setdefault(key, []).append(value)
    return result


def _ensure_can_edit(actor: User, obj) -> None:
    if not can_edit(actor, obj):
        raise PermissionDenied(_("Only its owner or an administrator can change it."))


@transaction.atomic
def save_report(
    *,
    actor: User,
    name: str,
    kind: str,
    params,
    chart: str = ChartKind.BAR,
    is_shared: bool = False,
    report: SavedReport | None = None,
) -> SavedReport:
    """Create a saved report, or replace one's name, filters, chart and sharing."""
    if kind not in REPORTS:
        raise ValidationFailed(_("Unknown report."), fields={"kind": [_("Choose a report from the list.")]})
    if chart not in ChartKind.values:
        raise ValidationFailed(_("Unknown chart."), fields={"chart": [_("Choose bars, line or table.")]})
    name = _clean_name(name)
    pairs = _clean_params(kind, params)
    if report is None:
        report = SavedReport(owner=actor)
    else:
        _ensure_can_edit(actor, report)
    report.name, report.kind, report.params, report.chart, report.is_shared = (
        name,
        kind,
        pairs,
        chart,
        is_shared,
    )
    report.save()
    record_event(
        events.REPORT_SAVED,
        subject=report,
        actor=actor,
        data={"name": name, "kind": kind, "params": pairs, "chart": chart, "is_shared": is_shared},
    )
    return report


@transaction.atomic
def delete_report(*, report: SavedReport, actor: User) -> None:
    _ensure_can_edit(actor, report)
    record_event(events.REPORT_DELETED, subject=report, actor=actor, data={"name": report.name})
    report.delete()


@transaction.atomic
def save_dashboard(
    *,
    actor: User,
    name: str,
    is_shared: bool = False,
    is_default: bool | None = None,
    dashboard: Dashboard | None = None,
) -> Dashboard:
    name = _clean_name(name)
    if dashboard is None:
        dashboard = Dashboard(owner=actor)
    else:
        _ensure_can_edit(actor, dashboard)
    if is_default is not None and is_default != dashboard.is_default:
        if not actor.is_workspace_admin:
            raise PermissionDenied(_("Only an administrator picks the workspace's default dashboard."))
        if is_default:
            Dashboard.objects.filter(is_default=True).update(is_default=False)
        dashboard.is_default = is_default
    dashboard.name, dashboard.is_shared = name, is_shared
    dashboard.save()
    record_event(
        events.DASHBOARD_SAVED,
        subject=dashboard,
        actor=actor,
        data={"name": name, "is_shared": is_shared, "is_default": dashboard.is_default},
    )
    return dashboard


@transaction.atomic
def delete_dashboard(*, dashboard: Dashboard, actor: User) -> None:
    _ensure_can_edit(actor, dashboard)
    record_event(events.DASHBOARD_DELETED, subject=dashboard, actor=actor, data={"name": dashboard.name})
    dashboard.delete()


@transaction.atomic
def add_report_to_dashboard(
    *, dashboard: Dashboard, report: SavedReport, actor: User, width: str = Width.HALF
) -> DashboardItem:
    _ensure_can_edit(actor, dashboard)
    if not reports_visible_to(actor).filter(pk=report.pk).exists():
        raise PermissionDenied(_("You cannot add a report you cannot see."))
    if width not in Width.values:
        raise ValidationFailed(_("Unknown width."), fields={"width": [_("Choose half or full width.")]})
    if dashboard.items.filter(report=report).exists():
        raise ValidationFailed(
            _("This report is already on the dashboard."), fields={"report": [_("Already on the dashboard.")]}
        )
    position = (dashboard.items.aggregate(m=Max("position"))["m"] or 0) + 1
    item = DashboardItem.objects.create(dashboard=dashboard, report=report, position=position, width=width)
    record_event(
        events.DASHBOARD_ITEM_ADDED,
        subject=dashboard,
        actor=actor,
        data={"report": report.pk, "report_name": report.name, "width": width},
    )
    return item


@transaction.atomic
def remove_dashboard_item(*, item: DashboardItem, actor: User) -> None:
    _ensure_can_edit(actor, item.dashboard)
    record_event(
        events.DASHBOARD_ITEM_REMOVED,
        subject=item.dashboard,
        actor=actor,
        data={"report": item.report_id, "report_name": item.report.name},
    )
    item.delete()


@transaction.atomic
def move_dashboard_item(*, item: DashboardItem, offset: int, actor: User) -> None:
    """Move an item up (offset -1) or down (+1) among its dashboard's items."""
    _ensure_can_edit(actor, item.dashboard)
    items = list(item.dashboard.items.order_by("position", "id"))
    index = next(i for i, other in enumerate(items) if other.pk == item.pk)
    target = index + offset
    if not 0 <= target < len(items):
        return
    items.insert(target, items.pop(index))
    for position, other in enumerate(items, start=1):
        if other.position != position:
            other.position = position
            other.save(update_fields=["position"])
    record_event(
        events.DASHBOARD_ITEM_MOVED,
        subject=item.dashboard,
        actor=actor,
        data={"report": item.report_id, "to": target},
    )
