"""The insights part of the demo workspace: shared saved reports and the default dashboard.

Called by apogee.workspace.demo after the deals and their history exist. The reports are
saved by the sales director (the demo's administrator) and shared; the "Sales overview"
dashboard is the workspace default. Running it again changes nothing.
"""

from datetime import datetime

from apogee.accounts.models import User
from apogee.pipelines.models import Pipeline

from . import services
from .models import ChartKind, Dashboard, SavedReport, Width

DASHBOARD = "Sales overview"


def _reports(pipelines: dict[str, int]) -> list[tuple[str, str, list[list[str]], str, str]]:
    """(name, kind, params, chart, width)."""
    reports = [
        ("Won and lost by quarter", "won-lost", [["interval", "quarter"]], ChartKind.BAR, Width.HALF),
        ("Forecast by pipeline", "forecast", [], ChartKind.BAR, Width.HALF),
        ("Activities by user", "activities", [], ChartKind.BAR, Width.HALF),
    ]
    if "Sales" in pipelines:
        reports.insert(
            0, ("Sales funnel", "funnel", [["pipeline", str(pipelines["Sales"])]], ChartKind.BAR, Width.HALF)
        )
        reports.append(
            (
                "Sales funnel by opportunity type",
                "funnel",
                [["pipeline", str(pipelines["Sales"])], ["group", "cf:opportunity_type"]],
                ChartKind.BAR,
                Width.FULL,
            )
        )
    if "RFI" in pipelines:
        reports.insert(
            1,
            (
                "RFI funnel: how many ROMs",
                "funnel",
                [["pipeline", str(pipelines["RFI"])]],
                ChartKind.BAR,
                Width.HALF,
            ),
        )
    return reports


def seed(*, users: dict[str, User], now: datetime) -> None:
    owner = users.get("sophie") or next(iter(users.values()))
    if Dashboard.objects.filter(name=DASHBOARD).exists():
        return
    pipelines = dict(Pipeline.objects.values_list("name", "pk"))
    dashboard = services.save_dashboard(actor=owner, name=DASHBOARD, is_shared=True)
    dashboard = services.save_dashboard(
        actor=owner, name=DASHBOARD, is_shared=True, is_default=True, dashboard=dashboard
    )
    for name, kind, params, chart, width in _reports(pipelines):
        report = SavedReport.objects.filter(name=name).first() or services.save_report(
            actor=owner, name=name, kind=kind, params=params, chart=chart, is_shared=True
        )
        services.add_report_to_dashboard(dashboard=dashboard, report=report, actor=owner, width=width)
