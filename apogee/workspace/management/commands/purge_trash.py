"""`manage.py purge_trash`: delete for good what has been in the trash for more than 30 days."""

from django.core.management.base import BaseCommand

from apogee.workspace.trash import RETENTION, purge_expired


class Command(BaseCommand):
    help = (
        "Permanently delete the deals, leads, organizations and persons "
        f"deleted more than {RETENTION.days} days ago."
    )

    def handle(self, *args, **options):
        counts = purge_expired()
        for kind, n in counts.items():
            line = f"{kind}: {n['purged']} purged"
            if n["skipped"]:
                line += f", {n['skipped']} skipped (still referenced)"
            self.stdout.write(line)
        total = sum(n["purged"] for n in counts.values())
        self.stdout.write(f"Purged {total} record(s) from the trash.")
