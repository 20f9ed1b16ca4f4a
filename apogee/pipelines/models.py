"""Pipelines and their ordered stages, with win probability, rotting days and gates."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from .gates import required_fields_at


class HandoffMode(models.TextChoices):
    CREATE_LINKED = "create_linked", _("Create a linked deal in the target pipeline")
    MOVE = "move", _("Move the deal to the target pipeline")


class Pipeline(models.Model):
    name = models.CharField(_("name"), max_length=100)
    position = models.PositiveIntegerField(default=0)
    is_archived = models.BooleanField(_("archived"), default=False)
    handoff_target = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("hand off to"),
    )
    handoff_mode = models.CharField(
        _("hand-off"), max_length=20, choices=HandoffMode.choices, default=HandoffMode.CREATE_LINKED
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name


class Stage(models.Model):
    pipeline = models.ForeignKey(Pipeline, on_delete=models.CASCADE, related_name="stages")
    name = models.CharField(_("name"), max_length=100)
    position = models.PositiveIntegerField(default=0)
    probability = models.PositiveSmallIntegerField(_("win probability (%)"), default=0)
    rotting_days = models.PositiveIntegerField(_("rotting after (days)"), null=True, blank=True)
    # Custom-field keys that become required from this stage on (see gates.py).
    gate_field_keys = models.JSONField(_("required fields from this stage on"), default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pipeline", "position", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(probability__lte=100), name="probability_at_most_100"),
        ]

    def __str__(self) -> str:
        return self.name


def required_fields_for(stage: Stage, stages: list[Stage]) -> list[str]:
    """Keys required to be in `stage`, given all stages of its pipeline (already loaded)."""
    return required_fields_at(stage.position, [(s.position, s.gate_field_keys) for s in stages])
