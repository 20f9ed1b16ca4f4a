"""Localized numbers and dates, read the way the file's own columns say."""

from datetime import UTC, date, datetime, time
from decimal import Decimal

import pytest

from apogee.integrations.pipedrive.exportfiles import RowIssue, open_export_file
from apogee.integrations.pipedrive.records import Money
from tests.integrations.pipedrive.exportfixtures import csv_bytes, excel_bytes, xlsx_bytes


def _values(header, cells, *, delimiter=";", **options):
    data = csv_bytes([["Deal - Title", *header], *(["T", *row] for row in cells)], delimiter=delimiter)
    return list(open_export_file(data, **options).read())


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("1'250'000.50", "1250000.50"),
        ("1’250’000.50", "1250000.50"),
        ("1 250 000,50", "1250000.50"),
        ("1\u00a0250\u00a0000,50", "1250000.50"),
        ("1\u202f250\u202f000,50", "1250000.50"),
        ("1.250.000,50", "1250000.50"),
        ("1,250,000.50", "1250000.50"),
        ("-5 000", "-5000"),
        ("−5 000", "-5000"),
        ("(5 000)", "-5000"),
        ("5000-", "-5000"),
        ("0,250", "0.250"),
        ("1250,000", "1250.000"),
        ("12.5", "12.5"),
        ("12,5", "12.5"),
        ("+7", "7"),
    ],
)
def test_localized_numbers(text, amount):
    (deal,) = _values(["Deal - Value"], [[text]])

    assert deal.value == Decimal(amount)


def test_an_empty_value_is_zero():
    (deal,) = _values(["Deal - Value"], [[""]])

    assert deal.value == Decimal("0")


@pytest.mark.parametrize(
    ("_case", "column", "expected"),
    [
        (
            "the column proves a decimal comma",
            ["1.250", "3.000.000,75"],
            [Decimal("1250"), Decimal("3000000.75")],
        ),
        (
            "the column proves a decimal point",
            ["1,250", "3,000,000.75"],
            [Decimal("1250"), Decimal("3000000.75")],
        ),
        ("a decimal point by default", ["1.250", "2.500"], [Decimal("1.250"), Decimal("2.500")]),
    ],
)
def test_an_ambiguous_number_follows_its_column(_case, column, expected):
    deals = _values(["Deal - Value"], [[value] for value in column])

    assert [deal.value for deal in deals] == expected


def test_a_column_without_evidence_follows_the_rest_of_the_file():
    deals = _values(
        ["Deal - Value", "Deal - Budget", "Deal - Currency of Budget"],
        [["1.500", "2.000.000,50", "CHF"], ["7.250", "10,5", "CHF"]],
    )

    assert [deal.value for deal in deals] == [Decimal("1500"), Decimal("7250")]
    assert deals[0].custom["Budget"] == Money(Decimal("2000000.50"), "CHF")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-12-31", date(2024, 12, 31)),
        ("2024-12-31 14:05:00", date(2024, 12, 31)),
        ("31.12.2024", date(2024, 12, 31)),
        ("31.12.24", date(2024, 12, 31)),
        ("1.2.2024", date(2024, 2, 1)),
        ("31/12/2024", date(2024, 12, 31)),
        ("12/31/2024", date(2024, 12, 31)),
        ("2024/12/31", date(2024, 12, 31)),
        ("29.02.2024", date(2024, 2, 29)),
    ],
)
def test_dates(text, expected):
    (deal,) = _values(["Deal - Expected close date"], [[text]])

    assert deal.expected_close_date == expected


@pytest.mark.parametrize(
    ("text", "expected_utc"),
    [
        ("2024-12-31 14:05:00", datetime(2024, 12, 31, 13, 5, tzinfo=UTC)),
        ("2024-12-31T14:05", datetime(2024, 12, 31, 13, 5, tzinfo=UTC)),
        ("31.12.2024 14:05", datetime(2024, 12, 31, 13, 5, tzinfo=UTC)),
        ("31/12/2024 2:05 PM", datetime(2024, 12, 31, 13, 5, tzinfo=UTC)),
        ("01.07.2024 14:05", datetime(2024, 7, 1, 12, 5, tzinfo=UTC)),
        ("31.12.2024", datetime(2024, 12, 30, 23, 0, tzinfo=UTC)),
        ("2024-12-31T14:05:00+00:00", datetime(2024, 12, 31, 14, 5, tzinfo=UTC)),
    ],
)
def test_times_are_local_to_the_exporting_user_and_kept_in_utc(text, expected_utc):
    (deal,) = _values(["Deal - Deal created"], [[text]])

    assert deal.add_time == expected_utc


def test_the_exporting_users_time_zone_can_be_given():
    (deal,) = _values(["Deal - Deal created"], [["2024-12-31 14:05:00"]], timezone="America/New_York")

    assert deal.add_time == datetime(2024, 12, 31, 19, 5, tzinfo=UTC)


def test_day_month_order_is_detected_per_column():
    deals = _values(
        ["Deal - Expected close date", "Deal - Submission"],
        [["12/31/2024", "31/12/2024"], ["03/04/2024", "03/04/2024"]],
        field_types={"Submission": "date"},
    )

    assert deals[1].expected_close_date == date(2024, 3, 4)
    assert deals[1].custom["Submission"] == date(2024, 4, 3)


def test_a_column_without_evidence_follows_the_file_dominant_order():
    deals = _values(
        ["Deal - Expected close date", "Deal - Deal created"],
        [["04/03/2024", "12/31/2024 10:00"], ["05/06/2024", "12/30/2024 10:00"]],
    )

    assert [deal.expected_close_date for deal in deals] == [date(2024, 4, 3), date(2024, 5, 6)]


def test_an_unambiguous_date_is_read_even_against_its_column_order():
    deals = _values(["Deal - Expected close date"], [["31/12/2024"], ["12/30/2024"], ["15/01/2025"]])

    assert [deal.expected_close_date for deal in deals] == [
        date(2024, 12, 31),
        date(2024, 12, 30),
        date(2025, 1, 15),
    ]


def test_an_impossible_date_in_either_order_is_a_row_issue():
    items = _values(["Deal - Expected close date"], [["31/12/2024"], ["13/13/2024"]])

    assert items[1] == RowIssue(
        2, "Deal - Expected close date", "'13/13/2024' is not a valid date", "bad_date"
    )


def test_xlsx_cells_that_are_already_numbers_and_dates():
    data = xlsx_bytes(
        [
            [
                "Deal - Title",
                "Deal - Value",
                "Deal - Expected close date",
                "Deal - Deal created",
                "Deal - Probability",
            ],
            ["A", 1250000.5, date(2024, 12, 31), datetime(2024, 12, 31, 14, 5), 60],
            ["B", Decimal("84000.00"), datetime(2024, 12, 31), "31.12.2024 14:05", "60%"],
        ]
    )

    first, second = open_export_file(data).read()

    assert (first.value, second.value) == (Decimal("1250000.5"), Decimal("84000.00"))
    assert first.expected_close_date == second.expected_close_date == date(2024, 12, 31)
    assert first.add_time == second.add_time == datetime(2024, 12, 31, 13, 5, tzinfo=UTC)
    assert first.probability == second.probability == 60


def test_excel_serial_dates_with_custom_formats_and_escaped_characters():
    data = excel_bytes(
        [
            ["Activity - Subject", "Activity - Due date", "Activity - Due time", "Activity - Note"],
            ["Call", date(2024, 12, 31), time(14, 5), "Line one\rLine two"],
        ]
    )

    (activity,) = open_export_file(data).read()

    assert (activity.due_date, activity.due_time) == (date(2024, 12, 31), "13:05")
    assert activity.note == "Line one\rLine two"


@pytest.mark.parametrize(
    ("text", "minutes"),
    [("01:30", 90), ("1:30:00", 90), ("0:15", 15), ("45", 45)],
)
def test_activity_durations(text, minutes):
    data = csv_bytes([["Activity - Subject", "Activity - Duration"], ["Call", text]])

    (activity,) = open_export_file(data).read()

    assert activity.duration_minutes == minutes


@pytest.mark.parametrize(
    ("text", "done"),
    [("Done", True), ("To do", False), ("Fait", True), ("À faire", False), ("yes", True), ("", False)],
)
def test_activity_done_flags(text, done):
    data = csv_bytes([["Activity - Subject", "Activity - Done"], ["Call", text]])

    (activity,) = open_export_file(data).read()

    assert activity.done is done


@pytest.mark.parametrize(
    ("field_type", "text", "expected_type"),
    [
        ("double", "1'000.5", Decimal),
        ("date", "31.12.2024", date),
        ("varchar", "31.12.2024", str),
        (None, "x", str),
    ],
)
def test_custom_values_are_parsed_by_their_field_type(field_type, text, expected_type):
    types = {"Extra": field_type} if field_type else {}

    (deal,) = _values(["Deal - Extra"], [[text]], field_types=types)

    assert type(deal.custom["Extra"]) is expected_type


def test_an_xlsx_date_column_holding_bare_serial_numbers():
    data = xlsx_bytes([["Deal - Title", "Deal - Expected close date"], ["A", 45657]])

    (deal,) = open_export_file(data).read()

    assert deal.expected_close_date == date(2024, 12, 31)


def test_products_read_prices_as_money():
    data = csv_bytes(
        [
            ["Product - ID", "Product - Name", "Product - Product code", "Product - Unit price",
             "Product - Currency", "Product - Active", "Product - Family"],
            ["9", "Thermal vacuum test, per day", "TVAC-D", "4'500.00", "CHF", "No", "Testing"],
        ]
    )  # fmt: skip

    (product,) = open_export_file(data).read()

    assert product.prices == [Money(Decimal("4500.00"), "CHF")]
    assert (product.source_id, product.code, product.is_deleted) == ("9", "TVAC-D", True)
    assert product.custom == {"Family": "Testing"}
