"""The state of Pipedrive imports: runs with their resume position, links to imported records, issues.

Every imported record keeps its Pipedrive id through an ImportLink (entity, source id → local
id), which is how a second run updates instead of duplicating, and how a resumed run skips
what an interrupted one already wrote. A link's `fingerprint` is a digest of the source
record as last imported: unchanged records are skipped without a write.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class RunSource(models.TextChoices):
    API = "api", _("Pipedrive API")
    FILES = "files", _("Export files")


class RunStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to start")
    RUNNING = "running", _("Running")
    # The daily API budget ran out; the run resumes by itself after `resume_after`.
    WAITING_FOR_BUDGET = "waiting_budget", _("Waiting for tomorrow's API budget")
    INTERRUPTED = "interrupted", _("Interrupted")
    DONE = "done", pgettext_lazy("import run", "Done")
    FAILED = "failed", _("Failed")


class ImportRun(models.Model):
    source = models.CharField(_("source"), max_length=10, choices=RunSource.choices)
    dry_run = models.BooleanField(_("dry run"), default=False)
    status = models.CharField(
        _("status"), max_length=20, choices=RunStatus.choices, default=RunStatus.PENDING
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The restructuring map the run used, as written (YAML), so a report can be explained later.
    map_text = models.TextField(blank=True)
    # Where the files of a file import were stored (under DATA_DIR), by entity.
    files = models.JSONField(default=dict, blank=True)
    # File reading options: {"timezone": "Europe/Zurich", "day_first": true}.
    options = models.JSONField(default=dict, blank=True)
    # API imports: the company's address and its token, encrypted (core.secrets), kept so that a
    # run stopped by the daily budget resumes the next day by itself; erased when the run ends.
    base_url = models.URLField(max_length=300, blank=True)
    token_encrypted = models.TextField(blank=True)
    token_hint = models.CharField(max_length=12, blank=True)
    # Which entity is being read, and where to resume each one (API cursor, file row).
    phase = models.CharField(max_length=30, blank=True)
    positions = models.JSONField(default=dict, blank=True)
    # {entity: {"source": n, "created": n, "updated": n, "unchanged": n, "skipped": n, "failed": n}}
    counts = models.JSONField(default=dict, blank=True)
    # Deal value per legacy pipeline and currency as read from the source, skipped deals included:
    # {"Legacy pipeline": {"EUR": "1250000.00"}}, for the reconciliation report.
    source_values = models.JSONField(default=dict, blank=True)
    done_steps = models.PositiveIntegerField(default=0)
    total_steps = models.PositiveIntegerField(default=0)
    budget = models.JSONField(default=dict, blank=True)
    resume_after = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    # Which worker owns the run now: a resumed run gets a new one, and a worker that finds
    # another's mark (or a status other than running) stops before writing its next batch.
    worker = models.CharField(max_length=32, blank=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.get_source_display()} #{self.pk}"

    @property
    def is_active(self) -> bool:
        return self.status in (RunStatus.PENDING, RunStatus.RUNNING, RunStatus.WAITING_FOR_BUDGET)

    @property
    def rate(self) -> float | None:
        """Records per second since the run (last) started."""
        from django.utils import timezone

        if not self.started_at or not self.done_steps:
            return None
        end = self.finished_at or self.heartbeat_at or timezone.now()
        seconds = (end - self.started_at).total_seconds()
        return self.done_steps / seconds if seconds > 0 else None

    @property
    def eta_seconds(self) -> int | None:
        rate = self.rate
        if not rate or not self.total_steps or self.done_steps >= self.total_steps or not self.is_active:
            return None
        return round((self.total_steps - self.done_steps) / rate)

    @property
    def percent(self) -> int:
        if not self.total_steps:
            return 100 if self.status == RunStatus.DONE else 0
        return min(100, round(100 * self.done_steps / self.total_steps))


class ImportLink(models.Model):
    entity = models.CharField(max_length=20)
    source_id = models.CharField(max_length=80)
    object_id = models.BigIntegerField()
    fingerprint = models.CharField(max_length=64, blank=True)
    run = models.ForeignKey(ImportRun, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["entity", "source_id"], name="pipedrive_link_once")]
        indexes = [models.Index(fields=["entity", "object_id"], name="pipedrive_link_local")]

    def __str__(self) -> str:
        return f"{self.entity} {self.source_id} → {self.object_id}"


class IssueLevel(models.TextChoices):
    ERROR = "error", _("Error")
    WARNING = "warning", _("Warning")
    UNMAPPED = "unmapped", _("Unmapped")
    DUPLICATE = "duplicate", _("Suspected duplicate")


class ImportIssue(models.Model):
    run = models.ForeignKey(ImportRun, on_delete=models.CASCADE, related_name="issues")
    entity = models.CharField(max_length=20)
    source_id = models.CharField(max_length=80, blank=True)
    row = models.PositiveIntegerField(null=True, blank=True)
    level = models.CharField(max_length=10, choices=IssueLevel.choices)
    message = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["run", "level"], name="pipedrive_issue_level")]

    def __str__(self) -> str:
        return f"{self.entity} {self.source_id}: {self.message}"
