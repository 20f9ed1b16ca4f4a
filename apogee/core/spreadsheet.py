"""What every CSV export needs: cells a spreadsheet will not run as formulas."""


def safe_cell(value: str) -> str:
    # A cell starting with = + - @ (or a tab / carriage return) would run as a formula in Excel.
    if value and value[0] in "=+-@\t\r":
        return "'" + value
    return value


class Echo:
    """A file-like object for csv.writer that hands each row back: lets a CSV export stream."""

    def write(self, value):
        return value
