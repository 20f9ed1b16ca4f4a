"""Tender fields of deals over the API: create, read, patch, bad input."""

from datetime import UTC, datetime

import pytest

from tests.contacts.factories import make_organization
from tests.deals.factories import make_deal

pytestmark = pytest.mark.django_db


def test_create_and_patch_tender_fields(api_as, sales_pipeline, salesperson):
    esa = make_organization("European Space Agency")
    client = api_as(salesperson)
    created = client.post(
        "/deals",
        {
            "title": "ITT star tracker",
            "pipeline_id": sales_pipeline.pk,
            "end_customer_id": esa.pk,
            "tender_reference": "AO/1-12345",
            "submission_deadline": "2027-03-15T12:00:00+01:00",
            "offer_valid_until": "2027-09-30",
        },
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["end_customer_id"] == esa.pk and body["tender_reference"] == "AO/1-12345"
    assert datetime.fromisoformat(body["submission_deadline"]) == datetime(2027, 3, 15, 11, 0, tzinfo=UTC)
    assert body["offer_valid_until"] == "2027-09-30" and body["value_follows_offer"] is True

    patched = client.patch(f"/deals/{body['id']}", {"version": body["version"], "value": "900000"})
    assert patched.json()["value_follows_offer"] is False
    again = client.patch(
        f"/deals/{body['id']}", {"version": patched.json()["version"], "value_follows_offer": True}
    )
    assert again.json()["value_follows_offer"] is True


def test_bad_tender_input_is_422_with_the_request_field_names(api_as, sales_pipeline, salesperson):
    deal = make_deal(pipeline=sales_pipeline, owner=salesperson)
    client = api_as(salesperson)
    response = client.patch(f"/deals/{deal.pk}", {"version": deal.version, "end_customer_id": 999999})
    assert response.status_code == 422 and "end_customer_id" in response.json()["fields"]
    response = client.patch(f"/deals/{deal.pk}", {"version": deal.version, "submission_deadline": "soon"})
    assert response.status_code == 422 and "submission_deadline" in response.json()["fields"]
    response = client.patch(f"/deals/{deal.pk}", {"version": deal.version, "tender_reference": "x" * 81})
    assert response.status_code == 422 and "tender_reference" in response.json()["fields"]
