from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "apogee.notifications"
    label = "notifications"
