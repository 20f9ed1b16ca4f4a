"""The charts: a PNG when a section has something to draw, None when it has not; amounts readable."""

from decimal import Decimal

import pytest
from django.utils import translation

from apogee.insights.board import charts
from tests.missions.factories import make_mission

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize(
    ("value", "tick", "label"),
    [
        (0, "0", "0"),
        (999, "999", "999"),
        (250_000, "250 k", "250 k"),
        (1_250_000, "1.25 M", "1.3 M"),
        (2_000_000, "2 M", "2.0 M"),
        (-25_600, "-25.6 k", "-26 k"),
    ],
)
def test_amounts_are_written_short_and_ticks_never_round_to_a_wrong_value(value, tick, label):
    with translation.override("en"):
        assert charts.tick_amount(value) == tick
        assert charts.short_amount(Decimal(value)) == label


def test_french_amounts_use_the_french_decimal_separator():
    with translation.override("fr"):
        assert charts.tick_amount(1_250_000).startswith("1,25")


def test_each_section_of_the_board_draws_a_png(board, salesperson, pack_of):
    pack = pack_of(salesperson)

    drawn = [
        charts.missions_chart(pack.missions, "CHF"),
        charts.rfis_chart(pack.rfis, "CHF"),
        charts.offers_chart(pack.offers, "CHF"),
        charts.ccns_chart(pack.ccns, "CHF"),
    ]

    assert all(png is not None and png.startswith(PNG) for png in drawn)


def test_an_empty_section_draws_nothing(workspace, salesperson, pack_of):
    pack = pack_of(salesperson)

    assert charts.missions_chart(pack.missions, "CHF") is None
    assert charts.rfis_chart(pack.rfis, "CHF") is None
    assert charts.offers_chart(pack.offers, "CHF") is None
    assert charts.ccns_chart(pack.ccns, "CHF") is None


def test_missions_without_any_linked_deal_still_get_a_chart(workspace, salesperson, pack_of):
    make_mission(workspace, salesperson, profile={"expected_tender_year": 2027})

    pack = pack_of(salesperson)

    assert pack.missions.linked_value == 0
    assert charts.missions_chart(pack.missions, "CHF").startswith(PNG)
