"""An export file as a header and numbered rows, whatever its format: CSV in any usual dialect, or XLSX.

The format comes from the content (an XLSX file is a zip archive), not from the file name.
CSV text is decoded as UTF-8 (with or without BOM), UTF-16 (Excel's "Unicode text"), or
cp1252 / latin-1 when it is not UTF-8; its separator (`,` `;` tab `|`) is read from the header
line. A UTF-8 file with a few broken byte sequences stays UTF-8: the broken bytes are kept
as lone surrogates so that the rows holding them can be reported, and only those rows.
"""

import codecs
import csv
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from apogee.integrations.pipedrive.exportfiles.errors import TruncatedFile, UnreadableFile

Row = tuple[int, list]  # (1-based data row, cells); cells is a str message for a malformed CSV line

_SURROGATES = re.compile("[\udc80-\udcff]")
_NON_ASCII = re.compile("[^\x00-\x7f\udc80-\udcff]")
_QUOTED = re.compile(r'"[^"]*"')
_DELIMITERS = ("\t", ";", ",", "|")
_LINE = re.compile(r"[^\n]*\n|[^\n]+")
_CLASSIC_MAC_LINE = re.compile(r"[^\r]*\r|[^\r]+")


@dataclass
class Table:
    format: str  # "csv" or "xlsx"
    header: list[str]
    rows: Callable[[], Iterator[Row]]  # a fresh pass over the data rows on every call
    encoding: str = ""
    delimiter: str = ""
    # The bytes that were not valid in `encoding` and whose rows must be reported.
    has_broken_bytes: bool = False
    # Cheap to read twice (CSV, in memory): the conventions are then learned from every row.
    cheap_to_rescan: bool = True
    row_count_hint: int | None = None


def decode(data: bytes) -> tuple[str, str, bool]:
    """(text, encoding used, whether some bytes were not valid in it)."""
    if data.startswith(codecs.BOM_UTF8):
        return _utf8_or_fallback(data[len(codecs.BOM_UTF8) :], "utf-8-sig")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = data.decode("utf-16", "surrogateescape")
        return text, "utf-16", bool(_SURROGATES.search(text))
    sample = data[:4000]
    if sample.count(0) > len(sample) // 4:
        # UTF-16 without a BOM: the zero bytes of ASCII characters give the byte order away.
        encoding = "utf-16-be" if sample[0] == 0 else "utf-16-le"
        text = data.decode(encoding, "surrogateescape")
        return text, encoding, bool(_SURROGATES.search(text))
    return _utf8_or_fallback(data, "utf-8")


def _utf8_or_fallback(data: bytes, name: str) -> tuple[str, str, bool]:
    try:
        return data.decode("utf-8"), name, False
    except UnicodeDecodeError:
        pass
    text = data.decode("utf-8", "surrogateescape")
    broken = len(_SURROGATES.findall(text))
    valid = len(_NON_ASCII.findall(text))
    # Text in cp1252 almost never forms valid UTF-8 sequences, so a few valid ones among broken
    # bytes mean a UTF-8 file with some damage: keep UTF-8 and report the damaged rows.
    if name == "utf-8-sig" or (valid and valid * 4 >= broken):
        return text, name, True
    try:
        return data.decode("cp1252"), "cp1252", False
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1", False


def sniff_delimiter(text: str) -> str:
    """The separator that splits the header line most, outside quotes; "," when none does."""
    first_line = _QUOTED.sub("", text.split("\n", 1)[0])
    counts = {delimiter: first_line.count(delimiter) for delimiter in _DELIMITERS}
    best = max(_DELIMITERS, key=lambda delimiter: counts[delimiter])
    return best if counts[best] else ","


def _lines(text: str) -> Iterator[str]:
    """The text's lines with their line breaks, for the csv module, without copying the whole text
    (io.StringIO would hold a second, four-bytes-per-character copy of a file of 50 MB)."""
    if "\n" not in text and "\r" in text:
        return (match.group() for match in _CLASSIC_MAC_LINE.finditer(text))
    return (match.group() for match in _LINE.finditer(text))


def open_csv(data: bytes) -> Table:
    text, encoding, broken = decode(data)
    if text.startswith("\ufeff"):
        text = text[1:]
    delimiter = sniff_delimiter(text)
    try:
        header = next(csv.reader(_lines(text), delimiter=delimiter, strict=True))
    except (StopIteration, csv.Error) as error:
        raise UnreadableFile(f"The file has no readable header line ({error}).") from None

    def rows() -> Iterator[Row]:
        return _csv_rows(text, delimiter, len(header))

    return Table("csv", header, rows, encoding=encoding, delimiter=delimiter, has_broken_bytes=broken)


def _csv_rows(text: str, delimiter: str, width: int) -> Iterator[Row]:
    reader = csv.reader(_lines(text), delimiter=delimiter, strict=True)
    next(reader)
    number = 0
    previous: Row | None = None
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            if "end of data" in str(error):
                raise TruncatedFile(_cut_message(number), last_good_row=number) from None
            cells = f"malformed CSV line: {error}"
        number += 1
        if previous is not None:
            yield previous
        previous = (number, cells)
    if previous is not None:
        last_number, last_cells = previous
        cut_short = not text.endswith(("\n", "\r")) and 0 < len(last_cells) < width
        if isinstance(last_cells, list) and cut_short:
            raise TruncatedFile(_cut_message(last_number - 1), last_good_row=last_number - 1)
        yield previous


def _cut_message(last_good_row: int) -> str:
    return (
        f"The file is cut short: it ends in the middle of a row after data row {last_good_row}. "
        "Export it again; nothing from this file was read."
    )
