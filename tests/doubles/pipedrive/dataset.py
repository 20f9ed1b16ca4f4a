"""The Dataset tests assert against, and IdTable, which holds its big collections.

Deals, activities and notes are generated on demand from (seed, id), so a 100k-deal dataset costs
no memory until read; changes made by tests (new, changed, deleted deals) live in an overlay.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from typing import Any, Generic, TypeVar

from .model import (
    Activity,
    ActivityType,
    Deal,
    Field,
    Lead,
    LeadLabel,
    Note,
    Organization,
    Person,
    Pipeline,
    Product,
    Stage,
    User,
)

R = TypeVar("R")


class IdTable(Generic[R]):
    """Records with integer ids in ascending order, generated on demand or stored, plus changes.

    `make(id)` returns the record with that id, or None for a gap. Records put by tests
    (changed or new) override the generated ones. Reads are thread-safe; writes take a lock.
    """

    def __init__(self, make: Callable[[int], R | None], first_id: int, count: int) -> None:
        self._make = make
        self._first = first_id
        self._end = first_id + count
        self._changed: dict[int, R] = {}
        self._extra_ids: list[int] = []
        self._lock = threading.Lock()

    @classmethod
    def of(cls, records: list) -> IdTable:
        by_id = {record.id: record for record in records}
        first = min(by_id, default=1)
        return cls(by_id.get, first, (max(by_id) - first + 1) if by_id else 0)

    def get(self, record_id: int) -> R | None:
        if record_id in self._changed:
            return self._changed[record_id]
        if self._first <= record_id < self._end:
            return self._make(record_id)
        return None

    def after(self, last_id: int = 0) -> Iterator[R]:
        """Every record with an id greater than `last_id`, in id order."""
        for record_id in range(max(last_id + 1, self._first), self._end):
            record = self.get(record_id)
            if record is not None:
                yield record
        for record_id in list(self._extra_ids):
            if record_id > last_id:
                yield self._changed[record_id]

    def __iter__(self) -> Iterator[R]:
        return self.after(0)

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def next_id(self) -> int:
        return max([self._end - 1, *self._extra_ids]) + 1

    def put(self, record: R) -> R:
        with self._lock:
            if record.id >= self._end and record.id not in self._changed:
                self._extra_ids.append(record.id)
                self._extra_ids.sort()
            self._changed[record.id] = record
        return record


@dataclass
class Dataset:
    """A Pipedrive company account's data, as plain Python objects tests can assert against."""

    seed: int
    as_of: datetime  # the account's "now": the end of the six years, and the 30-day deletion window
    company: dict[str, Any]
    users: list[User]
    pipelines: list[Pipeline]
    stages: list[Stage]
    fields: list[Field]
    organizations: IdTable[Organization]
    persons: IdTable[Person]
    deals: IdTable[Deal]
    lead_labels: list[LeadLabel]
    leads: list[Lead]
    activity_types: list[ActivityType]
    activities: IdTable[Activity]
    notes: IdTable[Note]
    products: IdTable[Product]
    version: int = 0  # bumped by every change, so cached orderings know to refresh

    # -- lookups ---------------------------------------------------------------------------

    def user(self, user_id: int) -> User | None:
        return next((user for user in self.users if user.id == user_id), None)

    def pipeline(self, pipeline_id: int) -> Pipeline | None:
        return next((pipeline for pipeline in self.pipelines if pipeline.id == pipeline_id), None)

    def stage(self, stage_id: int) -> Stage | None:
        return next((stage for stage in self.stages if stage.id == stage_id), None)

    def fields_of(self, entity: str) -> list[Field]:
        return [f for f in self.fields if f.entity == entity]

    def custom_fields_of(self, entity: str) -> list[Field]:
        return [f for f in self.fields if f.entity == entity and f.is_custom]

    def field_named(self, entity: str, name: str) -> list[Field]:
        return [f for f in self.fields if f.entity == entity and f.name == name]

    def lead(self, lead_id: str) -> Lead | None:
        return next((lead for lead in self.leads if lead.id == lead_id), None)

    # -- what the API shows (the expectations importer tests assert against) ---------------

    def listed_deals(self) -> list[Deal]:
        """`GET /api/v2/deals` without a status: open, won and lost, not archived."""
        return [deal for deal in self.deals if not deal.is_deleted and not deal.is_archived]

    def archived_deals(self) -> list[Deal]:
        """`GET /api/v2/deals/archived` (archived, not deleted)."""
        return [deal for deal in self.deals if deal.is_archived and not deal.is_deleted]

    def recently_deleted_deals(self) -> list[Deal]:
        """`?status=deleted`: deals deleted within the last 30 days; older deletions are gone."""
        return [deal for deal in self.deals if deal.is_deleted and deal.is_recently_deleted(self.as_of)]

    def importable_deals(self) -> list[Deal]:
        """Every deal a full import can see and should keep: listed plus archived."""
        return [deal for deal in self.deals if not deal.is_deleted]

    def deal_counts_by_pipeline(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for deal in self.importable_deals():
            name = self.pipeline(deal.pipeline_id).name
            counts[name] = counts.get(name, 0) + 1
        return counts

    def deal_value_by_pipeline(self) -> dict[str, dict[str, Decimal]]:
        """Total value of the importable deals per legacy pipeline and currency."""
        totals: dict[str, dict[str, Decimal]] = {}
        for deal in self.importable_deals():
            per_currency = totals.setdefault(self.pipeline(deal.pipeline_id).name, {})
            per_currency[deal.currency] = per_currency.get(deal.currency, Decimal(0)) + deal.value
        return totals

    def listed_persons(self) -> list[Person]:
        return [person for person in self.persons if not person.is_deleted]

    def listed_organizations(self) -> list[Organization]:
        return [org for org in self.organizations if not org.is_deleted]

    def listed_activities(self) -> list[Activity]:
        return [activity for activity in self.activities if not activity.is_deleted]

    def listed_notes(self) -> list[Note]:
        return [note for note in self.notes if not note.is_deleted]

    def listed_products(self) -> list[Product]:
        return [product for product in self.products if not product.is_deleted]

    def listed_leads(self) -> list[Lead]:
        return [lead for lead in self.leads if not lead.is_archived]

    def archived_leads(self) -> list[Lead]:
        return [lead for lead in self.leads if lead.is_archived]

    # -- changes tests make while a client pages ---------------------------------------------

    def add_deal(self, **values: Any) -> Deal:
        """A new deal with the next id; values default to a copy of deal 1's."""
        template = next(iter(self.deals))
        moment = values.pop("at", self.as_of)
        deal = Deal(
            id=self.deals.next_id(),
            title=values.pop("title", "New deal"),
            creator_user_id=template.creator_user_id,
            owner_id=values.pop("owner_id", template.owner_id),
            value=values.pop("value", Decimal(1000)),
            currency=values.pop("currency", "CHF"),
            person_id=values.pop("person_id", template.person_id),
            org_id=values.pop("org_id", template.org_id),
            pipeline_id=values.pop("pipeline_id", template.pipeline_id),
            stage_id=values.pop("stage_id", template.stage_id),
            status=values.pop("status", "open"),
            add_time=moment,
            update_time=moment,
            **values,
        )
        self.deals.put(deal)
        self.version += 1
        return deal

    def update_deal(self, deal_id: int, **values: Any) -> Deal:
        deal = self.deals.get(deal_id)
        moment = values.pop("at", self.as_of)
        changed = replace(deal, **values, update_time=moment)
        self.deals.put(changed)
        self.version += 1
        return changed

    def delete_deal(self, deal_id: int, *, at: datetime | None = None) -> Deal:
        deal = self.deals.get(deal_id)
        moment = at or self.as_of
        return self.update_deal(
            deal_id, status="deleted", closed_status=deal.status, deleted_time=moment, at=moment
        )
