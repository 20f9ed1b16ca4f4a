"""The reports Apogee offers, by the key that names them in URLs, saved reports and the API."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from apogee.accounts.models import User
from apogee.deals.models import Deal
from apogee.insights.spec import ReportSpec, default_period, parse_spec

from . import activities, cycletime, forecast, funnel, progress, wonlost
from .base import Report


@dataclass(frozen=True)
class ReportKind:
    key: str
    title: Promise
    description: Promise
    build: Callable[[User, ReportSpec, Any], Report]
    deals: Callable[[User, ReportSpec, dict[str, str]], QuerySet[Deal]] | None
    needs_pipeline: bool = False
    uses_interval: bool = False
    # None: groups by any deal field; a tuple: only these keys; empty: no grouping.
    own_groups: tuple[str, ...] | None = None
    period: Callable = default_period

    def parse(self, params) -> ReportSpec:
        return parse_spec(
            params, needs_pipeline=self.needs_pipeline, period=self.period, own_groups=self.own_groups
        )


REPORTS = {
    kind.key: kind
    for kind in (
        ReportKind(
            "funnel",
            _("Funnel and conversion"),
            _("How many deals entered each stage of a pipeline and went on, from the stage history."),
            funnel.build,
            funnel.deals,
            needs_pipeline=True,
        ),
        ReportKind(
            "progress",
            _("Deal progress"),
            _("Deals that entered each stage, week by week or month by month."),
            progress.build,
            progress.deals,
            needs_pipeline=True,
            uses_interval=True,
        ),
        ReportKind(
            "won-lost",
            _("Won and lost"),
            _("Deals won and lost, their value in the base currency, the win rate and the lost reasons."),
            wonlost.build,
            wonlost.deals,
            uses_interval=True,
        ),
        ReportKind(
            "forecast",
            _("Forecast"),
            _("Open deals' value and weighted value by expected close month; overdue dates flagged."),
            forecast.build,
            forecast.deals,
            period=forecast.default_forecast_period,
        ),
        ReportKind(
            "cycle-time",
            _("Cycle time"),
            _("Average and median days spent in each stage, and from creation to won."),
            cycletime.build,
            cycletime.deals,
            needs_pipeline=True,
        ),
        ReportKind(
            "activities",
            _("Activities"),
            _("Activities planned and done, per user or per type."),
            activities.build,
            None,
            own_groups=activities.GROUPS,
        ),
    )
}
