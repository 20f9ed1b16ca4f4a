from django.apps import AppConfig


class CustomfieldsConfig(AppConfig):
    name = "apogee.customfields"
    label = "customfields"
