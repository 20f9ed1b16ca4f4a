"""Contracts (a won deal, signed), the numbers of their change notices, and which pipelines create them.

A contract is the record of what was signed: its number, signature date, value and
currency are a snapshot taken when the deal was won, editable afterwards; the deal
keeps living its own life. Change notices (CCN) are deals whose `parent_contract`
is the contract's deal; ChangeNotice gives each one its per-contract number.
"""

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from apogee.contacts.models import Organization
from apogee.core.models import TimeStampedModel
from apogee.deals.models import Deal
from apogee.pipelines.models import Pipeline

# Pipelines that create (or hold) contracts when nobody has said otherwise: the demo's names.
DEFAULT_CONTRACT_PIPELINES = ("Sales",)
DEFAULT_CHANGE_NOTICE_PIPELINES = ("CCN",)


class ContractStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    CLOSED = "closed", _("Closed")


class Contract(TimeStampedModel):
    # SET_NULL, not PROTECT: purging a deal from the trash must not fail, and the signed record stays.
    deal = models.OneToOneField(
        Deal, null=True, on_delete=models.SET_NULL, related_name="contract", verbose_name=_("deal")
    )
    number = models.CharField(_("number"), max_length=30, unique=True)
    signed_on = models.DateField(_("signature date"))
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=2, default=Decimal("0"))
    currency = models.CharField(_("currency"), max_length=3, default="CHF")
    customer = models.ForeignKey(
        Organization,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="contracts",
        verbose_name=_("customer"),
    )
    end_customer = models.ForeignKey(
        Organization,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="end_customer_contracts",
        verbose_name=_("end customer"),
    )
    # The project in Business Central once the contract is synchronised (a later integration fills it).
    erp_project_number = models.CharField(_("ERP project number"), max_length=40, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ContractStatus.choices, default=ContractStatus.ACTIVE
    )
    # The last change-notice number handed out; only ever grows, so a number is never reused.
    last_change_notice_number = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["-signed_on", "-id"]
        indexes = [models.Index(fields=["status", "-signed_on"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(value__gte=0), name="contract_value_not_negative")
        ]

    def __str__(self) -> str:
        return self.number


class ChangeNotice(models.Model):
    """The number of one CCN deal within its contract: CCN-01, CCN-02…, given once, never reused."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="change_notices")
    deal = models.OneToOneField(Deal, on_delete=models.CASCADE, related_name="change_notice_number")
    sequence = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["contract", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "sequence"], name="ccn_number_once_per_contract")
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def number(self) -> str:
        return format_ccn_number(self.sequence)


def format_ccn_number(sequence: int) -> str:
    return f"CCN-{sequence:02d}"


class PipelineContractSettings(models.Model):
    """Per pipeline: does winning a deal there create a contract; are its deals change notices.

    A pipeline without a row follows the defaults (DEFAULT_*_PIPELINES, by name).
    """

    pipeline = models.OneToOneField(Pipeline, on_delete=models.CASCADE, related_name="contract_settings")
    creates_contracts = models.BooleanField(_("winning a deal creates a contract"), default=False)
    holds_change_notices = models.BooleanField(_("new change notices go here"), default=False)

    class Meta:
        verbose_name_plural = "pipeline contract settings"

    def __str__(self) -> str:
        return f"{self.pipeline}: contracts={self.creates_contracts}"
