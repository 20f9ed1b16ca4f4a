from django.apps import AppConfig


class MissionsConfig(AppConfig):
    name = "apogee.missions"
    label = "missions"
