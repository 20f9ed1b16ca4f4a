from django.apps import AppConfig


class NotesConfig(AppConfig):
    name = "apogee.notes"
    label = "notes"
