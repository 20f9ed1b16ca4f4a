"""Starting, running, interrupting and resuming Pipedrive imports: the writes on ImportRun.

The settings page, the API-less CLI and the worker all go through here. A run is created
with everything it needs to run again later without its starter — the map as written, the
uploaded files stored under DATA_DIR, the API token encrypted (core.secrets) — because the
worker may run it now, resume it tomorrow when the daily budget is back, or pick it up after
a crash. Nothing here talks to Pipedrive: `execute_run` builds the source and hands it to the
runner.
"""

import hashlib
import secrets
import shutil
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apogee.core.errors import PermissionDenied, ValidationFailed
from apogee.core.events import record_event
from apogee.core.secrets import decrypt, encrypt, hint
from apogee.integrations.pipedrive.client import PipedriveClient
from apogee.integrations.pipedrive.models import ImportRun, RunSource, RunStatus
from apogee.integrations.pipedrive.restructuring import MapError, load_map

REFERENCE_MAP = Path(__file__).parent / "maps" / "reference.yaml"
TOKEN_PURPOSE = "pipedrive-token"  # noqa: S105 — a key-derivation label, not a secret
MAX_FILE_BYTES = 200 * 1024 * 1024
FILE_ENTITIES = ("organization", "person", "product", "deal", "lead", "activity", "note")
# A run whose worker has not written for this long is taken for dead (killed, machine restarted).
STALE_AFTER = timedelta(minutes=5)


def reference_map_text() -> str:
    return REFERENCE_MAP.read_text(encoding="utf-8")


def _ensure_admin(actor) -> None:
    if actor is not None and not actor.is_workspace_admin:
        raise PermissionDenied(_("Only an administrator can import from Pipedrive."))


def _new_files_dir(run: ImportRun) -> Path:
    # Unique even when ids repeat (a database restored or recreated beside the same data folder).
    return Path(settings.DATA_DIR) / "pipedrive" / f"run-{run.pk}-{secrets.token_hex(6)}"


def _check_map(map_text: str) -> None:
    try:
        load_map(map_text)
    except MapError as error:
        raise ValidationFailed(
            _("The restructuring map is not valid."), fields={"map": [str(error)]}
        ) from None


@transaction.atomic
def start_import(
    *,
    actor,
    source: str,
    dry_run: bool,
    map_text: str | None = None,
    base_url: str = "",
    token: str = "",
    files: dict[str, bytes] | None = None,
    timezone_name: str = "Europe/Zurich",
    day_first: bool = True,
    field_types: dict[str, dict[str, str]] | None = None,
    enqueue: bool = True,
) -> ImportRun:
    """Record a run and queue it for the worker (`enqueue=False`: the caller runs it with
    `execute_run`, as the CLI and tests do). `files` maps an entity to the file's bytes;
    `field_types` gives custom columns' Pipedrive types by display name, per entity, when known
    (files do not say: a column of unknown type is read as text)."""
    _ensure_admin(actor)
    errors: dict[str, list[str]] = {}
    map_text = map_text if map_text and map_text.strip() else reference_map_text()
    try:
        _check_map(map_text)
    except ValidationFailed as error:
        errors.update(error.fields)
    if source == RunSource.API:
        if not base_url.startswith(("https://", "http://")):
            errors["base_url"] = [
                _("Give your company's Pipedrive address, e.g. https://acme.pipedrive.com.")
            ]
        if not token.strip():
            errors["token"] = [_("Give an API token.")]
    elif source == RunSource.FILES:
        files = {entity: data for entity, data in (files or {}).items() if data}
        unknown = set(files) - set(FILE_ENTITIES)
        if unknown:
            errors["files"] = [_("Unknown file kinds: %s") % ", ".join(sorted(unknown))]
        elif not files:
            errors["files"] = [_("Choose at least one export file.")]
        elif any(len(data) > MAX_FILE_BYTES for data in files.values()):
            errors["files"] = [_("A file is larger than %d MB.") % (MAX_FILE_BYTES // 1024 // 1024)]
    else:
        errors["source"] = [_("Choose the API or export files.")]
    if errors:
        raise ValidationFailed(_("The import could not start."), fields=errors)
    if ImportRun.objects.filter(status__in=[RunStatus.PENDING, RunStatus.RUNNING]).exists():
        raise ValidationFailed(
            _("Another import is running."),
            fields={"source": [_("Wait for the running import to end, or interrupt it.")]},
        )
    run = ImportRun.objects.create(
        source=source,
        dry_run=dry_run,
        started_by=actor,
        map_text=map_text,
        options={"timezone": timezone_name, "day_first": day_first, "field_types": field_types or {}},
        base_url=base_url.strip().rstrip("/") if source == RunSource.API else "",
        token_encrypted=encrypt(token.strip(), purpose=TOKEN_PURPOSE) if source == RunSource.API else "",
        token_hint=hint(token.strip()) if source == RunSource.API else "",
    )
    if source == RunSource.FILES:
        folder = _new_files_dir(run)
        folder.mkdir(parents=True)
        stored = {}
        for entity, data in files.items():
            path = folder / f"{entity}.export"
            path.write_bytes(data)
            stored[entity] = {
                "path": str(path),
                "sha256": hashlib.sha256(data).hexdigest(),
                "bytes": len(data),
            }
        run.files = stored
        run.save(update_fields=["files"])
    run.total_steps = _expected_steps(run)
    run.save(update_fields=["total_steps"])
    record_event(
        "pipedrive.import_started",
        subject=run,
        actor=actor,
        data={"source": source, "dry_run": dry_run, "files": sorted(run.files), "queue": enqueue},
    )
    return run


def _expected_steps(run: ImportRun) -> int:
    """Records to go through, for the progress bar: the last dry run's count (file rows are
    counted by the worker, not in the request that uploaded them)."""
    if run.source == RunSource.FILES:
        return 0
    previous = (
        ImportRun.objects.filter(source=run.source, dry_run=True, status=RunStatus.DONE)
        .exclude(pk=run.pk)
        .order_by("-id")
        .first()
    )
    return previous.done_steps if previous else 0


@transaction.atomic
def interrupt_import(*, run: ImportRun, actor) -> ImportRun:
    """Ask the running import to stop after the record it is writing; it can be resumed."""
    _ensure_admin(actor)
    run = ImportRun.objects.select_for_update().get(pk=run.pk)
    if run.status in (RunStatus.PENDING, RunStatus.RUNNING, RunStatus.WAITING_FOR_BUDGET):
        run.status = RunStatus.INTERRUPTED
        run.save(update_fields=["status"])
        record_event("pipedrive.import_interrupted", subject=run, actor=actor, data={"phase": run.phase})
    return run


@transaction.atomic
def resume_import(
    *, run: ImportRun, actor, token: str = "", enqueue: bool = True, force: bool = False
) -> ImportRun:
    """Carry on an interrupted, waiting or failed run from where it stopped.

    A run still marked running is resumed only once its worker has gone quiet (STALE_AFTER), or
    with `force` — for an operator who knows the worker died (`apogee pipedrive resume --force`)."""
    _ensure_admin(actor)
    run = ImportRun.objects.select_for_update().get(pk=run.pk)
    if run.status == RunStatus.DONE or (run.status == RunStatus.RUNNING and not (force or _is_stale(run))):
        raise ValidationFailed(_("This import cannot be resumed."), fields={"run": [_("It is not stopped.")]})
    if run.source == RunSource.API:
        if token.strip():
            run.token_encrypted = encrypt(token.strip(), purpose=TOKEN_PURPOSE)
            run.token_hint = hint(token.strip())
        if not run.token_encrypted:
            raise ValidationFailed(
                _("Give the API token again."),
                fields={"token": [_("The token is not kept once a run ends.")]},
            )
    run.status = RunStatus.PENDING
    run.resume_after = None
    run.save(update_fields=["status", "resume_after", "token_encrypted", "token_hint"])
    record_event(
        "pipedrive.import_resumed", subject=run, actor=actor, data={"phase": run.phase, "queue": enqueue}
    )
    return run


@transaction.atomic
def start_from_dry_run(*, run: ImportRun, actor, token: str = "") -> ImportRun:
    """Start the real import that a finished dry run rehearsed: its files (checked unchanged since),
    its map and its reading options, through `start_import`. An API run needs the token again: it is
    erased when a run ends. The new run's options name the dry run (`from_dry_run`)."""
    _ensure_admin(actor)
    if not run.dry_run or run.status != RunStatus.DONE:
        raise ValidationFailed(
            _("Only a finished dry run can be imported for real."),
            fields={"run": [_("This run is not a finished dry run.")]},
        )
    files = None
    if run.source == RunSource.FILES:
        files = {}
        for entity, info in run.files.items():
            try:
                data = Path(info["path"]).read_bytes()
            except OSError:
                data = None
            if data is None or hashlib.sha256(data).hexdigest() != info.get("sha256"):
                raise ValidationFailed(
                    _("The dry run's files are no longer there."),
                    fields={"files": [_("Start again with the export files.")]},
                )
            files[entity] = data
    real = start_import(
        actor=actor,
        source=run.source,
        dry_run=False,
        map_text=run.map_text,
        base_url=run.base_url,
        token=token,
        files=files,
        timezone_name=run.options.get("timezone", "Europe/Zurich"),
        day_first=run.options.get("day_first", True),
        field_types=run.options.get("field_types") or None,
    )
    real.options = {**real.options, "from_dry_run": run.pk}
    # The dry run went through exactly these records: the progress bar knows its end at once.
    real.total_steps = run.total_steps or real.total_steps
    real.save(update_fields=["options", "total_steps"])
    return real


def _is_stale(run: ImportRun) -> bool:
    return run.status == RunStatus.RUNNING and (
        run.heartbeat_at is None or run.heartbeat_at < timezone.now() - STALE_AFTER
    )


def _file_source(run: ImportRun):
    from apogee.integrations.pipedrive.importer.filesource import FileSource

    return FileSource(
        paths={entity: Path(info["path"]) for entity, info in run.files.items()},
        timezone=run.options.get("timezone", "Europe/Zurich"),
        day_first=run.options.get("day_first", True),
        field_types=run.options.get("field_types") or {},
    )


def build_source(run: ImportRun, **client_options):
    if run.source == RunSource.FILES:
        return _file_source(run)
    from apogee.integrations.pipedrive.apisource import ApiSource

    token = decrypt(run.token_encrypted, purpose=TOKEN_PURPOSE)
    return ApiSource(PipedriveClient(run.base_url, token, **client_options))


def execute_run(run_id: int, *, source=None, finder=True, progress=None, **client_options) -> ImportRun:
    """Run (or resume) an import in this process; the worker's task and the CLI call it."""
    from apogee.integrations.pipedrive.importer.runner import Runner

    run = ImportRun.objects.get(pk=run_id)
    if run.status not in (RunStatus.PENDING, RunStatus.WAITING_FOR_BUDGET):
        return run
    if source is None:
        source = build_source(run, **client_options)
    if run.source == RunSource.FILES:
        problems = source.check()
        if not problems:
            _record_columns(run, source)
            if not run.total_steps:
                run.total_steps = sum(source.row_counts().values())
                ImportRun.objects.filter(pk=run.pk).update(total_steps=run.total_steps)
        if problems:
            from apogee.integrations.pipedrive.models import ImportIssue

            for problem in problems:
                ImportIssue.objects.create(
                    run=run,
                    entity=problem.entity,
                    row=problem.row,
                    level="error",
                    message=f"{problem.filename}: {problem.message}",
                )
            run.status = RunStatus.FAILED
            run.error = _("An export file cannot be read; nothing was imported.")
            run.finished_at = timezone.now()
            run.save(update_fields=["status", "error", "finished_at"])
            return run
    duplicates = _finder() if finder else None
    try:
        runner = Runner(run, source, the_map=load_map(run.map_text), finder=duplicates, progress=progress)
        run = runner.execute()
    finally:
        client = getattr(source, "client", None)
        if client is not None:
            client.close()
    if run.status == RunStatus.DONE and not run.dry_run:
        # The files hold the customer's whole CRM: once imported, they are not kept. A dry
        # run keeps them for "Import for real".
        discard_files(run)
    return run


def _record_columns(run: ImportRun, source) -> None:
    """How every column of every file is read, kept on the run: the run page and the report
    show it, so that a column read wrongly (or not at all) is seen before it matters."""
    for entity in source.listings:
        mapping = source.open(entity).mapping
        run.files[entity]["columns"] = [
            {"header": c.header, "kind": c.kind, "target": c.target, "note": c.note} for c in mapping.columns
        ]
    ImportRun.objects.filter(pk=run.pk).update(files=run.files)


def _finder():
    try:
        from apogee.integrations.pipedrive.duplicates import DuplicateFinder
    except ImportError:  # pragma: no cover — until the duplicate finder lands
        return None
    return DuplicateFinder()


def discard_files(run: ImportRun) -> None:
    """Delete a run's stored export files (they hold the customer's whole CRM)."""
    folders = {Path(info["path"]).parent for info in run.files.values()}
    for folder in folders:
        shutil.rmtree(folder, ignore_errors=True)
