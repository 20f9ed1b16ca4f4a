"""The generated account rendered as Pipedrive export files (tests/doubles/pipedrive/exports.py) and read
back by the export reader: every file, every dialect and format, without a single row issue, giving the
records of the same Pipedrive ids with the same values as the dataset the API double serves."""

import csv
import io
import re
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import openpyxl
import pytest

from apogee.integrations.pipedrive.exportfiles import (
    CUSTOM,
    IGNORED,
    LINKED,
    ExportFile,
    RowIssue,
    open_export_file,
)
from apogee.integrations.pipedrive.records import Address, DateRange, Money, OptionRef, Ref
from tests.doubles.pipedrive import generate_dataset
from tests.doubles.pipedrive.exports import (
    ENTITIES,
    FILENAMES,
    export_dataset,
    field_types,
    main,
    write_export,
)
from tests.integrations.pipedrive.exportfixtures import ZURICH

VARIANTS = [("en", "csv"), ("fr-ch", "csv"), ("en", "xlsx"), ("fr-ch", "xlsx")]
ADDRESS_PARTS = (
    "value",
    "street_number",
    "route",
    "sublocality",
    "locality",
    "admin_area_level_1",
    "admin_area_level_2",
    "postal_code",
    "country",
)


@dataclass
class ReadBack:
    data: bytes
    export: ExportFile
    records: list
    issues: list


@pytest.fixture(scope="module")
def read_back(dataset):
    """(dialect, fmt) → {entity: ReadBack}: each variant exported and read once per module."""
    cache: dict[tuple[str, str], dict[str, ReadBack]] = {}
    types = field_types(dataset)

    def read(variant: tuple[str, str]) -> dict[str, ReadBack]:
        if variant not in cache:
            dialect, fmt = variant
            files = export_dataset(dataset, dialect=dialect, fmt=fmt)
            cache[variant] = {}
            for entity, data in files.items():
                export = open_export_file(data, entity=entity, field_types=types[entity])
                items = list(export.read())
                records = [item for item in items if not isinstance(item, RowIssue)]
                issues = [item for item in items if isinstance(item, RowIssue)]
                cache[variant][entity] = ReadBack(data, export, records, issues)
        return cache[variant]

    return read


@pytest.fixture(params=VARIANTS, ids=["-".join(variant) for variant in VARIANTS])
def files(request, read_back):
    return read_back(request.param)


@pytest.fixture(scope="module")
def names(dataset):
    return {
        "user": {user.id: user.name for user in dataset.users},
        "pipeline": {pipeline.id: pipeline.name for pipeline in dataset.pipelines},
        "stage": {stage.id: stage.name for stage in dataset.stages},
        "organization": {org.id: org.name for org in dataset.organizations},
        "person": {person.id: person.name for person in dataset.persons},
        "lead": {lead.id: lead.title for lead in dataset.leads},
        "lead_label": {label.id: label.name for label in dataset.lead_labels},
        "activity_type": {kind.key_string: kind.name for kind in dataset.activity_types},
        "labels": {
            f.entity: {option.id: option.label for option in f.options or ()}
            for f in dataset.fields
            if f.key == "label_ids" and not f.is_custom
        },
    }


def expected_records(dataset, entity):
    """What an "all" export holds: listed records, archived deals and leads, no deleted deal."""
    return {
        "organization": dataset.listed_organizations,
        "person": dataset.listed_persons,
        "deal": lambda: sorted(dataset.listed_deals() + dataset.archived_deals(), key=lambda deal: deal.id),
        "activity": dataset.listed_activities,
        "lead": lambda: [
            lead for lead in dataset.leads if lead in dataset.listed_leads() + dataset.archived_leads()
        ],
        "note": dataset.listed_notes,
        "product": dataset.listed_products,
    }[entity]()


def same_moment(read: datetime | None, expected: datetime | None) -> bool:
    """Equal to the second (exports show whole seconds). A local time in the autumn's repeated hour
    carries no offset in a file and reads back as the hour's first occurrence: one hour early."""
    if expected is None:
        return read is None
    expected = expected.replace(microsecond=0)
    return read == expected or (
        expected.astimezone(ZURICH).fold == 1 and read == expected - timedelta(hours=1)
    )


def expected_custom(dataset, names, entity: str, custom: dict) -> dict:
    """A record's custom values as the reader gives them from a file: by display name ("Mission (2)"
    for the second of a name), options by label, references by name."""
    expected = {}
    seen: Counter = Counter()
    for f in dataset.custom_fields_of(entity):
        seen[f.name] += 1
        name = f.name if seen[f.name] == 1 else f"{f.name} ({seen[f.name]})"
        value = custom.get(f.key)
        if value is None:
            continue
        labels = {option.id: option.label for option in f.options or ()}
        kind = f.field_type
        if kind == "enum":
            value = OptionRef(label=labels[value])
        elif kind == "set":
            value = [OptionRef(label=labels[option]) for option in value]
        elif kind == "monetary":
            value = Money(*value)
        elif kind == "address":
            value = Address(**{part: value.get(part, "") for part in ADDRESS_PARTS})
        elif kind == "daterange":
            value = DateRange(*value)
        elif kind in ("user", "org", "people"):
            value = Ref(name=names[{"user": "user", "org": "organization", "people": "person"}[kind]][value])
        elif kind == "time":
            value = value[0][:5]  # the time zone is not exported
        expected[name] = value
    return expected


def by_id(read: ReadBack) -> dict:
    return {record.source_id: record for record in read.records}


# --- every file -------------------------------------------------------------------------------


def test_every_file_maps_every_column_and_reads_without_a_row_issue(files, dataset):
    types = field_types(dataset)
    for entity in ENTITIES:
        read = files[entity]
        mapping = read.export.mapping
        assert mapping.missing_required == (), entity
        assert read.issues == [], entity
        # Only the computed weighted value is left out ("Deal - Weighted value", "Affaire - Valeur pondérée").
        ignored = [column.reason for column in mapping.columns if column.kind == IGNORED]
        assert ignored == (["computed"] if entity == "deal" else []), entity
        assert not [column for column in mapping.columns if column.kind == LINKED], entity
        customs = {
            column.target for column in mapping.columns if column.kind == CUSTOM and column.part != "currency"
        }
        assert customs - {"Weighted value", "Valeur pondérée"} == set(types[entity]), entity
        raw = [
            column.header
            for column in mapping.columns
            if column.kind == CUSTOM and column.value_kind == "raw"
        ]
        assert raw == [], f"{entity}: custom columns without a declared type"


def test_every_record_is_there_under_its_pipedrive_id(files, dataset):
    for entity in ENTITIES:
        expected = [str(record.id) for record in expected_records(dataset, entity)]
        assert [record.source_id for record in files[entity].records] == expected, entity
    counts = {entity: len(files[entity].records) for entity in ENTITIES}
    assert counts["deal"] == len(dataset.listed_deals()) + len(dataset.archived_deals())
    assert counts["lead"] == len(dataset.listed_leads()) + len(dataset.archived_leads())
    assert counts["organization"] == len(dataset.listed_organizations())
    assert counts["person"] == len(dataset.listed_persons())
    assert counts["activity"] == len(dataset.listed_activities())
    assert counts["note"] == len(dataset.listed_notes())
    assert counts["product"] == len(dataset.listed_products())
    # Recently deleted deals (which the API still lists for 30 days) are in no export.
    deleted = {str(deal.id) for deal in dataset.recently_deleted_deals()}
    assert deleted and not deleted & set(by_id(files["deal"]))


# --- values -------------------------------------------------------------------------------------


def test_deals_read_back_with_their_values_names_and_times(files, dataset, names):
    read = by_id(files["deal"])
    deals = expected_records(dataset, "deal")
    for deal in deals:
        record = read[str(deal.id)]
        assert (record.title, record.value, record.currency) == (deal.title, deal.value, deal.currency)
        assert record.pipeline == Ref(name=names["pipeline"][deal.pipeline_id])
        assert record.stage == Ref(name=names["stage"][deal.stage_id])
        assert (record.status, record.is_archived, record.is_deleted) == (
            deal.status,
            deal.is_archived,
            False,
        )
        assert record.owner == Ref(name=names["user"][deal.owner_id])
        assert record.organization == Ref(id=str(deal.org_id), name=names["organization"][deal.org_id])
        if deal.person_id:
            assert record.person == Ref(id=str(deal.person_id), name=names["person"][deal.person_id])
        else:
            assert not record.person
        assert record.expected_close_date == deal.expected_close_date
        assert record.probability == deal.probability
        assert record.lost_reason == (deal.lost_reason or "")
        assert record.labels == [names["labels"]["deal"][label] for label in deal.label_ids]
        for moment in ("add_time", "update_time", "stage_change_time", "won_time", "lost_time", "close_time"):
            assert same_moment(getattr(record, moment), getattr(deal, moment)), (deal.id, moment)
    statuses = Counter((deal.status, deal.is_archived) for deal in deals)
    assert statuses[("won", False)] and statuses[("lost", False)] and statuses[("open", False)]
    assert statuses[("won", True)] + statuses[("lost", True)] > 0


def test_deal_custom_fields_read_back_by_display_name(files, dataset, names):
    read = by_id(files["deal"])
    seen: Counter = Counter()
    for deal in expected_records(dataset, "deal"):
        record = read[str(deal.id)]
        assert record.custom == expected_custom(dataset, names, "deal", deal.custom), deal.id
        for key, value in record.custom.items():
            seen[key] += 1
            if key == "Opportunity type" and value.label == "Defence":
                seen["deleted option"] += 1
    # Every kind of field is met: enum (with a deleted option), set, both "Mission" fields, monetary,
    # date range, address, references, numbers, multi-line text.
    for key in (
        "Opportunity type",
        "deleted option",
        "Programme",
        "Mission",
        "Mission (2)",
        "Budget estimate",
        "Tender period",
        "Delivery site",
        "Technical lead",
        "Prime contractor",
        "Technical officer",
        "TRL",
        "Comments",
        "Submission time",
    ):
        assert seen[key], key
    spot = next(
        deal
        for deal in expected_records(dataset, "deal")
        if deal.custom.get(_key(dataset, "Budget estimate"))
    )
    amount, currency = spot.custom[_key(dataset, "Budget estimate")]
    assert read[str(spot.id)].custom["Budget estimate"] == Money(amount, currency)


def _key(dataset, name: str) -> str:
    return next(f.key for f in dataset.custom_fields_of("deal") if f.name == name)


def test_persons_read_back_with_their_labelled_emails_and_phones(files, dataset, names):
    read = by_id(files["person"])
    several = 0
    for person in dataset.listed_persons():
        record = read[str(person.id)]
        assert (record.name, record.first_name, record.last_name) == (
            person.name,
            person.first_name,
            person.last_name,
        )
        assert [(c.value, c.label) for c in record.emails] == [(c.value, c.label) for c in person.emails]
        assert [(c.value, c.label) for c in record.phones] == [(c.value, c.label) for c in person.phones]
        # Exports say nothing of the primary flag: the first listed is read as primary, which the
        # dataset's is, unless it marks none (an "other" address alone).
        if any(contact.primary for contact in person.emails):
            assert [c.primary for c in record.emails] == [c.primary for c in person.emails]
        assert [c.primary for c in record.phones] == [c.primary for c in person.phones]
        expected_org = (
            Ref(id=str(person.org_id), name=names["organization"][person.org_id]) if person.org_id else Ref()
        )
        assert record.organization == expected_org
        assert record.owner == Ref(name=names["user"][person.owner_id])
        assert record.job_title == person.job_title
        assert record.labels == [names["labels"]["person"][label] for label in person.label_ids]
        assert same_moment(record.add_time, person.add_time)
        assert record.custom == expected_custom(dataset, names, "person", person.custom)
        several += len(person.emails) > 1
    assert several


def test_organizations_and_products_read_back(files, dataset, names):
    organizations = by_id(files["organization"])
    for org in dataset.listed_organizations():
        record = organizations[str(org.id)]
        assert (record.name, record.website) == (org.name, org.website)
        assert record.owner == Ref(name=names["user"][org.owner_id])
        address = org.address and Address(**{part: org.address.get(part, "") for part in ADDRESS_PARTS})
        assert record.address == address
        assert record.labels == [names["labels"]["organization"][label] for label in org.label_ids]
        assert same_moment(record.add_time, org.add_time)
        assert record.custom == expected_custom(dataset, names, "organization", org.custom)
    products = by_id(files["product"])
    for product in dataset.listed_products():
        record = products[str(product.id)]
        assert (record.name, record.code, record.unit, record.is_deleted) == (
            product.name,
            product.code,
            product.unit,
            False,
        )
        assert record.prices == [Money(product.prices[0].price, product.prices[0].currency)]
        assert record.custom == expected_custom(dataset, names, "product", product.custom)


def test_activities_read_back_with_their_due_time_and_deal(files, dataset, names):
    read = by_id(files["activity"])
    kinds: Counter = Counter()
    for activity in dataset.listed_activities():
        record = read[str(activity.id)]
        assert record.subject == activity.subject
        assert record.type == Ref(name=names["activity_type"][activity.type])
        # The file shows Zurich time; the record holds the due date and time in UTC again.
        assert record.due_date == activity.due_date
        assert record.due_time == (activity.due_time or "")[:5]
        assert record.duration_minutes == (
            int(activity.duration[:2]) * 60 + int(activity.duration[3:5]) if activity.duration else None
        )
        assert record.owner == Ref(name=names["user"][activity.owner_id])
        if activity.deal_id:
            deal = dataset.deals.get(activity.deal_id)
            assert record.deal == Ref(id=str(deal.id), name=deal.title)
            kinds["deal"] += 1
        else:
            assert not record.deal
        if activity.lead_id:
            assert record.lead == Ref(id=activity.lead_id, name=names["lead"][activity.lead_id])
            kinds["lead"] += 1
        else:
            assert not record.lead
        person = activity.person_id
        assert record.person == (Ref(id=str(person), name=names["person"][person]) if person else Ref())
        org = activity.org_id
        assert record.organization == (Ref(id=str(org), name=names["organization"][org]) if org else Ref())
        assert record.participants == [Ref(name=names["person"][p]) for p, _primary in activity.participants]
        assert record.done == activity.done
        assert same_moment(record.done_time, activity.marked_as_done_time)
        assert record.note == (activity.note or "")
        kinds["timed" if activity.due_time else "all day"] += 1
    assert kinds["deal"] and kinds["lead"] and kinds["timed"] and kinds["all day"]


def test_notes_read_back_with_their_content_and_deal(files, dataset, names):
    read = by_id(files["note"])
    kinds: Counter = Counter()
    for note in dataset.listed_notes():
        record = read[str(note.id)]
        assert record.content == note.content
        assert record.user == Ref(name=names["user"][note.user_id])
        if note.deal_id:
            deal = dataset.deals.get(note.deal_id)
            assert record.deal == Ref(id=str(deal.id), name=deal.title)
            kinds["deal"] += 1
        else:
            assert not record.deal
        assert record.lead == (
            Ref(id=note.lead_id, name=names["lead"][note.lead_id]) if note.lead_id else Ref()
        )
        assert record.person == (
            Ref(id=str(note.person_id), name=names["person"][note.person_id]) if note.person_id else Ref()
        )
        assert record.organization == (
            Ref(id=str(note.org_id), name=names["organization"][note.org_id]) if note.org_id else Ref()
        )
        pinned = (
            note.pinned_to_deal or note.pinned_to_lead or note.pinned_to_person or note.pinned_to_organization
        )
        assert record.pinned == pinned
        assert same_moment(record.add_time, note.add_time)
        kinds["script" if "<script>" in note.content else "plain"] += 1
        kinds["pinned"] += pinned
    assert kinds["deal"] and kinds["script"] and kinds["pinned"]


def test_leads_read_back_archived_ones_included(files, dataset, names):
    read = by_id(files["lead"])
    for lead in dataset.leads:
        record = read[lead.id]
        assert (record.title, record.is_archived, record.source_name) == (
            lead.title,
            lead.is_archived,
            lead.source_name,
        )
        assert record.owner == Ref(name=names["user"][lead.owner_id])
        assert record.value == (Money(*lead.value) if lead.value else None)
        assert record.labels == [Ref(name=names["lead_label"][label]) for label in lead.label_ids]
        person, org = lead.person_id, lead.organization_id
        assert record.person == (Ref(id=str(person), name=names["person"][person]) if person else Ref())
        assert record.organization == (Ref(id=str(org), name=names["organization"][org]) if org else Ref())
        assert record.expected_close_date == lead.expected_close_date
        assert same_moment(record.add_time, lead.add_time)
        assert record.custom == expected_custom(dataset, names, "lead", lead.custom)
    assert dataset.archived_leads() and dataset.listed_leads()


# --- formats, options, command line -----------------------------------------------------------


def test_csv_dialects_write_their_numbers_dates_and_encodings(read_back):
    english, swiss = read_back(("en", "csv"))["deal"].data, read_back(("fr-ch", "csv"))["deal"].data
    assert english.startswith(b"\xef\xbb\xbfDeal - ID,Deal - Title,Deal - Value,")
    assert swiss.startswith(b"Affaire - ID;Affaire - Titre;Affaire - Valeur;")
    patterns = {
        "en": (
            english.decode("utf-8-sig"),
            ",",
            r"-?\d+\.\d\d",
            r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d",
            "Deal - ",
        ),
        "fr-ch": (
            swiss.decode(),
            ";",
            r"-?\d{1,3}('\d{3})*\.\d\d",
            r"\d\d\.\d\d\.\d{4} \d\d:\d\d:\d\d",
            "Affaire - ",
        ),
    }
    for text, delimiter, number, moment, prefix in patterns.values():
        rows = list(csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter))
        values = [row[prefix + ("Value" if prefix == "Deal - " else "Valeur")] for row in rows]
        assert all(re.fullmatch(number, value) for value in values)
        created = [row[prefix + ("Deal created" if prefix == "Deal - " else "Affaire créée")] for row in rows]
        assert all(re.fullmatch(moment, value) for value in created)
    assert re.search(r";\d{1,3}'\d{3}'\d{3}\.\d\d;", swiss.decode())  # 1'250'000.00


def test_xlsx_files_open_in_openpyxl_with_typed_cells(read_back):
    workbook = openpyxl.load_workbook(io.BytesIO(read_back(("en", "xlsx"))["deal"].data), read_only=True)
    sheet = workbook.active
    header, first = list(sheet.iter_rows(min_row=1, max_row=2, values_only=True))
    row = dict(zip(header, first, strict=False))  # read-only openpyxl leaves out trailing empty cells
    assert sheet.title == "Deals"
    assert isinstance(row["Deal - ID"], int) and isinstance(row["Deal - Value"], int | float)
    assert isinstance(row["Deal - Deal created"], datetime)
    workbook.close()


def test_field_types_name_a_second_field_of_the_same_name_as_the_reader_does(dataset):
    types = field_types(dataset)
    assert types["deal"]["Mission"] == "varchar" and types["deal"]["Mission (2)"] == "enum"
    assert types["deal"]["Budget estimate"] == "monetary" and types["deal"]["Delivery site"] == "address"
    assert types["lead"] == types["deal"]
    assert types["person"] == {"Role": "enum", "LinkedIn": "varchar", "Postal address": "address"}
    assert types["activity"] == types["note"] == {}


def test_an_inbox_export_of_leads_leaves_the_archived_ones_out(dataset):
    out = io.BytesIO()
    count = write_export(dataset, "lead", out, archived_leads=False)
    records = list(
        open_export_file(out.getvalue(), entity="lead", field_types=field_types(dataset)["lead"]).read()
    )
    assert count == len(records) == len(dataset.listed_leads())
    assert not any(record.is_archived for record in records)


def test_the_command_line_writes_one_file_per_entity(tmp_path, capsys):
    main(["--deals", "60", "--seed", "7", "--dialect", "fr-ch", "--fmt", "xlsx", "--out", str(tmp_path)])
    printed = capsys.readouterr().out
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted(
        f"{name}.xlsx" for name in FILENAMES.values()
    )
    counts = {line.split()[0]: int(line.split()[1]) for line in printed.splitlines() if ".xlsx" in line}
    for entity, name in FILENAMES.items():
        records = list(open_export_file(tmp_path / f"{name}.xlsx", entity=entity).read())
        assert len(records) == counts[f"{name}.xlsx"], entity


def test_a_time_in_the_repeated_autumn_hour_reads_back_one_hour_early():
    """Exports show local times without an offset: 02:30 on 26 October 2025 happened twice in Zurich."""
    small = generate_dataset(seed=7, deals=30)
    deal = next(deal for deal in small.listed_deals() if deal.status == "won")
    second_pass = datetime(2025, 10, 26, 1, 30, tzinfo=UTC)  # 02:30 CET, after the clocks went back
    small.update_deal(deal.id, won_time=second_pass)
    for fmt in ("csv", "xlsx"):
        out = io.BytesIO()
        write_export(small, "deal", out, fmt=fmt)
        read = {record.source_id: record for record in open_export_file(out.getvalue(), entity="deal").read()}
        assert read[str(deal.id)].won_time == second_pass - timedelta(hours=1)
        assert same_moment(read[str(deal.id)].won_time, second_pass)
