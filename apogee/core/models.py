"""Base models, the domain-event outbox, currencies and dated exchange rates."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class EventSource(models.TextChoices):
    UI = "ui", _("Web interface")
    API = "api", _("API")
    IMPORT = "import", _("Import")
    SYSTEM = "system", _("System")


class DomainEvent(models.Model):
    """One state change, written in the same transaction as the change itself.

    The timeline, the audit trail and every later consumer (automations, ERP
    sync, notifications) read this table; `data` carries ids and before/after values.
    """

    name = models.CharField(max_length=80, db_index=True)
    subject_type = models.CharField(max_length=40)
    subject_id = models.BigIntegerField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source = models.CharField(max_length=10, choices=EventSource.choices, default=EventSource.SYSTEM)
    data = models.JSONField(default=dict, blank=True)
    # When the change happened: now, or the original time for imported history.
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        indexes = [models.Index(fields=["subject_type", "subject_id", "id"])]
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.name} {self.subject_type}#{self.subject_id}"


class Currency(models.Model):
    code = models.CharField(max_length=3, unique=True)
    name = models.CharField(max_length=60)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["code"]
        verbose_name_plural = "currencies"

    def __str__(self) -> str:
        return self.code


class ExchangeRate(models.Model):
    """How many units of the base currency one unit of `currency` was worth from `valid_from` on."""

    currency = models.ForeignKey(Currency, on_delete=models.CASCADE, related_name="rates")
    valid_from = models.DateField()
    rate_to_base = models.DecimalField(max_digits=18, decimal_places=8)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["currency", "valid_from"], name="one_rate_per_currency_per_day"),
            models.CheckConstraint(condition=models.Q(rate_to_base__gt=0), name="rate_positive"),
        ]
        ordering = ["currency__code", "-valid_from"]

    def __str__(self) -> str:
        return f"{self.currency.code} {self.rate_to_base} from {self.valid_from}"
