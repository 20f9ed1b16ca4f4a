"""What the deck's tables say: for each section its columns, rows, group headings and totals, as text.

The deck (deck.py) lays these out on slides; nothing here knows about slides. Amounts in the
base currency are whole numbers under a header naming the currency; other amounts carry
their currency, written as the application writes money everywhere (CHF 1’250’000).
"""

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from apogee.core.money import format_money
from apogee.deals.models import DealStatus

from .pack import BoardPack, ContractBlock, OfferLine
from .summary import (
    CCNS,
    MISSIONS,
    RFIS,
    day,
    offers_rule,
    phase_label,
    rfi_state_label,
    section_title,
    status_label,
)

DATA, GROUP, TOTAL = "data", "group", "total"


@dataclass(frozen=True)
class Column:
    header: str
    inches: float
    numeric: bool = False


@dataclass
class Row:
    cells: list[str]
    kind: str = DATA
    # GROUP rows: the label spans the columns before the first one with a value.
    span: int = 1


@dataclass
class TableSpec:
    title: str
    columns: list[Column]  # widths in inches, relative: the deck stretches them to the slide
    rows: list[Row]
    footnote: str = ""


# Formatting ---------------------------------------------------------------------------------------


def whole(value: Decimal | None) -> str:
    """A base-currency amount in a column headed with the currency; missing rates say so."""
    if value is None:
        return _("no rate")
    return format_money(value, "").strip()


def money(value: Decimal | None, currency: str) -> str:
    return "" if value is None else format_money(value, currency)


def short_phase(code: str) -> str:
    # "B2 (detailed definition)" → "B2": the board knows ESA's phases; the workbook has the full label.
    return phase_label(code).split(" (")[0]


def percent(value: int) -> str:
    return f"{value} %"


# Sections -------------------------------------------------------------------------------------------


def _group(label: str, columns: list[Column], values: dict[int, str]) -> Row:
    span = min([i for i in values] + [len(columns)])
    cells = [label] + [""] * (len(columns) - 1)
    for index, text in values.items():
        cells[index] = text
    return Row(cells, GROUP, span=max(1, span))


def missions_table(pack: BoardPack) -> TableSpec:
    base = pack.base_currency
    columns = [
        Column(_("Mission"), 4.0),
        Column(_("Programme"), 2.1),
        Column(_("Phase"), 0.7),
        Column(_("Go-ahead"), 0.9, numeric=True),
        Column(_("Launch"), 0.8, numeric=True),
        Column(_("Deals open / won"), 1.1, numeric=True),
        Column(_("Linked (%(currency)s)") % {"currency": base}, 1.35, numeric=True),
        Column(_("Expected (%(currency)s)") % {"currency": base}, 1.35, numeric=True),
    ]
    rows = []
    for year in pack.missions.years:
        if not year.missions:
            continue
        count = ngettext("%(count)d mission", "%(count)d missions", len(year.missions)) % {
            "count": len(year.missions)
        }
        heading = _("Tender %(year)s") % {"year": year.year} if year.year else _("Tender year not set")
        rows.append(
            _group(
                f"{heading} · {count}", columns, {6: whole(year.linked_value), 7: whole(year.expected_value)}
            )
        )
        for m in year.missions:
            rows.append(
                Row(
                    [
                        m.title,
                        m.programme,
                        short_phase(m.phase),
                        percent(m.go_ahead),
                        str(m.launch_year or ""),
                        f"{m.open_count} / {m.won_count}",
                        whole(m.linked_value),
                        whole(m.expected_value),
                    ]
                )
            )
    rows.append(
        Row(
            [
                _("Total"),
                "",
                "",
                "",
                "",
                "",
                whole(pack.missions.linked_value),
                whole(pack.missions.expected_value),
            ],
            TOTAL,
        )
    )
    return TableSpec(
        section_title(MISSIONS),
        columns,
        rows,
        footnote=_(
            "Expected value: open deals × stage probability × go-ahead probability; won deals in full."
        ),
    )


def rfis_table(pack: BoardPack) -> TableSpec:
    columns = [
        Column(_("RFI"), 2.75),
        Column(_("Customer"), 1.9),
        Column(_("Stage"), 1.5),
        Column(_("State"), 1.9),
        Column(_("Expected RFQ"), 1.0, numeric=True),
        Column(_("ROM sent"), 1.0, numeric=True),
        Column(_("ROM"), 1.35, numeric=True),
        Column(_("Potential (%(currency)s)") % {"currency": pack.base_currency}, 1.3, numeric=True),
    ]
    lines = sorted(pack.rfis.lines, key=lambda line: not line.is_potential)  # stable: date order kept
    rows = [
        Row(
            [
                line.title,
                line.customer,
                line.stage,
                rfi_state_label(line.state),
                day(line.expected_rfq),
                day(line.rom_sent_on),
                money(line.rom_amount, line.rom_currency),
                whole(line.value_in_base) if line.is_potential else "",
            ]
        )
        for line in lines
    ]
    rows.append(Row([_("Total"), "", "", "", "", "", "", whole(pack.rfis.potential_value)], TOTAL))
    return TableSpec(
        section_title(RFIS),
        columns,
        rows,
        footnote=_(
            "Potential: RFIs neither stopped nor handed off to Sales (those count with the firm offers)."
        ),
    )


def _offer_cells(line: OfferLine, *, closed: bool) -> list[str]:
    if closed:
        return [
            line.title,
            line.customer,
            money(line.value, line.currency),
            whole(line.value_in_base),
            day(line.closed_on),
            line.lost_reason,
            line.owner,
        ]
    return [
        line.title,
        line.customer,
        money(line.value, line.currency),
        whole(line.value_in_base),
        percent(line.probability),
        whole(line.weighted_in_base),
        day(line.expected_close),
        line.owner,
    ]


def open_offers_table(pack: BoardPack) -> TableSpec:
    base = pack.base_currency
    columns = [
        Column(_("Deal"), 3.1),
        Column(_("Customer"), 2.0),
        Column(_("Value"), 1.45, numeric=True),
        Column(base, 1.2, numeric=True),
        Column(_("Prob."), 0.65, numeric=True),
        Column(_("Weighted (%(currency)s)") % {"currency": base}, 1.2, numeric=True),
        Column(_("Decision"), 1.0, numeric=True),
        Column(_("Owner"), 1.7),
    ]
    rows = []
    for group in pack.offers.stages:
        count = ngettext("%(count)d deal", "%(count)d deals", len(group.lines)) % {"count": len(group.lines)}
        rows.append(
            _group(
                f"{group.stage} · {count}", columns, {3: whole(group.value), 5: whole(group.weighted_value)}
            )
        )
        rows += [Row(_offer_cells(line, closed=False)) for line in group.lines]
    offers = pack.offers
    rows.append(Row([_("Total"), "", "", whole(offers.open_value), "", whole(offers.weighted_value)], TOTAL))
    return TableSpec(
        _("Firm offers in preparation, at the customer, in negotiation"), columns, rows, offers_rule(pack)
    )


def closed_offers_table(pack: BoardPack) -> TableSpec:
    columns = [
        Column(_("Deal"), 3.0),
        Column(_("Customer"), 2.0),
        Column(_("Value"), 1.45, numeric=True),
        Column(pack.base_currency, 1.2, numeric=True),
        Column(_("Closed on"), 1.0, numeric=True),
        Column(_("Lost reason"), 2.1),
        Column(_("Owner"), 1.55),
    ]
    rows = []
    for label, lines in (
        (_("Won in the period"), pack.offers.won),
        (_("Lost in the period"), pack.offers.lost),
    ):
        count = ngettext("%(count)d deal", "%(count)d deals", len(lines)) % {"count": len(lines)}
        total = sum((line.value_in_base for line in lines if line.value_in_base is not None), Decimal(0))
        rows.append(_group(f"{label} · {count}", columns, {3: whole(total)}))
        rows += [Row(_offer_cells(line, closed=True)) for line in lines]
    return TableSpec(_("Firm offers won and lost in the period"), columns, rows)


def _contract_heading(block: ContractBlock) -> str:
    return " · ".join(part for part in (block.number, block.customer, block.title) if part)


def ccns_table(pack: BoardPack) -> TableSpec:
    base = pack.base_currency
    columns = [
        Column(_("CCN"), 0.85),
        Column(_("Title"), 3.6),
        Column(_("Stage"), 1.5),
        Column(_("Status"), 0.9),
        Column(_("Value"), 1.6, numeric=True),
        Column(_("Won (%(currency)s)") % {"currency": base}, 1.25, numeric=True),
        Column(_("Open (%(currency)s)") % {"currency": base}, 1.25, numeric=True),
        Column(_("Date"), 1.0, numeric=True),
    ]
    rows = []
    for block in pack.ccns.with_change_notices:
        signed = _("no rate") if block.value_in_base is None else format_money(block.value_in_base, base)
        rows.append(
            _group(
                _contract_heading(block),
                columns,
                {4: signed, 5: whole(block.won_value), 6: whole(block.open_value), 7: day(block.signed_on)},
            )
        )
        for notice in block.change_notices:
            rows.append(
                Row(
                    [
                        notice.number,
                        notice.title,
                        notice.stage,
                        status_label(notice.status),
                        money(notice.value, notice.currency),
                        whole(notice.value_in_base) if notice.status == DealStatus.WON else "",
                        whole(notice.value_in_base) if notice.status == DealStatus.OPEN else "",
                        day(notice.closed_on or notice.expected_close),
                    ]
                )
            )
    ccns = pack.ccns
    rows.append(Row([_("Total"), "", "", "", "", whole(ccns.won_value), whole(ccns.open_value)], TOTAL))
    others = len(ccns.contracts) - len(ccns.with_change_notices)
    footnote = _("Contract rows: the signed value and the signature date; won change notices add to it.")
    if others:
        footnote += " " + ngettext(
            "%(count)d other running contract has no change notice.",
            "%(count)d other running contracts have no change notice.",
            others,
        ) % {"count": others}
    return TableSpec(section_title(CCNS), columns, rows, footnote)
