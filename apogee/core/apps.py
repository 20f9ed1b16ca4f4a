from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "apogee.core"
    label = "core"
