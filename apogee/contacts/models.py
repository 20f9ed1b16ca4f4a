"""Organizations (with roles such as agency or prime) and persons (several e-mails and phones)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from apogee.core.models import TimeStampedModel


class OrganizationRole(models.TextChoices):
    AGENCY = "agency", _("Agency")
    PRIME = "prime", _("Prime contractor")
    CUSTOMER = "customer", _("Customer")
    PARTNER = "partner", _("Partner")
    SUPPLIER = "supplier", _("Supplier")


class Organization(TimeStampedModel):
    name = models.CharField(_("name"), max_length=200)
    normalized_name = models.CharField(max_length=200, db_index=True, editable=False)
    street = models.CharField(_("street"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=20, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    country = models.CharField(_("country"), max_length=2, blank=True, help_text=_("ISO code, e.g. CH"))
    vat_number = models.CharField(_("VAT / UID number"), max_length=40, blank=True)
    website = models.URLField(_("website"), blank=True)
    email_domains = models.JSONField(_("e-mail domains"), default=list, blank=True)
    roles = models.JSONField(_("roles"), default=list, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("owner"),
    )
    custom_values = models.JSONField(default=dict, blank=True)
    # Set when deleted: the record leaves every list and page but can be restored (undo).
    deleted_at = models.DateTimeField(null=True, blank=True, db_index=True, editable=False)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def role_labels(self) -> list[str]:
        labels = dict(OrganizationRole.choices)
        return [str(labels.get(r, r)) for r in self.roles]


class Person(TimeStampedModel):
    name = models.CharField(_("name"), max_length=200)
    normalized_name = models.CharField(max_length=200, db_index=True, editable=False)
    organization = models.ForeignKey(
        Organization,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="persons",
        verbose_name=_("organization"),
    )
    job_title = models.CharField(_("job title"), max_length=150, blank=True)
    phones = models.JSONField(_("phones"), default=list, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("owner"),
    )
    custom_values = models.JSONField(default=dict, blank=True)
    # Set when deleted: the record leaves every list and page but can be restored (undo).
    deleted_at = models.DateTimeField(null=True, blank=True, db_index=True, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "persons"

    def __str__(self) -> str:
        return self.name

    @property
    def primary_email(self) -> str:
        emails = list(self.emails.all())
        for e in emails:
            if e.is_primary:
                return e.address
        return emails[0].address if emails else ""


class PersonEmail(models.Model):
    """A separate table so 'who has this address' is an indexed lookup (duplicates, mail linking)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="emails")
    address = models.CharField(max_length=254, db_index=True)
    label = models.CharField(max_length=20, blank=True, default="work")
    is_primary = models.BooleanField(default=False)

    class Meta:
        ordering = ["-is_primary", "id"]
        constraints = [models.UniqueConstraint(fields=["person", "address"], name="person_email_once")]

    def __str__(self) -> str:
        return self.address
