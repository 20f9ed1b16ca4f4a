"""Periodic jobs of the workspace, run by the huey consumer."""

from django.core.management import call_command
from huey import crontab
from huey.contrib.djhuey import db_periodic_task


# Every day at 03:15 (UTC, huey's default clock), when nobody is working: empty what has been in
# the trash for more than 30 days.
@db_periodic_task(crontab(hour="3", minute="15"))
def purge_trash_daily() -> None:
    call_command("purge_trash")
