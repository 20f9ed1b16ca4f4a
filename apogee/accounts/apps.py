from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "apogee.accounts"
    label = "accounts"
