"""Every dialect of the same export reads back to the same records."""

import pytest

from apogee.integrations.pipedrive.exportfiles import open_export_file
from tests.integrations.pipedrive.exportfixtures import DATASET, DIALECTS, FIELD_TYPES, export_file

ENTITIES = list(DATASET)


@pytest.mark.parametrize("dialect", list(DIALECTS))
@pytest.mark.parametrize("entity", ENTITIES)
def test_every_dialect_reads_back_to_the_dataset(dialect, entity):
    name, data = export_file(entity, dialect)

    export = open_export_file(data, filename=name, field_types=FIELD_TYPES[entity])

    assert export.entity == entity
    assert list(export.read()) == DATASET[entity]


@pytest.mark.parametrize(
    ("dialect", "file_format", "encoding", "delimiter"),
    [
        ("swiss_csv", "csv", "utf-8-sig", ";"),
        ("us_csv", "csv", "utf-8", ","),
        ("windows_csv", "csv", "cp1252", ";"),
        ("nbsp_csv", "csv", "cp1252", ";"),
        ("french_csv", "csv", "utf-8", ","),
        ("unicode_text", "csv", "utf-16", "\t"),
        ("xlsx_typed", "xlsx", "", ""),
        ("excel_shared_strings", "xlsx", "", ""),
    ],
)
def test_format_encoding_and_separator_are_detected_and_reported(dialect, file_format, encoding, delimiter):
    _, data = export_file("deal", dialect)

    export = open_export_file(data, entity="deal")

    assert (export.format, export.encoding, export.delimiter) == (file_format, encoding, delimiter)


def test_format_comes_from_the_content_not_the_file_name():
    _, xlsx = export_file("deal", "xlsx_typed")
    _, csv = export_file("deal", "swiss_csv")

    assert open_export_file(xlsx, filename="deals.csv").format == "xlsx"
    assert open_export_file(csv, filename="deals.xlsx").format == "csv"


def test_day_month_order_is_learned_from_the_file():
    _, us = export_file("deal", "unicode_text")
    _, swiss = export_file("deal", "swiss_csv")
    lost_time_column = 18

    us_scan = open_export_file(us, entity="deal").scan()
    swiss_scan = open_export_file(swiss, entity="deal").scan()

    # The lost-time column only holds 11/05/2024, which fits either order: the file decides.
    assert us_scan.day_orders[lost_time_column] == "mdy"
    assert swiss_scan.day_orders[lost_time_column] == "dmy"


@pytest.mark.parametrize("entity", ENTITIES)
def test_entity_comes_from_the_header_prefixes(entity):
    _, data = export_file(entity, "us_csv")

    assert open_export_file(data, filename="export.csv").entity == entity


def test_french_headers_map_like_english_ones():
    _, english = export_file("deal", "us_csv")
    _, french = export_file("deal", "french_csv")

    english_mapping = open_export_file(english).mapping
    french_mapping = open_export_file(french).mapping

    def summary(mapping):
        return [(c.kind, c.target, c.part, c.label) for c in mapping.columns]

    assert summary(french_mapping) == summary(english_mapping)
    assert french_mapping.entity == "deal"


def test_a_path_is_read_like_bytes(tmp_path):
    name, data = export_file("organization", "xlsx_typed")
    path = tmp_path / name
    path.write_bytes(data)

    export = open_export_file(path, field_types=FIELD_TYPES["organization"])

    assert export.filename == "organizations.xlsx"
    assert list(export.read()) == DATASET["organization"]
