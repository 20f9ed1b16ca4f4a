"""How a time bucket is named in the reader's language: "Nov 2026", "Q4 2026", "Week 47, 2026"."""

from datetime import date

from django.utils.formats import date_format
from django.utils.translation import gettext as _


def bucket_label(start: date, interval: str) -> str:
    if interval == "week":
        year, week, _weekday = start.isocalendar()
        return _("Week %(week)d, %(year)d") % {"week": week, "year": year}
    if interval == "quarter":
        return _("Q%(quarter)d %(year)d") % {"quarter": (start.month - 1) // 3 + 1, "year": start.year}
    if interval == "year":
        return str(start.year)
    return date_format(start, "M Y")
