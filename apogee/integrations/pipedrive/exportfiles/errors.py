"""What can go wrong reading an export file: a row the reader skips (RowIssue) or a file it refuses."""

from dataclasses import dataclass


@dataclass(frozen=True)
class RowIssue:
    """A data row that could not be read: no record is produced for it, the rest of the file goes on.

    `row` is the 1-based data row (the header is not counted: row 1 is the spreadsheet's line 2).
    `code` is stable, for translation and grouping: bad_date, bad_number, bad_currency,
    broken_encoding, bad_value, missing_value, malformed_line, extra_values.
    """

    row: int
    column: str
    message: str
    code: str = "bad_value"


class ExportFileError(Exception):
    """The whole file is refused. `code` is stable; `last_good_row` is set when the file is cut short."""

    code = "unreadable"

    def __init__(self, message: str, *, last_good_row: int | None = None):
        super().__init__(message)
        self.message = message
        self.last_good_row = last_good_row


class UnreadableFile(ExportFileError):
    code = "unreadable"


class TruncatedFile(ExportFileError):
    code = "truncated"


class MissingRequiredColumns(ExportFileError):
    code = "missing_columns"

    def __init__(self, entity: str, missing: list[str]):
        super().__init__(f"The {entity} file has no column for: {', '.join(missing)}.")
        self.entity = entity
        self.missing = missing


class ValueProblem(ValueError):
    """Raised by a value parser; the row reader turns it into a RowIssue for the cell's column."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message
