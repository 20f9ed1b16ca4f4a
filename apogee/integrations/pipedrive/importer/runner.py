"""Running an import: every listing of the source in dependency order, one record at a time.

Resuming. Records are written in batches of BATCH, one transaction each (a savepoint per
record, so a refused record rolls back alone). With the records the transaction saves their
links, the issues met, the counts, and where the listing stands as (position, skip) — the
source position to read again from, and how many items read from there are already done. A
worker killed at any point therefore leaves either all of a batch, with the position after
it, or none of it; the resumed run reads from the saved position, skips what is done, and
ends in the state an uninterrupted run reaches. Records already imported are recognised by their
link; those unchanged since (same fingerprint) cost no write, which is what makes a second
run cheap and duplicate-free.

Stopping. Every CHECK_EVERY items the run reads its own status: a user who pressed
"Interrupt" set it to interrupted, and the run stops there. When Pipedrive's daily budget
runs out (or Cloudflare blocks the token, or the API stays unavailable after the client's
retries) the run waits: status waiting_budget with the moment to resume, which the periodic
task honours.
"""

import logging
import uuid
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from apogee.contacts.models import Person
from apogee.core.errors import PermissionDenied, ValidationFailed
from apogee.integrations.pipedrive import records as r
from apogee.integrations.pipedrive.apirecords import ConversionIssue
from apogee.integrations.pipedrive.apisource import RECORD_ENTITY
from apogee.integrations.pipedrive.errors import AuthError, PipedriveError, TemporaryError
from apogee.integrations.pipedrive.exportfiles import RowIssue
from apogee.integrations.pipedrive.importer.links import Links, fingerprint
from apogee.integrations.pipedrive.importer.workspace import Workspace
from apogee.integrations.pipedrive.importer.writers import Refused, Writers, writer_for
from apogee.integrations.pipedrive.mapping import Legacy
from apogee.integrations.pipedrive.models import ImportIssue, ImportLink, ImportRun, IssueLevel, RunStatus
from apogee.integrations.pipedrive.restructuring import RestructuringMap
from apogee.search import indexing

log = logging.getLogger(__name__)

# The API listings in dependency order (a record's references come before it).
API_LISTINGS = (
    "organization",
    "person",
    "product",
    "deal",
    "archived_deal",
    "deleted_deal",
    "archived_deleted_deal",
    "lead_label",
    "lead",
    "archived_lead",
    "activity_type",
    "activity",
    "note",
)
CHECK_EVERY = 25
# Records written per transaction: fewer commits and progress writes, and the search index
# updated a batch at a time; small enough that a web request waits at most a moment behind it.
BATCH = 50
COUNT_KEYS = ("source", "created", "updated", "merged", "unchanged", "skipped", "failed")


class Stopped(Exception):
    pass


def _empty_counts() -> dict[str, int]:
    return dict.fromkeys(COUNT_KEYS, 0)


class Runner:
    def __init__(self, run: ImportRun, source, *, the_map: RestructuringMap, finder=None, progress=None):
        self.run = run
        self.source = source
        self.the_map = the_map
        self.dry_run = run.dry_run
        self.links = Links()
        self.finder = finder
        self.names: dict[tuple[str, str], str] = {}
        # Called with the run after every batch (the CLI's progress bar).
        self.progress = progress
        self._since_check = 0
        self.worker = uuid.uuid4().hex
        self._unchanged: dict[str, list[str]] = {}

    # -- the whole run -----------------------------------------------------------------------------

    def execute(self) -> ImportRun:
        run = self.run
        run.status = RunStatus.RUNNING
        run.started_at = run.started_at or timezone.now()
        run.resume_after = None
        run.error = ""
        run.heartbeat_at = timezone.now()
        run.worker = self.worker
        run.save()
        try:
            self._execute()
        except Stopped:
            log.info("Pipedrive import %s interrupted at %s", run.pk, run.phase)
        except TemporaryError as error:
            self._wait(error)
        except (AuthError, PipedriveError) as error:
            self._fail(f"Pipedrive refused the import: {error}")
        except Exception as error:
            log.exception("Pipedrive import %s failed", run.pk)
            self._fail(f"{type(error).__name__}: {error}")
        return run

    def _execute(self) -> None:
        structure = self.source.read_structure()
        self.ws = Workspace.load(dry_run=self.dry_run)
        problems = self.ws.check(self.the_map)
        if problems:
            with transaction.atomic():
                for problem in problems:
                    self._issue("map", "", None, IssueLevel.ERROR, str(problem))
            self._fail("The restructuring map names what the workspace does not have; see the issues.")
            raise Stopped
        legacy = Legacy(
            pipelines={p.source_id: p.name for p in structure.pipelines},
            stages={s.source_id: (s.pipeline.id or s.pipeline.name, s.name) for s in structure.stages},
            fields=structure.fields,
            users={u.source_id: u for u in structure.users},
        )
        self.legacy = legacy
        if self.finder is not None:
            self._seed_finder()
        self.writers = Writers(
            ws=self.ws,
            links=self.links,
            the_map=self.the_map,
            legacy=legacy,
            source=self.source,
            run_id=self.run.pk,
        )
        if not self.run.positions:  # once per run, not again on each resume
            with transaction.atomic():
                for issue in structure.issues:
                    self._issue(issue.entity, issue.source_id or "", None, IssueLevel.WARNING, issue.message)
                self._structure_report(structure)
        listings = getattr(self.source, "listings", API_LISTINGS)
        for listing in listings:
            if self.run.positions.get(listing, {}).get("done"):
                continue
            self._listing(listing)
        self._finish()

    def _structure_report(self, structure) -> None:
        """Unmapped legacy pipelines and stages, once, before any record: the dry run's first lines."""
        seen = set()
        pipeline_names = {p.source_id: p.name for p in structure.pipelines}
        for stage in structure.stages:
            pipeline = pipeline_names.get(stage.pipeline.id or "", stage.pipeline.name or "")
            target = None
            try:
                target = self.the_map.stage_for(pipeline, stage.name)
            except LookupError as missing:
                self._issue("stage", stage.source_id, None, IssueLevel.UNMAPPED, str(missing))
            if target is not None and not target.exact and (pipeline, stage.name) not in seen:
                seen.add((pipeline, stage.name))
                where = target.stage or "its first stage"
                self._issue(
                    "stage",
                    stage.source_id,
                    None,
                    IssueLevel.UNMAPPED,
                    f"legacy stage “{stage.name}” of “{pipeline}” has no rule: deals go to "
                    f"{target.pipeline} › {where}",
                )

    # -- one listing ------------------------------------------------------------------------------

    def _listing(self, listing: str) -> None:
        run = self.run
        entity = RECORD_ENTITY.get(listing, listing)
        state = run.positions.setdefault(listing, {"position": None, "skip": 0, "done": False})
        run.phase = listing
        run.counts.setdefault(entity, _empty_counts())
        ImportRun.objects.filter(pk=run.pk).update(phase=listing, positions=run.positions)
        to_skip = state["skip"]
        batch: list[tuple[list, object, object]] = []
        try:
            for item, position in self.source.read(listing, resume_from=state["position"]):
                if to_skip:
                    to_skip -= 1
                    continue
                self._check_stop()
                issues, perform = self._handle_once(entity, item)
                batch.append((issues, perform, position))
                if len(batch) >= BATCH:
                    self._flush(state, batch)
                    batch = []
        except (Stopped, PipedriveError):
            # What was read and prepared is done: keep it, then stop or wait.
            self._flush(state, batch)
            raise
        self._flush(state, batch)
        state["done"] = True
        ImportRun.objects.filter(pk=run.pk).update(positions=run.positions)

    def _check_stop(self) -> None:
        self._since_check += 1
        if self._since_check < CHECK_EVERY:
            return
        self._since_check = 0
        self._ensure_still_mine()

    def _ensure_still_mine(self, *, lock: bool = False) -> None:
        """Stop unless the run is still running, and by this worker (interrupted, or resumed by
        another worker while this one was busy: two writers on one run would double-count)."""
        runs = ImportRun.objects.filter(pk=self.run.pk)
        if lock:
            runs = runs.select_for_update()
        if runs.values_list("status", "worker").first() != (RunStatus.RUNNING, self.worker):
            raise Stopped

    def _handle_once(self, entity: str, item):
        """_handle, leaving counts and values as they were when it is cut short (budget spent
        while fetching a deal's flow): the item is read again on resume and counted then."""
        counts = {k: dict(v) for k, v in self.run.counts.items()}
        values = {k: dict(v) for k, v in self.run.source_values.items()}
        try:
            return self._handle(entity, item)
        except BaseException:
            self.run.counts, self.run.source_values = counts, values
            raise

    def _count(self, entity: str, key: str) -> None:
        self.run.counts.setdefault(entity, _empty_counts())[key] += 1

    def _handle(self, entity: str, item) -> tuple[list, object]:
        """Decide what to do with one item; returns the issues to save and the write to perform."""
        if isinstance(item, RowIssue):
            self._count(entity, "source")
            self._count(entity, "failed")
            where = f"{item.column}: " if item.column else ""
            return [(entity, "", item.row, IssueLevel.ERROR, f"{where}{item.message}")], None
        if isinstance(item, ConversionIssue):
            return [(item.entity, item.source_id or "", None, IssueLevel.WARNING, item.message)], None
        if entity == "lead_label":
            self.writers.legacy_lead_labels[item.source_id] = item.name
            self.ws.lead_label(item.name, item.color)
            return [], None
        if entity == "activity_type":
            self.ws.activity_type(item.source_id, item.name)
            return [], None
        self._count(entity, "source")
        if isinstance(item, r.Deal):
            self._source_value(item)
        if self.finder is not None and entity in ("organization", "person"):
            self._feed_finder(entity, item)
        print_ = fingerprint(item)
        current = self.links.current(entity, item.source_id)
        if current is not None and current[1] == print_:
            self._count(entity, "unchanged")
            self._unchanged.setdefault(entity, []).append(item.source_id)
            return [], None
        prepare, write = writer_for(self.writers, entity)
        try:
            prepared = prepare(item)
        except Refused as refused:
            self._count(entity, "skipped")
            return [(entity, item.source_id, item.row, refused.level, refused.message)], None
        except ValidationFailed as error:
            self._count(entity, "failed")
            return [(entity, item.source_id, item.row, IssueLevel.ERROR, error.as_text())], None
        target = current[0] if current else None
        outcome = "updated" if current is not None else "created"
        merge = False
        if current is None:
            target = self.writers.merge_target(entity, item)
            if target is not None:
                outcome, merge = "merged", True
        issues = [(entity, item.source_id, item.row, i.level, i.message) for i in prepared.issues]
        if merge:
            issues.append(
                (
                    entity,
                    item.source_id,
                    item.row,
                    IssueLevel.WARNING,
                    f"merged into the Apogee {entity} #{target}",
                )
            )
        if self.dry_run:
            self.links.plan(entity, item.source_id)
            self._count(entity, outcome)
            return issues, None

        def perform():
            obj = write(prepared, target, merge=True) if merge else write(prepared, target)
            self.links.save(entity, item.source_id, obj.pk, print_, self.run.pk)
            self._count(entity, outcome)
            # Issues found while writing (a field left out) join those of preparing.
            return [
                (entity, item.source_id, item.row, i.level, i.message) for i in prepared.issues[len(issues) :]
            ]

        perform.entity, perform.item, perform.current = entity, item, current
        return issues, perform

    def _flush(self, state: dict, batch: list) -> None:
        """Write a batch in one transaction, each record in a savepoint of its own, and the
        position after its last item with it (module docstring: why this makes resuming exact)."""
        if not batch:
            return
        run = self.run
        with transaction.atomic(), indexing.batched():
            self._ensure_still_mine(lock=True)
            for issues, perform, position in batch:
                if perform is not None:
                    issues = issues + self._perform(perform)
                for entity, source_id, row, level, message in issues:
                    self._issue(entity, source_id, row, level, message)
                if position == state["position"]:
                    state["skip"] += 1
                else:
                    state["position"], state["skip"] = position, 0
                run.done_steps += 1
            if not self.dry_run:
                # Links record the last run that saw their record: this run's reconciliation
                # counts what it read, not what earlier imports of other data left.
                for entity, source_ids in self._unchanged.items():
                    ImportLink.objects.filter(entity=entity, source_id__in=source_ids).update(run=run)
            self._unchanged = {}
            run.heartbeat_at = timezone.now()
            ImportRun.objects.filter(pk=run.pk).update(
                positions=run.positions,
                counts=run.counts,
                source_values=run.source_values,
                done_steps=run.done_steps,
                heartbeat_at=run.heartbeat_at,
                budget=self._budget(),
            )
        if self.progress is not None:
            self.progress(run)

    def _perform(self, perform) -> list:
        """One record's write in a savepoint; a refusal rolls back that record only."""
        saved_counts = {k: dict(v) for k, v in self.run.counts.items()}
        try:
            with transaction.atomic():
                return perform()
        except (ValidationFailed, Refused, PermissionDenied) as error:
            self.links.forget_unsaved(perform.entity, perform.item.source_id, perform.current)
            self.run.counts = saved_counts
            refused = isinstance(error, Refused)
            self._count(perform.entity, "skipped" if refused else "failed")
            level = error.level if refused else IssueLevel.ERROR
            message = error.message if refused else error.as_text()
            return [(perform.entity, perform.item.source_id, perform.item.row, level, message)]

    def _issue(self, entity: str, source_id: str, row: int | None, level: str, message: str) -> None:
        ImportIssue.objects.create(
            run=self.run, entity=entity, source_id=source_id or "", row=row, level=level, message=message
        )

    def _budget(self) -> dict:
        client = getattr(self.source, "client", None)
        if client is None:
            return {}
        budget = client.budget
        return {
            "daily_limit": budget.daily_limit,
            "daily_remaining": budget.daily_remaining,
            "requests": client.requests_made,
        }

    def _source_value(self, deal: r.Deal) -> None:
        pipeline = self.legacy.pipeline_name(deal.pipeline) or "—"
        by_currency = self.run.source_values.setdefault(pipeline, {})
        currency = (deal.currency or "?").upper()
        by_currency[currency] = str(Decimal(by_currency.get(currency, "0")) + (deal.value or Decimal("0")))

    def _feed_finder(self, entity: str, item) -> None:
        self.names[(entity, item.source_id)] = item.name
        if entity == "organization":
            self.finder.add_organization(item.source_id, item.name)
        else:
            organization = item.organization.id or item.organization.name or ""
            self.finder.add_person(item.source_id, item.name, [c.value for c in item.emails], organization)

    def _seed_finder(self) -> None:
        """What Apogee holds already: records an earlier run (or the interrupted part of this one)
        imported are fed under their Pipedrive ids, the others as existing Apogee records."""
        from apogee.contacts.models import Organization, PersonEmail
        from apogee.integrations.pipedrive.models import ImportLink

        linked = {
            entity: dict(ImportLink.objects.filter(entity=entity).values_list("object_id", "source_id"))
            for entity in ("organization", "person")
        }
        for pk, name in Organization.objects.filter(deleted_at__isnull=True).values_list("pk", "name"):
            source_id = linked["organization"].get(pk)
            key = source_id or f"apogee:{pk}"
            self.names[("organization", key)] = name
            self.finder.add_organization(key, name, existing=source_id is None)
        emails: dict[int, list[str]] = {}
        for person_id, address in PersonEmail.objects.values_list("person_id", "address"):
            emails.setdefault(person_id, []).append(address)
        organization_names = dict(Organization.objects.values_list("pk", "name"))
        persons = Person.objects.filter(deleted_at__isnull=True).values_list("pk", "name", "organization_id")
        for pk, name, organization_id in persons:
            source_id = linked["person"].get(pk)
            key = source_id or f"apogee:{pk}"
            organization = linked["organization"].get(organization_id) or organization_names.get(
                organization_id, ""
            )
            self.names[("person", key)] = name
            self.finder.add_person(key, name, emails.get(pk, []), organization, existing=source_id is None)

    # -- ends -------------------------------------------------------------------------------------------

    def _finish(self) -> None:
        run = self.run
        if self.finder is not None:
            with transaction.atomic():
                for suspect in self.finder.suspects():
                    self._issue(
                        suspect.entity,
                        suspect.source_id,
                        None,
                        IssueLevel.DUPLICATE,
                        describe_suspect(suspect, self.names),
                    )
        if self.ws.created_fields:
            with transaction.atomic():
                verb = "would be created" if self.dry_run else "created"
                for key in sorted(set(self.ws.created_fields)):
                    self._issue("field", key, None, IssueLevel.WARNING, f"custom field {key} {verb}")
        run.status = RunStatus.DONE
        run.phase = ""
        run.finished_at = timezone.now()
        run.total_steps = max(run.total_steps, run.done_steps)
        run.token_encrypted = ""
        self._save_if_mine("status", "phase", "finished_at", "total_steps", "token_encrypted")

    def _save_if_mine(self, *fields: str) -> None:
        """Save the run's end, unless a user interrupted it or another worker took it over."""
        run = self.run
        ImportRun.objects.filter(pk=run.pk, worker=self.worker, status=RunStatus.RUNNING).update(
            **{name: getattr(run, name) for name in fields}
        )

    def _wait(self, error: TemporaryError) -> None:
        run = self.run
        run.status = RunStatus.WAITING_FOR_BUDGET
        run.resume_after = error.resume_at or timezone.now() + timedelta(minutes=15)
        run.error = str(error)
        run.budget = self._budget()
        self._save_if_mine("status", "resume_after", "error", "budget")

    def _fail(self, message: str) -> None:
        run = self.run
        run.status = RunStatus.FAILED
        run.error = message
        run.finished_at = timezone.now()
        run.token_encrypted = ""
        self._save_if_mine("status", "error", "finished_at", "token_encrypted")


REASON_TEXT = {
    "same_name": "same name as",
    "similar_name": "name similar to",
    "same_email": "same e-mail as",
    "same_name_same_organization": "same name and organization as",
}


def describe_suspect(suspect, names: dict) -> str:
    """“THALES ALENIA SPACE France” — name similar to Pipedrive organization 12 “Thales Alenia Space”."""
    this = names.get((suspect.entity, suspect.source_id), "")
    other = names.get((suspect.entity, suspect.other_id), "")
    if suspect.other_is_existing:
        where = f"the Apogee {suspect.entity} #{suspect.other_id.removeprefix('apogee:')}"
    else:
        where = f"Pipedrive {suspect.entity} {suspect.other_id}"
    return f"“{this}” — {REASON_TEXT.get(suspect.reason, suspect.reason)} {where} “{other}”"
