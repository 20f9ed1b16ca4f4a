"""The offers of the demo workspace: an RFI's ROM followed by a firm offer in Sales, and a few more.

Called by apogee.workspace.demo once deals exist. The story it tells: a ROM of
1.2 M EUR answered an RFI last year; the RFI was handed off to Sales, where a firm
offer of 1.5 M EUR was revised to 1.45 M EUR and submitted this year. Idempotent:
it does nothing once any offer exists.
"""

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

from apogee.deals import services as deals
from apogee.deals.models import Deal, DealStatus
from apogee.pipelines.models import Pipeline

from . import services
from .models import Offer


def seed(*, users, now: datetime) -> None:
    if Offer.objects.exists():
        return
    today = now.date()
    pair = _rfi_and_sales_deal()
    if pair is not None:
        rfi, sales = pair
        _lineage_story(rfi, sales, today)
    _other_offers(today, exclude={d.pk for d in pair or ()})


def _rfi_and_sales_deal() -> tuple[Deal, Deal] | None:
    """An RFI deal and the Sales deal handed off from it; made from an open RFI deal if the demo has none."""
    sales = (
        Deal.objects.filter(
            origin_deal__pipeline__name="RFI", pipeline__name="Sales", deleted_at__isnull=True
        )
        .select_related("origin_deal")
        .order_by("pk")
        .first()
    )
    if sales is not None:
        return sales.origin_deal, sales
    rfi = (
        Deal.objects.filter(pipeline__name="RFI", status=DealStatus.OPEN, deleted_at__isnull=True)
        .order_by("-stage__position", "pk")
        .first()
    )
    pipeline = Pipeline.objects.filter(name="Sales").first()
    if rfi is None or pipeline is None:
        return None
    sales = deals.create_deal(
        title=rfi.title.removeprefix("RFI ").strip() or rfi.title,
        pipeline=pipeline,
        actor=None,
        owner=rfi.owner,
        organization=rfi.organization,
        value=rfi.value,
        currency=rfi.currency,
        visibility=rfi.visibility,
        custom_values={**rfi.custom_values, "offer_type": "firm"},
        origin_deal=rfi,
        details={"end_customer": rfi.end_customer},
    )
    return rfi, sales


def _backdate(offer: Offer, when: date) -> None:
    # The demo replays history: an offer written then, not today.
    moment = datetime.combine(when, time(9), tzinfo=UTC)
    Offer.objects.filter(pk=offer.pk).update(created_at=moment, updated_at=moment)


def _lineage_story(rfi: Deal, sales: Deal, today: date) -> None:
    last_year = today.replace(year=today.year - 1, month=min(today.month, 10), day=1)
    rom = services.create_offer(
        deal=rfi,
        actor=rfi.owner,
        offer_type="rom",
        amount=Decimal("1200000"),
        currency="EUR",
        price_basis="firm_fixed_price",
        valid_until=last_year + timedelta(days=90),
        note="Budgetary figure for the prime's RFI; no negotiation.",
    )
    services.submit_offer(offer=rom, actor=rfi.owner, submitted_on=last_year)
    _backdate(rom, last_year)

    first_day = today - timedelta(days=40)
    firm = services.create_offer(
        deal=sales,
        actor=sales.owner,
        offer_type="firm",
        amount=Decimal("1500000"),
        currency="EUR",
        price_basis="firm_fixed_price",
        valid_until=first_day + timedelta(days=90),
        note="Proposal v1 following the RFQ.",
    )
    services.submit_offer(offer=firm, actor=sales.owner, submitted_on=first_day)
    services.attach_document(
        offer=firm,
        actor=sales.owner,
        upload=SimpleUploadedFile(
            "price-breakdown-v1.csv", b"work package,amount EUR\nWP1,900000\nWP2,600000\n"
        ),
    )
    _backdate(firm, first_day)
    revision = services.revise_offer(
        offer=firm,
        actor=sales.owner,
        changes={
            "amount": Decimal("1450000"),
            "valid_until": today + timedelta(days=10),
            "submitted_on": today - timedelta(days=5),
            "note": "Best and final offer after the negotiation: test campaign shared with the prime.",
        },
    )
    _backdate(revision, today - timedelta(days=5))
    services.attach_document(
        offer=revision,
        actor=sales.owner,
        upload=SimpleUploadedFile(
            f"{revision.reference}-rev{revision.revision}.pdf",
            _pdf(f"Offer {revision.reference} revision {revision.revision}: EUR 1'450'000, firm fixed price"),
        ),
    )


def _other_offers(today: date, *, exclude: set[int]) -> None:
    """A few firm offers on open Sales deals and a quote on a change notice."""
    candidates = list(
        Deal.objects.filter(pipeline__name="Sales", status=DealStatus.OPEN, deleted_at__isnull=True)
        .exclude(pk__in=exclude)
        .order_by("-stage__position", "pk")[:4]
    )
    plans = [
        ("submitted", Decimal("0.95"), 60),
        ("draft", Decimal("1.0"), 90),
        ("submitted", Decimal("1.05"), -3),
        ("accepted", Decimal("0.9"), 120),
    ]
    for deal, (status, factor, valid_days) in zip(candidates, plans, strict=False):
        amount = (deal.value * factor / 1000).quantize(Decimal(1)) * 1000 if deal.value else Decimal("250000")
        offer = services.create_offer(
            deal=deal,
            actor=deal.owner,
            offer_type="firm",
            amount=amount,
            currency=deal.currency,
            price_basis="firm_fixed_price",
            valid_until=today + timedelta(days=valid_days),
        )
        if status in ("submitted", "accepted"):
            services.submit_offer(offer=offer, actor=deal.owner, submitted_on=today - timedelta(days=20))
        if status == "accepted":
            services.accept_offer(offer=offer, actor=deal.owner)
    change_notice = (
        Deal.objects.filter(parent_contract__isnull=False, status=DealStatus.OPEN, deleted_at__isnull=True)
        .order_by("pk")
        .first()
    )
    if change_notice is not None:
        services.create_offer(
            deal=change_notice,
            actor=change_notice.owner,
            offer_type="ccn_quote",
            amount=change_notice.value or Decimal("45000"),
            currency=change_notice.currency,
            price_basis="firm_fixed_price",
            valid_until=today + timedelta(days=45),
            note="Extra qualification test requested by the prime.",
        )


def _pdf(text: str) -> bytes:
    """A one-page PDF showing `text` (ASCII), with a correct cross-reference table."""
    safe = (
        text.encode("ascii", "replace").decode().replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    )
    stream = f"BT /F1 14 Tf 60 760 Td ({safe}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)
