from django.apps import AppConfig


class ActivitiesConfig(AppConfig):
    name = "apogee.activities"
    label = "activities"
