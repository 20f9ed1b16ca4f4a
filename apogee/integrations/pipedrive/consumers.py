"""Reactions to import events: queue the run for the worker once the request has committed."""

from apogee.core.models import DomainEvent


def queue_run(event_id: int) -> None:
    event = DomainEvent.objects.get(pk=event_id)
    if event.data.get("queue", True):
        from apogee.integrations.pipedrive.tasks import run_import

        run_import(event.subject_id)
