"""Opening an export file: its format, encoding, entity and column mapping, then its records and issues."""

from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import tzinfo
from os import PathLike
from pathlib import Path
from zoneinfo import ZoneInfo

from apogee.integrations.pipedrive import records
from apogee.integrations.pipedrive.exportfiles import values
from apogee.integrations.pipedrive.exportfiles.columns import (
    CUSTOM,
    FIELD,
    ColumnMapping,
    detect_entity,
    map_columns,
)
from apogee.integrations.pipedrive.exportfiles.errors import MissingRequiredColumns, RowIssue, UnreadableFile
from apogee.integrations.pipedrive.exportfiles.rows import RowBuilder
from apogee.integrations.pipedrive.exportfiles.tables import Table, open_csv
from apogee.integrations.pipedrive.exportfiles.vocabulary import ENTITIES
from apogee.integrations.pipedrive.exportfiles.xlsx import open_xlsx

_NUMBER_KINDS = {"number", "integer"}
_DATE_KINDS = {"date", "datetime", "daterange"}
# Reading an XLSX file twice costs; past this many rows the scan stops once every column's
# convention is known (a column that never showed an ambiguous value needs none).
_XLSX_SCAN_ROWS = 1000


@dataclass(frozen=True)
class FileScan:
    """What a first pass over the values found: the conventions of each column, by column index."""

    rows: int | None  # data rows (blank ones included); None when the scan stopped early
    decimal_marks: dict[int, str] = field(default_factory=dict)  # "." or ","
    day_orders: dict[int, str] = field(default_factory=dict)  # values.DAY_FIRST or values.MONTH_FIRST


def open_table(data: bytes) -> Table:
    if not data or data.isspace():  # not data.strip(): that would copy a 50 MB file
        raise UnreadableFile("The file is empty.")
    if data.startswith(b"PK\x03\x04"):
        return open_xlsx(data)
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise UnreadableFile("This is an old Excel file (.xls): save it as .xlsx or CSV, or export it again.")
    return open_csv(data)


class ExportFile:
    """One Pipedrive export file, opened: its mapping is known, no data row has been read yet.

    `read()` yields a record (records.py) or RowIssue for every data row, in file order. It
    raises MissingRequiredColumns before the first row when the mapping lacks a required
    column, and TruncatedFile when the file is cut short (a CSV before any row is yielded).
    """

    def __init__(
        self,
        table: Table,
        *,
        filename: str,
        entity: str,
        mapping: ColumnMapping,
        zone: tzinfo,
        day_first: bool,
    ):
        self.table = table
        self.filename = filename
        self.entity = entity
        self.mapping = mapping
        self.zone = zone
        self.default_order = values.DAY_FIRST if day_first else values.MONTH_FIRST
        self._scan: FileScan | None = None

    @property
    def format(self) -> str:
        return self.table.format

    @property
    def encoding(self) -> str:
        return self.table.encoding

    @property
    def delimiter(self) -> str:
        return self.table.delimiter

    @property
    def row_count(self) -> int | None:
        """Data rows, for a progress bar: exact for CSV once scanned, the sheet's own claim for XLSX."""
        if self._scan and self._scan.rows is not None:
            return self._scan.rows
        return self.table.row_count_hint

    def scan(self) -> FileScan:
        """Learn each number and date column's convention from its values ("1,250", "03/04/2024")."""
        if self._scan is None:
            self._scan = _scan(self.table, self.mapping, self.default_order)
        return self._scan

    def read(self) -> Iterator[records.Record | RowIssue]:
        if not self.mapping.is_usable:
            raise MissingRequiredColumns(self.entity, list(self.mapping.missing_required))
        scan = self.scan()
        builder = RowBuilder(self.mapping, marks=scan.decimal_marks, orders=scan.day_orders, zone=self.zone)
        check_encoding = self.table.encoding.removesuffix("-sig") if self.table.has_broken_bytes else ""
        width = len(self.table.header)
        for number, cells in self.table.rows():
            if isinstance(cells, str):
                yield RowIssue(number, "", cells, "malformed_line")
                continue
            if not any(cells) and all(cell is None or cell == "" for cell in cells):
                continue
            if len(cells) > width and any(cell not in (None, "") for cell in cells[width:]):
                message = f"the row has {len(cells)} values but the header names {width} columns"
                yield RowIssue(number, "", message, "extra_values")
                continue
            result = builder.read(number, cells, check_encoding)
            if isinstance(result, list):
                yield from result
            else:
                yield result


def _scan(table: Table, mapping: ColumnMapping, default_order: str) -> FileScan:
    used = [c for c in mapping.columns if c.kind in (FIELD, CUSTOM)]
    number_columns = [c.index for c in used if c.value_kind in _NUMBER_KINDS]
    date_columns = [c.index for c in used if c.value_kind in _DATE_KINDS]
    marks = {index: Counter() for index in number_columns}
    orders = {index: Counter() for index in date_columns}
    ambiguous: set[int] = set()
    rows = 0
    for rows, cells in table.rows():
        if isinstance(cells, str):
            continue
        width = len(cells)
        for index in number_columns:
            if index < width and isinstance(cells[index], str) and cells[index]:
                _vote(
                    marks[index], ambiguous, index, values.decimal_mark_evidence(cells[index]), cells[index]
                )
        for index in date_columns:
            if index < width and isinstance(cells[index], str) and cells[index]:
                evidence = values.day_order_evidence(cells[index])
                if evidence:
                    orders[index][evidence] += 1
                elif values.is_ambiguous_date(cells[index]):
                    ambiguous.add(index)
        if not table.cheap_to_rescan and rows >= _XLSX_SCAN_ROWS and _settled(ambiguous, marks, orders):
            return FileScan(None, _decide(marks, "."), _decide(orders, default_order))
    return FileScan(rows, _decide(marks, "."), _decide(orders, default_order))


def _vote(votes: Counter, ambiguous: set[int], index: int, evidence: str | None, text: str) -> None:
    if evidence:
        votes[evidence] += 1
    elif "," in text or "." in text:
        ambiguous.add(index)


def _settled(ambiguous: set[int], *tallies: dict[int, Counter]) -> bool:
    return all(any(tally.get(index) for tally in tallies) for index in ambiguous)


def _decide(tallies: dict[int, Counter], default: str) -> dict[int, str]:
    """Each column's majority; a column without evidence follows the file's, else the default."""
    whole_file = sum(tallies.values(), Counter())
    fallback = whole_file.most_common(1)[0][0] if whole_file else default
    return {index: votes.most_common(1)[0][0] if votes else fallback for index, votes in tallies.items()}


def open_export_file(
    source: bytes | str | PathLike,
    *,
    filename: str = "",
    entity: str | None = None,
    field_types: Mapping[str, str] | None = None,
    header_aliases: Mapping[str, str] | None = None,
    timezone: str | tzinfo = "Europe/Zurich",
    day_first: bool = True,
) -> ExportFile:
    """Open a Pipedrive export (CSV or XLSX, told apart by content) and map its columns.

    `source` is the file's bytes or a path. `entity` is deal, person, organization, activity,
    lead, note or product; without it, the headers' "Entity - " prefixes and then the file
    name decide. `field_types` gives custom fields' Pipedrive types by display name (pass the
    deal fields for a leads file: leads carry the deal custom fields). `timezone` is the
    exporting user's: exports show local times, records hold UTC. `day_first` settles
    "03/04/2024" when nothing in the file does.

    Raises UnreadableFile (empty, not an export, unknown entity) or TruncatedFile (a zip cut
    short) right away; nothing else is read until `read()`.
    """
    if isinstance(source, str | PathLike):
        path = Path(source)
        data, filename = path.read_bytes(), filename or path.name
    else:
        data = bytes(source)
    if entity is not None and entity not in ENTITIES:
        raise ValueError(f"entity must be one of {', '.join(ENTITIES)}, not {entity!r}")
    table = open_table(data)
    entity = entity or detect_entity(table.header, filename)
    if entity is None:
        raise UnreadableFile(
            "Cannot tell which Pipedrive records this file holds: its headers carry no 'Deal - ', "
            "'Person - ' … prefix and its name says nothing. Choose the kind of records."
        )
    mapping = map_columns(table.header, entity, field_types=field_types, header_aliases=header_aliases)
    zone = ZoneInfo(timezone) if isinstance(timezone, str) else timezone
    return ExportFile(
        table, filename=filename, entity=entity, mapping=mapping, zone=zone, day_first=day_first
    )
