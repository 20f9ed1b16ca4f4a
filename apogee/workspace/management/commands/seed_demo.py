"""`apogee seed-demo`: create or refresh the demo workspace (idempotent) and print the login."""

from django.core.management.base import BaseCommand

from apogee.workspace.demo import DEMO_ADMIN, DEMO_PASSWORD, seed_demo


class Command(BaseCommand):
    help = "Create the demo workspace (pipelines, fields, users, contacts, deals). Safe to run again."

    def handle(self, *args, **options):
        counts = seed_demo()
        summary = ", ".join(f"{v} {k}" for k, v in counts.items())
        self.stdout.write(f"Demo workspace ready: {summary}.")
        self.stdout.write(f"Log in as {DEMO_ADMIN} (administrator), marc (manager), lea or thomas (members)")
        self.stdout.write(f"with the password: {DEMO_PASSWORD}")
