"""What the deck and the workbook say alike: section titles, status and state labels, key figures.

One place, so the deck's summary slide and the workbook's Summary sheet cannot disagree.
Labels are translated in the active language (the builders activate the pack's).
"""

import re
from dataclasses import dataclass
from decimal import Decimal

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from apogee.deals.models import DealStatus
from apogee.missions.models import Phase

from .pack import BoardPack, RfiState

MISSIONS, RFIS, OFFERS, CCNS = "missions", "rfis", "offers", "ccns"
# Control characters (a title pasted from a PDF, an old import) are not allowed in the XML of either file.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
SECTIONS = (MISSIONS, RFIS, OFFERS, CCNS)


def printable(text: str) -> str:
    # A space, not nothing: a vertical tab is usually a line break from a spreadsheet or a slide.
    return _CONTROL.sub(" ", text or "")


def section_title(section: str) -> str:
    return {
        MISSIONS: _("Missions identified for the coming years"),
        RFIS: _("RFIs and ROMs: tenders to come"),
        OFFERS: _("Firm offers"),
        CCNS: _("Change notices on running contracts"),
    }[section]


def status_label(status: str) -> str:
    return str(DealStatus(status).label)


def phase_label(code: str) -> str:
    return str(Phase(code).label) if code else ""


def rfi_state_label(state: str) -> str:
    return {
        RfiState.OPEN: _("Waiting for a tender"),
        RfiState.RFQ_EXPECTED: _("RFQ expected"),
        RfiState.IN_SALES: _("Handed off to Sales"),
        RfiState.STOPPED: _("Stopped"),
    }[state]


def day(value) -> str:
    return date_format(value, "SHORT_DATE_FORMAT") if value else ""


def period_dates(pack: BoardPack) -> str:
    return _("%(start)s to %(end)s") % {
        "start": date_format(pack.period.start, "DATE_FORMAT"),
        "end": date_format(pack.period.end, "DATE_FORMAT"),
    }


def reader_line(pack: BoardPack) -> str:
    if pack.reader:
        return _("Deals visible to %(name)s") % {"name": pack.reader}
    return _("All deals")


@dataclass(frozen=True)
class KeyFigure:
    label: str
    value: Decimal | int
    money: bool  # an amount in the base currency, else a count


def _missing(count: int) -> list[KeyFigure]:
    # Said only when it happens: a total that leaves amounts out must say so.
    return (
        [KeyFigure(_("Amounts without an exchange rate (not in the totals)"), count, False)] if count else []
    )


def key_figures(pack: BoardPack) -> dict[str, list[KeyFigure]]:
    missions, rfis, offers, ccns = pack.missions, pack.rfis, pack.offers, pack.ccns
    return {
        MISSIONS: [
            KeyFigure(_("Missions"), len(missions.missions), False),
            KeyFigure(_("Value of their linked deals"), missions.linked_value, True),
            KeyFigure(_("Expected value"), missions.expected_value, True),
            *_missing(missions.unconverted_count),
        ],
        RFIS: [
            KeyFigure(_("RFIs waiting for a tender"), len(rfis.potential), False),
            KeyFigure(_("Their potential value"), rfis.potential_value, True),
            KeyFigure(_("ROMs sent in the period"), rfis.roms_sent_in_period, False),
            KeyFigure(
                _("Handed off to Sales"),
                sum(1 for line in rfis.lines if line.state == RfiState.IN_SALES),
                False,
            ),
            *_missing(rfis.unconverted_count),
        ],
        OFFERS: [
            KeyFigure(_("Open firm offers"), len(offers.open_lines), False),
            KeyFigure(_("Their value"), offers.open_value, True),
            KeyFigure(_("Weighted by stage probability"), offers.weighted_value, True),
            KeyFigure(_("Won in the period"), offers.won_value, True),
            KeyFigure(_("Lost in the period"), offers.lost_value, True),
            *_missing(offers.unconverted_count),
        ],
        CCNS: [
            KeyFigure(_("Running contracts"), len(ccns.contracts), False),
            KeyFigure(_("Change notices"), len(ccns.change_notices), False),
            KeyFigure(_("Won change notices"), ccns.won_value, True),
            KeyFigure(_("Open change notices"), ccns.open_value, True),
            *_missing(ccns.unconverted_count),
        ],
    }


def offers_rule(pack: BoardPack) -> str:
    """The stage rule in a sentence, printed under the firm offers so the board knows what is counted."""
    if pack.offers.by_fallback:
        return _(
            "Open deals of the last stages of the Sales pipeline, from “%(stage)s” on "
            "(no stage is named “Proposal preparation”)."
        ) % {"stage": pack.offers.stage_rule}
    return _("Open deals of the Sales pipeline from the stage “%(stage)s” on.") % {
        "stage": pack.offers.stage_rule
    }
