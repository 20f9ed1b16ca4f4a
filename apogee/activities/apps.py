from django.apps import AppConfig


class ActivitiesConfig(AppConfig):
    name = "apogee.activities"
    label = "activities"

    def ready(self) -> None:
        from . import deadlines

        deadlines.connect()
