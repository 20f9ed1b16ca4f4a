"""Rows without an id column get synthetic ids, the same on every read and in every dialect."""

from apogee.integrations.pipedrive.exportfiles import open_export_file
from tests.integrations.pipedrive.exportfixtures import DATASET, DIALECTS, csv_bytes, render, table


def _without_id_column(entity, dialect):
    rows = [row[1:] for row in table(entity, DIALECTS[dialect])]
    return render(rows, DIALECTS[dialect])[1]


def _ids(data, entity):
    return [record.source_id for record in open_export_file(data, entity=entity).read()]


def test_an_organization_without_id_is_known_by_its_normalized_name():
    data = csv_bytes([["Organization - Name"], ["  Thales   Alenia Space "], ["RUAG Space"]])

    assert _ids(data, "organization") == ["name:thales alenia space", "name:ruag space"]


def test_synthetic_ids_are_stable_across_reads_and_dialects():
    for entity in DATASET:
        first = _ids(_without_id_column(entity, "swiss_csv"), entity)
        again = _ids(_without_id_column(entity, "swiss_csv"), entity)
        in_excel = _ids(_without_id_column(entity, "xlsx_typed"), entity)

        assert first == again == in_excel
        assert len(set(first)) == len(first)
        assert all(source_id for source_id in first)


def test_person_ids_prefer_the_first_email_then_name_and_organization():
    ids = _ids(_without_id_column("person", "us_csv"), "person")

    assert ids[:3] == [
        "email:jean.martin@thalesaleniaspace.com",
        "email:anna.schmid@airbus.com",
        "name:claire favre|org:université de genève",
    ]


def test_deal_ids_combine_title_links_and_creation_time():
    ids = _ids(_without_id_column("deal", "us_csv"), "deal")

    assert ids[0] == (
        "title:sentinel-6 ground segment study, phase a|thales alenia space|jean martin"
        "|created:2024-03-15T08:30+00:00"
    )


def test_identical_rows_are_kept_apart_by_their_order():
    data = csv_bytes([["Organization - Name"], ["ACME"], ["Acme"], ["ACME"]])

    assert _ids(data, "organization") == ["name:acme", "name:acme#2", "name:acme#3"]


def test_an_id_column_wins_over_the_synthetic_id():
    data = csv_bytes([["Organization - ID", "Organization - Name"], ["201", "ACME"], ["", "Beta"]])

    assert _ids(data, "organization") == ["201", "name:beta"]
