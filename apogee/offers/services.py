"""Offer writes: create, edit a draft, revise, submit, accept, reject; attach and remove documents;
hand the deal's value back to the offers.

Whoever may edit the deal may do all of these (deals.services.ensure_can_edit). Each
function validates everything before writing anything, writes inside one transaction,
records a domain event naming the deal, and then lets the deal's value follow its
latest standing offer (through deals.services.update_deal, unless someone typed the
value by hand). A superseded offer never changes again. `actor=None` is a system task
(the demo, imports).
"""

from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from apogee.accounts.models import User
from apogee.core.errors import ValidationFailed
from apogee.core.events import jsonable, record_event
from apogee.core.models import Currency
from apogee.deals.models import Deal
from apogee.deals.services import MAX_VALUE, ensure_can_edit, update_deal

from . import events, files
from .errors import OfferStatusConflict
from .models import BINDING_BY_DEFAULT, Offer, OfferDocument, OfferStatus, OfferType, PriceBasis
from .queries import latest_standing_offer

# The fields a draft edit or a revision may change.
OFFER_FIELDS = (
    "offer_type",
    "is_binding",
    "amount",
    "currency",
    "price_basis",
    "valid_until",
    "submitted_on",
    "note",
)
MAX_NOTE = 2000


def max_upload_bytes() -> int:
    return int(settings.APOGEE_OFFER_MAX_UPLOAD_MB) * 1024 * 1024


def _invalid(errors: dict[str, list[str]]) -> ValidationFailed:
    return ValidationFailed(_("Some fields are invalid."), fields=errors)


def _day(value, key: str, errors: dict) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        errors[key] = [_("Enter a date as YYYY-MM-DD.")]
        return None


def _clean(data: dict[str, Any], *, deal: Deal) -> dict[str, Any]:
    """Validate the offer fields present in `data`; raise ValidationFailed naming every bad one."""
    unknown = set(data) - set(OFFER_FIELDS)
    errors: dict[str, list[str]] = {k: [_("Unknown field.")] for k in sorted(unknown)}
    cleaned: dict[str, Any] = {}
    if "offer_type" in data:
        if data["offer_type"] not in OfferType.values:
            errors["offer_type"] = [_("Choose a valid offer type.")]
        cleaned["offer_type"] = data["offer_type"]
    if "is_binding" in data:
        if not isinstance(data["is_binding"], bool):
            errors["is_binding"] = [_("Give true or false.")]
        cleaned["is_binding"] = data["is_binding"]
    if "amount" in data:
        raw = data["amount"]
        try:
            if raw is None or isinstance(raw, bool | float) or str(raw).strip() == "":
                raise InvalidOperation
            amount = Decimal(str(raw).strip().replace("\u2019", "").replace("'", ""))
            if not amount.is_finite() or abs(amount) >= MAX_VALUE or amount.as_tuple().exponent < -2:
                raise InvalidOperation
        except (InvalidOperation, ValueError):
            errors["amount"] = [_("Enter an amount with at most two decimals.")]
        else:
            # Only a change notice (a deal under a running contract) may take money away.
            if amount < 0 and deal.parent_contract_id is None:
                errors["amount"] = [_("The amount cannot be negative.")]
            cleaned["amount"] = amount.quantize(Decimal("0.01"))
    if "currency" in data:
        currency = str(data["currency"] or "").upper()
        if not Currency.objects.filter(code=currency, is_active=True).exists():
            errors["currency"] = [_("Choose one of the workspace's currencies.")]
        cleaned["currency"] = currency
    if "price_basis" in data:
        basis = data["price_basis"] or ""
        if basis and basis not in PriceBasis.values:
            errors["price_basis"] = [_("Choose a valid price basis.")]
        cleaned["price_basis"] = basis
    for key in ("valid_until", "submitted_on"):
        if key in data:
            cleaned[key] = _day(data[key], key, errors)
    if "note" in data:
        note = str(data["note"] or "").strip()
        if len(note) > MAX_NOTE:
            errors["note"] = [_("At most %d characters.") % MAX_NOTE]
        elif "\x00" in note:
            errors["note"] = [_("Text may not contain NUL characters.")]
        cleaned["note"] = note
    if errors:
        raise _invalid(errors)
    return cleaned


def _payload(offer: Offer, **extra) -> dict[str, Any]:
    return {
        "deal": offer.deal_id,
        "reference": offer.reference,
        "revision": offer.revision,
        "offer_type": offer.offer_type,
        "amount": str(offer.amount),
        "currency": offer.currency,
        "status": offer.status,
        **extra,
    }


def _lock(offer: Offer) -> Offer:
    # Re-read under a row lock: two people revising one offer must not both supersede it.
    return Offer.objects.select_for_update().select_related("deal").get(pk=offer.pk)


def _ensure_not_superseded(offer: Offer) -> None:
    if offer.status == OfferStatus.SUPERSEDED:
        raise OfferStatusConflict(_("A superseded offer cannot change; its latest revision can."))


def _follow(deal: Deal, actor: User | None) -> None:
    """Give the deal the value of its latest standing offer, if the deal follows its offers."""
    deal = Deal.objects.get(pk=deal.pk)
    if not deal.value_follows_offer:
        return
    offer = latest_standing_offer(deal)
    if offer is None:
        return
    update_deal(
        deal=deal,
        actor=actor,
        changes={"value": offer.amount, "currency": offer.currency, "value_follows_offer": True},
    )


@transaction.atomic
def create_offer(
    *,
    deal: Deal,
    actor: User | None,
    offer_type: str,
    amount: Any,
    currency: str,
    is_binding: bool | None = None,
    price_basis: str = "",
    valid_until: Any = None,
    submitted_on: Any = None,
    note: str = "",
) -> Offer:
    """A new offer line on the deal, as a draft (revision 1); firm offers and CCN quotes bind by default."""
    ensure_can_edit(actor, deal)
    deal = Deal.objects.select_for_update().get(pk=deal.pk)
    data = {
        "offer_type": offer_type,
        "amount": amount,
        "currency": currency,
        "price_basis": price_basis,
        "valid_until": valid_until,
        "submitted_on": submitted_on,
        "note": note,
    }
    if is_binding is not None:
        data["is_binding"] = is_binding
    cleaned = _clean(data, deal=deal)
    cleaned.setdefault("is_binding", cleaned["offer_type"] in BINDING_BY_DEFAULT)
    number = (Offer.objects.filter(deal=deal).aggregate(n=Max("number"))["n"] or 0) + 1
    offer = Offer.objects.create(deal=deal, number=number, revision=1, created_by=actor, **cleaned)
    record_event(events.OFFER_CREATED, subject=offer, actor=actor, data=_payload(offer))
    _follow(deal, actor)
    return offer


@transaction.atomic
def update_offer(*, offer: Offer, actor: User | None, changes: dict[str, Any]) -> Offer:
    """Edit a draft in place; once submitted, an offer changes only by a new revision."""
    ensure_can_edit(actor, offer.deal)
    offer = _lock(offer)
    if offer.status != OfferStatus.DRAFT:
        raise OfferStatusConflict(_("Only a draft can be edited; make a new revision instead."))
    cleaned = _clean(changes, deal=offer.deal)
    diff = {}
    for key, value in cleaned.items():
        if getattr(offer, key) != value:
            diff[key] = [jsonable(getattr(offer, key)), jsonable(value)]
            setattr(offer, key, value)
    if not diff:
        return offer
    offer.save()
    record_event(events.OFFER_UPDATED, subject=offer, actor=actor, data=_payload(offer, changes=diff))
    _follow(offer.deal, actor)
    return offer


@transaction.atomic
def revise_offer(*, offer: Offer, actor: User | None, changes: dict[str, Any] | None = None) -> Offer:
    """A new revision of the offer's line, copying it with `changes`; the offer becomes superseded.

    The new revision starts as a draft unless `changes` says when it was submitted
    (then it is submitted). An accepted offer is final: a change after acceptance is
    a change notice, a deal of its own.
    """
    ensure_can_edit(actor, offer.deal)
    offer = _lock(offer)
    _ensure_not_superseded(offer)
    if offer.status == OfferStatus.ACCEPTED:
        raise OfferStatusConflict(_("An accepted offer is final; a change to it is a change notice."))
    changes = dict(changes or {})
    cleaned = _clean(changes, deal=offer.deal)
    fields = {key: getattr(offer, key) for key in OFFER_FIELDS}
    # What was submitted is the old revision's story; the new one is sent anew.
    fields["submitted_on"] = None
    fields.update(cleaned)
    status = OfferStatus.SUBMITTED if fields["submitted_on"] else OfferStatus.DRAFT
    previous_status = offer.status
    offer.status = OfferStatus.SUPERSEDED
    offer.save(update_fields=["status", "updated_at"])
    revision = Offer.objects.create(
        deal=offer.deal,
        number=offer.number,
        revision=offer.revision + 1,
        supersedes=offer,
        status=status,
        created_by=actor,
        **fields,
    )
    record_event(
        events.OFFER_SUPERSEDED,
        subject=offer,
        actor=actor,
        data=_payload(offer, was=previous_status, superseded_by=revision.pk),
    )
    record_event(
        events.OFFER_REVISED,
        subject=revision,
        actor=actor,
        data=_payload(
            revision,
            supersedes=offer.pk,
            previous_amount=str(offer.amount),
            previous_currency=offer.currency,
        ),
    )
    _follow(offer.deal, actor)
    return revision


def _transition(offer: Offer, actor: User | None, *, allowed_from: set[str], to: str, event: str, **updates):
    ensure_can_edit(actor, offer.deal)
    offer = _lock(offer)
    _ensure_not_superseded(offer)
    if offer.status == to:
        return offer
    if offer.status not in allowed_from:
        raise OfferStatusConflict(
            _("A %(status)s offer cannot become %(to)s.")
            % {"status": offer.get_status_display().lower(), "to": OfferStatus(to).label.lower()}
        )
    was = offer.status
    offer.status = to
    for key, value in updates.items():
        setattr(offer, key, value)
    offer.save()
    record_event(event, subject=offer, actor=actor, data=_payload(offer, was=was))
    _follow(offer.deal, actor)
    return offer


@transaction.atomic
def submit_offer(*, offer: Offer, actor: User | None, submitted_on: Any = None) -> Offer:
    """Draft → submitted; the submission day is the one given, the one already set, or today."""
    errors: dict[str, list[str]] = {}
    day = _day(submitted_on, "submitted_on", errors)
    if errors:
        raise _invalid(errors)
    day = day or offer.submitted_on or timezone.localdate()
    return _transition(
        offer,
        actor,
        allowed_from={OfferStatus.DRAFT},
        to=OfferStatus.SUBMITTED,
        event=events.OFFER_SUBMITTED,
        submitted_on=day,
    )


@transaction.atomic
def accept_offer(*, offer: Offer, actor: User | None) -> Offer:
    """The customer accepted a submitted offer."""
    return _transition(
        offer,
        actor,
        allowed_from={OfferStatus.SUBMITTED},
        to=OfferStatus.ACCEPTED,
        event=events.OFFER_ACCEPTED,
        decided_on=timezone.localdate(),
    )


@transaction.atomic
def reject_offer(*, offer: Offer, actor: User | None) -> Offer:
    """The customer turned a submitted offer down; the deal's value falls back to its other offers."""
    return _transition(
        offer,
        actor,
        allowed_from={OfferStatus.SUBMITTED},
        to=OfferStatus.REJECTED,
        event=events.OFFER_REJECTED,
        decided_on=timezone.localdate(),
    )


@transaction.atomic
def follow_offers(*, deal: Deal, actor: User | None) -> Deal:
    """Hand the deal's value back to its offers (after someone typed it) and apply the latest one now."""
    ensure_can_edit(actor, deal)
    deal = Deal.objects.get(pk=deal.pk)
    offer = latest_standing_offer(deal)
    changes: dict[str, Any] = {"value_follows_offer": True}
    if offer is not None:
        changes.update(value=offer.amount, currency=offer.currency)
    return update_deal(deal=deal, actor=actor, changes=changes)


def _upload_error(message: str) -> ValidationFailed:
    return ValidationFailed(message, fields={"file": [message]})


@transaction.atomic
def attach_document(*, offer: Offer, actor: User | None, upload: UploadedFile) -> OfferDocument:
    """Store a file with the offer: size-limited, its kind read from its bytes, its name kept for display."""
    ensure_can_edit(actor, offer.deal)
    offer = _lock(offer)
    _ensure_not_superseded(offer)
    if upload is None or not hasattr(upload, "read"):
        raise _upload_error(_("Choose a file."))
    limit = max_upload_bytes()
    if upload.size is None or upload.size == 0:
        raise _upload_error(_("The file is empty."))
    if upload.size > limit:
        raise _upload_error(_("The file is too large: at most %d MB.") % settings.APOGEE_OFFER_MAX_UPLOAD_MB)
    name = files.clean_filename(upload.name)
    try:
        kind = files.sniff(upload, name)
    except files.NotAllowed:
        raise _upload_error(
            _(
                "Accepted files: PDF, Word, Excel, PowerPoint, ZIP, PNG, JPEG, text and CSV, "
                "with a matching extension."
            )
        ) from None
    digest = files.sha256_of(upload)
    document = OfferDocument(
        offer=offer,
        original_name=name,
        content_type=kind.content_type,
        size=upload.size,
        sha256=digest,
        uploaded_by=actor,
    )
    document.file.save(name, upload, save=False)
    try:
        document.save()
        record_event(
            events.OFFER_DOCUMENT_ATTACHED,
            subject=offer,
            actor=actor,
            data=_payload(offer, document=document.pk, name=name, size=document.size, sha256=digest),
        )
    except Exception:
        # The row did not make it: neither does the file.
        document.file.storage.delete(document.file.name)
        raise
    return document


@transaction.atomic
def remove_document(*, document: OfferDocument, actor: User | None) -> None:
    """Delete the document; its file leaves the disk once this commits (signals.py)."""
    offer = document.offer
    ensure_can_edit(actor, offer.deal)
    offer = _lock(offer)
    _ensure_not_superseded(offer)
    data = _payload(offer, document=document.pk, name=document.original_name)
    document.delete()
    record_event(events.OFFER_DOCUMENT_REMOVED, subject=offer, actor=actor, data=data)
