from django.apps import AppConfig


class DealsConfig(AppConfig):
    name = "apogee.deals"
    label = "deals"
