"""Lost reasons and currencies with their dated exchange rates, through the settings pages."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains

from apogee.core.models import Currency, DomainEvent, ExchangeRate
from apogee.deals.models import LostReason
from tests.workspace.conftest import HTMX

pytestmark = pytest.mark.django_db


def active_reasons():
    return list(
        LostReason.objects.filter(is_archived=False).order_by("position").values_list("label", flat=True)
    )


def test_lost_reasons_are_listed_in_order(admin_client):
    response = admin_client.get(reverse("workspace:lost_reasons"))

    assert [r.label for r in response.context["active"]] == [
        "Price too high",
        "Technical solution not selected",
        "Schedule",
        "Lost to a competitor",
        "Programme cancelled or postponed",
        "No-bid decision",
    ]
    assert response.context["archived"] == []


def test_admin_adds_a_lost_reason(admin_client, admin):
    response = admin_client.post(reverse("workspace:lost_reasons"), {"label": "  Budget frozen "})

    assert response.status_code == 302
    assert active_reasons()[-1] == "Budget frozen"
    assert DomainEvent.objects.filter(name="lost_reason.changed", actor=admin).count() == 1


def test_an_empty_lost_reason_is_refused(admin_client):
    events = DomainEvent.objects.count()

    response = admin_client.post(reverse("workspace:lost_reasons"), {"label": ""})

    assert response.status_code == 422
    assert response.context["form"].errors == {"label": ["This field is required."]}
    assert len(active_reasons()) == 6
    assert DomainEvent.objects.count() == events


def test_a_too_long_lost_reason_shows_the_services_error(admin_client):
    response = admin_client.post(reverse("workspace:lost_reasons"), {"label": "x" * 150})

    assert response.status_code == 422
    assert response.context["form"].errors == {
        "__all__": ["Invalid label."],
        "label": ["Enter 1 to 120 characters."],
    }
    assert len(active_reasons()) == 6


def test_rename_archive_and_restore_a_lost_reason(admin_client):
    reason = LostReason.objects.get(label="Schedule")

    admin_client.post(
        reverse("workspace:lost_reason_edit", args=[reason.pk]), {"label": "Schedule too tight"}
    )
    reason.refresh_from_db()
    assert reason.label == "Schedule too tight"

    question = admin_client.get(reverse("workspace:lost_reason_archive", args=[reason.pk]), headers=HTMX)
    assertContains(question, "Archive “Schedule too tight”?")
    response = admin_client.post(reverse("workspace:lost_reason_archive", args=[reason.pk]), headers=HTMX)
    assert response["HX-Redirect"] == reverse("workspace:lost_reasons")
    reason.refresh_from_db()
    assert (reason.label, reason.is_archived) == ("Schedule too tight", True)
    assert "Schedule too tight" not in active_reasons()

    admin_client.post(reverse("workspace:lost_reason_restore", args=[reason.pk]))
    reason.refresh_from_db()
    assert reason.is_archived is False


def test_currencies_show_the_base_and_the_dated_rates(admin_client):
    response = admin_client.get(reverse("workspace:currencies"))

    assert response.context["base_currency"] == "CHF"
    rows = {c.code: c.rate_rows for c in response.context["currencies"]}
    assert rows == {
        "CHF": [],
        "EUR": [(date(2026, 1, 1), "0.93"), (date(2025, 1, 1), "0.94")],
        "USD": [(date(2026, 1, 1), "0.8"), (date(2025, 1, 1), "0.89")],
    }
    assertContains(response, '<span class="badge open">base</span>')
    # The base currency is never offered a rate.
    assert [c.code for c in response.context["rate_form"].fields["currency"].queryset] == ["EUR", "USD"]


def test_admin_adds_a_currency(admin_client, admin):
    response = admin_client.post(reverse("workspace:currency_add"), {"code": "gbp", "name": "Pound sterling"})

    assert response.status_code == 302
    currency = Currency.objects.get(code="GBP")
    assert (currency.name, currency.is_active) == ("Pound sterling", True)
    assert DomainEvent.objects.get(name="currency.created", subject_id=currency.pk).actor == admin


@pytest.mark.parametrize(
    ("code", "errors"),
    [
        ("EU1", ["Use a three-letter ISO code."]),
        ("EURO", ["Use a three-letter ISO code."]),
        ("eur", ["This currency already exists."]),
        ("", ["This field is required."]),
    ],
)
def test_a_bad_currency_code_is_refused(admin_client, code, errors):
    response = admin_client.post(reverse("workspace:currency_add"), {"code": code, "name": "X"})

    assert response.status_code == 422
    assert response.context["currency_form"].errors["code"] == errors
    assert list(Currency.objects.values_list("code", flat=True)) == ["CHF", "EUR", "USD"]


def test_admin_adds_then_corrects_a_rate_for_a_date(admin_client):
    eur = Currency.objects.get(code="EUR")
    url = reverse("workspace:rate_set")

    admin_client.post(url, {"currency": eur.pk, "valid_from": "2026-04-01", "rate_to_base": "0.9512"})
    response = admin_client.post(
        url, {"currency": eur.pk, "valid_from": "2026-04-01", "rate_to_base": "0.95"}
    )

    assert response.status_code == 302
    rate = ExchangeRate.objects.get(currency=eur, valid_from=date(2026, 4, 1))
    assert rate.rate_to_base == Decimal("0.95")
    assert eur.rates.count() == 3


def test_the_rate_form_opens_in_the_dialog_for_one_currency(admin_client):
    usd = Currency.objects.get(code="USD")

    response = admin_client.get(reverse("workspace:rate_set") + "?currency=USD", headers=HTMX)

    assert response.status_code == 200
    assert response.context["form"]["currency"].initial == usd
    assertContains(response, 'hx-target="#dialog"')


@pytest.mark.parametrize(
    ("rate", "errors"),
    [
        ("-0.5", ["Enter a positive number."]),
        ("0", ["Enter a positive number."]),
        ("0.123456789", ["At most 10 digits and 8 decimals."]),
        ("abc", ["Enter a number."]),
    ],
)
def test_a_bad_rate_is_refused_and_nothing_is_written(admin_client, rate, errors):
    eur = Currency.objects.get(code="EUR")
    events = DomainEvent.objects.count()

    response = admin_client.post(
        reverse("workspace:rate_set"), {"currency": eur.pk, "valid_from": "2026-05-01", "rate_to_base": rate}
    )

    assert response.status_code == 422
    assert response.context["rate_form"].errors["rate_to_base"] == errors
    assert ExchangeRate.objects.filter(currency=eur).count() == 2
    assert DomainEvent.objects.count() == events


def test_a_bad_rate_in_the_dialog_stays_in_the_dialog(admin_client):
    eur = Currency.objects.get(code="EUR")

    response = admin_client.post(
        reverse("workspace:rate_set"),
        {"currency": eur.pk, "valid_from": "2026-05-01", "rate_to_base": "-1"},
        headers=HTMX,
    )

    assert response.status_code == 200
    assertContains(response, "Enter a positive number.")
    assert ExchangeRate.objects.filter(currency=eur).count() == 2
