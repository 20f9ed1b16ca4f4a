"""Tender fields on the deal page and deadline warnings on the board."""

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.utils import timezone

from apogee.deals.models import Deal
from apogee.deals.services import update_deal
from tests.contacts.factories import make_organization
from tests.deals.factories import make_deal

pytestmark = pytest.mark.django_db


def test_deadline_warning_picks_the_nearest_upcoming_deadline_of_an_open_deal(sales_pipeline, salesperson):
    now = timezone.now()
    deal = make_deal(pipeline=sales_pipeline, owner=salesperson)
    assert deal.deadline_warning(now) is None
    deal.clarification_deadline = now - timedelta(days=1)  # passed: no longer a warning
    deal.submission_deadline = now + timedelta(days=20)
    assert deal.deadline_warning(now) is None  # too far away yet
    deal.submission_deadline = now + timedelta(days=10, hours=1)
    warning = deal.deadline_warning(now)
    assert (warning.kind, warning.days, warning.urgent) == ("submission", 10, False)
    deal.clarification_deadline = now + timedelta(days=2)
    warning = deal.deadline_warning(now)
    assert (warning.kind, warning.days, warning.urgent) == ("clarification", 2, True)
    deal.status = "won"
    assert deal.deadline_warning(now) is None


def test_the_board_card_warns_of_an_approaching_submission(client_for, sales_pipeline, salesperson):
    deal = make_deal(pipeline=sales_pipeline, owner=salesperson, title="Sun sensor ITT")
    update_deal(
        deal=deal,
        actor=salesperson,
        changes={"submission_deadline": timezone.now() + timedelta(days=5, hours=2)},
    )
    page = client_for(salesperson).get(f"/?pipeline={sales_pipeline.pk}").content.decode()
    assert "Submission in 5 days" in page


def test_edit_end_customer_and_deadline_inline(client_for, sales_pipeline, salesperson):
    esa = make_organization("European Space Agency")
    deal = make_deal(pipeline=sales_pipeline, owner=salesperson)
    client = client_for(salesperson)

    editor = client.get(f"/deals/{deal.pk}/edit/submission_deadline/", {"version": deal.version})
    assert 'type="datetime-local"' in editor.content.decode()
    response = client.post(
        f"/deals/{deal.pk}/edit/submission_deadline/",
        {"version": deal.version, "submission_deadline": "2027-03-15T12:00"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200 and response.get("HX-Refresh") == "true"
    deal.refresh_from_db()
    # Typed in the user's own time zone.
    local = timezone.localtime(
        deal.submission_deadline, ZoneInfo(salesperson.timezone or settings.DEFAULT_USER_TIMEZONE)
    )
    assert local.strftime("%Y-%m-%d %H:%M") == "2027-03-15 12:00"

    client.post(
        f"/deals/{deal.pk}/edit/end_customer/",
        {"version": deal.version, "end_customer": esa.pk},
        headers={"HX-Request": "true"},
    )
    assert Deal.objects.get(pk=deal.pk).end_customer == esa
    page = client.get(f"/deals/{deal.pk}/").content.decode()
    assert "European Space Agency" in page and "15.03.2027 12:00" in page

    bad = client.post(
        f"/deals/{deal.pk}/edit/submission_deadline/",
        {"version": Deal.objects.get(pk=deal.pk).version, "submission_deadline": "soon"},
        headers={"HX-Request": "true"},
    )
    assert bad.status_code == 200 and "HX-Refresh" not in bad
    assert "field-error" in bad.content.decode() or "errorlist" in bad.content.decode()


def test_the_list_filters_and_shows_the_end_customer(client_for, sales_pipeline, salesperson):
    esa = make_organization("European Space Agency")
    mine = make_deal(pipeline=sales_pipeline, owner=salesperson, title="For ESA")
    make_deal(pipeline=sales_pipeline, owner=salesperson, title="For someone else")
    update_deal(deal=mine, actor=salesperson, changes={"end_customer": esa, "tender_reference": "AO-77"})
    client = client_for(salesperson)
    page = client.get(
        "/deals/", {"end_customer": esa.pk, "col": ["title", "end_customer", "tender_reference"]}
    )
    body = page.content.decode()
    assert "For ESA" in body and "For someone else" not in body
    assert "European Space Agency" in body and "AO-77" in body
