"""The workbook, opened again with openpyxl: sheets, Excel tables, number types and formats, totals."""

import io
from datetime import datetime
from decimal import Decimal

from openpyxl import load_workbook

from apogee.core.services import add_currency
from apogee.insights.board.workbook import build_workbook

from .conftest import sales_deal

MONEY = "#,##0;-#,##0"


def _open(pack):
    return load_workbook(io.BytesIO(build_workbook(pack)))


def _refs(workbook):
    return {sheet.title: {name: ref for name, ref in sheet.tables.items()} for sheet in workbook.worksheets}


def test_a_summary_sheet_then_one_sheet_per_section_with_real_tables(board, salesperson, pack_of):
    workbook = _open(pack_of(salesperson))

    assert _refs(workbook) == {
        "Summary": {"Summary": "A7:D23"},  # 16 key figures
        "Missions": {"Missions": "A3:M5"},  # header, one mission, totals
        "RFIs": {"RFIs": "A3:Q5"},
        "Firm offers": {"OpenOffers": "A4:J7", "ClosedOffers": "A10:J12"},
        "CCNs": {"Contracts": "A3:K5", "ChangeNotices": "A8:K10"},
    }
    table = workbook["Firm offers"].tables["OpenOffers"]
    assert table.tableStyleInfo.name == "TableStyleMedium2"
    assert table.totalsRowCount == 1
    assert table.autoFilter.ref == "A4:J6"  # the filter leaves the totals row out
    assert [c.name for c in table.tableColumns][:6] == [
        "Stage",
        "Deal",
        "Customer",
        "Value",
        "Currency",
        "Value (CHF)",
    ]
    assert [c.totalsRowFunction for c in table.tableColumns] == [None] * 5 + ["sum", None, "sum", None, None]
    assert workbook["Firm offers"].column_dimensions["B"].width >= len("Hinge for CO2M")


def test_amounts_are_numbers_dates_are_dates_and_totals_sum_the_column(board, salesperson, pack_of):
    pack = pack_of(salesperson)
    workbook = _open(pack)
    offers, missions, rfis, ccns = (workbook[name] for name in ("Firm offers", "Missions", "RFIs", "CCNs"))

    values = [offers.cell(row=r, column=6) for r in (5, 6)]
    assert [cell.value for cell in values] == [300000, 93000]
    assert all(cell.data_type == "n" and cell.number_format == MONEY for cell in values)
    assert offers["G5"].value == 0.5 and offers["G5"].number_format == "0%"
    assert offers["F7"].value == "=SUBTOTAL(109,OpenOffers[Value (CHF)])"
    assert offers["H7"].value == "=SUBTOTAL(109,OpenOffers[Weighted value (CHF)])"
    assert offers["A7"].value == "Total"
    assert Decimal(str(sum(cell.value for cell in values))) == pack.offers.open_value == Decimal("393000")
    assert (
        isinstance(offers["D11"].value, datetime) and offers["D11"].value.date().isoformat() == "2026-10-10"
    )
    assert offers["D11"].number_format == "dd.mm.yyyy"

    assert [missions.cell(row=4, column=c).value for c in (1, 2, 7, 11, 12)] == [
        2027,
        "CHIME — hinge opportunities",
        0.8,
        100000,
        8000,
    ]
    assert missions["K5"].value == "=SUBTOTAL(109,Missions[Linked value (CHF)])"
    assert rfis["F4"].value.date().isoformat() == "2027-06-30"
    assert (rfis["J4"].value, rfis["K4"].value, rfis["O4"].value) == (200000, "EUR", 186000)
    assert [ccns.cell(row=9, column=c).value for c in (1, 2, 6, 7, 8, 9)] == [
        "C-2026-001",
        "CCN-01",
        -5000,
        "EUR",
        None,
        -4650,
    ]


def test_the_summary_sheet_holds_the_key_figures_as_numbers(board, salesperson, pack_of):
    sheet = _open(pack_of(salesperson))["Summary"]
    figures = {sheet.cell(row=r, column=2).value: sheet.cell(row=r, column=3) for r in range(8, 24)}

    assert figures["Their value"].value == 393000
    assert figures["Their value"].number_format == MONEY
    assert figures["ROMs sent in the period"].value == 1
    assert figures["ROMs sent in the period"].number_format == "0"
    assert sheet["A1"].value == "Board report 2026-Q4"


def test_a_title_that_looks_like_a_formula_stays_text(sales_pipeline, salesperson, pack_of):
    title = '=HYPERLINK("http://evil.example","click")'
    sales_deal(sales_pipeline, salesperson, "Proposal preparation", title=title)

    cell = _open(pack_of(salesperson))["Firm offers"]["B5"]

    assert (cell.value, cell.data_type) == (title, "s")


def test_an_amount_without_rate_is_a_blank_base_currency_cell(sales_pipeline, salesperson, pack_of):
    add_currency(code="GBP", name="Pound sterling", actor=None)
    sales_deal(
        sales_pipeline, salesperson, "Proposal preparation", title="pounds", value=1000, currency="GBP"
    )

    offers = _open(pack_of(salesperson))["Firm offers"]

    assert [offers.cell(row=5, column=c).value for c in (2, 4, 5, 6, 8)] == [
        "pounds",
        1000,
        "GBP",
        None,
        None,
    ]


def test_an_empty_pack_has_only_the_summary_table_and_sentences(workspace, salesperson, pack_of):
    workbook = _open(pack_of(salesperson))

    assert {title: list(tables) for title, tables in _refs(workbook).items() if tables} == {
        "Summary": ["Summary"]
    }
    assert workbook["Missions"]["A3"].value == "No mission is expected to be tendered from 2026 to 2030."
    assert workbook["Firm offers"]["A4"].value == "No firm offer is open."


def test_in_french_the_workbook_has_the_same_tables_in_the_french_locale(board, salesperson, pack_of):
    english, french = _open(pack_of(salesperson)), _open(pack_of(salesperson, language="fr"))

    assert (english.properties.language, french.properties.language) == ("en", "fr")
    assert "octobre" in french.worksheets[0]["A2"].value
    assert [list(s.tables.items()) for s in french.worksheets] == [
        list(s.tables.items()) for s in english.worksheets
    ]
    assert french.worksheets[3]["F5"].value == english.worksheets[3]["F5"].value == 300000
