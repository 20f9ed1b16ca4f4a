"""The field-type registry (customfields/types.py): pure, no database."""

import math
from datetime import date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from apogee.customfields.types import REGISTRY, FieldSpec, FieldValueError, clean_values, field_type, is_empty

OPTIONS = ("esa", "institutional", "national", "commercial")


def validate(type_key, value, *, options=OPTIONS, exists=None):
    spec = FieldSpec(key="field", field_type=type_key, option_keys=options)
    if exists is None:
        return field_type(type_key).validate(value, spec)
    return field_type(type_key).validate(value, spec, exists)


def refusal(type_key, value, **kwargs) -> str:
    with pytest.raises(FieldValueError) as refused:
        validate(type_key, value, **kwargs)
    return str(refused.value)


def test_registry_has_the_twelve_types():
    assert sorted(REGISTRY) == [
        "boolean",
        "date",
        "long_text",
        "monetary",
        "multiple_options",
        "number",
        "organization",
        "person",
        "single_option",
        "text",
        "url",
        "user",
    ]


# text and long text


def test_text_is_stored_stripped():
    assert validate("text", "  Harmony mission \n") == "Harmony mission"


@pytest.mark.parametrize(
    ("_case", "value", "message"),
    [
        ("not a string", 12, "Enter text."),
        ("too long", "x" * 256, "At most 255 characters."),
        ("NUL character", "a\x00b", "Text may not contain NUL characters."),
    ],
)
def test_text_refuses(_case, value, message):
    assert refusal("text", value) == message


def test_text_accepts_exactly_255_characters():
    assert validate("text", "x" * 255) == "x" * 255


def test_long_text_accepts_20000_characters_and_refuses_more():
    assert validate("long_text", "y" * 20_000) == "y" * 20_000
    assert refusal("long_text", "y" * 20_001) == "At most 20000 characters."


# number


@pytest.mark.parametrize(
    ("_case", "value", "stored"),
    [
        ("Swiss thousands separator", "1’200.50", 1200.5),
        ("apostrophe separator", "1'200", 1200),
        ("spaces", " 12 000 ", 12000),
        ("integer", 7, 7),
        ("float", 1.5, 1.5),
        ("exponent", "1e3", 1000),
        ("negative", "-42.25", -42.25),
        ("zero", "0", 0),
        ("six decimals kept, more rounded", "0.1234567", 0.123457),
    ],
)
def test_number_is_stored_as_a_json_number(_case, value, stored):
    result = validate("number", value)

    assert result == stored
    assert type(result) is type(stored)


@pytest.mark.parametrize(
    ("_case", "value", "message"),
    [
        ("text", "abc", "Enter a number."),
        ("boolean", True, "Enter a number."),
        ("not a number", "nan", "Enter a number."),
        ("infinity", "inf", "Enter a number."),
        ("list", [1], "Enter a number."),
        ("at the limit", "1e15", "This number is too large."),
        ("negative limit", "-1e15", "This number is too large."),
    ],
)
def test_number_refuses(_case, value, message):
    assert refusal("number", value) == message


@given(st.text())
def test_any_string_given_to_number_is_a_finite_number_or_a_field_error(text):
    try:
        result = validate("number", text)
    except FieldValueError:
        return
    assert isinstance(result, int | float)
    assert not isinstance(result, bool)
    assert math.isfinite(result)
    assert abs(result) < 1e15


# monetary


def test_monetary_upper_cases_the_currency_and_stores_a_number():
    assert validate("monetary", {"amount": "12", "currency": "eur"}) == {"amount": 12, "currency": "EUR"}
    assert validate("monetary", {"amount": "1’200.5", "currency": "CHF"}) == {
        "amount": 1200.5,
        "currency": "CHF",
    }


@pytest.mark.parametrize(
    ("_case", "value", "message"),
    [
        ("not an object", "12 EUR", "Enter an amount and a currency."),
        ("no amount", {"currency": "EUR"}, "Enter an amount and a currency."),
        ("no currency", {"amount": 12}, "Choose a currency (three-letter code)."),
        ("currency too long", {"amount": 12, "currency": "EURO"}, "Choose a currency (three-letter code)."),
        ("amount not a number", {"amount": "lots", "currency": "EUR"}, "Enter a number."),
    ],
)
def test_monetary_refuses(_case, value, message):
    assert refusal("monetary", value) == message


@pytest.mark.parametrize(
    ("raw", "parsed"),
    [
        ("EUR 12", {"currency": "EUR", "amount": "12"}),
        ("12 chf", {"currency": "CHF", "amount": "12"}),
        ("12", {"amount": "12", "currency": ""}),
    ],
)
def test_monetary_parses_form_text(raw, parsed):
    assert field_type("monetary").parse(raw) == parsed


# date


@pytest.mark.parametrize(
    ("_case", "value", "stored"),
    [
        ("ISO text", "2026-03-01", "2026-03-01"),
        ("padded", " 2026-03-01 ", "2026-03-01"),
        ("date object", date(2026, 3, 1), "2026-03-01"),
        ("datetime object keeps the day only", datetime(2026, 3, 1, 10, 30), "2026-03-01"),
    ],
)
def test_date_is_stored_as_iso_day(_case, value, stored):
    assert validate("date", value) == stored


@pytest.mark.parametrize("value", ["01.03.2026", "2026-02-30", "tomorrow", "2026-03-01T10:00"])
def test_date_refuses_anything_but_a_real_day(value):
    assert refusal("date", value) == "Enter a date as YYYY-MM-DD."


@given(st.text())
def test_any_string_given_to_date_is_an_iso_day_or_a_field_error(text):
    try:
        result = validate("date", text)
    except FieldValueError:
        return
    assert date.fromisoformat(result).isoformat() == result


# options


def test_single_option_accepts_a_defined_key_only():
    assert validate("single_option", "esa") == "esa"
    assert refusal("single_option", "nasa") == "Choose one of the options."
    assert refusal("single_option", ["esa"]) == "Choose one of the options."


def test_multiple_options_are_ordered_by_definition_without_repeats():
    assert validate("multiple_options", ["national", "esa", "national"]) == ["esa", "national"]


def test_multiple_options_accept_one_key_as_a_string():
    assert validate("multiple_options", "commercial") == ["commercial"]


def test_multiple_options_name_the_unknown_options():
    assert refusal("multiple_options", ["esa", "nasa", "jaxa"]) == "Unknown option: nasa, jaxa"
    assert refusal("multiple_options", [1, 2]) == "Choose options from the list."


def test_multiple_options_parse_comma_separated_text():
    assert field_type("multiple_options").parse("esa, national,,") == ["esa", "national"]


# boolean


@pytest.mark.parametrize(
    ("value", "stored"),
    [
        (True, True),
        (False, False),
        ("oui", True),
        ("Yes", True),
        ("1", True),
        ("on", True),
        ("non", False),
        ("no", False),
        ("0", False),
        (0, False),
        ("off", False),
    ],
)
def test_boolean_understands_english_and_french(value, stored):
    assert validate("boolean", value) is stored


def test_boolean_refuses_other_answers():
    assert refusal("boolean", "maybe") == "Enter yes or no."


# url


@pytest.mark.parametrize("value", ["https://www.esa.int/missions", "http://intranet.example:8080/x?y=1"])
def test_url_accepts_web_links(value):
    assert validate("url", value) == value


@pytest.mark.parametrize(
    ("_case", "value"),
    [
        ("script", "javascript:alert(1)"),
        ("script with slashes", "javascript://example.com/%0aalert(1)"),
        ("data", "data:text/html,<script>alert(1)</script>"),
        ("ftp", "ftp://files.example/x"),
        ("no host", "https://"),
        ("no scheme", "www.esa.int"),
        ("NUL character", "https://www.esa.int/\x00"),
        ("control character", "https://www.esa.int/a\x1bb"),
        ("too long", "https://example.com/" + "a" * 2000),
    ],
)
def test_url_refuses_anything_but_http_and_https_links(_case, value):
    assert refusal("url", value) == "Enter a web address starting with http:// or https://."


# references


@pytest.mark.parametrize("type_key", ["user", "person", "organization"])
def test_reference_asks_the_exists_callable_with_its_kind(type_key):
    asked = []

    def exists(kind, pk):
        asked.append((kind, pk))
        return pk == 7

    assert validate(type_key, "7", exists=exists) == 7
    assert refusal(type_key, 8, exists=exists) == "This record does not exist."
    assert asked == [(type_key, 7), (type_key, 8)]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("seven", "Choose an existing record."),
        (True, "Choose an existing record."),
        (1.5, "Choose an existing record."),
        (None, "Choose an existing record."),
        (0, "This record does not exist."),
        (-3, "This record does not exist."),
    ],
)
def test_reference_refuses_what_is_not_a_positive_id_without_asking(value, message):
    def exists(kind, pk):
        raise AssertionError("must not be asked")

    assert refusal("person", value, exists=exists) == message


# clean_values and is_empty


def test_false_and_zero_are_answers_not_empty():
    assert not is_empty(False)
    assert not is_empty(0)
    assert is_empty(None)
    assert is_empty("")
    assert is_empty([])
    assert is_empty({})


def test_blank_text_clears_the_field_whatever_its_type():
    specs = [FieldSpec("mission", "text"), FieldSpec("page", "url"), FieldSpec("due", "date")]

    cleaned, errors = clean_values(specs, {"mission": "   ", "page": " ", "due": "\t"})

    assert (cleaned, errors) == ({"mission": None, "page": None, "due": None}, {})


def test_clean_values_returns_cleaned_values_and_errors_by_key():
    specs = [
        FieldSpec("budget", "number"),
        FieldSpec("kind", "single_option", OPTIONS),
        FieldSpec("signed", "boolean"),
        FieldSpec("mission", "text"),
    ]

    cleaned, errors = clean_values(
        specs, {"budget": "1’000", "kind": "nasa", "signed": False, "mission": "", "colour": "red"}
    )

    assert cleaned == {"budget": 1000, "signed": False, "mission": None}
    assert {key: str(error) for key, error in errors.items()} == {
        "kind": "Choose one of the options.",
        "colour": "Unknown field.",
    }
