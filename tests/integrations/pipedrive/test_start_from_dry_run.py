"""Importing a finished dry run for real: the same files, map and reading options, or nothing at all."""

import pytest

from apogee.core.errors import PermissionDenied, ValidationFailed
from apogee.deals.models import Deal
from apogee.integrations.pipedrive import services
from apogee.integrations.pipedrive.models import ImportRun, RunStatus
from tests.doubles.pipedrive import generate_dataset
from tests.doubles.pipedrive.exports import export_dataset, field_types

pytestmark = pytest.mark.django_db

OWN_MAP = services.reference_map_text().replace("# The reference", "# A copy of the reference")


@pytest.fixture(scope="module")
def tiny_dataset():
    return generate_dataset(seed=11, deals=20)


@pytest.fixture
def dry_run(importer_admin, tiny_dataset):
    run = services.start_import(
        actor=importer_admin,
        source="files",
        dry_run=True,
        map_text=OWN_MAP,
        files=export_dataset(tiny_dataset, dialect="fr-ch", fmt="csv"),
        timezone_name="Europe/Paris",
        day_first=True,
        field_types=field_types(tiny_dataset),
        enqueue=False,
    )
    return services.execute_run(run.pk)


def test_the_real_run_reads_the_dry_runs_files_with_its_map_and_options(importer_admin, dry_run):
    assert dry_run.status == RunStatus.DONE

    real = services.start_from_dry_run(run=dry_run, actor=importer_admin)

    assert (real.dry_run, real.source, real.status) == (False, "files", RunStatus.PENDING)
    assert real.map_text == OWN_MAP
    assert {e: i["sha256"] for e, i in real.files.items()} == {
        e: i["sha256"] for e, i in dry_run.files.items()
    }
    assert real.files.keys() == dry_run.files.keys()
    assert all(real.files[e]["path"] != dry_run.files[e]["path"] for e in real.files)  # a copy of its own
    assert real.options == {**dry_run.options, "from_dry_run": dry_run.pk}
    assert real.total_steps == dry_run.total_steps

    done = services.execute_run(real.pk)
    assert done.status == RunStatus.DONE, done.error
    assert {e: c["created"] for e, c in done.counts.items()} == {
        e: c["created"] for e, c in dry_run.counts.items()
    }
    assert Deal.objects.count() == dry_run.counts["deal"]["created"]


@pytest.mark.parametrize("which", ["real", "unfinished"])
def test_only_a_finished_dry_run_can_be_imported_for_real(importer_admin, tiny_dataset, which):
    run = services.start_import(
        actor=importer_admin,
        source="files",
        dry_run=which == "unfinished",
        files=export_dataset(tiny_dataset, dialect="en", fmt="csv"),
        enqueue=False,
    )
    if which == "real":
        run = services.execute_run(run.pk)
    with pytest.raises(ValidationFailed) as refused:
        services.start_from_dry_run(run=run, actor=importer_admin)
    assert refused.value.fields == {"run": ["This run is not a finished dry run."]}
    assert ImportRun.objects.count() == 1


def test_files_discarded_or_changed_since_the_dry_run_are_refused(importer_admin, dry_run):
    with open(dry_run.files["deal"]["path"], "ab") as file:
        file.write(b"\n")
    with pytest.raises(ValidationFailed) as refused:
        services.start_from_dry_run(run=dry_run, actor=importer_admin)
    assert refused.value.fields == {"files": ["Start again with the export files."]}

    services.discard_files(dry_run)
    with pytest.raises(ValidationFailed):
        services.start_from_dry_run(run=dry_run, actor=importer_admin)
    assert ImportRun.objects.count() == 1


def test_an_api_dry_run_needs_the_token_again(importer_admin, start_double, tiny_dataset):
    double = start_double(tiny_dataset)
    run = services.start_import(
        actor=importer_admin,
        source="api",
        dry_run=True,
        base_url=double.base_url,
        token=double.token,
        enqueue=False,
    )
    run = services.execute_run(run.pk)
    assert run.status == RunStatus.DONE and run.token_encrypted == ""

    with pytest.raises(ValidationFailed) as refused:
        services.start_from_dry_run(run=run, actor=importer_admin)
    assert refused.value.fields == {"token": ["Give an API token."]}
    assert ImportRun.objects.count() == 1

    real = services.start_from_dry_run(run=run, actor=importer_admin, token=double.token)
    assert (real.source, real.base_url, real.dry_run, real.token_hint) == (
        "api",
        run.base_url,
        False,
        run.token_hint,
    )
    assert real.total_steps == run.done_steps  # the dry run's count sizes the progress bar


def test_only_an_administrator_imports(dry_run, manager):
    with pytest.raises(PermissionDenied):
        services.start_from_dry_run(run=dry_run, actor=manager)
    assert ImportRun.objects.count() == 1
