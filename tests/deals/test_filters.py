"""Deal filters from query strings: bad input is a field error, never a crash, on both databases."""

import pytest

from apogee.deals.filters import parse_deal_filter
from apogee.deals.models import Deal
from tests.deals.factories import make_deal

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("_case", "params", "field"),
    [
        ("owner id beyond a 64-bit key", {"owner": [str(10**30)]}, "owner"),
        ("negative stage id", {"stage": ["-3"]}, "stage"),
        ("text as pipeline id", {"pipeline": ["sales"]}, "pipeline"),
        ("amount overflowing numeric", {"value_min": ["1e999999"]}, "value_min"),
        ("NaN amount", {"value_max": ["NaN"]}, "value_max"),
        ("NUL in the search", {"q": ["hinge\x00"]}, "q"),
        ("NUL in a custom filter", {"f": ["mission:eq:\x00"]}, "f"),
        ("bad date", {"close_from": ["2026-13-01"]}, "close_from"),
        ("unknown status", {"status": ["maybe"]}, "status"),
    ],
)
def test_bad_filter_is_a_field_error_and_the_query_still_runs(
    sales_pipeline, salesperson, _case, params, field
):
    make_deal(pipeline=sales_pipeline, owner=salesperson)

    result = parse_deal_filter(params)

    assert not result.is_valid
    assert list(result.errors) == [field]
    assert Deal.objects.filter(result.q).count() in (0, 1)  # the Q object is usable, whatever it holds


def test_filters_combine(sales_pipeline, salesperson, teammate):
    make_deal(
        pipeline=sales_pipeline,
        owner=salesperson,
        title="Hinge",
        value=5000,
        custom_values={"mission": "CHIME"},
    )
    make_deal(
        pipeline=sales_pipeline,
        owner=teammate,
        title="Hinge B",
        value=5000,
        custom_values={"mission": "CHIME"},
    )
    make_deal(
        pipeline=sales_pipeline,
        owner=salesperson,
        title="Baffle",
        value=50,
        custom_values={"mission": "CHIME"},
    )

    result = parse_deal_filter(
        {"owner": [str(salesperson.pk)], "value_min": ["1000"], "q": ["hinge"], "f": ["mission:eq:CHIME"]}
    )

    assert result.is_valid
    assert list(Deal.objects.filter(result.q).values_list("title", flat=True)) == ["Hinge"]
