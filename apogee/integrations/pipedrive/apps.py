from django.apps import AppConfig


class PipedriveConfig(AppConfig):
    name = "apogee.integrations.pipedrive"
    label = "pipedrive"
    verbose_name = "Pipedrive migration"

    def ready(self) -> None:
        # Services never import tasks: a started or resumed run is an event the worker hears.
        from apogee.core.events import subscribe

        from . import consumers

        subscribe("pipedrive.import_started", consumers.queue_run)
        subscribe("pipedrive.import_resumed", consumers.queue_run)
