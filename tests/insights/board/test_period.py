"""Reading a board period from text: no database, no Django."""

from datetime import date

import pytest

from apogee.insights.board.period import Period, parse_period


@pytest.mark.parametrize(
    ("text", "start", "end", "label"),
    [
        ("2026", date(2026, 1, 1), date(2026, 12, 31), "2026"),
        ("2026-Q1", date(2026, 1, 1), date(2026, 3, 31), "2026-Q1"),
        ("2026-Q4", date(2026, 10, 1), date(2026, 12, 31), "2026-Q4"),
        (" 2026-q2 ", date(2026, 4, 1), date(2026, 6, 30), "2026-Q2"),
        ("2026-11", date(2026, 11, 1), date(2026, 11, 30), "2026-11"),
        ("2028-02", date(2028, 2, 1), date(2028, 2, 29), "2028-02"),
        ("2026-10-01..2026-12-31", date(2026, 10, 1), date(2026, 12, 31), "2026-10-01..2026-12-31"),
        ("2026-12-24..2026-12-24", date(2026, 12, 24), date(2026, 12, 24), "2026-12-24..2026-12-24"),
    ],
)
def test_a_year_a_quarter_a_month_or_a_range_is_read_with_both_ends_included(text, start, end, label):
    assert parse_period(text) == Period(start, end, label)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("", "Give a period"),
        ("Q4 2026", "give a year (2026), a quarter (2026-Q4)"),
        ("2026-Q5", "the quarter must be Q1, Q2, Q3 or Q4"),
        ("2026-Q0", "the quarter must be Q1, Q2, Q3 or Q4"),
        ("2026-13", "the month must be 01 to 12"),
        ("2026-00", "the month must be 01 to 12"),
        ("1999", "the year must be between 2000 and 2100"),
        ("2026-02-30..2026-03-31", "'2026-02-30' is not a date"),
        ("2026-12-31..2026-01-01", "it ends before it starts"),
        ("2026-10-01...2026-12-31", "give a year"),
    ],
)
def test_unreadable_periods_are_refused_with_a_message_saying_why(text, says):
    with pytest.raises(ValueError) as refused:
        parse_period(text)
    assert says in str(refused.value)


def test_a_period_knows_its_days():
    quarter = parse_period("2026-Q4")

    assert date(2026, 10, 1) in quarter
    assert date(2026, 12, 31) in quarter
    assert date(2027, 1, 1) not in quarter
    assert date(2026, 9, 30) not in quarter
    assert quarter.days == 92


def test_a_period_cannot_end_before_it_starts():
    with pytest.raises(ValueError, match="ends"):
        Period(date(2026, 2, 1), date(2026, 1, 31), "backwards")
