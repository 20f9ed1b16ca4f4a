from django.apps import AppConfig


class OffersConfig(AppConfig):
    name = "apogee.offers"
    label = "offers"

    def ready(self) -> None:
        # Files leave the disk with their rows, however the rows go (a removed document, a purged deal).
        from . import signals  # noqa: F401
