"""The reporting period of a board pack, read from what a person types: a year, a quarter, a month or a range.

Pure (no Django), so the command line, a form and the tests share one reading:

- ``2026``                      the calendar year
- ``2026-Q4`` (or ``2026-q4``)  a calendar quarter
- ``2026-11``                   a calendar month
- ``2026-10-01..2026-12-31``    any range of days, both ends included

Anything else raises ValueError with a message that says what was wrong and what is accepted.
"""

import calendar
import re
from dataclasses import dataclass
from datetime import date

# Dates outside these years are typing mistakes, not board periods (the missions app bounds years alike).
MIN_YEAR = 2000
MAX_YEAR = 2100

ACCEPTED = "a year (2026), a quarter (2026-Q4), a month (2026-11) or a range (2026-10-01..2026-12-31)"

_YEAR = re.compile(r"^(\d{4})$")
_QUARTER = re.compile(r"^(\d{4})-[Qq]([0-9])$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_RANGE = re.compile(r"^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$")


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # included
    label: str  # the canonical spelling: used in file names and on the title slide

    def __post_init__(self):
        if self.end < self.start:
            raise ValueError(f"The period ends ({self.end}) before it starts ({self.start}).")

    def __contains__(self, day: date) -> bool:
        return self.start <= day <= self.end

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def _year(text: str, whole: str) -> int:
    year = int(text)
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValueError(
            f"Cannot read the period {whole!r}: the year must be between {MIN_YEAR} and {MAX_YEAR}."
        )
    return year


def _day(text: str, whole: str) -> date:
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"Cannot read the period {whole!r}: {text!r} is not a date (YYYY-MM-DD).") from None
    _year(str(day.year), whole)
    return day


def parse_period(text: str) -> Period:
    """The Period `text` names; ValueError with a readable message when it names none."""
    whole = (text or "").strip()
    if not whole:
        raise ValueError(f"Give a period: {ACCEPTED}.")
    if match := _YEAR.match(whole):
        year = _year(match[1], whole)
        return Period(date(year, 1, 1), date(year, 12, 31), f"{year}")
    if match := _QUARTER.match(whole):
        year, quarter = _year(match[1], whole), int(match[2])
        if not 1 <= quarter <= 4:
            raise ValueError(f"Cannot read the period {whole!r}: the quarter must be Q1, Q2, Q3 or Q4.")
        first_month = 3 * (quarter - 1) + 1
        last_month = first_month + 2
        end = date(year, last_month, calendar.monthrange(year, last_month)[1])
        return Period(date(year, first_month, 1), end, f"{year}-Q{quarter}")
    if match := _MONTH.match(whole):
        year, month = _year(match[1], whole), int(match[2])
        if not 1 <= month <= 12:
            raise ValueError(f"Cannot read the period {whole!r}: the month must be 01 to 12.")
        end = date(year, month, calendar.monthrange(year, month)[1])
        return Period(date(year, month, 1), end, f"{year}-{month:02d}")
    if match := _RANGE.match(whole):
        start, end = _day(match[1], whole), _day(match[2], whole)
        if end < start:
            raise ValueError(f"Cannot read the period {whole!r}: it ends before it starts.")
        return Period(start, end, f"{start.isoformat()}..{end.isoformat()}")
    raise ValueError(f"Cannot read the period {whole!r}: give {ACCEPTED}.")
