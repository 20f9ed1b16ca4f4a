from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "apogee.search"
    label = "search"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from . import receivers

        receivers.connect()
        post_migrate.connect(
            receivers.index_existing_records, sender=self, dispatch_uid="apogee.search.migrated"
        )
