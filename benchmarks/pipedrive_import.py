"""The Pipedrive import over a generated account: records per second, against a read-only floor.

    .venv/bin/python -m benchmarks.pipedrive_import --deals 10000                 # files and API, SQLite
    .venv/bin/python -m benchmarks.pipedrive_import --deals 100000 --source files
    DATABASE_URL=postgres://… .venv/bin/python -m benchmarks.pipedrive_import --deals 10000

The account is the API double's generated dataset (seed 7: about 2.9 activities and 0.6 notes
per deal, one organization per 20 deals, five persons per organization). For `files`, it is
first written as Pipedrive's CSV exports (tests/doubles/pipedrive/exports.py; not timed); for
`api`, the double serves it from a process of its own on 127.0.0.1 with unlimited budget.

Each import runs into a fresh database (SQLite: var/bench-pipedrive-N/…; PostgreSQL: the
database of DATABASE_URL, emptied first — use a scratch one) holding the demo structure and
the reference map's users, through the same code as `apogee pipedrive import`: every record
through the services, with its domain events, search document and import link.

The floor, measured in the same run, is reading the same source without writing: the files
parsed into records, or every API listing paged through plus each deal's flow and products
(the requests the import makes). import time ÷ floor time says what writing costs on top of
reading; records per second is what an operator plans a migration weekend with.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _django(data_dir: Path) -> None:
    os.environ["APOGEE_DATA_DIR"] = str(data_dir)
    os.environ.setdefault("APOGEE_DEV_SECRET", "1")
    os.environ["APOGEE_HUEY_IMMEDIATE"] = "1"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "apogee.settings")
    import django

    django.setup()


def _fresh_database() -> None:
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    else:
        name = Path(connection.settings_dict["NAME"])
        connection.close()
        for file in name.parent.glob(name.name + "*"):
            file.unlink()
    call_command("migrate", verbosity=0)
    from apogee.accounts.models import Role, User
    from apogee.workspace.demo import ensure_structure

    ensure_structure()
    User.objects.create_user("sophie", email="sophie@example.com", role=Role.ADMIN)  # the map's default owner


def _write_files(dataset, folder: Path) -> dict[str, Path]:
    from tests.doubles.pipedrive.exports import write_export

    folder.mkdir(parents=True, exist_ok=True)
    paths = {}
    for entity in ("organization", "person", "product", "deal", "lead", "activity", "note"):
        path = folder / f"{entity}.csv"
        with path.open("wb") as out:
            write_export(dataset, entity, out, dialect="en", fmt="csv")
        paths[entity] = path
    return paths


def _read_files(paths: dict[str, Path], types) -> int:
    from apogee.integrations.pipedrive.exportfiles import open_export_file

    records = 0
    for entity, path in paths.items():
        for _item in open_export_file(path, entity=entity, field_types=types.get(entity, {})).read():
            records += 1
    return records


def _read_api(base_url: str, token: str) -> int:
    from apogee.integrations.pipedrive import records as r
    from apogee.integrations.pipedrive.apisource import ApiSource
    from apogee.integrations.pipedrive.client import PipedriveClient
    from apogee.integrations.pipedrive.importer.runner import API_LISTINGS

    with PipedriveClient(base_url, token) as client:
        source = ApiSource(client)
        records = 0
        for listing in API_LISTINGS:
            for item, _position in source.read(listing):
                records += 1
                if isinstance(item, r.Deal):
                    source.flow(item)
                    source.deal_products(item)
    return records


def _import(source: str, **start) -> tuple[float, object]:
    from apogee.integrations.pipedrive import services

    run = services.start_import(actor=None, source=source, dry_run=False, enqueue=False, **start)
    began = time.perf_counter()
    run = services.execute_run(run.pk)
    return time.perf_counter() - began, run


def _report(label: str, seconds: float, floor: float, run) -> None:
    from apogee.integrations.pipedrive.importer.reports import reconciliation

    report = reconciliation(run)
    counts = {line.entity: line.source for line in report.entities}
    written = sum(line.imported for line in report.entities)
    print(
        f"{label:<6} {run.status:<8} {run.done_steps:>9,} records in {seconds:8.1f} s = "
        f"{run.done_steps / seconds:7.1f} records/s · floor (read only) {floor:6.1f} s · "
        f"ratio {seconds / floor:5.1f} · values balance: {report.values_balance}"
    )
    print(f"       read {counts}; imported {written:,}")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--deals", type=int, default=10_000)
    parser.add_argument("--source", choices=("files", "api", "both"), default="both")
    arguments = parser.parse_args()
    deals = arguments.deals
    base = ROOT / "var" / f"bench-pipedrive-{deals}"
    shutil.rmtree(base, ignore_errors=True)
    base.mkdir(parents=True)
    sys.path.insert(0, str(ROOT))
    _django(base / "db")
    from tests.doubles.pipedrive import generate_dataset
    from tests.doubles.pipedrive.exports import field_types

    dataset = generate_dataset(seed=7, deals=deals)
    engine = "PostgreSQL" if os.environ.get("DATABASE_URL") else "SQLite"
    print(f"Pipedrive import benchmark: {deals:,} deals ({engine})")
    if arguments.source in ("files", "both"):
        began = time.perf_counter()
        paths = _write_files(dataset, base / "files")
        size = sum(p.stat().st_size for p in paths.values()) / 1e6
        print(f"export files written in {time.perf_counter() - began:.0f} s ({size:.0f} MB, not timed)")
        types = field_types(dataset)
        began = time.perf_counter()
        _read_files(paths, types)
        floor = time.perf_counter() - began
        _fresh_database()
        seconds, run = _import(
            "files", files={entity: path.read_bytes() for entity, path in paths.items()}, field_types=types
        )
        _report("files", seconds, floor, run)
    if arguments.source in ("api", "both"):
        double = subprocess.Popen(  # noqa: S603 — our own interpreter and module
            [sys.executable, "-m", "tests.doubles.pipedrive", "--deals", str(deals), "--seed", "7"],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            served = json.loads(double.stdout.readline())
            began = time.perf_counter()
            _read_api(served["base_url"], served["token"])
            floor = time.perf_counter() - began
            _fresh_database()
            seconds, run = _import("api", base_url=served["base_url"], token=served["token"])
            _report("api", seconds, floor, run)
        finally:
            double.terminate()
            double.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
