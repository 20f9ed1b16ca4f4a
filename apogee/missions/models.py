"""Missions: which pipelines hold missions, a mission deal's profile, and deals linked to it by hand.

A mission is a deal of a missions pipeline (by default the pipeline named "Missions"):
a future ESA satellite followed years before any tender. Its profile says who decides
(agency), when (tender and launch years), how far it is (phase) and how likely the
procurement is to happen at all (go-ahead probability). The deals it yields roll up on
it: those handed off from it (origin_deal, at any depth) and those linked here later.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from apogee.contacts.models import Organization
from apogee.core.models import TimeStampedModel
from apogee.deals.models import Deal
from apogee.pipelines.models import Pipeline

# A pipeline without a MissionPipeline row holds missions when it has this name (the demo's).
DEFAULT_MISSIONS_PIPELINE = "Missions"
MIN_YEAR = 2000
MAX_YEAR = 2100
DEFAULT_GO_AHEAD = 50


class Phase(models.TextChoices):
    # ESA project phases; 0 is the mission analysis before phase A ("pre-phase A").
    PRE_A = "0", _("0 (pre-phase A)")
    A = "A", _("A (feasibility)")
    B1 = "B1", _("B1 (preliminary definition)")
    B2 = "B2", _("B2 (detailed definition)")
    CD = "CD", _("C/D (development)")
    E = "E", _("E (operations)")


class MissionPipeline(models.Model):
    """Whether a pipeline's deals are missions; overrides the default by name."""

    pipeline = models.OneToOneField(Pipeline, on_delete=models.CASCADE, related_name="mission_setting")
    holds_missions = models.BooleanField(_("deals of this pipeline are missions"), default=True)

    def __str__(self) -> str:
        return f"{self.pipeline}: {self.holds_missions}"


class MissionProfile(TimeStampedModel):
    deal = models.OneToOneField(Deal, on_delete=models.CASCADE, related_name="mission_profile")
    # SET_NULL, not PROTECT: purging an organization from the trash must not crash on a profile.
    agency = models.ForeignKey(
        Organization,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="agency_missions",
        verbose_name=_("agency"),
    )
    programme = models.CharField(_("programme"), max_length=120, blank=True)
    expected_tender_year = models.PositiveSmallIntegerField(_("expected tender year"), null=True, blank=True)
    expected_launch_year = models.PositiveSmallIntegerField(_("expected launch year"), null=True, blank=True)
    phase = models.CharField(_("phase"), max_length=2, choices=Phase.choices, blank=True)
    go_ahead_probability = models.PositiveSmallIntegerField(
        _("go-ahead probability (%)"), default=DEFAULT_GO_AHEAD
    )

    class Meta:
        indexes = [models.Index(fields=["expected_tender_year"], name="mission_tender_year")]
        constraints = [
            models.CheckConstraint(
                condition=Q(go_ahead_probability__lte=100), name="mission_go_ahead_le_100"
            ),
            models.CheckConstraint(
                condition=Q(expected_tender_year__isnull=True)
                | Q(expected_tender_year__gte=MIN_YEAR, expected_tender_year__lte=MAX_YEAR),
                name="mission_tender_year_range",
            ),
            models.CheckConstraint(
                condition=Q(expected_launch_year__isnull=True)
                | Q(expected_launch_year__gte=MIN_YEAR, expected_launch_year__lte=MAX_YEAR),
                name="mission_launch_year_range",
            ),
            models.CheckConstraint(
                condition=Q(expected_tender_year__isnull=True)
                | Q(expected_launch_year__isnull=True)
                | Q(expected_launch_year__gte=models.F("expected_tender_year")),
                name="mission_launch_after_tender",
            ),
        ]

    def __str__(self) -> str:
        return f"Mission profile of deal {self.deal_id}"


class MissionLink(models.Model):
    """A deal that rolls up into a mission because someone said so (it was not handed off from it)."""

    mission = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="mission_links")
    # Unique: a deal counted in two missions would be counted twice in the missions view.
    deal = models.OneToOneField(Deal, on_delete=models.CASCADE, related_name="mission_link")
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=~Q(mission=models.F("deal")), name="mission_link_not_itself"),
        ]

    def __str__(self) -> str:
        return f"{self.deal_id} → mission {self.mission_id}"
