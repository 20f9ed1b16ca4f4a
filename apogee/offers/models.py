"""Offers on a deal (ROM, budgetary, firm proposal, CCN quote), their revisions and documents.

An offer line is the set of offers of one deal sharing a `number`; each revision
supersedes the one before it (`supersedes`), which stays, frozen, as history. The
current revision of a line is the one no other revision supersedes.
"""

import uuid

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.utils.translation import gettext_lazy as _

from apogee.core.models import TimeStampedModel
from apogee.deals.models import Deal


class OfferType(models.TextChoices):
    ROM = "rom", _("ROM")
    BUDGETARY = "budgetary", _("Budgetary offer")
    FIRM = "firm", _("Firm offer")
    CCN_QUOTE = "ccn_quote", _("CCN quote")


class PriceBasis(models.TextChoices):
    FIRM_FIXED_PRICE = "firm_fixed_price", _("Firm fixed price")
    FIXED_UNIT_RATES = "fixed_unit_rates", _("Fixed unit rates")
    CEILING_PRICE = "ceiling_price", _("Ceiling price")
    COST_REIMBURSEMENT = "cost_reimbursement", _("Cost reimbursement")
    COST_PLUS_FEE = "cost_plus_fee", _("Cost plus fee")
    TIME_AND_MATERIALS = "time_and_materials", _("Time and materials")


class OfferStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    SUPERSEDED = "superseded", _("Superseded")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")


# A ROM or a budgetary figure commits to nothing; a proposal or a CCN quote usually does.
BINDING_BY_DEFAULT = {OfferType.FIRM, OfferType.CCN_QUOTE}


class Offer(TimeStampedModel):
    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="offers", verbose_name=_("deal"))
    # The offer line within the deal (1, 2, …); its revisions share it.
    number = models.PositiveIntegerField(_("number"))
    revision = models.PositiveIntegerField(_("revision"), default=1)
    supersedes = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="superseded_by",
        verbose_name=_("supersedes"),
    )
    offer_type = models.CharField(_("type"), max_length=20, choices=OfferType.choices)
    is_binding = models.BooleanField(_("binding"), default=False)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3)
    price_basis = models.CharField(_("price basis"), max_length=30, choices=PriceBasis.choices, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    submitted_on = models.DateField(_("submitted on"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=OfferStatus.choices, default=OfferStatus.DRAFT, db_index=True
    )
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("created by"),
    )

    class Meta:
        ordering = ["deal", "number", "revision"]
        constraints = [
            models.UniqueConstraint(fields=["deal", "number", "revision"], name="offer_revision_once"),
            models.CheckConstraint(condition=models.Q(revision__gte=1), name="offer_revision_positive"),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        return f"OFF-{self.deal_id}-{self.number}"

    @property
    def is_current(self) -> bool:
        return self.status != OfferStatus.SUPERSEDED


def offer_storage() -> FileSystemStorage:
    return _storage


class PrivateStorage(FileSystemStorage):
    """MEDIA_ROOT on disk, never a URL: documents are served by a view that checks permissions."""

    def url(self, name):
        raise NotImplementedError("Offer documents have no public URL; use the download view.")


# No location: it follows settings.MEDIA_ROOT, also when tests change it.
_storage = PrivateStorage()


def _document_path(document: "OfferDocument", filename: str) -> str:
    # Never the uploaded name on disk: it is kept in original_name, for display only.
    return f"offers/{document.offer.deal_id}/{uuid.uuid4().hex}"


class OfferDocument(models.Model):
    offer = models.ForeignKey(
        Offer, on_delete=models.CASCADE, related_name="documents", verbose_name=_("offer")
    )
    file = models.FileField(_("file"), upload_to=_document_path, storage=offer_storage, max_length=200)
    original_name = models.CharField(_("name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=120)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name
