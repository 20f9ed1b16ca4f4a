"""Files the reader refuses as a whole, with a message a user can act on."""

import io
import zipfile

import pytest

from apogee.integrations.pipedrive.exportfiles import TruncatedFile, UnreadableFile, open_export_file
from tests.integrations.pipedrive.exportfixtures import csv_bytes, export_file, many_rows_file


def test_a_csv_cut_in_the_middle_of_a_quoted_field_names_the_last_good_row():
    _, data = export_file("deal", "swiss_csv")
    cut = data[: data.index(b"in-house")]  # inside the quoted, multi-line lost reason of data row 3
    export = open_export_file(cut)

    with pytest.raises(TruncatedFile) as refused:
        next(export.read())

    assert refused.value.last_good_row == 2
    assert refused.value.code == "truncated"
    assert "after data row 2" in refused.value.message


def test_a_csv_cut_in_the_middle_of_its_last_line_is_truncated():
    data = b"Deal - Title,Deal - Value,Deal - Status\r\nA,1,Open\r\nB,2,Op\r\nC,3"

    with pytest.raises(TruncatedFile) as refused:
        list(open_export_file(data).read())

    assert refused.value.last_good_row == 2


def test_a_csv_without_a_final_line_break_is_complete():
    data = b"Deal - Title,Deal - Value\r\nA,1\r\nB,2"

    assert [deal.title for deal in open_export_file(data).read()] == ["A", "B"]


def test_a_truncated_csv_yields_nothing_before_the_error():
    _, data, _ = many_rows_file("deal", 200, "us_csv")
    half = data[: len(data) // 2]
    cut = half[: half.rindex(b',"') + 4]  # stop just inside a quoted field
    seen = []

    with pytest.raises(TruncatedFile):
        for item in open_export_file(cut).read():
            seen.append(item)

    assert seen == []


@pytest.mark.parametrize("dialect", ["xlsx_typed", "excel_shared_strings"])
def test_an_xlsx_cut_short_names_the_last_complete_row(dialect):
    _, data, _ = many_rows_file("deal", 300, dialect)
    cut = data[: int(len(data) * 0.6)]

    with pytest.raises(TruncatedFile) as refused:
        open_export_file(cut, filename="deals.xlsx")

    last = refused.value.last_good_row
    assert last is not None
    assert 0 < last < 300
    assert f"after data row {last}" in refused.value.message


def test_an_xlsx_cut_before_its_worksheet_says_so_without_a_row():
    _, data = export_file("deal", "xlsx_typed")

    with pytest.raises(TruncatedFile) as refused:
        open_export_file(data[:40])

    assert refused.value.last_good_row is None
    assert "cut short" in refused.value.message


@pytest.mark.parametrize(
    ("_case", "data", "words"),
    [
        ("empty", b"", "empty"),
        ("only blanks", b" \r\n \r\n", "empty"),
        ("old excel", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, ".xls"),
    ],
)
def test_unreadable_files_are_refused_with_a_reason(_case, data, words):
    with pytest.raises(UnreadableFile) as refused:
        open_export_file(data)

    assert words in refused.value.message


def test_a_zip_that_is_not_a_workbook_is_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("deals.csv", "Deal - Title\r\nA\r\n")

    with pytest.raises(UnreadableFile) as refused:
        open_export_file(out.getvalue())

    assert "not an Excel workbook" in refused.value.message


def test_a_file_whose_records_cannot_be_told_is_refused():
    data = csv_bytes([["Title", "Value"], ["A", "1"]])

    with pytest.raises(UnreadableFile) as refused:
        open_export_file(data, filename="export.csv")

    assert "Cannot tell" in refused.value.message
    assert open_export_file(data, filename="deals-2024.csv").entity == "deal"
    assert open_export_file(data, entity="lead").entity == "lead"
