"""`apogee pipedrive …` from the command line: dry run from files, API import, report, map draft."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from apogee.deals.models import Deal
from apogee.integrations.pipedrive.models import ImportRun, RunStatus
from apogee.integrations.pipedrive.restructuring import load_map
from tests.doubles.pipedrive import generate_dataset
from tests.doubles.pipedrive.exports import export_dataset

pytestmark = pytest.mark.django_db

TINY = 20


@pytest.fixture(scope="module")
def tiny():
    return generate_dataset(seed=5, deals=TINY)


@pytest.fixture
def export_dir(tmp_path, tiny):
    for entity, data in export_dataset(tiny, dialect="fr-ch", fmt="csv").items():
        (tmp_path / f"{entity}s-export.csv").write_bytes(data)
    return tmp_path


def pipedrive(*arguments) -> str:
    out = StringIO()
    call_command("pipedrive", *arguments, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_a_dry_run_from_a_folder_of_exports_prints_the_report_and_writes_nothing(
    importer_admin, export_dir, tiny
):
    out = pipedrive("import", "--files", str(export_dir), "--dry-run")
    assert "would create" in out and "Done" in out
    deals_line = next(line for line in out.splitlines() if line.startswith("deal "))
    assert str(len(tiny.importable_deals())) in deals_line
    assert Deal.objects.count() == 0
    assert ImportRun.objects.get().dry_run


def test_an_api_import_takes_the_token_from_the_environment_and_reconciles(
    importer_admin, start_double, tiny, monkeypatch, tmp_path
):
    double = start_double(tiny)
    monkeypatch.setenv("PIPEDRIVE_API_TOKEN", double.token)
    out = pipedrive("import", "--api", double.base_url)
    run = ImportRun.objects.get()
    assert run.status == RunStatus.DONE
    assert "Totals per currency balance." in out
    assert double.token not in out
    assert Deal.objects.count() == len(tiny.importable_deals()) + len(tiny.recently_deleted_deals())

    report = tmp_path / "report.csv"
    out = pipedrive("report", str(run.pk), "--csv", str(report))
    assert report.read_text().startswith("section,entity,source_id,row,level,message")


def test_an_api_import_without_a_token_says_how_to_give_one(importer_admin, monkeypatch):
    monkeypatch.delenv("PIPEDRIVE_API_TOKEN", raising=False)
    with pytest.raises(CommandError, match="PIPEDRIVE_API_TOKEN"):
        pipedrive("import", "--api", "https://acme.pipedrive.com")
    assert not ImportRun.objects.exists()


def test_map_init_drafts_a_map_that_loads_and_answers_every_legacy_stage(
    workspace, export_dir, tiny, tmp_path
):
    target = tmp_path / "map.yaml"
    pipedrive("map", "--init", "--files", str(export_dir), "--out", str(target))
    the_map = load_map(target.read_text())
    for deal in tiny.importable_deals():
        pipeline, stage = tiny.pipeline(deal.pipeline_id).name, tiny.stage(deal.stage_id).name
        assert the_map.stage_for(pipeline, stage).pipeline in {"Missions", "RFI", "Sales", "CCN"}
    assert the_map.stage_for("RFI", "RFI received").pipeline == "RFI"
    assert not list(export_dir.glob(".*.draft"))  # no leftovers beside the user's files
