"""What every CSV export needs: cells a spreadsheet will not run as formulas."""


def safe_cell(value: str) -> str:
    # A cell starting with = + - @ (or a tab / carriage return) would run as a formula in Excel.
    if value and value[0] in "=+-@\t\r":
        return "'" + value
    return value
