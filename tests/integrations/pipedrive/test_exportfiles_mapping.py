"""The column mapping: every column, what it becomes and why, known before any row is read."""

import pytest

from apogee.integrations.pipedrive.exportfiles import (
    MissingRequiredColumns,
    TruncatedFile,
    map_columns,
    open_export_file,
)
from apogee.integrations.pipedrive.records import Address, Money
from tests.integrations.pipedrive.exportfixtures import FIELD_TYPES, csv_bytes, export_file


def _summary(mapping):
    return [(c.header, c.kind, c.target, c.part) for c in mapping.columns]


def test_deals_export_mapping_names_every_column():
    _, data = export_file("deal", "swiss_csv")

    mapping = open_export_file(data, field_types=FIELD_TYPES["deal"]).mapping

    assert _summary(mapping) == [
        ("Deal - ID", "field", "source_id", ""),
        ("Deal - Title", "field", "title", ""),
        ("Deal - Value", "field", "value", ""),
        ("Deal - Currency of Value", "field", "currency", ""),
        ("Deal - Pipeline", "field", "pipeline.name", ""),
        ("Deal - Stage", "field", "stage.name", ""),
        ("Deal - Status", "field", "status", ""),
        ("Deal - Owner", "field", "owner.name", ""),
        ("Deal - Organization", "field", "organization.name", ""),
        ("Deal - Organization ID", "field", "organization.id", ""),
        ("Deal - Contact person", "field", "person.name", ""),
        ("Deal - Label", "field", "labels", ""),
        ("Deal - Probability", "field", "probability", ""),
        ("Deal - Weighted value", "ignored", "", ""),
        ("Deal - Expected close date", "field", "expected_close_date", ""),
        ("Deal - Deal created", "field", "add_time", ""),
        ("Deal - Update time", "field", "update_time", ""),
        ("Deal - Won time", "field", "won_time", ""),
        ("Deal - Lost time", "field", "lost_time", ""),
        ("Deal - Lost reason", "field", "lost_reason", ""),
        ("Deal - Budget", "custom", "Budget", "amount"),
        ("Deal - Currency of Budget", "custom", "Budget", "currency"),
        ("Deal - Reference", "custom", "Reference", ""),
        ("Deal - Reference", "custom", "Reference (2)", ""),
        ("Deal - Submission date", "custom", "Submission date", ""),
        ("Deal - Opportunity type", "custom", "Opportunity type", ""),
        ("Deal - Delivery site", "custom", "Delivery site", "value"),
        ("Deal - Street number of Delivery site", "custom", "Delivery site", "street_number"),
        ("Deal - Street/road name of Delivery site", "custom", "Delivery site", "route"),
        ("Deal - City/town/village/locality of Delivery site", "custom", "Delivery site", "locality"),
        ("Deal - ZIP/Postal code of Delivery site", "custom", "Delivery site", "postal_code"),
        ("Deal - Country of Delivery site", "custom", "Delivery site", "country"),
        ("Person - Email - Work", "linked", "person.emails:work", ""),
    ]
    assert mapping.missing_required == ()
    assert all(column.reason and column.note for column in mapping.columns)
    assert mapping.custom_fields() == {
        "Budget": "monetary",
        "Reference": "text",
        "Reference (2)": "text",
        "Submission date": "date",
        "Opportunity type": "option",
        "Delivery site": "address",
    }


def test_mapping_is_known_before_any_row_is_read():
    # The last row is cut mid-quote: reading fails, the mapping is still there to show.
    data = b'Deal - Title,Deal - Value\r\nA,1\r\n"B, cut'

    export = open_export_file(data)

    assert _summary(export.mapping) == [
        ("Deal - Title", "field", "title", ""),
        ("Deal - Value", "field", "value", ""),
    ]
    with pytest.raises(TruncatedFile):
        list(export.read())


@pytest.mark.parametrize(
    ("_case", "header", "target"),
    [
        ("case and spaces", "  deal  -   TITLE ", "title"),
        ("required star", "Deal - Title *", "title"),
        ("no entity prefix", "Title", "title"),
        ("typographic dash", "Deal – Title", "title"),
        ("add time alias", "Deal - Add time", "add_time"),
        ("deal created", "Deal - Deal created", "add_time"),
        ("stage with pipeline", "Deal - Stage (pipeline)", "stage+pipeline"),
        ("id column", "Organization ID", "organization.id"),
        ("contact person id", "Deal - Contact person ID", "person.id"),
        ("linked organization id", "Organization - ID", "organization.id"),
        ("linked person name", "Person - Name", "person.name"),
        ("French title", "Affaire - Titre", "title"),
        ("French stage", "Affaire - Étape", "stage.name"),
        ("French without accents", "affaire - etape", "stage.name"),
        ("system id", "Pipedrive System ID", "source_id"),
    ],
)
def test_headers_match_tolerantly(_case, header, target):
    mapping = map_columns([header], "deal")

    assert mapping.columns[0].kind == "field"
    assert mapping.columns[0].target == target


def test_linked_columns_only_fill_what_the_record_leaves_empty():
    data = csv_bytes(
        [
            ["Deal - Title", "Deal - Organization", "Organization - Name", "Organization - ID"],
            ["Own", "Thales Alenia Space", "Ignored because the deal says", "201"],
            ["Fallback", "", "RUAG Space", ""],
        ]
    )

    first, second = open_export_file(data).read()

    assert first.organization.name == "Thales Alenia Space"
    assert first.organization.id == "201"
    assert second.organization.name == "RUAG Space"
    assert second.organization.id is None


def test_french_person_headers_split_contacts_by_label():
    mapping = map_columns(
        ["Personne - E-mail - Travail", "Personne - Téléphone - Portable", "Personne - Nom"], "person"
    )

    assert [(c.target, c.label) for c in mapping.columns] == [
        ("emails", "work"),
        ("phones", "mobile"),
        ("name", ""),
    ]


@pytest.mark.parametrize(
    ("entity", "headers", "missing"),
    [
        ("deal", ["Deal - Value", "Deal - Stage"], ("Deal - Title",)),
        ("person", ["Person - Email - Work"], ("Person - Name",)),
        ("organization", ["Organization - Address"], ("Organization - Name",)),
        ("activity", ["Activity - Type"], ("Activity - Subject",)),
        ("lead", ["Lead - Value"], ("Lead - Title",)),
        ("note", ["Note - Deal"], ("Note - Content",)),
    ],
)
def test_a_missing_required_column_stops_the_file_before_any_row(entity, headers, missing):
    data = csv_bytes([headers, ["x"] * len(headers)])
    export = open_export_file(data, entity=entity)

    assert export.mapping.missing_required == missing
    assert not export.mapping.is_usable
    with pytest.raises(MissingRequiredColumns) as refused:
        next(export.read())
    assert refused.value.missing == list(missing)


def test_first_and_last_name_stand_in_for_a_name_column():
    data = csv_bytes([["Person - First name", "Person - Last name"], ["Ada", "Lovelace"]])

    (person,) = open_export_file(data).read()

    assert person.name == "Ada Lovelace"


def test_duplicate_headers_are_kept_apart_with_their_currencies():
    data = csv_bytes(
        [
            [
                "Deal - Title",
                "Deal - Budget",
                "Deal - Currency of Budget",
                "Deal - Budget",
                "Deal - Currency of Budget",
                "Deal - Title",
            ],
            ["Study", "100", "CHF", "200", "EUR", "Second title column"],
        ]
    )

    export = open_export_file(data)
    (deal,) = export.read()

    assert [column.target for column in export.mapping.columns] == [
        "title",
        "Budget",
        "Budget",
        "Budget (2)",
        "Budget (2)",
        "Title",
    ]
    assert deal.title == "Study"
    assert deal.custom == {
        "Budget": Money(100, "CHF"),
        "Budget (2)": Money(200, "EUR"),
        "Title": "Second title column",
    }


def test_address_custom_field_joins_its_part_columns():
    data = csv_bytes(
        [
            [
                "Organization - Name",
                "Organization - Site",
                "Organization - ZIP/Postal code of Site",
                "Organization - City/town/village/locality of Site",
                "Organization - Apartment/suite no of Site",
            ],
            ["ACME", "Rue du Rhône 1, 1204 Genève", "1204", "Genève", "3B"],
        ]
    )

    export = open_export_file(data)
    (organization,) = export.read()

    assert organization.custom == {
        "Site": Address(value="Rue du Rhône 1, 1204 Genève", postal_code="1204", locality="Genève")
    }
    assert export.mapping.columns[4].kind == "ignored"
    assert export.mapping.columns[4].reason == "not_in_records"


def test_unknown_columns_of_activities_are_ignored_with_a_reason():
    mapping = map_columns(["Activity - Subject", "Activity - Location"], "activity")

    assert mapping.columns[1].kind == "ignored"
    assert mapping.columns[1].reason == "no_custom_fields"


def test_leads_read_deal_custom_fields_as_their_own():
    data = csv_bytes(
        [["Lead - Title", "Deal - Budget", "Deal - Currency of Budget"], ["Lead", "1'000", "CHF"]]
    )

    (lead,) = open_export_file(data, entity="lead", field_types=FIELD_TYPES["lead"]).read()

    assert lead.custom == {"Budget": Money(1000, "CHF")}


def test_header_aliases_rename_headers_this_reader_does_not_know():
    data = csv_bytes([["Obchod - Název", "Obchod - Hodnota"], ["Studie", "10"]])

    export = open_export_file(
        data,
        entity="deal",
        header_aliases={"Obchod - Název": "Deal - Title", "Obchod - Hodnota": "Deal - Value"},
    )
    (deal,) = export.read()

    assert [(c.target, c.reason) for c in export.mapping.columns] == [
        ("title", "header_alias"),
        ("value", "header_alias"),
    ]
    assert (deal.title, deal.value) == ("Studie", 10)


def test_warnings_say_what_a_thin_export_implies():
    mapping = map_columns(["Deal - Title"], "deal")

    assert mapping.warnings == (
        "No ID column: each record gets an id made from its name, stable across re-reads.",
        "No status column: every deal is read as open.",
        "No stage column: deals carry no stage.",
    )
