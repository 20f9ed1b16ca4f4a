"""Currencies and dated exchange rates (core/services.py, core/queries.py)."""

from datetime import date
from decimal import Decimal

import pytest

from apogee.core.errors import PermissionDenied, ValidationFailed
from apogee.core.models import Currency, DomainEvent, ExchangeRate
from apogee.core.queries import BaseConverter, active_currency_codes, rates_by_currency
from apogee.core.services import add_currency, set_exchange_rate

pytestmark = pytest.mark.django_db


@pytest.fixture
def gbp(admin):
    return add_currency(code="GBP", name="Pound sterling", actor=admin)


def test_add_currency_upper_cases_the_code(admin):
    currency = add_currency(code=" gbp ", name=" Pound sterling ", actor=admin)

    assert (currency.code, currency.name, currency.is_active) == ("GBP", "Pound sterling", True)
    event = DomainEvent.objects.get(name="currency.created")
    assert (event.subject_id, event.actor, event.data) == (currency.pk, admin, {"code": "GBP"})


def test_a_currency_without_a_name_is_named_by_its_code(admin):
    assert add_currency(code="JPY", name="  ", actor=admin).name == "JPY"


@pytest.mark.parametrize(
    ("_case", "code", "fields"),
    [
        ("two letters", "EU", {"code": ["Use a three-letter ISO code."]}),
        ("digits", "E1R", {"code": ["Use a three-letter ISO code."]}),
        ("empty", "", {"code": ["Use a three-letter ISO code."]}),
        ("exists", "chf", {"code": ["This currency already exists."]}),
    ],
)
def test_invalid_currency_is_refused_and_nothing_is_written(workspace, admin, _case, code, fields):
    currencies_before = list(Currency.objects.values_list("code", flat=True))
    events_before = DomainEvent.objects.count()

    with pytest.raises(ValidationFailed) as refused:
        add_currency(code=code, name="X", actor=admin)

    assert refused.value.fields == fields
    assert list(Currency.objects.values_list("code", flat=True)) == currencies_before
    assert DomainEvent.objects.count() == events_before


def test_only_an_administrator_adds_currencies_and_rates(workspace, manager):
    eur = Currency.objects.get(code="EUR")
    events_before = DomainEvent.objects.count()
    rates_before = ExchangeRate.objects.count()

    with pytest.raises(PermissionDenied):
        add_currency(code="GBP", name="Pound sterling", actor=manager)
    with pytest.raises(PermissionDenied):
        set_exchange_rate(currency=eur, valid_from=date(2026, 6, 1), rate_to_base="0.9", actor=manager)

    assert not Currency.objects.filter(code="GBP").exists()
    assert ExchangeRate.objects.count() == rates_before
    assert DomainEvent.objects.count() == events_before


def test_set_exchange_rate_records_it(gbp, admin):
    rate = set_exchange_rate(currency=gbp, valid_from=date(2026, 1, 1), rate_to_base="1.1375", actor=admin)

    assert (rate.currency, rate.valid_from, rate.rate_to_base) == (gbp, date(2026, 1, 1), Decimal("1.1375"))
    assert DomainEvent.objects.get(name="exchange_rate.set").data == {
        "valid_from": "2026-01-01",
        "rate_to_base": "1.1375",
        "created": True,
    }


def test_setting_the_rate_of_the_same_day_again_corrects_it(gbp, admin):
    set_exchange_rate(currency=gbp, valid_from=date(2026, 1, 1), rate_to_base="1.1375", actor=admin)

    set_exchange_rate(currency=gbp, valid_from=date(2026, 1, 1), rate_to_base=Decimal("1.14"), actor=admin)

    assert list(ExchangeRate.objects.filter(currency=gbp).values_list("rate_to_base", flat=True)) == [
        Decimal("1.14")
    ]
    assert [e.data["created"] for e in DomainEvent.objects.filter(name="exchange_rate.set")] == [True, False]


@pytest.mark.parametrize(
    ("_case", "rate", "message"),
    [
        ("zero", "0", "Enter a positive number."),
        ("negative", "-1.2", "Enter a positive number."),
        ("not a number", "NaN", "Enter a positive number."),
        ("signalling not a number", "sNaN", "Enter a positive number."),
        ("infinity", "Infinity", "Enter a positive number."),
        ("text", "one point two", "Enter a positive number."),
        ("nothing", None, "Enter a positive number."),
        ("nine decimals", "0.123456789", "At most 10 digits and 8 decimals."),
        ("eleven integer digits", "10000000000", "At most 10 digits and 8 decimals."),
    ],
)
def test_invalid_rate_is_refused_and_nothing_is_written(gbp, admin, _case, rate, message):
    events_before = DomainEvent.objects.count()

    with pytest.raises(ValidationFailed) as refused:
        set_exchange_rate(currency=gbp, valid_from=date(2026, 1, 1), rate_to_base=rate, actor=admin)

    assert refused.value.fields == {"rate_to_base": [message]}
    assert not ExchangeRate.objects.filter(currency=gbp).exists()
    assert DomainEvent.objects.count() == events_before


def test_rates_are_read_as_plain_values(workspace):
    table = rates_by_currency()

    assert sorted(table) == ["EUR", "USD"]
    assert sorted((r.valid_from, r.rate_to_base) for r in table["EUR"]) == [
        (date(2025, 1, 1), Decimal("0.94")),
        (date(2026, 1, 1), Decimal("0.93")),
    ]
    assert active_currency_codes() == ["CHF", "EUR", "USD"]


@pytest.mark.parametrize(
    ("on", "amount", "currency", "converted"),
    [
        (date(2025, 12, 31), Decimal("1000"), "EUR", Decimal("940.00")),
        (date(2026, 1, 1), Decimal("1000"), "EUR", Decimal("930.00")),
        (date(2026, 1, 1), Decimal("1000"), "USD", Decimal("800.00")),
        (date(2026, 1, 1), Decimal("1000.005"), "CHF", Decimal("1000.01")),
    ],
)
def test_base_converter_uses_the_rate_of_its_day(workspace, on, amount, currency, converted):
    assert BaseConverter(on)(amount, currency) == converted


def test_base_converter_gives_none_for_a_missing_rate_or_amount(workspace, gbp):
    convert = BaseConverter(date(2026, 1, 1))

    assert convert.base == "CHF"
    assert convert(Decimal("10"), "GBP") is None
    assert BaseConverter(date(2024, 12, 31))(Decimal("10"), "EUR") is None
    assert convert(None, "EUR") is None


def test_base_converter_reads_the_rates_once(workspace, django_assert_num_queries):
    with django_assert_num_queries(1):
        convert = BaseConverter(date(2026, 3, 1))
        results = [convert(Decimal(n), code) for n in range(50) for code in ("EUR", "USD", "CHF")]

    assert results[3:6] == [Decimal("0.93"), Decimal("0.80"), Decimal("1.00")]
