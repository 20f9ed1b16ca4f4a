"""`apogee pipedrive …`: migrate a Pipedrive account from the command line.

    apogee pipedrive import --files DIR [--map FILE] [--dry-run] [--month-first] [--timezone TZ]
    apogee pipedrive import --api https://acme.pipedrive.com [--map FILE] [--dry-run]
    apogee pipedrive resume RUN
    apogee pipedrive report RUN [--csv FILE]
    apogee pipedrive map --init (--files DIR | --api URL) [--out FILE]

The API token is read from the PIPEDRIVE_API_TOKEN environment variable or asked for, never
taken as an argument (it would stay in the shell history and show in `ps`). The import runs
in this process with a progress bar; the same run can be followed on the settings page.
Without --map the reference customer's map is used.
"""

import getpass
import os
import sys
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from apogee.core.errors import ValidationFailed
from apogee.integrations.pipedrive import services
from apogee.integrations.pipedrive.apisource import ApiSource
from apogee.integrations.pipedrive.client import PipedriveClient
from apogee.integrations.pipedrive.exportfiles import ExportFileError, open_export_file
from apogee.integrations.pipedrive.importer.filesource import FileSource
from apogee.integrations.pipedrive.importer.reports import reconciliation, report_csv
from apogee.integrations.pipedrive.importer.workspace import Workspace
from apogee.integrations.pipedrive.mapdraft import DraftInput, DraftTarget, draft_map
from apogee.integrations.pipedrive.models import ImportIssue, ImportRun, RunStatus

TOKEN_VARIABLE = "PIPEDRIVE_API_TOKEN"  # noqa: S105 — the name of a variable, not a token


def _token() -> str:
    token = os.environ.get(TOKEN_VARIABLE, "").strip()
    if not token and sys.stdin.isatty():
        token = getpass.getpass("Pipedrive API token: ").strip()
    if not token:
        raise CommandError(f"Set {TOKEN_VARIABLE} to the API token (Settings › Personal preferences › API).")
    return token


def export_files(folder: str) -> dict[str, bytes]:
    """The export files of a folder by entity, told by their headers or names."""
    found: dict[str, bytes] = {}
    path = Path(folder)
    if not path.is_dir():
        raise CommandError(f"{folder} is not a folder.")
    for file in sorted(path.iterdir()):
        if file.suffix.lower() not in (".csv", ".xlsx"):
            continue
        try:
            entity = open_export_file(file).entity
        except ExportFileError as error:
            raise CommandError(f"{file.name}: {error.message}") from None
        if entity in found:
            raise CommandError(f"Two {entity} files in {folder}: keep one.")
        found[entity] = file.read_bytes()
    if not found:
        raise CommandError(f"No .csv or .xlsx export in {folder}.")
    return found


class Command(BaseCommand):
    help = "Migrate a Pipedrive account: import (or dry-run), resume, report, draft a map."

    def add_arguments(self, parser):
        commands = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        run = commands.add_parser("import", help="import from the API or from export files")
        source = run.add_mutually_exclusive_group(required=True)
        source.add_argument("--files", metavar="DIR", help="a folder of Pipedrive export files (CSV, XLSX)")
        source.add_argument("--api", metavar="URL", help="the company's Pipedrive address")
        run.add_argument("--map", metavar="FILE", help="the restructuring map (default: the reference map)")
        run.add_argument("--dry-run", action="store_true", help="report what would happen, write nothing")
        run.add_argument("--timezone", default="Europe/Zurich", help="the exporting user's time zone")
        run.add_argument("--month-first", action="store_true", help="read 03/04/2024 as March 4th")
        resume = commands.add_parser("resume", help="carry on a stopped import")
        resume.add_argument("run", type=int)
        resume.add_argument("--force", action="store_true", help="resume a run whose worker died just now")
        report = commands.add_parser("report", help="the report and reconciliation of an import")
        report.add_argument("run", type=int)
        report.add_argument("--csv", metavar="FILE", help="also write the full report as CSV")
        draft = commands.add_parser("map", help="draft a restructuring map for an account")
        draft.add_argument("--init", action="store_true", required=True)
        origin = draft.add_mutually_exclusive_group(required=True)
        origin.add_argument("--files", metavar="DIR")
        origin.add_argument("--api", metavar="URL")
        draft.add_argument("--out", metavar="FILE", help="write the map there (default: print it)")

    def handle(self, *args, action: str, **options):
        getattr(self, f"do_{action}")(**options)

    # -- import / resume -------------------------------------------------------------------------

    def do_import(
        self, *, files=None, api=None, map=None, dry_run=False, timezone="Europe/Zurich", **options
    ):
        map_text = Path(map).read_text(encoding="utf-8") if map else None
        try:
            run = services.start_import(
                actor=None,
                source="api" if api else "files",
                dry_run=dry_run,
                map_text=map_text,
                base_url=api or "",
                token=_token() if api else "",
                files=export_files(files) if files else None,
                timezone_name=timezone,
                day_first=not options.get("month_first"),
                enqueue=False,
            )
        except ValidationFailed as error:
            raise CommandError(error.as_text()) from None
        self.stdout.write(f"Import #{run.pk} ({'dry run' if dry_run else 'writing'})")
        self._execute(run)

    def do_resume(self, *, run, force=False, **options):
        found = ImportRun.objects.filter(pk=run).first()
        if found is None:
            raise CommandError(f"No import #{run}.")
        try:
            found = services.resume_import(
                run=found,
                actor=None,
                token=_token() if found.source == "api" and not found.token_encrypted else "",
                enqueue=False,
                force=force,
            )
        except ValidationFailed as error:
            raise CommandError(error.as_text()) from None
        self._execute(found)

    def _execute(self, run: ImportRun) -> None:
        started = time.monotonic()
        run = services.execute_run(run.pk, progress=self._progress)
        self.stdout.write("")
        elapsed = time.monotonic() - started
        self.stdout.write(f"{run.get_status_display()} after {elapsed:.0f} s ({run.done_steps} records).")
        if run.error:
            self.stderr.write(run.error)
        self._print_report(run)
        if run.status == RunStatus.WAITING_FOR_BUDGET:
            self.stdout.write(
                f"Pipedrive's daily budget is spent: resume after {run.resume_after:%Y-%m-%d %H:%M} UTC"
            )
            self.stdout.write(f"with `apogee pipedrive resume {run.pk}` (the worker does it by itself).")
        if run.status in (RunStatus.FAILED, RunStatus.INTERRUPTED):
            raise CommandError(f"Import #{run.pk} did not finish.")

    def _progress(self, run: ImportRun) -> None:
        width = 30
        if run.total_steps:
            filled = min(width, width * run.done_steps // run.total_steps)
            bar = f"[{'#' * filled}{'.' * (width - filled)}] {run.percent:3d}%"
        else:
            bar = f"[{run.done_steps} records]"
        rate = f"{run.rate:.0f}/s" if run.rate else ""
        eta = f"ETA {run.eta_seconds // 60}m{run.eta_seconds % 60:02d}s" if run.eta_seconds else ""
        budget = run.budget.get("daily_remaining") if run.budget else None
        tokens = f"budget {budget}" if budget is not None else ""
        line = " ".join(part for part in (bar, run.phase, rate, eta, tokens) if part)
        self.stdout.write(f"\r{line:<100}", ending="")
        self.stdout.flush()

    # -- report ------------------------------------------------------------------------------------

    def do_report(self, *, run, csv=None, **options):
        found = ImportRun.objects.filter(pk=run).first()
        if found is None:
            raise CommandError(f"No import #{run}.")
        self._print_report(found)
        if csv:
            Path(csv).write_text(report_csv(found), encoding="utf-8")
            self.stdout.write(f"Report written to {csv}")

    def _print_report(self, run: ImportRun) -> None:
        report = reconciliation(run)
        verb = "would create" if run.dry_run else "created"
        self.stdout.write(
            f"{'entity':<14}{'read':>8}{verb:>14}{'updated':>9}{'same':>8}{'skipped':>9}{'failed':>8}"
        )
        for line in report.entities:
            self.stdout.write(
                f"{line.entity:<14}{line.source:>8}{line.created:>14}{line.updated:>9}"
                f"{line.unchanged:>8}{line.skipped:>9}{line.failed:>8}"
            )
        if not run.dry_run and report.legacy_values:
            self.stdout.write("Deal value, legacy pipelines → Apogee pipelines:")
            for line in report.legacy_values:
                self.stdout.write(f"  {line.pipeline:<28}{line.currency:>5}{line.amount:>18,.2f}")
            self.stdout.write("  →")
            for line in report.new_values + report.trashed_values:
                where = line.pipeline if line in report.new_values else f"{line.pipeline} (trash)"
                self.stdout.write(
                    f"  {where:<28}{line.currency:>5}{line.amount:>18,.2f}  ({line.deals} deals)"
                )
            state = "balance" if report.values_balance else "DO NOT balance"
            self.stdout.write(f"Totals per currency {state}.")
        levels = ImportIssue.objects.filter(run=run).values_list("level", flat=True)
        if levels:
            counts = {level: 0 for level in ("error", "unmapped", "duplicate", "warning")}
            for level in levels:
                counts[level] = counts.get(level, 0) + 1
            self.stdout.write("Issues: " + ", ".join(f"{n} {level}" for level, n in counts.items() if n))

    # -- map --init ----------------------------------------------------------------------------------

    def do_map(self, *, files=None, api=None, out=None, **options):
        if api:
            client = PipedriveClient(api, _token())
            try:
                structure = ApiSource(client).read_structure()
            finally:
                client.close()
        else:
            folder = Path(files)
            stored = {}
            for entity, data in export_files(files).items():
                path = folder / f".{entity}.draft"
                path.write_bytes(data)
                stored[entity] = path
            try:
                structure = FileSource(stored).read_structure()
            finally:
                for path in stored.values():
                    path.unlink(missing_ok=True)
        ws = Workspace.load(dry_run=True)
        target = DraftTarget(
            pipelines={name: list(stages) for name, stages in ws.stages.items()},
            fields={
                entity: {
                    key: (definition.label_en, definition.field_type, _options(definition))
                    for (field_entity, key), definition in ws.definitions.items()
                    if field_entity == entity
                }
                for entity in ("deal", "person", "organization", "lead")
            },
            users=[(u.username, u.get_full_name(), u.email) for u in ws.users.values()],
            default_user=next((u.username for u in ws.users.values() if u.is_workspace_admin), None),
        )
        text = draft_map(
            DraftInput(
                pipelines=structure.pipelines,
                stages=structure.stages,
                fields=structure.fields,
                users=structure.users,
            ),
            target,
        )
        if out:
            Path(out).write_text(text, encoding="utf-8")
            self.stdout.write(
                f"Map drafted in {out}: read it, fix what it marks “check”, then import with --map."
            )
        else:
            self.stdout.write(text)


def _options(definition) -> dict[str, str]:
    return {o["key"]: o.get("label_en", o["key"]) for o in definition.options}
