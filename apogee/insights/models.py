"""Saved reports and dashboards built from them.

A saved report keeps the report's key and its query string; it is computed afresh, with the
reader's own permissions, each time it is shown, so sharing a report or a dashboard shares
the question, never another user's numbers.
"""

from urllib.parse import urlencode

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from apogee.core.models import TimeStampedModel


class ChartKind(models.TextChoices):
    BAR = "bar", _("Bars")
    LINE = "line", _("Line")
    TABLE = "table", _("Table only")


class SavedReport(TimeStampedModel):
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("report"), max_length=20)
    # The report's query string as [name, value] pairs.
    params = models.JSONField(default=list, blank=True)
    chart = models.CharField(_("chart"), max_length=10, choices=ChartKind.choices, default=ChartKind.BAR)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_reports"
    )
    is_shared = models.BooleanField(_("shared with everyone"), default=False)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    def query_string(self) -> str:
        return urlencode([(k, v) for k, v in self.params])


class Dashboard(TimeStampedModel):
    name = models.CharField(_("name"), max_length=120)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="dashboards")
    is_shared = models.BooleanField(_("shared with everyone"), default=False)
    # The dashboard the Insights page opens on for everyone who has not picked another one.
    is_default = models.BooleanField(_("workspace default"), default=False)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class Width(models.TextChoices):
    HALF = "half", _("Half width")
    FULL = "full", _("Full width")


class DashboardItem(models.Model):
    dashboard = models.ForeignKey(Dashboard, on_delete=models.CASCADE, related_name="items")
    report = models.ForeignKey(SavedReport, on_delete=models.CASCADE, related_name="dashboard_items")
    position = models.PositiveIntegerField(default=0)
    width = models.CharField(_("width"), max_length=4, choices=Width.choices, default=Width.HALF)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["dashboard", "report"], name="dashboard_report_once"),
        ]

    def __str__(self) -> str:
        return f"{self.dashboard_id}: {self.report_id}"
