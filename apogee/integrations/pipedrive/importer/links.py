"""Which Apogee record stands for which Pipedrive record, and what it looked like when imported.

Links are loaded per entity once (a dict lookup per record afterwards: 100k deals are a few
megabytes) and written in the same transaction as the record they point to, so a crash can
never leave a record without its link (a re-run would duplicate it) nor a link without its
record.
"""

import dataclasses
import hashlib
import json
from typing import Any

from apogee.integrations.pipedrive.models import ImportLink
from apogee.integrations.pipedrive.records import Record


def fingerprint(record: Record, *extra: Any) -> str:
    """A digest of what the source said about a record; provenance (row number) left out."""
    data = dataclasses.asdict(record)
    data.pop("row", None)
    payload = json.dumps([data, *extra], sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()


class Links:
    def __init__(self) -> None:
        self._loaded: dict[str, dict[str, tuple[int, str]]] = {}
        # Dry runs write nothing but must still resolve references to records "created" earlier
        # in the same run: those get a placeholder local id of 0.
        self.planned: dict[str, set[str]] = {}

    def _entity(self, entity: str) -> dict[str, tuple[int, str]]:
        if entity not in self._loaded:
            self._loaded[entity] = {
                source_id: (object_id, print_)
                for source_id, object_id, print_ in ImportLink.objects.filter(entity=entity).values_list(
                    "source_id", "object_id", "fingerprint"
                )
            }
        return self._loaded[entity]

    def get(self, entity: str, source_id: str | None) -> int | None:
        if not source_id:
            return None
        found = self._entity(entity).get(source_id)
        return found[0] if found else None

    def fingerprint_of(self, entity: str, source_id: str) -> str | None:
        found = self._entity(entity).get(source_id)
        return found[1] if found else None

    def knows(self, entity: str, source_id: str | None) -> bool:
        return bool(source_id) and (
            source_id in self._entity(entity) or source_id in self.planned.get(entity, ())
        )

    def plan(self, entity: str, source_id: str) -> None:
        self.planned.setdefault(entity, set()).add(source_id)

    def save(self, entity: str, source_id: str, object_id: int, print_: str, run_id: int | None) -> None:
        if source_id in self._entity(entity):
            ImportLink.objects.filter(entity=entity, source_id=source_id).update(
                object_id=object_id, fingerprint=print_, run_id=run_id
            )
        else:
            ImportLink.objects.create(
                entity=entity, source_id=source_id, object_id=object_id, fingerprint=print_, run_id=run_id
            )
        self._entity(entity)[source_id] = (object_id, print_)

    def forget_unsaved(self, entity: str, source_id: str, previous: tuple[int, str] | None) -> None:
        """Undo the in-memory side of `save` when the transaction around it rolled back."""
        table = self._entity(entity)
        if previous is None:
            table.pop(source_id, None)
        else:
            table[source_id] = previous

    def current(self, entity: str, source_id: str) -> tuple[int, str] | None:
        return self._entity(entity).get(source_id)

    def linked_ids(self, entity: str) -> set[int]:
        """The local records some Pipedrive record already stands for (not to merge into)."""
        return {object_id for object_id, _print in self._entity(entity).values()}
