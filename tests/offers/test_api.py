"""The offers API: lines, revisions, status changes, documents; 404 hides, 409 on status, 422 names fields."""

from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from apogee.deals.models import Deal, Visibility
from apogee.offers.models import Offer, OfferDocument
from tests.deals.factories import make_deal
from tests.offers.factories import make_offer, pdf_upload

pytestmark = pytest.mark.django_db

NOT_FOUND = {"code": "not_found", "message": "Not found.", "fields": {}}


@pytest.fixture
def deal(sales_pipeline, salesperson):
    return make_deal(pipeline=sales_pipeline, owner=salesperson, visibility=Visibility.OWNER, title="Secret")


def _upload(api, offer_id, upload):
    return api.http.post(f"/api/v1/offers/{offer_id}/documents", {"file": upload})


def test_create_then_list_offers_of_a_deal(api_as, deal, salesperson):
    api = api_as(salesperson)
    response = api.post(
        f"/deals/{deal.pk}/offers",
        {"offer_type": "rom", "amount": "1200000", "currency": "eur", "valid_until": "2026-12-31"},
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["reference"] == f"OFF-{deal.pk}-1"
    assert (body["revision"], body["status"], body["amount"], body["currency"]) == (
        1,
        "draft",
        "1200000.00",
        "EUR",
    )
    assert (body["is_binding"], body["valid_until"], body["documents"]) == (False, "2026-12-31", [])
    assert Deal.objects.get(pk=deal.pk).value == Decimal("1200000.00")

    listed = api.get(f"/deals/{deal.pk}/offers").json()
    assert [o["id"] for o in listed] == [body["id"]]


def test_bad_input_is_422_naming_the_fields(api_as, deal, salesperson):
    api = api_as(salesperson)
    response = api.post(
        f"/deals/{deal.pk}/offers", {"offer_type": "rom", "amount": "1.001", "currency": "XXX"}
    )
    assert response.status_code == 422
    assert set(response.json()["fields"]) == {"amount", "currency"}

    response = api.post(
        f"/deals/{deal.pk}/offers", {"offer_type": "guess", "amount": "x", "currency": "EUR", "extra": 1}
    )
    assert response.status_code == 422
    assert {"offer_type", "amount", "extra"} <= set(response.json()["fields"])
    assert not Offer.objects.exists()


def test_offers_of_a_deal_one_may_not_see_are_404(api_as, deal, salesperson, other_salesperson):
    offer = make_offer(deal=deal, actor=salesperson)
    document_id = _upload(api_as(salesperson), offer.pk, pdf_upload()).json()["id"]
    api = api_as(other_salesperson)
    for response in (
        api.get(f"/deals/{deal.pk}/offers"),
        api.post(f"/deals/{deal.pk}/offers", {"offer_type": "rom", "amount": "1", "currency": "EUR"}),
        api.post(f"/deals/{deal.pk}/offers/follow"),
        api.get(f"/offers/{offer.pk}"),
        api.patch(f"/offers/{offer.pk}", {"amount": "2"}),
        api.post(f"/offers/{offer.pk}/revise", {"amount": "2"}),
        api.post(f"/offers/{offer.pk}/submit"),
        api.post(f"/offers/{offer.pk}/accept"),
        api.post(f"/offers/{offer.pk}/reject"),
        _upload(api, offer.pk, pdf_upload()),
        api.get(f"/offers/{offer.pk}/documents/{document_id}/download"),
        api.delete(f"/offers/{offer.pk}/documents/{document_id}"),
    ):
        assert response.status_code == 404
        assert response.json() == NOT_FOUND
    assert Offer.objects.get().amount == Decimal("100000.00")
    assert OfferDocument.objects.count() == 1


def test_anonymous_is_401(anonymous_api, deal, salesperson):
    offer = make_offer(deal=deal, actor=salesperson)
    assert anonymous_api.get(f"/deals/{deal.pk}/offers").status_code == 401
    assert anonymous_api.get(f"/offers/{offer.pk}/documents/1/download").status_code == 401


def test_patch_edits_drafts_only(api_as, deal, salesperson):
    api = api_as(salesperson)
    offer = make_offer(deal=deal, actor=salesperson)
    response = api.patch(f"/offers/{offer.pk}", {"amount": "250000.5", "price_basis": "time_and_materials"})
    assert response.status_code == 200, response.json()
    assert (response.json()["amount"], response.json()["price_basis"]) == ("250000.50", "time_and_materials")

    assert (
        api.post(f"/offers/{offer.pk}/submit", {"submitted_on": "2026-05-04"}).json()["submitted_on"]
        == "2026-05-04"
    )
    refused = api.patch(f"/offers/{offer.pk}", {"amount": "1"})
    assert refused.status_code == 409
    assert refused.json()["code"] == "offer_status_conflict"
    assert Offer.objects.get().amount == Decimal("250000.50")


def test_revise_accept_reject_through_the_api(api_as, deal, salesperson):
    api = api_as(salesperson)
    offer = make_offer(deal=deal, actor=salesperson, amount="1500000")
    api.post(f"/offers/{offer.pk}/submit")
    revised = api.post(f"/offers/{offer.pk}/revise", {"amount": "1450000", "submitted_on": "2026-06-01"})
    assert revised.status_code == 201, revised.json()
    body = revised.json()
    assert (body["revision"], body["supersedes_id"], body["status"]) == (2, offer.pk, "submitted")
    assert api.get(f"/offers/{offer.pk}").json()["status"] == "superseded"
    assert api.post(f"/offers/{offer.pk}/accept").status_code == 409

    accepted = api.post(f"/offers/{body['id']}/accept")
    assert accepted.json()["status"] == "accepted"
    assert api.post(f"/offers/{body['id']}/reject").status_code == 409
    assert Deal.objects.get(pk=deal.pk).value == Decimal("1450000.00")


def test_follow_endpoint_hands_the_value_back(api_as, deal, salesperson):
    api = api_as(salesperson)
    make_offer(deal=deal, actor=salesperson, amount="5000", currency="USD")
    api.patch(f"/deals/{deal.pk}", {"version": Deal.objects.get(pk=deal.pk).version, "value": "1"})
    assert Deal.objects.get(pk=deal.pk).value_follows_offer is False

    response = api.post(f"/deals/{deal.pk}/offers/follow")
    assert response.json() == {
        "deal_id": deal.pk,
        "value": "5000.00",
        "currency": "USD",
        "value_follows_offer": True,
    }


def test_upload_download_delete_documents(api_as, deal, salesperson, django_capture_on_commit_callbacks):
    api = api_as(salesperson)
    offer = make_offer(deal=deal, actor=salesperson)
    response = _upload(api, offer.pk, pdf_upload("../../Offer.pdf"))
    assert response.status_code == 201, response.json()
    document = response.json()
    assert (document["name"], document["content_type"]) == ("Offer.pdf", "application/pdf")
    assert document["download_url"] == f"/api/v1/offers/{offer.pk}/documents/{document['id']}/download"

    download = api.http.get(document["download_url"])
    assert download.status_code == 200
    assert download["Content-Disposition"] == 'attachment; filename="Offer.pdf"'
    assert download["X-Content-Type-Options"] == "nosniff"
    path = Path(OfferDocument.objects.get().file.path)
    assert b"".join(download.streaming_content) == path.read_bytes()

    assert api.get(f"/offers/{offer.pk}").json()["documents"][0]["id"] == document["id"]
    with django_capture_on_commit_callbacks(execute=True):
        assert api.delete(f"/offers/{offer.pk}/documents/{document['id']}").status_code == 204
    assert not path.exists()


def test_upload_refusals_are_422(api_as, deal, salesperson, settings):
    settings.APOGEE_OFFER_MAX_UPLOAD_MB = 1
    api = api_as(salesperson)
    offer = make_offer(deal=deal, actor=salesperson)
    too_big = _upload(api, offer.pk, SimpleUploadedFile("big.txt", b"a" * (1024 * 1024 + 1)))
    assert too_big.status_code == 422
    assert too_big.json()["fields"] == {"file": ["The file is too large: at most 1 MB."]}
    wrong_kind = _upload(api, offer.pk, SimpleUploadedFile("x.html", b"<html></html>"))
    assert wrong_kind.status_code == 422
    missing = api.http.post(f"/api/v1/offers/{offer.pk}/documents", {})
    assert missing.status_code == 422
    assert not OfferDocument.objects.exists()


@pytest.mark.parametrize("path", ["/offers/0", "/offers/99999999999999999999", "/deals/abc/offers"])
def test_odd_ids_are_not_errors(api_as, salesperson, path, workspace):
    assert api_as(salesperson).get(path).status_code in (404, 422)
