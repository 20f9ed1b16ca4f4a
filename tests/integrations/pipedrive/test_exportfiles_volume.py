"""Large files read back whole, in every dialect. Speed is measured in benchmarks/, not here."""

import pytest

from apogee.integrations.pipedrive.exportfiles import open_export_file
from tests.integrations.pipedrive.exportfixtures import FIELD_TYPES, many_rows_file

ROWS = 2_000
DIALECTS = ["us_csv", "swiss_csv", "xlsx_typed", "excel_shared_strings"]


@pytest.mark.parametrize("entity", ["deal", "activity"])
@pytest.mark.parametrize("dialect", DIALECTS)
def test_thousands_of_rows_read_back_whole(entity, dialect):
    name, data, expected = many_rows_file(entity, ROWS, dialect)
    records = list(open_export_file(data, filename=name, field_types=FIELD_TYPES[entity]).read())
    assert records == expected
