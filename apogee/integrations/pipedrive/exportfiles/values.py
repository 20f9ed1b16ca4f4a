"""Cell values of an export file: localized numbers, dates and times, statuses, flags, lists.

Each `parse_*` takes a cell as the file gives it (str from CSV; str, Decimal, datetime, time or
bool from XLSX), returns None for an empty cell, and raises ValueProblem for a value it cannot
read. Ambiguous values ("1,250", "03/04/2024") follow the column's convention, which the
reader detects beforehand from all of the column's values (`decimal_mark_evidence`,
`day_order_evidence`).
"""

import re
import unicodedata
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from decimal import Decimal, InvalidOperation

from apogee.integrations.pipedrive.exportfiles.errors import ValueProblem
from apogee.integrations.pipedrive.records import OptionRef, Ref

# Thousands separators seen in the wild: spaces (normal, no-break, narrow no-break, thin),
# apostrophes (straight, typographic, modifier letter) and the backtick some keyboards give.
_GROUPING = str.maketrans("", "", " \u00a0\u202f\u2009'\u2019\u02bc`")
_PLAIN_NUMBER = re.compile(r"-?(?:\d+(?:\.\d*)?|\.\d+)")
_CURRENCY = re.compile(r"[A-Z]{3}")

_TIME = r"(?:[ T,]+(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?(?:\s*([AaPp])\.?[Mm]\.?)?)?"
_YEAR_FIRST = re.compile(r"(\d{4})([/.-])(\d{1,2})\2(\d{1,2})" + _TIME)
_YEAR_LAST = re.compile(r"(\d{1,2})([./-])(\d{1,2})\2(\d{4}|\d{2})" + _TIME)
_TIME_ONLY = re.compile(r"(\d{1,2})[:h](\d{2})(?::(\d{2})(?:[.,]\d+)?)?\s*(?:([AaPp])\.?[Mm]\.?)?")
_BROKEN_BYTES = re.compile("[\udc80-\udcff]")

_EXCEL_EPOCH = datetime(1899, 12, 30)
_EXCEL_SERIALS = (Decimal(61), Decimal(2958466))  # 1 March 1900 to 31 December 9999

DAY_FIRST = "dmy"
MONTH_FIRST = "mdy"


def fold(text: str) -> str:
    """Text folded for matching words: case, accents and runs of spaces do not count."""
    if not text.isascii():
        text = "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))
    return " ".join(text.split()).casefold()


# --- numbers ---------------------------------------------------------------------------------


def decimal_mark_evidence(value: object) -> str | None:
    """The decimal mark a number's text proves ("." or ","), or None when it proves nothing."""
    if not isinstance(value, str):
        return None
    return _own_decimal_mark(value.translate(_GROUPING))


def _own_decimal_mark(digits: str) -> str | None:
    dots, commas = digits.count("."), digits.count(",")
    if dots and commas:
        return "." if digits.rfind(".") > digits.rfind(",") else ","
    if dots > 1:
        return ","
    if commas > 1:
        return "."
    if dots == 1 or commas == 1:
        mark = "." if dots else ","
        whole, _, fraction = digits.lstrip("+-(").partition(mark)
        # "1,250" could be a thousand or one and a quarter; "0,250", "1250,000" and "1,25" cannot.
        if len(fraction.rstrip(")-")) == 3 and whole.isdigit() and 0 < len(whole) <= 3 and whole != "0":
            return None
        return mark
    return None


def parse_number(value: object, mark: str = ".") -> Decimal | None:
    """A Decimal from `1'250'000.50`, `1 250 000,50`, `1.250.000,50`, `-5 000`, `(5 000)`, an XLSX number."""
    if value is None or value == "":
        return None
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool | datetime | date | time):
        raise ValueProblem("bad_number", f"{value!s} is not a number")
    if isinstance(value, int | float):
        return Decimal(str(value))
    text = str(value).strip()
    if not text:
        return None
    negative = text.startswith("(") and text.endswith(")")
    digits = text.strip("()").replace("\u2212", "-").translate(_GROUPING)
    if digits.endswith("-") and not digits.startswith("-"):
        digits = "-" + digits[:-1]
    if digits.startswith("+"):
        digits = digits[1:]
    decimal_mark = _own_decimal_mark(digits) or mark
    thousands = "," if decimal_mark == "." else "."
    digits = digits.replace(thousands, "").replace(",", ".")
    if not _PLAIN_NUMBER.fullmatch(digits):
        raise ValueProblem("bad_number", f"'{text}' is not a number")
    try:
        number = Decimal(digits)
    except InvalidOperation as error:  # pragma: no cover - the pattern admits only valid literals
        raise ValueProblem("bad_number", f"'{text}' is not a number") from error
    return -number if negative else number


def parse_integer(value: object, mark: str = ".") -> int | None:
    """A whole number; a trailing % is allowed (probability "50%")."""
    if isinstance(value, str):
        value = value.strip().removesuffix("%").strip()
    number = parse_number(value, mark)
    if number is None:
        return None
    return int(number.to_integral_value())


def parse_currency(value: object) -> str | None:
    if value is None:
        return None
    text = str(value).strip().upper()
    if not text:
        return None
    if not _CURRENCY.fullmatch(text):
        raise ValueProblem(
            "bad_currency", f"'{str(value).strip()}' is not a currency code (three letters, e.g. CHF)"
        )
    return text


# --- dates and times -------------------------------------------------------------------------


def day_order_evidence(value: object) -> str | None:
    """The day/month order a date's text proves (DAY_FIRST or MONTH_FIRST), or None."""
    if not isinstance(value, str):
        return None
    match = _YEAR_LAST.match(value.strip())
    if not match:
        return None
    first, separator, second = int(match.group(1)), match.group(2), int(match.group(3))
    if separator == "." or (first > 12 and second <= 12):
        return DAY_FIRST
    if second > 12 and first <= 12:
        return MONTH_FIRST
    return None


def is_ambiguous_date(value: object) -> bool:
    if not isinstance(value, str):
        return False
    match = _YEAR_LAST.match(value.strip())
    return bool(match) and match.group(2) != "." and int(match.group(1)) <= 12 and int(match.group(3)) <= 12


def _naive_moment(value: object, order: str) -> datetime | date | None:
    """The date or date-time a cell shows, in the file's own time zone; None when empty."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime | date):
        return value
    if isinstance(value, Decimal) and _EXCEL_SERIALS[0] < value < _EXCEL_SERIALS[1]:
        # A date cell whose date format was lost: Excel's serial day number (1900 calendar).
        return _EXCEL_EPOCH + timedelta(days=float(value))
    if isinstance(value, time | bool | Decimal | int | float):
        raise ValueProblem("bad_date", f"{value!s} is not a date")
    text = str(value).strip()
    if not text:
        return None
    if len(text) >= 10 and text[4] == "-" and text[7] == "-":
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            raise ValueProblem("bad_date", f"'{text}' is not a date") from None
        return moment.date() if len(text) == 10 else moment
    match = _YEAR_FIRST.fullmatch(text)
    if match:
        year, month, day = int(match.group(1)), int(match.group(3)), int(match.group(4))
        return _assemble(text, year, month, day, match.groups()[4:])
    match = _YEAR_LAST.fullmatch(text)
    if not match:
        raise ValueProblem("bad_date", f"'{text}' is not a date")
    first, separator, second, year = int(match.group(1)), match.group(2), int(match.group(3)), match.group(4)
    year_number = int(year) if len(year) == 4 else 2000 + int(year)
    if separator == "." or first > 12:
        day, month = first, second
    elif second > 12:
        day, month = second, first
    else:
        day, month = (first, second) if order == DAY_FIRST else (second, first)
    return _assemble(text, year_number, month, day, match.groups()[4:])


def _assemble(text: str, year: int, month: int, day: int, clock: tuple) -> datetime | date:
    hour, minute, second, meridiem = clock
    try:
        if hour is None:
            return date(year, month, day)
        return datetime(year, month, day, _hour(int(hour), meridiem), int(minute), int(second or 0))
    except ValueError:
        raise ValueProblem("bad_date", f"'{text}' is not a valid date") from None


def _hour(hour: int, meridiem: str | None) -> int:
    if not meridiem:
        return hour
    return hour % 12 + (12 if meridiem in "Pp" else 0)


def parse_date(value: object, order: str = DAY_FIRST) -> date | None:
    moment = _naive_moment(value, order)
    return moment.date() if isinstance(moment, datetime) else moment


def parse_datetime(value: object, order: str = DAY_FIRST, zone: tzinfo = UTC) -> datetime | None:
    """An aware datetime in UTC; a naive value is read in `zone`, the exporting user's time zone."""
    moment = _naive_moment(value, order)
    if moment is None:
        return None
    if not isinstance(moment, datetime):
        moment = datetime(moment.year, moment.month, moment.day)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return moment.astimezone(UTC)


def parse_time(value: object) -> time | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.time().replace(second=0, microsecond=0)
    if isinstance(value, time):
        return value.replace(second=0, microsecond=0)
    text = str(value).strip()
    if not text:
        return None
    match = _TIME_ONLY.fullmatch(text)
    if not match:
        raise ValueProblem("bad_date", f"'{text}' is not a time of day")
    try:
        return time(_hour(int(match.group(1)), match.group(4)), int(match.group(2)))
    except ValueError:
        raise ValueProblem("bad_date", f"'{text}' is not a valid time of day") from None


def parse_duration_minutes(value: object) -> int | None:
    """Minutes from "01:30", "1:30:00", an XLSX time cell, or a bare number of minutes."""
    if value is None or value == "":
        return None
    if isinstance(value, time):
        return value.hour * 60 + value.minute
    if isinstance(value, Decimal) and 0 < value < 1:
        return int((value * 1440).to_integral_value())  # an unformatted Excel time: a fraction of a day
    if isinstance(value, Decimal | int | float):
        return int(value)
    text = str(value).strip()
    if not text:
        return None
    if text.isdigit():
        return int(text)
    parts = text.split(":")
    if len(parts) in (2, 3) and all(part.isdigit() for part in parts):
        return int(parts[0]) * 60 + int(parts[1]) + (1 if len(parts) == 3 and int(parts[2]) >= 30 else 0)
    raise ValueProblem("bad_value", f"'{text}' is not a duration (expected HH:MM)")


# --- words: statuses and flags ---------------------------------------------------------------

_STATUSES = {
    "open": "open",
    "ouvert": "open",
    "ouverte": "open",
    "en cours": "open",
    "won": "won",
    "gagne": "won",
    "gagnee": "won",
    "lost": "lost",
    "perdu": "lost",
    "perdue": "lost",
    "deleted": "deleted",
    "supprime": "deleted",
    "supprimee": "deleted",
}
_TRUE = {"yes", "true", "1", "y", "x", "oui", "vrai", "o", "✓", "✔"}
_FALSE = {"no", "false", "0", "n", "non", "faux", "-"}
_DONE = {
    "done",
    "marked as done",
    "completed",
    "fait",
    "faite",
    "effectue",
    "effectuee",
    "termine",
    "terminee",
}
_NOT_DONE = {"to do", "not done", "undone", "pending", "a faire", "non fait", "en attente"}
_ARCHIVED = {"archived", "archive", "archivee"}
_NOT_ARCHIVED = {"not archived", "active", "non archive", "non archivee", "actif", "active deal"}


def parse_status(value: object) -> str | None:
    text = fold(str(value)) if value is not None else ""
    if not text:
        return None
    try:
        return _STATUSES[text]
    except KeyError:
        raise ValueProblem(
            "bad_value", f"'{value}' is not a deal status (Open, Won, Lost, Deleted)"
        ) from None


def parse_boolean(value: object) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, Decimal | int):
        return bool(value)
    text = fold(str(value)) if value is not None else ""
    if not text:
        return None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueProblem("bad_value", f"'{value}' is not yes or no")


def _words_flag(value: object, yes: set[str], no: set[str], what: str) -> bool | None:
    text = fold(str(value)) if isinstance(value, str) else ""
    if text in yes:
        return True
    if text in no:
        return False
    try:
        return parse_boolean(value)
    except ValueProblem:
        raise ValueProblem("bad_value", f"'{value}' is not {what}") from None


def parse_done(value: object) -> bool | None:
    return _words_flag(value, _DONE, _NOT_DONE, "Done or To do")


def parse_archived(value: object) -> bool | None:
    return _words_flag(value, _ARCHIVED, _NOT_ARCHIVED, "an archive status")


# --- text and lists --------------------------------------------------------------------------


def as_text(value: object) -> str | None:
    """Text as the file shows it; an XLSX number or date is written back the way a person would."""
    if value is None:
        return None
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, Decimal):
        return format(value.normalize() if value != value.to_integral_value() else value.quantize(1), "f")
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value).strip() or None


def parse_list(value: object) -> list[str] | None:
    """Multi-values as Pipedrive joins them: "Hot, Strategic"."""
    text = as_text(value)
    if text is None:
        return None
    return [part.strip() for part in text.split(",") if part.strip()]


def parse_ref_names(value: object) -> list[Ref] | None:
    names = parse_list(value)
    return None if names is None else [Ref(name=name) for name in names]


def parse_ref_name(value: object) -> Ref | None:
    text = as_text(value)
    return None if text is None else Ref(name=text)


def parse_option(value: object) -> OptionRef | None:
    text = as_text(value)
    return None if text is None else OptionRef(label=text)


def parse_options(value: object) -> list[OptionRef] | None:
    labels = parse_list(value)
    return None if labels is None else [OptionRef(label=label) for label in labels]


def broken_bytes(text: str) -> str | None:
    """The first byte that was not valid in the file's encoding (kept as a lone surrogate), as 0xNN."""
    if text.isascii():
        return None
    match = _BROKEN_BYTES.search(text)
    return f"0x{ord(match.group()) - 0xDC00:02X}" if match else None
