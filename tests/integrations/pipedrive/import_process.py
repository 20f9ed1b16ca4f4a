"""An import in a process of its own, on a SQLite file, so that a test can kill it mid-run.

    python -m tests.integrations.pipedrive.import_process prepare        # migrate + workspace
    python -m tests.integrations.pipedrive.import_process start URL TOKEN
    python -m tests.integrations.pipedrive.import_process resume RUN
    python -m tests.integrations.pipedrive.import_process dump OUT.json

APOGEE_DATA_DIR says where the database lives. `dump` writes the imported state in a form
that does not depend on local ids or on when the import ran, for comparison between runs.
"""

import json
import os
import sys


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "apogee.settings")
    os.environ.setdefault("APOGEE_DEV_SECRET", "1")
    os.environ.setdefault("APOGEE_HUEY_IMMEDIATE", "1")
    import django

    django.setup()


def prepare() -> None:
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from apogee.accounts.models import Role, User
    from apogee.workspace.demo import ensure_structure

    ensure_structure()
    User.objects.create_user("sophie", email="sophie@example.com", password="x", role=Role.ADMIN)


def _slow_batches() -> None:
    """Leave the killing test a wide window: a pause after each batch (one transaction) is
    written. Only the timing changes; what is written, and when it commits, does not."""
    import time

    from apogee.integrations.pipedrive.importer.runner import Runner

    flush = Runner._flush

    def slower(self, state, batch):
        flush(self, state, batch)
        time.sleep(0.3)

    Runner._flush = slower


def start(base_url: str, token: str) -> None:
    from apogee.integrations.pipedrive import services

    if os.environ.get("SLOW_BATCHES"):
        _slow_batches()

    run = services.start_import(
        actor=None, source="api", dry_run=False, base_url=base_url, token=token, enqueue=False
    )
    print(run.pk, flush=True)  # noqa: T201 — the test reads it
    services.execute_run(run.pk)


def resume(run_id: str) -> None:
    from apogee.integrations.pipedrive import services
    from apogee.integrations.pipedrive.models import ImportRun

    run = services.resume_import(
        run=ImportRun.objects.get(pk=int(run_id)), actor=None, force=True, enqueue=False
    )
    run = services.execute_run(run.pk)
    print(run.status, flush=True)  # noqa: T201 — the test reads it


def dump(out: str) -> None:
    from apogee.activities.models import Activity
    from apogee.contacts.models import Organization, Person
    from apogee.customfields.models import FieldDefinition
    from apogee.deals.models import Deal, StageChange
    from apogee.integrations.pipedrive.models import ImportLink
    from apogee.leads.models import Lead
    from apogee.notes.models import Note

    source_of = {(link.entity, link.object_id): link.source_id for link in ImportLink.objects.all()}

    def src(entity, pk):
        return source_of.get((entity, pk)) if pk else None

    state = {
        "counts": {
            model.__name__: model.objects.count()
            for model in (
                Deal,
                StageChange,
                Person,
                Organization,
                Activity,
                Note,
                Lead,
                FieldDefinition,
                ImportLink,
            )
        },
        "deals": {
            src("deal", d.pk): [
                d.title,
                d.pipeline.name,
                d.stage.name,
                d.status,
                str(d.value),
                d.currency,
                d.owner.username,
                src("organization", d.organization_id),
                d.custom_values,
                d.deleted_at is not None,
                [
                    (c.to_stage.name, c.changed_at.isoformat())
                    for c in d.stage_changes.order_by("changed_at", "id")
                ],
            ]
            for d in Deal.objects.select_related("pipeline", "stage", "owner")
        },
        "persons": {
            src("person", p.pk): [
                p.name,
                src("organization", p.organization_id),
                sorted(p.emails.values_list("address", flat=True)),
            ]
            for p in Person.objects.all()
        },
        "organizations": {
            src("organization", o.pk): [o.name, o.city, o.country] for o in Organization.objects.all()
        },
        "activities": {
            src("activity", a.pk): [
                a.subject,
                str(a.due_date),
                a.is_done,
                src("deal", a.deal_id),
                src("person", a.person_id),
            ]
            for a in Activity.objects.all()
        },
        "notes": {
            src("note", n.pk): [n.body_html, src("deal", n.deal_id), n.is_pinned] for n in Note.objects.all()
        },
        "leads": {src("lead", lead.pk): [lead.title, lead.status] for lead in Lead.objects.all()},
        "fields": sorted(
            (f.entity, f.key, f.field_type, len(f.options)) for f in FieldDefinition.objects.all()
        ),
    }
    with open(out, "w", encoding="utf-8") as handle:
        json.dump(state, handle, sort_keys=True, default=str, indent=0)


if __name__ == "__main__":
    _setup()
    command, *arguments = sys.argv[1:]
    {"prepare": prepare, "start": start, "resume": resume, "dump": dump}[command](*arguments)
