"""`manage.py reindex_search`: rebuild the search index from the records, in batches.

For after a bulk import or a restore that bypassed the models' save(), or to repair.
"""

import time

from django.core.management.base import BaseCommand, CommandError

from apogee.search.indexing import BATCH_SIZE, rebuild_index
from apogee.search.models import Kind


class Command(BaseCommand):
    help = "Rebuild the search index of deals, leads, persons, organizations and notes."

    def add_arguments(self, parser):
        parser.add_argument(
            "--kind", action="append", choices=Kind.values, help="Only this kind (repeatable). Default: all."
        )
        parser.add_argument("--batch-size", type=int, default=BATCH_SIZE)

    def handle(self, *args, kind=None, batch_size=BATCH_SIZE, verbosity=1, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        started = time.perf_counter()

        def progress(kind: str, done: int, total: int) -> None:
            if verbosity >= 1:
                self.stdout.write(f"{kind}: {done}/{total}")

        counts = rebuild_index(kinds=kind, batch_size=batch_size, progress=progress)
        summary = ", ".join(f"{n} {k}" for k, n in counts.items())
        self.stdout.write(f"Indexed {summary} in {time.perf_counter() - started:.1f}s.")
