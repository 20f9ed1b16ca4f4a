"""Notes: sanitized rich text on one deal, lead, person or organization; pinned notes come first."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from apogee.contacts.models import Organization, Person
from apogee.core.models import TimeStampedModel
from apogee.deals.models import Deal
from apogee.leads.models import Lead

TARGET_KINDS = ("deal", "lead", "person", "organization")


def _only(kind: str) -> Q:
    return Q(**{f"{k}__isnull": k != kind for k in TARGET_KINDS})


class Note(TimeStampedModel):
    # Sanitized by apogee.notes.sanitize before it is saved; the only field rendered unescaped.
    body_html = models.TextField(_("note"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="notes", verbose_name=_("author")
    )
    deal = models.ForeignKey(
        Deal, null=True, blank=True, on_delete=models.CASCADE, related_name="notes", verbose_name=_("deal")
    )
    lead = models.ForeignKey(
        Lead, null=True, blank=True, on_delete=models.CASCADE, related_name="notes", verbose_name=_("lead")
    )
    person = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notes",
        verbose_name=_("person"),
    )
    organization = models.ForeignKey(
        Organization,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notes",
        verbose_name=_("organization"),
    )
    is_pinned = models.BooleanField(_("pinned"), default=False)
    deleted_at = models.DateTimeField(null=True, blank=True, db_index=True, editable=False)

    class Meta:
        ordering = ["-is_pinned", "-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=_only("deal") | _only("lead") | _only("person") | _only("organization"),
                name="note_exactly_one_target",
            )
        ]

    def __str__(self) -> str:
        return f"Note {self.pk}"

    @property
    def target_kind(self) -> str:
        return next(kind for kind in TARGET_KINDS if getattr(self, f"{kind}_id") is not None)

    @property
    def target_id(self) -> int:
        return getattr(self, f"{self.target_kind}_id")

    @property
    def target(self):
        return getattr(self, self.target_kind)
