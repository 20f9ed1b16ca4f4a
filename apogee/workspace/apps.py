from django.apps import AppConfig


class WorkspaceConfig(AppConfig):
    name = "apogee.workspace"
    label = "workspace"
