"""The offers section of the deal page: loader, panel, dialog forms, status buttons, uploads, permissions."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from apogee.deals.models import Deal, Visibility
from apogee.deals.services import update_deal
from apogee.offers import services
from apogee.offers.models import Offer, OfferDocument, OfferStatus
from tests.deals.factories import make_deal
from tests.offers.factories import make_offer, pdf_upload

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def deal(sales_pipeline, salesperson):
    return make_deal(pipeline=sales_pipeline, owner=salesperson, visibility=Visibility.OWNER, currency="EUR")


def _deal(deal):
    return Deal.objects.get(pk=deal.pk)


def test_deal_page_loads_the_offers_panel(client_for, deal, salesperson):
    page = client_for(salesperson).get(reverse("deals:detail", args=[deal.pk]))
    assert page.status_code == 200
    assert f'hx-get="{reverse("offers:panel", args=[deal.pk])}"' in page.content.decode()


def test_panel_shows_the_current_revision_its_history_and_documents(client_for, deal, salesperson):
    first = make_offer(deal=deal, actor=salesperson, amount="1500000", currency="EUR")
    services.attach_document(offer=first, actor=salesperson, upload=pdf_upload("v1.pdf"))
    services.submit_offer(offer=first, actor=salesperson)
    second = services.revise_offer(offer=first, actor=salesperson, changes={"amount": "1450000"})
    services.attach_document(offer=second, actor=salesperson, upload=pdf_upload("v2.pdf"))

    response = client_for(salesperson).get(reverse("offers:panel", args=[deal.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert f"OFF-{deal.pk}-1" in html
    assert "rev. 2" in html and "rev. 1" in html
    assert "EUR 1\u2019450\u2019000" in html and "EUR 1\u2019500\u2019000" in html
    assert "1 earlier revision" in html
    assert "v1.pdf" in html and "v2.pdf" in html
    assert 'hx-disinherit="*"' in html
    assert "Value follows the latest offer." in html
    assert reverse("offers:revise", args=[second.pk]) in html
    assert reverse("offers:submit", args=[second.pk]) in html
    assert reverse("offers:revise", args=[first.pk]) not in html


def test_panel_warns_of_expired_and_expiring_offers(client_for, deal, salesperson):
    today = timezone.localdate()
    make_offer(deal=deal, actor=salesperson, valid_until=today.replace(year=today.year - 1))
    make_offer(deal=deal, actor=salesperson, valid_until=today + timedelta(days=5))
    html = client_for(salesperson).get(reverse("offers:panel", args=[deal.pk])).content.decode()
    assert "expired" in html
    assert "expires in 5 days" in html


def test_hidden_deal_panel_and_forms_are_404(client_for, deal, salesperson, other_salesperson):
    offer = make_offer(deal=deal, actor=salesperson)
    client = client_for(other_salesperson)
    for response in (
        client.get(reverse("offers:panel", args=[deal.pk])),
        client.get(reverse("offers:create", args=[deal.pk])),
        client.post(
            reverse("offers:create", args=[deal.pk]), {"offer_type": "firm", "amount": "1", "currency": "EUR"}
        ),
        client.get(reverse("offers:revise", args=[offer.pk])),
        client.post(reverse("offers:submit", args=[offer.pk])),
        client.post(reverse("offers:accept", args=[offer.pk])),
        client.post(reverse("offers:follow", args=[deal.pk])),
        client.post(reverse("offers:upload", args=[offer.pk]), {"file": pdf_upload()}),
    ):
        assert response.status_code == 404
    assert Offer.objects.count() == 1
    assert Offer.objects.get().status == OfferStatus.DRAFT


def test_anonymous_is_sent_to_login(client, deal):
    response = client.get(reverse("offers:panel", args=[deal.pk]))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_teammate_sees_and_changes_offers_of_a_team_deal(client_for, sales_pipeline, salesperson, teammate):
    team_deal = make_deal(pipeline=sales_pipeline, owner=salesperson, visibility=Visibility.TEAM)
    offer = make_offer(deal=team_deal, actor=salesperson)
    response = client_for(teammate).post(reverse("offers:submit", args=[offer.pk]), **HTMX)
    assert response.status_code in (200, 204)
    assert Offer.objects.get(pk=offer.pk).status == OfferStatus.SUBMITTED


def test_new_offer_form_opens_in_the_dialog_with_the_deal_defaults(client_for, deal, salesperson):
    response = client_for(salesperson).get(reverse("offers:create", args=[deal.pk]), **HTMX)
    assert response["HX-Retarget"] == "#dialog"
    html = response.content.decode()
    assert 'value="firm" selected' in html
    assert '<option value="EUR" selected>' in html


def test_creating_an_offer_from_the_dialog_reloads_the_page_when_the_value_moves(
    client_for, deal, salesperson
):
    response = client_for(salesperson).post(
        reverse("offers:create", args=[deal.pk]),
        {"offer_type": "firm", "amount": "1'450'000", "currency": "EUR", "is_binding": "on"},
        **HTMX,
    )
    assert response.status_code == 200
    assert response["HX-Refresh"] == "true"
    offer = Offer.objects.get()
    assert (offer.amount, offer.is_binding, offer.status) == (Decimal("1450000.00"), True, "draft")
    assert _deal(deal).value == Decimal("1450000.00")


def test_a_write_that_leaves_the_value_reloads_only_the_panel(client_for, deal, salesperson):
    offer = make_offer(deal=deal, actor=salesperson)
    response = client_for(salesperson).post(reverse("offers:submit", args=[offer.pk]), **HTMX)
    assert response.status_code == 204
    assert "offers-changed" in response["HX-Trigger"]


def test_bad_input_in_the_dialog_shows_field_errors_and_writes_nothing(client_for, deal, salesperson):
    response = client_for(salesperson).post(
        reverse("offers:create", args=[deal.pk]),
        {"offer_type": "firm", "amount": "12.345", "currency": "EUR"},
        **HTMX,
    )
    assert response.status_code == 200
    assert response["HX-Retarget"] == "#dialog"
    assert "Enter an amount with at most two decimals." in response.content.decode()
    assert not Offer.objects.exists()

    page = client_for(salesperson).post(
        reverse("offers:create", args=[deal.pk]), {"offer_type": "firm", "amount": "-1", "currency": "EUR"}
    )
    assert page.status_code == 422
    assert "The amount cannot be negative." in page.content.decode()


def test_revise_form_is_prefilled_and_creates_the_next_revision(client_for, deal, salesperson):
    offer = services.submit_offer(
        offer=make_offer(deal=deal, actor=salesperson, amount="1500000", price_basis="cost_plus_fee"),
        actor=salesperson,
    )
    client = client_for(salesperson)
    form = client.get(reverse("offers:revise", args=[offer.pk]), **HTMX).content.decode()
    assert 'value="1500000.00"' in form
    assert 'value="cost_plus_fee" selected' in form

    client.post(
        reverse("offers:revise", args=[offer.pk]),
        {"offer_type": "firm", "amount": "1450000", "currency": "EUR", "price_basis": "cost_plus_fee"},
        **HTMX,
    )
    assert list(Offer.objects.order_by("revision").values_list("revision", "status", "amount")) == [
        (1, "superseded", Decimal("1500000.00")),
        (2, "draft", Decimal("1450000.00")),
    ]


def test_status_conflict_from_a_button_is_a_toast_not_an_error_page(client_for, deal, salesperson):
    offer = make_offer(deal=deal, actor=salesperson)
    response = client_for(salesperson).post(reverse("offers:accept", args=[offer.pk]), **HTMX)
    assert response.status_code == 204
    assert "toast" in response["HX-Trigger"]
    assert Offer.objects.get().status == OfferStatus.DRAFT


def test_typed_value_shows_the_follow_again_button_which_applies_the_offer(client_for, deal, salesperson):
    make_offer(deal=deal, actor=salesperson, amount="900000", currency="EUR")
    update_deal(deal=_deal(deal), actor=salesperson, changes={"value": "1"})
    client = client_for(salesperson)
    html = client.get(reverse("offers:panel", args=[deal.pk])).content.decode()
    assert "Value typed by hand." in html
    assert reverse("offers:follow", args=[deal.pk]) in html

    response = client.post(reverse("offers:follow", args=[deal.pk]), **HTMX)
    assert response["HX-Refresh"] == "true"
    assert (_deal(deal).value, _deal(deal).value_follows_offer) == (Decimal("900000.00"), True)


def test_upload_from_the_panel_and_refusal_shown_in_place(client_for, deal, salesperson):
    offer = make_offer(deal=deal, actor=salesperson)
    client = client_for(salesperson)
    ok = client.post(reverse("offers:upload", args=[offer.pk]), {"file": pdf_upload("Offer.pdf")}, **HTMX)
    assert ok.status_code == 204
    assert OfferDocument.objects.get().original_name == "Offer.pdf"

    bad = client.post(
        reverse("offers:upload", args=[offer.pk]), {"file": SimpleUploadedFile("x.svg", b"<svg/>")}, **HTMX
    )
    assert bad.status_code == 200
    assert "Accepted files:" in bad.content.decode()
    assert OfferDocument.objects.count() == 1


def test_remove_document_button(client_for, deal, salesperson, django_capture_on_commit_callbacks):
    offer = make_offer(deal=deal, actor=salesperson)
    document = services.attach_document(offer=offer, actor=salesperson, upload=pdf_upload())
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(salesperson).post(
            reverse("offers:remove_document", args=[offer.pk, document.pk]), **HTMX
        )
    assert response.status_code == 204
    assert not OfferDocument.objects.exists()
