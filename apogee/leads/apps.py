from django.apps import AppConfig


class LeadsConfig(AppConfig):
    name = "apogee.leads"
    label = "leads"
