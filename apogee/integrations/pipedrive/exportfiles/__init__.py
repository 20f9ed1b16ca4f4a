"""Pipedrive export files (CSV, XLSX) read into the normalized records of `pipedrive.records`.

Pure: the standard library and openpyxl's date helpers, no Django. The importer does:

    export = open_export_file(upload_bytes, filename="deals-2024.csv", entity="deal",
                              field_types={"Budget": "monetary", "Submission date": "date"})
    export.mapping            # ColumnMapping: every column and what it maps to, before any row
    export.mapping.missing_required   # non-empty → read() raises MissingRequiredColumns
    for item in export.read():        # records.Deal (with .row) or RowIssue, in file order
        ...

File-level problems raise ExportFileError subclasses: UnreadableFile, TruncatedFile (with
`last_good_row`), MissingRequiredColumns. A row that cannot be read yields RowIssue(s) and no
record; the rest of the file goes on.
"""

from apogee.integrations.pipedrive.exportfiles.columns import (
    CUSTOM,
    FIELD,
    IGNORED,
    LINKED,
    ColumnMap,
    ColumnMapping,
    detect_entity,
    map_columns,
)
from apogee.integrations.pipedrive.exportfiles.errors import (
    ExportFileError,
    MissingRequiredColumns,
    RowIssue,
    TruncatedFile,
    UnreadableFile,
)
from apogee.integrations.pipedrive.exportfiles.reader import ExportFile, FileScan, open_export_file

__all__ = [
    "CUSTOM",
    "FIELD",
    "IGNORED",
    "LINKED",
    "ColumnMap",
    "ColumnMapping",
    "ExportFile",
    "ExportFileError",
    "FileScan",
    "MissingRequiredColumns",
    "RowIssue",
    "TruncatedFile",
    "UnreadableFile",
    "detect_entity",
    "map_columns",
    "open_export_file",
]
