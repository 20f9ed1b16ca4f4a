"""The board pack as an Excel workbook (openpyxl): build_workbook(pack) -> bytes.

A Summary sheet, then one sheet per section holding its rows as real Excel tables
(sortable, filterable, styled): amounts are numbers in a number format, dates are dates,
percentages are fractions shown as percent. A totals row sums what can be summed, with
SUBTOTAL formulas so that it follows the filters; the workbook asks to be calculated when
opened, since openpyxl stores formulas without their values. Amounts whose currency has
no rate are left blank in the base-currency columns. Text is always written as text,
never read as a formula, whatever a deal's title starts with.
"""

import io
import re
from dataclasses import dataclass
from decimal import Decimal

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import override
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.workbook.properties import CalcProperties
from openpyxl.worksheet.filters import AutoFilter
from openpyxl.worksheet.table import Table, TableColumn, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

from apogee.deals.models import DealStatus

from .charts import horizon_label
from .pack import BoardPack
from .summary import (
    CCNS,
    MISSIONS,
    RFIS,
    SECTIONS,
    key_figures,
    offers_rule,
    period_dates,
    phase_label,
    printable,
    reader_line,
    rfi_state_label,
    section_title,
    status_label,
)

TEXT, MONEY, COUNT, PERCENT, DATE, YEAR = "text", "money", "count", "percent", "date", "year"
FORMATS = {
    MONEY: "#,##0;-#,##0",
    COUNT: "0",
    PERCENT: "0%",
    DATE: "dd.mm.yyyy",  # as the application writes dates (d.m.Y)
    YEAR: "0",
}
STYLE = "TableStyleMedium2"
MIN_WIDTH, MAX_WIDTH = 8, 60
# Characters Excel refuses in a sheet name.
_SHEET_NAME = re.compile(r"[\[\]:*?/\\]")
# Characters to escape with an apostrophe inside a structured reference's column name.
_STRUCTURED = re.compile(r"([\[\]#'])")


@dataclass(frozen=True)
class Col:
    header: str
    kind: str = TEXT
    total: bool = False  # summed in the totals row


def _printable_sheet(sheet: Worksheet) -> Worksheet:
    # Printed, a sheet is one page wide, in landscape: the tables are wide, not long.
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    return sheet


def _sheet(workbook: Workbook, title: str) -> Worksheet:
    return _printable_sheet(workbook.create_sheet(_SHEET_NAME.sub(" ", title)[:31]))


def _set(sheet: Worksheet, row: int, column: int, value, kind: str):
    cell = sheet.cell(row=row, column=column)
    if kind == TEXT:
        cell.value = printable(str(value)) if value not in (None, "") else None
        if cell.value is not None:
            # A title such as "=HYPERLINK(…)" stays a title: text, not a formula.
            cell.data_type = "s"
    elif kind == PERCENT:
        cell.value = None if value is None else Decimal(value) / 100
    else:
        cell.value = value
    if kind in FORMATS and cell.value is not None:
        cell.number_format = FORMATS[kind]
    return cell


def _width(value, kind: str) -> int:
    if value is None:
        return 0
    if kind == MONEY:
        return len(f"{value:,.0f}") + 2
    if kind == DATE:
        return 11
    return len(str(value))


class _Widths:
    """The widest cell of each column of a sheet, over all its tables."""

    def __init__(self):
        self.columns: dict[int, int] = {}

    def see(self, column: int, length: int) -> None:
        self.columns[column] = max(self.columns.get(column, 0), length)

    def apply(self, sheet: Worksheet) -> None:
        for column, length in self.columns.items():
            width = min(MAX_WIDTH, max(MIN_WIDTH, length + 2))
            sheet.column_dimensions[get_column_letter(column)].width = width


def _table(
    sheet: Worksheet, widths: _Widths, *, name: str, top: int, columns: list[Col], rows: list[list]
) -> Table:
    """Header at row `top`, the rows, a totals row when a column is summed; one Excel table over them."""
    for index, column in enumerate(columns, start=1):
        cell = _set(sheet, top, index, column.header, TEXT)
        cell.font = Font(bold=True)
        widths.see(index, len(column.header) + 3)  # room for the filter button
    for offset, values in enumerate(rows, start=1):
        for index, (column, value) in enumerate(zip(columns, values, strict=True), start=1):
            _set(sheet, top + offset, index, value, column.kind)
            widths.see(index, _width(value, column.kind))
    last_data = top + len(rows)
    totals = any(column.total for column in columns)
    last_row = last_data + 1 if totals else last_data
    ref = f"A{top}:{get_column_letter(len(columns))}{last_row}"
    table = Table(displayName=name, ref=ref, totalsRowCount=1 if totals else None)
    table.tableStyleInfo = TableStyleInfo(name=STYLE, showRowStripes=True)
    table.autoFilter = AutoFilter(ref=f"A{top}:{get_column_letter(len(columns))}{last_data}")
    for index, column in enumerate(columns, start=1):
        table_column = TableColumn(id=index, name=column.header)
        if totals and index == 1:
            table_column.totalsRowLabel = _("Total")
            cell = _set(sheet, last_row, index, _("Total"), TEXT)
            cell.font = Font(bold=True)
        elif column.total:
            table_column.totalsRowFunction = "sum"
            escaped = _STRUCTURED.sub(r"'\1", column.header)
            # What Excel itself writes for a "sum" totals cell: SUBTOTAL(109) skips filtered-out rows.
            cell = sheet.cell(row=last_row, column=index, value=f"=SUBTOTAL(109,{name}[{escaped}])")
            cell.number_format = FORMATS.get(column.kind, "General")
            cell.font = Font(bold=True)
        table.tableColumns.append(table_column)
    sheet.add_table(table)
    return table


def _heading(sheet: Worksheet, row: int, text: str, *, size: int = 13) -> None:
    cell = _set(sheet, row, 1, text, TEXT)
    cell.font = Font(bold=True, size=size)


def _note(sheet: Worksheet, row: int, text: str) -> None:
    cell = _set(sheet, row, 1, text, TEXT)
    cell.font = Font(italic=True, color="667085")


def _in(currency: str) -> dict[str, str]:
    return {"currency": currency}


# Sheets -------------------------------------------------------------------------------------------


def _summary(workbook: Workbook, pack: BoardPack) -> None:
    sheet = _printable_sheet(workbook.active)
    sheet.title = _SHEET_NAME.sub(" ", _("Summary"))[:31]
    widths = _Widths()
    _heading(sheet, 1, _("Board report %(period)s") % {"period": pack.period.label}, size=16)
    _set(sheet, 2, 1, period_dates(pack), TEXT)
    _set(
        sheet,
        3,
        1,
        _("Open deals as of %(date)s; amounts in %(currency)s at the rates of that day")
        % {"date": date_format(pack.as_of, "DATE_FORMAT"), "currency": pack.base_currency},
        TEXT,
    )
    _set(
        sheet,
        4,
        1,
        _("Generated on %(date)s · %(reader)s")
        % {"date": date_format(pack.generated_at, "DATETIME_FORMAT"), "reader": reader_line(pack)},
        TEXT,
    )
    _note(sheet, 5, offers_rule(pack))
    figures = key_figures(pack)
    rows = [
        [
            section_title(section),
            figure.label,
            figure.value,
            pack.base_currency if figure.money else "",
        ]
        for section in SECTIONS
        for figure in figures[section]
    ]
    columns = [Col(_("Section")), Col(_("Figure")), Col(_("Value"), MONEY), Col(_("Currency"))]
    _table(sheet, widths, name="Summary", top=7, columns=columns, rows=rows)
    # Counts share the amount column: give them a plain number format.
    for offset, row in enumerate(rows, start=1):
        if not row[3]:
            sheet.cell(row=7 + offset, column=3).number_format = FORMATS[COUNT]
    widths.apply(sheet)
    # The title lines run across; they must not widen the first column.
    sheet.column_dimensions["A"].width = min(MAX_WIDTH, max(30, widths.columns.get(1, 0) + 2))


def _missions(workbook: Workbook, pack: BoardPack) -> None:
    sheet = _sheet(workbook, _("Missions"))
    widths = _Widths()
    base = pack.base_currency
    _heading(sheet, 1, section_title(MISSIONS))
    missions = pack.missions.missions
    if not missions:
        _note(
            sheet,
            3,
            _("No mission is expected to be tendered from %(first)d to %(last)d.")
            % {"first": pack.missions.first_year, "last": pack.missions.last_year},
        )
        return
    columns = [
        Col(_("Tender year"), YEAR),
        Col(_("Mission")),
        Col(_("Stage")),
        Col(_("Programme")),
        Col(_("Agency")),
        Col(_("Phase")),
        Col(_("Go-ahead"), PERCENT),
        Col(_("Launch year"), YEAR),
        Col(_("Open deals"), COUNT, total=True),
        Col(_("Won deals"), COUNT, total=True),
        Col(_("Linked value (%(currency)s)") % _in(base), MONEY, total=True),
        Col(_("Expected value (%(currency)s)") % _in(base), MONEY, total=True),
        Col(_("Deals without a rate"), COUNT, total=True),
    ]
    rows = [
        [
            m.tender_year,
            m.title,
            m.stage,
            m.programme,
            m.agency,
            phase_label(m.phase),
            m.go_ahead,
            m.launch_year,
            m.open_count,
            m.won_count,
            m.linked_value,
            m.expected_value,
            m.unconverted_count,
        ]
        for m in missions
    ]
    _table(sheet, widths, name="Missions", top=3, columns=columns, rows=rows)
    sheet.freeze_panes = "A4"
    widths.apply(sheet)


def _rfis(workbook: Workbook, pack: BoardPack) -> None:
    sheet = _sheet(workbook, _("RFIs"))
    widths = _Widths()
    base = pack.base_currency
    _heading(sheet, 1, section_title(RFIS))
    if not pack.rfis.lines:
        _note(sheet, 3, _("No RFI is open, and none was closed or answered in the period."))
        return
    columns = [
        Col(_("RFI")),
        Col(_("Customer")),
        Col(_("Stage")),
        Col(_("Status")),
        Col(_("State")),
        Col(_("Expected RFQ"), DATE),
        Col(_("RFQ horizon")),
        Col(_("Last ROM sent on"), DATE),
        Col(_("ROMs sent"), COUNT, total=True),
        Col(_("ROM amount"), MONEY),
        Col(_("ROM currency")),
        Col(_("Value"), MONEY),
        Col(_("Currency")),
        Col(_("Value (%(currency)s)") % _in(base), MONEY),
        Col(_("Potential (%(currency)s)") % _in(base), MONEY, total=True),
        Col(_("Sales deal")),
        Col(_("Owner")),
    ]
    rows = [
        [
            line.title,
            line.customer,
            line.stage,
            status_label(line.status),
            rfi_state_label(line.state),
            line.expected_rfq,
            horizon_label(line.horizon),
            line.rom_sent_on,
            line.roms_sent,
            line.rom_amount,
            line.rom_currency,
            line.value,
            line.currency,
            line.value_in_base,
            line.potential_in_base,
            line.sales_deal,
            line.owner,
        ]
        for line in pack.rfis.lines
    ]
    _table(sheet, widths, name="RFIs", top=3, columns=columns, rows=rows)
    sheet.freeze_panes = "B4"
    widths.apply(sheet)


def _offers(workbook: Workbook, pack: BoardPack) -> None:
    sheet = _sheet(workbook, _("Firm offers"))
    widths = _Widths()
    base = pack.base_currency
    offers = pack.offers
    _heading(sheet, 1, _("Firm offers in preparation, at the customer, in negotiation"))
    _note(sheet, 2, offers_rule(pack))
    row = 4
    if offers.open_lines:
        columns = [
            Col(_("Stage")),
            Col(_("Deal")),
            Col(_("Customer")),
            Col(_("Value"), MONEY),
            Col(_("Currency")),
            Col(_("Value (%(currency)s)") % _in(base), MONEY, total=True),
            Col(_("Probability"), PERCENT),
            Col(_("Weighted value (%(currency)s)") % _in(base), MONEY, total=True),
            Col(_("Expected decision"), DATE),
            Col(_("Owner")),
        ]
        rows = [
            [
                line.stage,
                line.title,
                line.customer,
                line.value,
                line.currency,
                line.value_in_base,
                line.probability,
                line.weighted_in_base,
                line.expected_close,
                line.owner,
            ]
            for line in offers.open_lines
        ]
        _table(sheet, widths, name="OpenOffers", top=row, columns=columns, rows=rows)
        row += len(rows) + 4
    else:
        _note(sheet, row, _("No firm offer is open."))
        row += 3
    _heading(sheet, row - 1, _("Firm offers won and lost in the period"))
    closed = offers.won + offers.lost
    if not closed:
        _note(sheet, row, _("No firm offer was won or lost in the period."))
        widths.apply(sheet)
        return
    columns = [
        Col(_("Outcome")),
        Col(_("Deal")),
        Col(_("Customer")),
        Col(_("Closed on"), DATE),
        Col(_("Value"), MONEY),
        Col(_("Currency")),
        Col(_("Won (%(currency)s)") % _in(base), MONEY, total=True),
        Col(_("Lost (%(currency)s)") % _in(base), MONEY, total=True),
        Col(_("Lost reason")),
        Col(_("Owner")),
    ]
    rows = [
        [
            status_label(line.status),
            line.title,
            line.customer,
            line.closed_on,
            line.value,
            line.currency,
            line.value_in_base if line.status == DealStatus.WON else None,
            line.value_in_base if line.status == DealStatus.LOST else None,
            line.lost_reason,
            line.owner,
        ]
        for line in closed
    ]
    _table(sheet, widths, name="ClosedOffers", top=row, columns=columns, rows=rows)
    widths.apply(sheet)


def _ccns(workbook: Workbook, pack: BoardPack) -> None:
    sheet = _sheet(workbook, _("CCNs"))
    widths = _Widths()
    base = pack.base_currency
    ccns = pack.ccns
    _heading(sheet, 1, section_title(CCNS))
    if not ccns.contracts:
        _note(sheet, 3, _("No contract is running."))
        return
    columns = [
        Col(_("Contract")),
        Col(_("Deal")),
        Col(_("Customer")),
        Col(_("Signed on"), DATE),
        Col(_("Value"), MONEY),
        Col(_("Currency")),
        Col(_("Value (%(currency)s)") % _in(base), MONEY, total=True),
        Col(_("Change notices"), COUNT, total=True),
        Col(_("Won CCNs (%(currency)s)") % _in(base), MONEY, total=True),
        Col(_("Open CCNs (%(currency)s)") % _in(base), MONEY, total=True),
        Col(_("Current value (%(currency)s)") % _in(base), MONEY, total=True),
    ]
    rows = [
        [
            c.number,
            c.title,
            c.customer,
            c.signed_on,
            c.value,
            c.currency,
            c.value_in_base,
            len(c.change_notices),
            c.won_value,
            c.open_value,
            c.current_value,
        ]
        for c in ccns.contracts
    ]
    _table(sheet, widths, name="Contracts", top=3, columns=columns, rows=rows)
    row = 3 + len(rows) + 4
    _heading(sheet, row - 1, _("Change notices"))
    if not ccns.change_notices:
        _note(sheet, row, _("No running contract has a change notice."))
        widths.apply(sheet)
        return
    columns = [
        Col(_("Contract")),
        Col(_("CCN")),
        Col(_("Title")),
        Col(_("Stage")),
        Col(_("Status")),
        Col(_("Value"), MONEY),
        Col(_("Currency")),
        Col(_("Won (%(currency)s)") % _in(base), MONEY, total=True),
        Col(_("Open (%(currency)s)") % _in(base), MONEY, total=True),
        Col(_("Expected decision"), DATE),
        Col(_("Closed on"), DATE),
    ]
    rows = [
        [
            block.number,
            n.number,
            n.title,
            n.stage,
            status_label(n.status),
            n.value,
            n.currency,
            n.value_in_base if n.status == DealStatus.WON else None,
            n.value_in_base if n.status == DealStatus.OPEN else None,
            n.expected_close,
            n.closed_on,
        ]
        for block in ccns.contracts
        for n in block.change_notices
    ]
    _table(sheet, widths, name="ChangeNotices", top=row, columns=columns, rows=rows)
    widths.apply(sheet)


def build_workbook(pack: BoardPack) -> bytes:
    """The .xlsx file of the pack, in the pack's language."""
    with override(pack.language):
        workbook = Workbook()
        workbook.properties.title = _("Board report %(period)s") % {"period": pack.period.label}
        workbook.properties.creator = "Apogee"
        workbook.properties.language = pack.language
        # openpyxl writes formulas without values: the totals appear once the file is calculated.
        workbook.calculation = CalcProperties(fullCalcOnLoad=True)
        _summary(workbook, pack)
        _missions(workbook, pack)
        _rfis(workbook, pack)
        _offers(workbook, pack)
        _ccns(workbook, pack)
        buffer = io.BytesIO()
        workbook.save(buffer)
        return buffer.getvalue()
