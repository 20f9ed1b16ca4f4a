"""Offers and files for tests, made through the real services."""

from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

from apogee.offers import services
from apogee.offers.demo import _pdf


def make_offer(*, deal, actor=None, offer_type="firm", amount="100000", currency="EUR", **extra):
    return services.create_offer(
        deal=deal, actor=actor, offer_type=offer_type, amount=Decimal(str(amount)), currency=currency, **extra
    )


def pdf_upload(name="offer.pdf", text="Offer"):
    return SimpleUploadedFile(name, _pdf(text), content_type="application/pdf")


def text_upload(name="notes.txt", content=b"plain text\n"):
    return SimpleUploadedFile(name, content, content_type="text/plain")
