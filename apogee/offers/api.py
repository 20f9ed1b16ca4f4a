"""JSON API of offers: a deal's offers, create, edit a draft, revise, submit, accept, reject;
documents (multipart upload, download, delete); handing the deal's value back to the offers.

The same rules as the deal page: an offer on a deal the user may not see answers 404
on every verb; a status that does not allow the change answers 409 (code
offer_status_conflict); bad input 422 naming each field, a file too large or of a
kind not accepted included. Amounts are decimals as strings in answers.
"""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from django.urls import reverse
from ninja import Field, File, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import ConfigDict

from apogee.deals.queries import get_deal_for_user_or_404

from . import queries, services
from .models import Offer, OfferDocument, OfferStatus, OfferType, PriceBasis
from .responses import document_response

router = Router(tags=["offers"])

Id = Annotated[int, Field(ge=1, le=2**63 - 1)]
OfferTypeIn = Literal[tuple(OfferType.values)]
PriceBasisIn = Literal[("", *PriceBasis.values)]


class Input(Schema):
    model_config = ConfigDict(extra="forbid")


class DocumentOut(Schema):
    id: int
    name: str
    content_type: str
    size: int
    sha256: str
    uploaded_by_id: int | None
    uploaded_at: datetime
    download_url: str

    @staticmethod
    def resolve_name(document: OfferDocument) -> str:
        return document.original_name

    @staticmethod
    def resolve_download_url(document: OfferDocument) -> str:
        return reverse("api:download_offer_document", args=[document.offer_id, document.pk])


class OfferOut(Schema):
    id: int
    deal_id: int
    reference: str = Field(..., description="OFF-<deal id>-<line number>; shared by the line's revisions.")
    number: int
    revision: int
    supersedes_id: int | None
    offer_type: str
    is_binding: bool
    amount: str = Field(..., description="Decimal as a string, e.g. “1450000.00”.")
    currency: str
    price_basis: str
    valid_until: date | None
    submitted_on: date | None
    decided_on: date | None
    status: str = Field(..., description=", ".join(OfferStatus.values))
    note: str
    created_by_id: int | None
    created_at: datetime
    documents: list[DocumentOut]

    @staticmethod
    def resolve_amount(offer: Offer) -> str:
        return str(offer.amount)

    @staticmethod
    def resolve_documents(offer: Offer) -> list[OfferDocument]:
        return list(offer.documents.all())


class OfferCreate(Input):
    offer_type: OfferTypeIn
    amount: Decimal
    currency: str
    is_binding: bool | None = Field(None, description="Default: true for firm offers and CCN quotes.")
    price_basis: PriceBasisIn = ""
    valid_until: date | None = None
    submitted_on: date | None = None
    note: str = ""


class OfferChanges(Input):
    """Only the fields given change."""

    offer_type: OfferTypeIn | None = None
    amount: Decimal | None = None
    currency: str | None = None
    is_binding: bool | None = None
    price_basis: PriceBasisIn | None = None
    valid_until: date | None = None
    submitted_on: date | None = None
    note: str | None = None


class SubmitIn(Input):
    submitted_on: date | None = Field(None, description="Default: the day already set, else today.")


class DealValueOut(Schema):
    deal_id: int
    value: str
    currency: str
    value_follows_offer: bool


def _changes(payload: OfferChanges) -> dict:
    changes = payload.model_dump(exclude_unset=True)
    # null means "not given" for the fields that cannot be empty.
    for key in ("offer_type", "amount", "currency", "is_binding"):
        if changes.get(key, "") is None:
            changes.pop(key)
    return changes


def _fresh(offer: Offer) -> Offer:
    return Offer.objects.prefetch_related("documents").get(pk=offer.pk)


@router.get("/deals/{deal_id}/offers", response=list[OfferOut])
def list_offers(request, deal_id: int):
    """Every revision of every offer line of the deal, by line then revision."""
    deal = get_deal_for_user_or_404(request.auth, deal_id)
    return list(queries.offers_of_deal(deal).order_by("number", "revision"))


@router.post("/deals/{deal_id}/offers", response={201: OfferOut})
def create_offer(request, deal_id: int, payload: OfferCreate):
    """A new offer line, as a draft."""
    deal = get_deal_for_user_or_404(request.auth, deal_id)
    offer = services.create_offer(deal=deal, actor=request.auth, **payload.model_dump())
    return Status(201, _fresh(offer))


@router.post("/deals/{deal_id}/offers/follow", response=DealValueOut)
def follow_offers(request, deal_id: int):
    """Let the deal's value follow its latest standing offer again, after it was typed by hand."""
    deal = get_deal_for_user_or_404(request.auth, deal_id)
    deal = services.follow_offers(deal=deal, actor=request.auth)
    return {
        "deal_id": deal.pk,
        "value": str(deal.value),
        "currency": deal.currency,
        "value_follows_offer": deal.value_follows_offer,
    }


@router.get("/offers/{offer_id}", response=OfferOut)
def get_offer(request, offer_id: int):
    return _fresh(queries.get_offer_for_user_or_404(request.auth, offer_id))


@router.patch("/offers/{offer_id}", response=OfferOut)
def update_offer(request, offer_id: int, payload: OfferChanges):
    """Edit a draft; a submitted offer changes by a new revision (409 here)."""
    offer = queries.get_offer_for_user_or_404(request.auth, offer_id)
    return _fresh(services.update_offer(offer=offer, actor=request.auth, changes=_changes(payload)))


@router.post("/offers/{offer_id}/revise", response={201: OfferOut})
def revise_offer(request, offer_id: int, payload: OfferChanges):
    """A new revision of the offer with the given changes; the offer becomes superseded."""
    offer = queries.get_offer_for_user_or_404(request.auth, offer_id)
    revision = services.revise_offer(offer=offer, actor=request.auth, changes=_changes(payload))
    return Status(201, _fresh(revision))


@router.post("/offers/{offer_id}/submit", response=OfferOut)
def submit_offer(request, offer_id: int, payload: SubmitIn | None = None):
    offer = queries.get_offer_for_user_or_404(request.auth, offer_id)
    submitted_on = payload.submitted_on if payload else None
    return _fresh(services.submit_offer(offer=offer, actor=request.auth, submitted_on=submitted_on))


@router.post("/offers/{offer_id}/accept", response=OfferOut)
def accept_offer(request, offer_id: int):
    offer = queries.get_offer_for_user_or_404(request.auth, offer_id)
    return _fresh(services.accept_offer(offer=offer, actor=request.auth))


@router.post("/offers/{offer_id}/reject", response=OfferOut)
def reject_offer(request, offer_id: int):
    offer = queries.get_offer_for_user_or_404(request.auth, offer_id)
    return _fresh(services.reject_offer(offer=offer, actor=request.auth))


@router.post("/offers/{offer_id}/documents", response={201: DocumentOut})
def attach_document(request, offer_id: int, file: File[UploadedFile]):
    """Multipart upload (field `file`). PDF, DOCX, XLSX, PPTX, ZIP, PNG, JPEG, TXT, CSV, size-limited."""
    offer = queries.get_offer_for_user_or_404(request.auth, offer_id)
    return Status(201, services.attach_document(offer=offer, actor=request.auth, upload=file))


@router.get(
    "/offers/{offer_id}/documents/{document_id}/download",
    url_name="download_offer_document",
    response={200: None},
)
def download_document(request, offer_id: int, document_id: int):
    """The file, as an attachment under its original name."""
    return document_response(queries.get_document_for_user_or_404(request.auth, offer_id, document_id))


@router.delete("/offers/{offer_id}/documents/{document_id}", response={204: None})
def delete_document(request, offer_id: int, document_id: int):
    document = queries.get_document_for_user_or_404(request.auth, offer_id, document_id)
    services.remove_document(document=document, actor=request.auth)
    return Status(204, None)
