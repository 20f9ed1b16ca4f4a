"""Malformed rows: a RowIssue with the right row number and column, no record, the other rows read."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from apogee.integrations.pipedrive.exportfiles import RowIssue, open_export_file
from apogee.integrations.pipedrive.records import Deal
from tests.integrations.pipedrive.exportfixtures import csv_bytes, xlsx_bytes

HEADER = [
    "Deal - Title",
    "Deal - Value",
    "Deal - Currency of Value",
    "Deal - Expected close date",
    "Deal - Status",
]


def _read(rows, **options):
    return list(open_export_file(csv_bytes([HEADER, *rows], **options), entity="deal").read())


def _issues(items):
    return [(item.row, item.column, item.code) for item in items if isinstance(item, RowIssue)]


def _titles(items):
    return [(item.row, item.title) for item in items if isinstance(item, Deal)]


@pytest.mark.parametrize(
    ("_case", "bad_row", "column", "code"),
    [
        ("bad date", ["B", "10", "CHF", "31.02.2024", "Open"], "Deal - Expected close date", "bad_date"),
        ("not a date", ["B", "10", "CHF", "soon", "Open"], "Deal - Expected close date", "bad_date"),
        ("bad number", ["B", "ten", "CHF", "", "Open"], "Deal - Value", "bad_number"),
        ("two decimal marks", ["B", "1.2.3,4,5", "CHF", "", "Open"], "Deal - Value", "bad_number"),
        (
            "unknown currency",
            ["B", "10", "Swiss francs", "", "Open"],
            "Deal - Currency of Value",
            "bad_currency",
        ),
        ("bad status", ["B", "10", "CHF", "", "Maybe"], "Deal - Status", "bad_value"),
        ("no title", ["", "10", "CHF", "", "Open"], "Deal - Title", "missing_value"),
    ],
)
def test_a_bad_value_skips_its_row_and_the_file_goes_on(_case, bad_row, column, code):
    items = _read([["A", "1", "CHF", "", "Open"], bad_row, ["C", "3", "EUR", "", "Won"]])

    assert _issues(items) == [(2, column, code)]
    assert _titles(items) == [(1, "A"), (3, "C")]


def test_every_bad_cell_of_a_row_is_reported():
    items = _read([["B", "ten", "XX", "32.12.2024", "Open"]])

    assert _issues(items) == [
        (1, "Deal - Value", "bad_number"),
        (1, "Deal - Currency of Value", "bad_currency"),
        (1, "Deal - Expected close date", "bad_date"),
    ]
    assert all(item.message for item in items)


def test_issue_messages_quote_the_value():
    (issue,) = _read([["B", "ten", "CHF", "", "Open"]])

    assert issue == RowIssue(1, "Deal - Value", "'ten' is not a number", "bad_number")


def test_a_broken_utf8_sequence_is_reported_on_its_row_only():
    good = "Étude Genève".encode()
    data = b"Deal - Title;Deal - Value\r\n" + good + b";1\r\nCaf\xe9 cr\xe8me;2\r\n" + "Zoë;3\r\n".encode()

    export = open_export_file(data)
    items = list(export.read())

    assert export.encoding == "utf-8"
    assert items[0].title == "Étude Genève"
    assert items[1] == RowIssue(
        2, "Deal - Title", "broken character encoding: byte 0xE9 is not valid utf-8", "broken_encoding"
    )
    assert items[2].title == "Zoë"


def test_a_file_in_windows_encoding_is_read_as_cp1252():
    data = csv_bytes([["Deal - Title", "Deal - Value"], ["Café crème – € offer", "1"]], encoding="cp1252")

    export = open_export_file(data)
    (deal,) = export.read()

    assert export.encoding == "cp1252"
    assert deal.title == "Café crème – € offer"


def test_utf16_without_bom_is_recognized():
    data = "Deal - Title\tDeal - Value\r\nÉtude\t1\r\n".encode("utf-16-le")

    export = open_export_file(data)
    (deal,) = export.read()

    assert (export.encoding, deal.title) == ("utf-16-le", "Étude")


def test_row_numbers_count_data_rows_not_physical_lines():
    data = b'Deal - Title,Deal - Value\r\n"Multi\nline\ntitle",1\r\nB,x\r\n'

    items = list(open_export_file(data).read())

    assert items[0].title == "Multi\nline\ntitle"
    assert _issues(items) == [(2, "Deal - Value", "bad_number")]


def test_blank_rows_are_skipped_but_still_counted():
    items = _read([["A", "1", "CHF", "", "Open"], [], ["", "", "", "", ""], ["D", "x", "CHF", "", "Open"]])

    assert _titles(items) == [(1, "A")]
    assert _issues(items) == [(4, "Deal - Value", "bad_number")]


def test_a_row_with_more_values_than_headers_is_refused():
    items = _read([["A", "1", "CHF", "", "Open", "stray"], ["B", "2", "CHF", "", "Open", ""]])

    assert _issues(items) == [(1, "", "extra_values")]
    assert _titles(items) == [(2, "B")]


def test_a_malformed_csv_line_is_reported_and_the_next_one_read():
    data = b'Deal - Title,Deal - Value\r\n"A"x,1\r\nB,2\r\n'

    items = list(open_export_file(data).read())

    assert _issues(items) == [(1, "", "malformed_line")]
    assert _titles(items) == [(2, "B")]


def test_bad_rows_in_an_xlsx_file_name_their_row():
    data = xlsx_bytes(
        [
            ["Deal - Title", "Deal - Value", "Deal - Deal created"],
            ["A", 1, datetime(2024, 1, 2, 10, 0)],
            ["B", "n/a", datetime(2024, 1, 2, 10, 0)],
            [None, None, None],
            ["D", 4, "not a date"],
            ["E", 5, "2024-01-02 10:00:00"],
        ]
    )

    items = list(open_export_file(data).read())

    assert _issues(items) == [(2, "Deal - Value", "bad_number"), (4, "Deal - Deal created", "bad_date")]
    assert _titles(items) == [(1, "A"), (5, "E")]
    assert items[0].add_time == items[-1].add_time == datetime(2024, 1, 2, 9, 0, tzinfo=UTC)


def test_values_are_normalized_into_the_records():
    header = [
        "Deal - Title",
        "Deal - Stage (pipeline)",
        "Deal - Status",
        "Deal - Label",
        "Deal - Probability",
        "Deal - Archive status",
        "Deal - Owner ID",
        "Deal - Won time",
    ]
    data = csv_bytes(
        [
            header,
            [
                "A",
                "Proposal made (ESA Sales)",
                "Gagné",
                "Hot, Strategic",
                "60%",
                "Archived",
                "7",
                "2024-07-01T08:00:00Z",
            ],
        ]
    )

    (deal,) = open_export_file(data).read()

    assert (deal.stage.name, deal.pipeline.name) == ("Proposal made", "ESA Sales")
    assert deal.status == "won"
    assert deal.labels == ["Hot", "Strategic"]
    assert deal.probability == 60
    assert deal.is_archived is True
    assert deal.owner.id == "7"
    assert deal.won_time == datetime(2024, 7, 1, 8, 0, tzinfo=UTC)
    assert deal.value == Decimal("0")


def test_a_deal_without_a_status_column_is_open_and_its_dates_default_day_first():
    data = csv_bytes([["Deal - Title", "Deal - Expected close date"], ["A", "03/04/2024"]])

    (deal,) = open_export_file(data).read()

    assert deal.status == "open"
    assert deal.expected_close_date == date(2024, 4, 3)


def test_day_first_false_settles_ambiguous_dates_month_first():
    data = csv_bytes([["Deal - Title", "Deal - Expected close date"], ["A", "03/04/2024"]])

    (deal,) = open_export_file(data, day_first=False).read()

    assert deal.expected_close_date == date(2024, 3, 4)


def test_classic_mac_line_breaks_are_lines_too():
    data = b"Deal - Title;Deal - Value\rA;1\rB;2\r"

    assert [deal.title for deal in open_export_file(data).read()] == ["A", "B"]
