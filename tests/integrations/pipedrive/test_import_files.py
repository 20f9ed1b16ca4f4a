"""Importing the generated account from its export files, and what bad files do (nothing half-written)."""

import pytest

from apogee.contacts.models import Organization, Person
from apogee.deals.models import Deal
from apogee.integrations.pipedrive import services
from apogee.integrations.pipedrive.importer.reports import reconciliation
from apogee.integrations.pipedrive.models import ImportIssue, ImportLink, RunStatus
from apogee.integrations.pipedrive.restructuring import load_map
from apogee.notes.models import Note
from tests.doubles.pipedrive.exports import export_dataset, field_types

pytestmark = pytest.mark.django_db


def import_files(admin, files, *, dry_run=False, types=None):
    run = services.start_import(
        actor=admin, source="files", dry_run=dry_run, files=files, field_types=types, enqueue=False
    )
    return services.execute_run(run.pk)


@pytest.mark.parametrize(("dialect", "fmt"), [("fr-ch", "csv"), ("en", "xlsx")])
def test_export_files_land_like_the_api_account(importer_admin, small_dataset, dialect, fmt):
    data = small_dataset
    files = export_dataset(data, dialect=dialect, fmt=fmt)
    run = import_files(importer_admin, files, types=field_types(data))
    assert run.status == RunStatus.DONE, run.error
    assert not ImportIssue.objects.filter(run=run, level="error").exists()

    report = reconciliation(run)
    lines = {line.entity: line for line in report.entities}
    expected = {
        "deal": len(data.importable_deals()),
        "organization": len(data.listed_organizations()),
        "person": len(data.listed_persons()),
        "activity": len(data.listed_activities()),
        "note": len(data.listed_notes()),
        "lead": len(data.listed_leads()) + len(data.archived_leads()),
        "product": len(data.listed_products()),
    }
    for entity, count in expected.items():
        assert lines[entity].source == count, entity
        assert lines[entity].imported == count, entity
    assert report.values_balance, report.totals

    the_map = load_map(services.reference_map_text())
    for legacy in data.importable_deals()[:60]:
        deal = Deal.objects.select_related("pipeline", "stage").get(
            pk=ImportLink.objects.get(entity="deal", source_id=str(legacy.id)).object_id
        )
        target = the_map.stage_for(data.pipeline(legacy.pipeline_id).name, data.stage(legacy.stage_id).name)
        assert (deal.pipeline.name, deal.stage.name) == (target.pipeline, target.stage or deal.stage.name)
        assert deal.value == legacy.value and deal.status == legacy.status
    for note in data.listed_notes():
        if note.deal_id:
            imported = Note.objects.get(
                pk=ImportLink.objects.get(entity="note", source_id=str(note.id)).object_id
            )
            assert (
                imported.deal_id
                == ImportLink.objects.get(entity="deal", source_id=str(note.deal_id)).object_id
            )

    # The same files again: nothing new, nothing changed.
    again = import_files(importer_admin, files, types=field_types(data))
    assert all(again.counts[e]["created"] == 0 and again.counts[e]["updated"] == 0 for e in expected)
    assert Deal.objects.count() == expected["deal"]


def test_a_dry_run_writes_nothing_and_reports_everything(importer_admin, small_dataset):
    files = export_dataset(small_dataset, dialect="en", fmt="csv")
    run = import_files(importer_admin, files, dry_run=True)
    assert run.status == RunStatus.DONE
    assert (Deal.objects.count(), Organization.objects.count(), Person.objects.count()) == (0, 0, 0)
    assert run.counts["deal"]["created"] == len(small_dataset.importable_deals())
    assert ImportIssue.objects.filter(run=run, level="duplicate").exists()
    assert ImportIssue.objects.filter(run=run, entity="field", message__contains="would be created").exists()
    csv_text = services_report_csv(run)
    assert csv_text.splitlines()[0] == "section,entity,source_id,row,level,message"
    assert "summary,deal,,,,read" in csv_text
    # Every column of every file, and how it was read, before anything is written.
    run.refresh_from_db()
    headers = [column["header"] for column in run.files["deal"]["columns"]]
    assert "Deal - Title" in headers and all(column["kind"] for column in run.files["deal"]["columns"])
    assert "column,deal,,,,Deal - Title → field title" in csv_text


def services_report_csv(run):
    from apogee.integrations.pipedrive.importer.reports import report_csv

    return report_csv(run)


DEALS_CSV = (
    "Deal - ID,Deal - Title,Deal - Value,Deal - Currency,Deal - Pipeline,Deal - Stage,Deal - Status,"
    "Deal - Owner,Deal - Deal created,Deal - Organization\n"
    "1,Good deal,1000,CHF,ESA Sales,Proposal preparation,Open,Sophie Rochat,2024-01-05 10:00:00,Thales\n"
    "2,Bad date,1000,CHF,ESA Sales,Proposal preparation,Open,Sophie Rochat,2024-13-45 10:00:00,Thales\n"
    "3,Odd currency,1000,XYZ,ESA Sales,Proposal preparation,Open,Sophie Rochat,2024-01-05 10:00:00,Thales\n"
    "4,Another good one,2500,EUR,RFI,RFI received,Open,Sophie Rochat,2024-02-05 10:00:00,Thales\n"
)


def test_bad_rows_are_reported_with_their_row_numbers_and_the_rest_imports(importer_admin):
    run = import_files(importer_admin, {"deal": DEALS_CSV.encode()})
    assert run.status == RunStatus.DONE
    assert sorted(Deal.objects.values_list("title", flat=True)) == ["Another good one", "Good deal"]
    problems = {issue.row: issue.message for issue in ImportIssue.objects.filter(run=run, entity="deal")}
    assert 2 in problems and "date" in problems[2].lower()
    assert 3 in problems and "XYZ" in problems[3]
    assert run.counts["deal"] == {
        "source": 4,
        "created": 2,
        "updated": 0,
        "merged": 0,
        "unchanged": 0,
        "skipped": 1,
        "failed": 1,
    }


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ({"deal": b"Deal - Value,Deal - Currency\n100,CHF\n"}, "no column for"),
        ({"deal": b"PK\x03\x04" + b"\x00" * 40}, ""),
        ({"deal": DEALS_CSV.encode(), "person": b"\xff\xfe\x00garbage"}, ""),
    ],
    ids=["missing-required-column", "truncated-xlsx", "unreadable-file"],
)
def test_a_file_that_cannot_be_read_stops_the_import_before_anything_is_written(
    importer_admin, files, expected
):
    run = import_files(importer_admin, files)
    assert run.status == RunStatus.FAILED
    assert (Deal.objects.count(), Organization.objects.count(), Person.objects.count()) == (0, 0, 0)
    messages = list(ImportIssue.objects.filter(run=run, level="error").values_list("message", flat=True))
    assert messages and all(message.strip() for message in messages)
    assert expected in " ".join(messages)


ORGANIZATIONS_CSV = (
    "Organization - ID,Organization - Name,Organization - Website,Organization - Owner\n"
    "11,THALES ALENIA SPACE,https://thalesaleniaspace.com,Sophie Rochat\n"
    "12,Beyond Gravity,https://beyondgravity.com,Sophie Rochat\n"
)
PERSONS_CSV = (
    "Person - ID,Person - Name,Person - Email - Work,Person - Job title,Person - Organization\n"
    "21,Anna Rossi,anna.rossi@tas.example,Procurement officer,THALES ALENIA SPACE\n"
)


def test_records_apogee_holds_already_are_merged_not_duplicated(importer_admin):
    from apogee.contacts import services as contacts

    existing = contacts.create_organization(actor=importer_admin, name="Thales Alenia Space", city="Cannes")
    anna = contacts.create_person(actor=importer_admin, name="A. Rossi", emails=["anna.rossi@tas.example"])
    files = {"organization": ORGANIZATIONS_CSV.encode(), "person": PERSONS_CSV.encode()}

    dry = import_files(importer_admin, files, dry_run=True)
    assert dry.counts["organization"]["merged"] == 1 and dry.counts["person"]["merged"] == 1
    run = import_files(importer_admin, files)
    assert run.counts["organization"] == {
        "source": 2,
        "created": 1,
        "updated": 0,
        "merged": 1,
        "unchanged": 0,
        "skipped": 0,
        "failed": 0,
    }
    assert Organization.objects.count() == 2
    existing.refresh_from_db()
    assert existing.name == "Thales Alenia Space" and existing.city == "Cannes"  # kept as the team entered it
    assert existing.website == "https://thalesaleniaspace.com"  # a blank filled in
    assert ImportLink.objects.get(entity="organization", source_id="11").object_id == existing.pk
    anna.refresh_from_db()
    assert Person.objects.count() == 1
    assert anna.name == "A. Rossi" and anna.job_title == "Procurement officer"
    assert anna.organization_id == existing.pk
    assert (
        ImportIssue.objects.filter(run=run, level="warning", message__startswith="merged into").count() == 2
    )
