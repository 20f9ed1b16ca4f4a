"""Custom-field filters compiled to ORM lookups (customfields/filters.py), run against real Deal rows.

The same assertions must hold on SQLite and PostgreSQL: CI runs this file on both.
"""

import pytest

from apogee.customfields.filters import InvalidFilter, custom_value_q
from apogee.deals.models import Deal
from tests.deals.factories import make_deal

pytestmark = pytest.mark.django_db


@pytest.fixture
def deals(deal_fields, sales_pipeline, salesperson, teammate):
    """Five deals whose custom values cover every filter case, by title."""
    rows = {
        "alpha": {
            "budget": 1200.5,
            "estimated_budget": {"amount": 500, "currency": "EUR"},
            "tender_date": "2026-03-01",
            "signed": True,
            "mission": "CHIME",
            "tender_page": "https://www.esa.int/chime",
            "product_line": ["mechanisms", "motor"],
            "agencies": ["esa"],
            "account_manager": salesperson.pk,
        },
        "beta": {
            "budget": 0,
            "estimated_budget": {"amount": 2500, "currency": "CHF"},
            "tender_date": "2026-03-10",
            "signed": False,
            "mission": "Harmony 100%",
            "product_line": ["structures"],
            "agencies": ["esa_x"],
            "account_manager": teammate.pk,
        },
        "gamma": {
            "budget": -50,
            "tender_date": "2025-12-31",
            "mission": "chime follow-up",
            "tender_page": "http://intranet.example/harmony",
            "product_line": ["motor"],
        },
        "delta": {"budget": 99999, "mission": "ROSE_L"},
        "empty": {},
    }
    for title, values in rows.items():
        make_deal(pipeline=sales_pipeline, owner=salesperson, title=title, custom_values=values)
    return deal_fields


def matching(definitions, key, op, raw=""):
    q = custom_value_q(definitions[key], op, raw)
    return set(Deal.objects.filter(q).values_list("title", flat=True))


ALL = {"alpha", "beta", "gamma", "delta", "empty"}


@pytest.mark.parametrize(
    ("_case", "op", "raw", "titles"),
    [
        ("equal, Swiss notation", "eq", "1’200.50", {"alpha"}),
        ("equal zero", "eq", "0", {"beta"}),
        ("not equal includes the unfilled", "ne", "0", {"alpha", "gamma", "delta", "empty"}),
        ("greater", "gt", "0", {"alpha", "delta"}),
        ("greater or equal", "gte", "0", {"alpha", "beta", "delta"}),
        ("less compares numbers, not text", "lt", "1300", {"alpha", "beta", "gamma"}),
        ("less or equal", "lte", "-50", {"gamma"}),
        ("empty", "empty", "", {"empty"}),
        ("not empty: zero is an answer", "not_empty", "", {"alpha", "beta", "gamma", "delta"}),
    ],
)
def test_number_filters(deals, _case, op, raw, titles):
    assert matching(deals, "budget", op, raw) == titles


@pytest.mark.parametrize(
    ("_case", "op", "raw", "titles"),
    [
        ("amount above", "gt", "1000", {"beta"}),
        ("amount below", "lt", "1’000", {"alpha"}),
        ("amount at least", "gte", "500", {"alpha", "beta"}),
        ("empty", "empty", "", {"gamma", "delta", "empty"}),
        ("not empty", "not_empty", "", {"alpha", "beta"}),
    ],
)
def test_monetary_filters_compare_the_amount(deals, _case, op, raw, titles):
    assert matching(deals, "estimated_budget", op, raw) == titles


@pytest.mark.parametrize(
    ("_case", "op", "raw", "titles"),
    [
        ("on the day", "eq", "2026-03-01", {"alpha"}),
        ("after", "gt", "2026-03-01", {"beta"}),
        ("before", "lt", "2026-03-01", {"gamma"}),
        ("from", "gte", "2026-03-01", {"alpha", "beta"}),
        ("other days", "ne", "2026-03-01", {"beta", "gamma", "delta", "empty"}),
        ("empty", "empty", "", {"delta", "empty"}),
    ],
)
def test_date_filters(deals, _case, op, raw, titles):
    assert matching(deals, "tender_date", op, raw) == titles


@pytest.mark.parametrize(
    ("_case", "op", "raw", "titles"),
    [
        ("yes in French", "eq", "oui", {"alpha"}),
        ("no is an answer", "eq", "non", {"beta"}),
        ("empty: no answer at all", "empty", "", {"gamma", "delta", "empty"}),
        ("not empty", "not_empty", "", {"alpha", "beta"}),
    ],
)
def test_boolean_filters(deals, _case, op, raw, titles):
    assert matching(deals, "signed", op, raw) == titles


@pytest.mark.parametrize(
    ("_case", "op", "raw", "titles"),
    [
        ("equal is exact", "eq", "CHIME", {"alpha"}),
        ("not equal", "ne", "CHIME", {"beta", "gamma", "delta", "empty"}),
        ("contains ignores case", "contains", "chime", {"alpha", "gamma"}),
        ("percent sign is literal", "contains", "100%", {"beta"}),
        ("underscore is literal", "contains", "E_L", {"delta"}),
        ("empty", "empty", "", {"empty"}),
    ],
)
def test_text_filters(deals, _case, op, raw, titles):
    assert matching(deals, "mission", op, raw) == titles


def test_url_contains(deals):
    assert matching(deals, "tender_page", "contains", "harmony") == {"gamma"}
    assert matching(deals, "tender_page", "eq", "https://www.esa.int/chime") == {"alpha"}


@pytest.mark.parametrize(
    ("_case", "key", "raw", "titles"),
    [
        ("one of several", "product_line", "motor", {"alpha", "gamma"}),
        ("only one", "product_line", "structures", {"beta"}),
        ("none has it", "product_line", "batteries", set()),
        ("a key is not a prefix of another", "agencies", "esa", {"alpha"}),
        ("the longer key", "agencies", "esa_x", {"beta"}),
    ],
)
def test_multiple_options_has(deals, _case, key, raw, titles):
    assert matching(deals, key, "has", raw) == titles


def test_multiple_options_empty_and_not_empty(deals):
    assert matching(deals, "agencies", "empty") == {"gamma", "delta", "empty"}
    assert matching(deals, "agencies", "not_empty") == {"alpha", "beta"}


def test_single_option_equal_and_not_equal(deals, sales_pipeline, salesperson):
    make_deal(pipeline=sales_pipeline, owner=salesperson, title="esa deal", custom_values={"origin": "rfi"})

    assert matching(deals, "origin", "eq", "rfi") == {"esa deal"}
    assert matching(deals, "origin", "ne", "rfi") == ALL


def test_user_reference_equal(deals, salesperson, teammate):
    assert matching(deals, "account_manager", "eq", str(teammate.pk)) == {"beta"}
    assert matching(deals, "account_manager", "empty") == {"gamma", "delta", "empty"}


def test_filters_combine_with_other_conditions(deals):
    q = custom_value_q(deals["product_line"], "has", "motor") & custom_value_q(deals["budget"], "gt", "0")

    assert set(Deal.objects.filter(q).values_list("title", flat=True)) == {"alpha"}


@pytest.mark.parametrize(
    ("_case", "key", "op", "raw", "message"),
    [
        ("range on text", "mission", "gt", "a", "This condition does not apply to this field."),
        (
            "contains on a number",
            "budget",
            "contains",
            "1",
            "This condition does not apply to this field.",
        ),
        (
            "has on a single option",
            "origin",
            "has",
            "rfi",
            "This condition does not apply to this field.",
        ),
        ("unknown operator", "budget", "between", "1", "This condition does not apply to this field."),
        ("not a number", "budget", "gt", "lots", "Enter a number."),
        ("not a date", "tender_date", "lt", "March", "Enter a date as YYYY-MM-DD."),
        ("unknown option", "product_line", "has", "warp", "Choose one of the options."),
        ("not yes or no", "signed", "eq", "perhaps", "Enter yes or no."),
    ],
)
def test_invalid_filters_are_refused_with_a_reason(deals, _case, key, op, raw, message):
    with pytest.raises(InvalidFilter) as refused:
        custom_value_q(deals[key], op, raw)

    assert str(refused.value) == message
