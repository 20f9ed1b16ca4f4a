"""Leads and their labels: raw signals waiting to become deals, or to be archived."""

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from apogee.contacts.models import Organization, Person
from apogee.core.models import TimeStampedModel
from apogee.deals.models import Deal, Visibility

NOTE_MAX_LENGTH = 5000
colour_validator = RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Enter a colour as #RRGGBB."))


class LeadSource(models.TextChoices):
    MANUAL = "manual", _("Manual")
    WEB_FORM = "web_form", _("Web form")
    IMPORT = "import", _("Import")
    CAMPAIGN = "campaign", _("Campaign")
    EVENT = "event", _("Event")


class LeadKind(models.TextChoices):
    """A mission lead is converted into the Missions pipeline by default, any other into Sales."""

    MISSION = "mission", _("Mission")
    OTHER = "other", _("Other")


class LeadStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ARCHIVED = "archived", _("Archived")


class LeadLabel(models.Model):
    name = models.CharField(_("name"), max_length=60)
    colour = models.CharField(_("colour"), max_length=7, default="#2454d6", validators=[colour_validator])
    position = models.PositiveIntegerField(default=0)
    is_archived = models.BooleanField(_("archived"), default=False)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name


class Lead(TimeStampedModel):
    title = models.CharField(_("title"), max_length=200)
    organization = models.ForeignKey(
        Organization,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="leads",
        verbose_name=_("organization"),
    )
    person = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="leads",
        verbose_name=_("person"),
    )
    source = models.CharField(
        _("source"), max_length=20, choices=LeadSource.choices, default=LeadSource.MANUAL
    )
    kind = models.CharField(_("kind"), max_length=10, choices=LeadKind.choices, default=LeadKind.OTHER)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="owned_leads",
        verbose_name=_("owner"),
    )
    visibility = models.CharField(
        _("visible to"), max_length=10, choices=Visibility.choices, default=Visibility.EVERYONE
    )
    labels = models.ManyToManyField(LeadLabel, blank=True, related_name="leads", verbose_name=_("labels"))
    # Unknown is not zero: a signal often comes without any figure.
    expected_value = models.DecimalField(
        _("expected value"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    currency = models.CharField(_("currency"), max_length=3, default="CHF")
    note = models.TextField(_("note"), max_length=NOTE_MAX_LENGTH, blank=True)
    custom_values = models.JSONField(default=dict, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=LeadStatus.choices, default=LeadStatus.OPEN)
    archived_at = models.DateTimeField(_("archived on"), null=True, blank=True)
    converted_deal = models.ForeignKey(
        Deal,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="source_leads",
        verbose_name=_("converted to deal"),
    )
    converted_at = models.DateTimeField(_("converted on"), null=True, blank=True)
    # Set when deleted: the lead leaves every list and page but can be restored (undo).
    deleted_at = models.DateTimeField(null=True, blank=True, db_index=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "-created_at"], name="lead_inbox"),
            models.Index(fields=["owner", "status"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expected_value__isnull=True) | models.Q(expected_value__gte=0),
                name="lead_expected_value_not_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(converted_deal__isnull=True) | models.Q(status="archived"),
                name="converted_lead_is_archived",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status == LeadStatus.OPEN

    @property
    def is_converted(self) -> bool:
        return self.converted_at is not None
