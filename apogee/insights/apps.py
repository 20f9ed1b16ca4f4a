from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "apogee.insights"
    label = "insights"
