from django.apps import AppConfig


class PipedriveConfig(AppConfig):
    name = "apogee.integrations.pipedrive"
    label = "pipedrive"
    verbose_name = "Pipedrive migration"
