"""Offer documents: stored privately under MEDIA_ROOT, size-limited, kind read from the bytes,
downloaded only by who may see the deal, and removed from the disk with their row (also on a purge)."""

import hashlib
import io
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from apogee.core.errors import ValidationFailed
from apogee.deals.models import Visibility
from apogee.deals.services import delete_deal
from apogee.offers import services
from apogee.offers.errors import OfferStatusConflict
from apogee.offers.models import OfferDocument
from apogee.workspace.trash import purge_deal
from tests.deals.factories import make_deal
from tests.offers.factories import make_offer, pdf_upload, text_upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def deal(sales_pipeline, salesperson):
    return make_deal(pipeline=sales_pipeline, owner=salesperson, visibility=Visibility.OWNER)


@pytest.fixture
def offer(deal, salesperson):
    return make_offer(deal=deal, actor=salesperson)


def _office(part: str, name: str) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(part, "<x/>")
    return SimpleUploadedFile(name, buffer.getvalue())


def test_attach_stores_the_file_under_media_root_with_its_name_kind_and_hash(offer, salesperson, media_root):
    upload = pdf_upload("Proposal v1.pdf")
    content = upload.read()
    upload.seek(0)

    document = services.attach_document(offer=offer, actor=salesperson, upload=upload)

    assert document.original_name == "Proposal v1.pdf"
    assert document.content_type == "application/pdf"
    assert document.size == len(content)
    assert document.sha256 == hashlib.sha256(content).hexdigest()
    assert document.uploaded_by == salesperson
    path = Path(document.file.path)
    assert path.parent == Path(media_root) / "offers" / str(offer.deal_id)
    assert len(path.name) == 32 and "Proposal" not in path.name
    assert path.read_bytes() == content


@pytest.mark.parametrize(
    ("upload", "content_type"),
    [
        (
            lambda: _office("word/document.xml", "a.docx"),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        (
            lambda: _office("xl/workbook.xml", "a.xlsx"),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        (
            lambda: _office("ppt/presentation.xml", "a.pptx"),
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        ),
        (lambda: _office("readme.txt", "bundle.zip"), "application/zip"),
        (lambda: SimpleUploadedFile("p.png", b"\x89PNG\r\n\x1a\n" + b"0" * 20), "image/png"),
        (lambda: SimpleUploadedFile("p.JPG", b"\xff\xd8\xff\xe0" + b"0" * 20), "image/jpeg"),
        (lambda: text_upload("n.txt", "Prix net: 12’000 CHF\n".encode()), "text/plain; charset=utf-8"),
        (lambda: text_upload("wp.csv", b"\xef\xbb\xbfwp,amount\nWP1,10\n"), "text/csv; charset=utf-8"),
    ],
)
def test_each_accepted_kind_is_recognised_from_its_bytes(offer, salesperson, upload, content_type):
    document = services.attach_document(offer=offer, actor=salesperson, upload=upload())
    assert document.content_type == content_type


@pytest.mark.parametrize(
    "upload",
    [
        lambda: SimpleUploadedFile("page.html", b"<html><script>alert(1)</script></html>"),
        lambda: SimpleUploadedFile("offer.pdf", b"<html><script>alert(1)</script></html>"),
        lambda: SimpleUploadedFile("offer.pdf", b"\x89PNG\r\n\x1a\n0000"),
        lambda: SimpleUploadedFile("tool.exe", b"MZ\x90\x00\x03"),
        lambda: SimpleUploadedFile("binary.txt", b"abc\x00def"),
        lambda: SimpleUploadedFile("latin1.txt", "prix: 12 000 €".encode("cp1252")),
        lambda: SimpleUploadedFile("broken.docx", b"PK\x03\x04 not really a zip"),
        lambda: _office("readme.txt", "fake.docx"),
        lambda: SimpleUploadedFile("noextension", b"hello"),
    ],
)
def test_files_outside_the_whitelist_or_not_matching_their_extension_are_refused(
    offer, salesperson, media_root, upload
):
    with pytest.raises(ValidationFailed) as caught:
        services.attach_document(offer=offer, actor=salesperson, upload=upload())
    assert list(caught.value.fields) == ["file"]
    assert OfferDocument.objects.count() == 0
    assert not [p for p in Path(media_root).rglob("*") if p.is_file()]


def test_size_limit_comes_from_the_setting(offer, salesperson, settings):
    settings.APOGEE_OFFER_MAX_UPLOAD_MB = 1
    too_big = text_upload("big.txt", b"a" * (1024 * 1024 + 1))
    with pytest.raises(ValidationFailed) as caught:
        services.attach_document(offer=offer, actor=salesperson, upload=too_big)
    assert caught.value.fields == {"file": ["The file is too large: at most 1 MB."]}

    just_fits = text_upload("fits.txt", b"a" * (1024 * 1024))
    assert services.attach_document(offer=offer, actor=salesperson, upload=just_fits).size == 1024 * 1024


def test_empty_file_is_refused(offer, salesperson):
    with pytest.raises(ValidationFailed) as caught:
        services.attach_document(offer=offer, actor=salesperson, upload=text_upload("e.txt", b""))
    assert caught.value.fields == {"file": ["The file is empty."]}


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("../../../etc/passwd.txt", "passwd.txt"),
        ("..\\..\\windows\\win.ini.txt", "win.ini.txt"),
        ("/abs/path/offer.pdf", "offer.pdf"),
        ("evil\r\nX-Header: 1.txt", "evilX-Header: 1.txt"),
    ],
)
def test_path_traversal_and_control_characters_in_names_are_neutralized(
    offer, salesperson, media_root, given, kept
):
    content = b"%PDF-1.4 x" if kept.endswith(".pdf") else b"text"
    document = services.attach_document(offer=offer, actor=salesperson, upload=_named(given, content))
    assert document.original_name == kept
    assert Path(document.file.path).resolve().is_relative_to(Path(media_root).resolve() / "offers")


def _named(name: str, content: bytes) -> SimpleUploadedFile:
    upload = SimpleUploadedFile("placeholder", content)
    upload.name = name  # what a hostile client can send; Django's own upload parsing strips less than this
    return upload


def test_a_superseded_revision_keeps_its_documents_frozen(offer, salesperson):
    document = services.attach_document(offer=offer, actor=salesperson, upload=pdf_upload())
    services.revise_offer(offer=offer, actor=salesperson, changes={"amount": "1"})
    offer.refresh_from_db()
    with pytest.raises(OfferStatusConflict):
        services.attach_document(offer=offer, actor=salesperson, upload=pdf_upload())
    with pytest.raises(OfferStatusConflict):
        services.remove_document(document=document, actor=salesperson)
    assert OfferDocument.objects.filter(pk=document.pk).exists()


def test_removing_a_document_deletes_its_file_after_commit(
    offer, salesperson, django_capture_on_commit_callbacks
):
    document = services.attach_document(offer=offer, actor=salesperson, upload=pdf_upload())
    path = Path(document.file.path)
    with django_capture_on_commit_callbacks(execute=True):
        services.remove_document(document=document, actor=salesperson)
    assert not OfferDocument.objects.exists()
    assert not path.exists()


def test_purging_the_deal_from_the_trash_deletes_the_offer_files(
    deal, offer, salesperson, admin, django_capture_on_commit_callbacks
):
    kept_deal = make_deal(pipeline=deal.pipeline, owner=salesperson)
    kept = services.attach_document(
        offer=make_offer(deal=kept_deal, actor=salesperson), actor=salesperson, upload=pdf_upload()
    )
    revision = services.revise_offer(offer=offer, actor=salesperson, changes={"amount": "2"})
    paths = [
        Path(services.attach_document(offer=revision, actor=salesperson, upload=pdf_upload()).file.path),
        Path(services.attach_document(offer=revision, actor=salesperson, upload=text_upload()).file.path),
    ]
    delete_deal(deal=deal, actor=salesperson)
    assert all(p.exists() for p in paths)  # in the trash, still restorable with its files

    with django_capture_on_commit_callbacks(execute=True):
        purge_deal(deal=deal, actor=admin)

    assert not any(p.exists() for p in paths)
    assert list(OfferDocument.objects.values_list("pk", flat=True)) == [kept.pk]
    assert Path(kept.file.path).exists()


# ------------------------------------------------------------------ download


def test_download_is_an_attachment_with_nosniff(client_for, offer, salesperson):
    document = services.attach_document(
        offer=offer, actor=salesperson, upload=pdf_upload("Offre finale é.pdf")
    )
    response = client_for(salesperson).get(reverse("offers:download", args=[offer.pk, document.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''Offre%20finale%20%C3%A9.pdf" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == Path(document.file.path).read_bytes()


def test_download_of_another_teams_private_deal_is_404(client_for, offer, salesperson, other_salesperson):
    document = services.attach_document(offer=offer, actor=salesperson, upload=pdf_upload())
    response = client_for(other_salesperson).get(reverse("offers:download", args=[offer.pk, document.pk]))
    assert response.status_code == 404


def test_download_with_a_document_id_of_another_offer_is_404(client_for, deal, offer, salesperson):
    other = make_offer(deal=deal, actor=salesperson)
    document = services.attach_document(offer=other, actor=salesperson, upload=pdf_upload())
    response = client_for(salesperson).get(reverse("offers:download", args=[offer.pk, document.pk]))
    assert response.status_code == 404


def test_download_anonymous_goes_to_login(client, offer, salesperson):
    document = services.attach_document(offer=offer, actor=salesperson, upload=pdf_upload())
    response = client.get(reverse("offers:download", args=[offer.pk, document.pk]))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_download_of_a_file_gone_from_disk_is_404(client_for, offer, salesperson):
    document = services.attach_document(offer=offer, actor=salesperson, upload=pdf_upload())
    Path(document.file.path).unlink()
    response = client_for(salesperson).get(reverse("offers:download", args=[offer.pk, document.pk]))
    assert response.status_code == 404


def test_documents_have_no_public_url(offer, salesperson):
    document = services.attach_document(offer=offer, actor=salesperson, upload=pdf_upload())
    with pytest.raises(NotImplementedError):
        document.file.url  # noqa: B018
