"""The worker's side of Pipedrive imports: run a queued import, resume those that waited."""

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from apogee.integrations.pipedrive.models import ImportRun, RunStatus
from apogee.integrations.pipedrive.services import STALE_AFTER, execute_run


@db_task()
def run_import(run_id: int) -> None:
    execute_run(run_id)


# Every five minutes: a run that waited for tomorrow's API budget goes on once it is back, and
# a run whose worker died (no heartbeat) is marked interrupted so that a user can resume it.
@db_periodic_task(crontab(minute="*/5"))
def look_after_imports() -> None:
    now = timezone.now()
    for run in ImportRun.objects.filter(status=RunStatus.WAITING_FOR_BUDGET, resume_after__lte=now):
        run_import(run.pk)
    ImportRun.objects.filter(status=RunStatus.RUNNING, heartbeat_at__lt=now - STALE_AFTER).update(
        status=RunStatus.INTERRUPTED
    )
