from django.apps import AppConfig


class ContactsConfig(AppConfig):
    name = "apogee.contacts"
    label = "contacts"
