from django.apps import AppConfig


class PipelinesConfig(AppConfig):
    name = "apogee.pipelines"
    label = "pipelines"
