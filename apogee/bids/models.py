"""Bid / no-bid: the scoring criteria, the decisions recorded on deals, and the workspace's bid rules.

A decision keeps a snapshot of the criteria it was scored on (label and weight at
the time), so renaming, reweighting or archiving a criterion never rewrites history.
Every decision is kept; the latest approved or final one is the deal's decision.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apogee.customfields.models import localized
from apogee.deals.models import Deal
from apogee.pipelines.models import Stage

MIN_SCORE = 0
MAX_SCORE = 5
MAX_WEIGHT = 100


class BidCriterion(models.Model):
    label_en = models.CharField(_("label (English)"), max_length=80)
    label_fr = models.CharField(_("label (French)"), max_length=80, blank=True)
    weight = models.PositiveSmallIntegerField(
        _("weight"), default=1, validators=[MinValueValidator(1), MaxValueValidator(MAX_WEIGHT)]
    )
    position = models.PositiveIntegerField(default=0)
    is_archived = models.BooleanField(_("archived"), default=False)

    class Meta:
        ordering = ["position", "id"]
        verbose_name_plural = "bid criteria"
        constraints = [
            models.CheckConstraint(
                condition=Q(weight__gte=1, weight__lte=MAX_WEIGHT), name="bid_criterion_weight_range"
            )
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return localized(self.label_en, self.label_fr)


class Decision(models.TextChoices):
    BID = "bid", _("Bid")
    NO_BID = "no_bid", _("No-bid")


class DecisionStatus(models.TextChoices):
    PROPOSED = "proposed", _("Awaiting approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    FINAL = "final", _("Decided")
    SUPERSEDED = "superseded", _("Superseded")


# The statuses under which a decision counts.
BINDING = (DecisionStatus.APPROVED, DecisionStatus.FINAL)


class BidDecision(models.Model):
    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="bid_decisions")
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices)
    status = models.CharField(_("status"), max_length=12, choices=DecisionStatus.choices)
    # [{"criterion": id, "label_en": …, "label_fr": …, "weight": 3, "score": 4}] in the criteria's order.
    scores = models.JSONField(_("scores"), default=list, blank=True)
    # Weighted score in percent of the maximum (0–100); None when there were no criteria to score.
    total = models.DecimalField(_("weighted total"), max_digits=4, decimal_places=1, null=True, blank=True)
    rationale = models.TextField(_("rationale"))
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("proposed by")
    )
    proposed_at = models.DateTimeField(_("proposed on"), default=timezone.now)
    # The approver (or rejecter); the proposer themselves when no approval was needed.
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided on"), null=True, blank=True)
    review_note = models.CharField(_("approver's note"), max_length=500, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["deal", "status", "-id"], name="bid_decision_deal_status")]
        constraints = [
            models.CheckConstraint(
                condition=Q(total__isnull=True) | Q(total__gte=0, total__lte=100), name="bid_total_range"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_decision_display()} ({self.get_status_display()}) on deal {self.deal_id}"

    @property
    def is_binding(self) -> bool:
        return self.status in BINDING

    @property
    def score_rows(self) -> list[dict]:
        """The snapshot with the label in the current language and the bar's width in percent."""
        return [
            {
                **row,
                "label": localized(row.get("label_en", ""), row.get("label_fr", "")),
                "percent": int(Decimal(row["score"]) * 100 / MAX_SCORE),
            }
            for row in self.scores
        ]


class BidRule(models.Model):
    """A stage a deal may enter only with a binding "bid" decision."""

    stage = models.OneToOneField(Stage, on_delete=models.CASCADE, related_name="bid_rule")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Bid required before {self.stage_id}"


class BidSettings(models.Model):
    """The workspace's one row of bid settings (pk 1); absent means the defaults."""

    approval_required = models.BooleanField(
        _("decisions need a manager's approval"),
        default=False,
        help_text=_("A member's decision is then a proposal until a manager of their team approves it."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "bid settings"
        constraints = [models.CheckConstraint(condition=Q(pk=1), name="bid_settings_singleton")]

    def __str__(self) -> str:
        return "Bid settings"
