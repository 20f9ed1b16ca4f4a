from django.apps import AppConfig


class TimelineConfig(AppConfig):
    name = "apogee.timeline"
    label = "timeline"
