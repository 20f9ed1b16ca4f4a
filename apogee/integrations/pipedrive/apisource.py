"""Reading a Pipedrive account through the API as records: the importer's API source.

Pure orchestration of the client and apirecords — no Django — so it is tested against the
local double. The structure (users, pipelines, stages, custom field definitions) is read
whole first: every later record needs it to be understood. Then each entity streams as
(record or issue, position): `position` is where to resume *after* that item, so an
interrupted import that saved it reads the rest exactly once. The deal flow costs 40 tokens
a deal; `flow(deal_id)` is asked for per deal, by the importer, when it decides to.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from . import records as r
from .apirecords import ConversionIssue, convert, initial_stage_change
from .client import Page, PipedriveClient, Position

FIELD_ENTITIES = ("deal", "person", "organization", "product", "activity")
# Entity → (client listing, API version of its items).
LISTINGS = {
    "organization": ("organizations", "v2"),
    "person": ("persons", "v2"),
    "deal": ("deals", "v2"),
    "archived_deal": ("archived_deals", "v2"),
    "deleted_deal": ("deals", "v2"),
    # Deleted while archived: only the archived listing shows them.
    "archived_deleted_deal": ("archived_deals", "v2"),
    "lead_label": ("lead_labels", "v1"),
    "lead": ("leads", "v1"),
    "archived_lead": ("archived_leads", "v1"),
    "activity_type": ("activity_types", "v1"),
    "activity": ("activities", "v2"),
    "note": ("notes", "v1"),
    "product": ("products", "v2"),
}
# The record type each listing yields.
RECORD_ENTITY = {
    "archived_deal": "deal",
    "deleted_deal": "deal",
    "archived_deleted_deal": "deal",
    "archived_lead": "lead",
}


@dataclass
class Structure:
    users: list[r.User] = field(default_factory=list)
    pipelines: list[r.Pipeline] = field(default_factory=list)
    stages: list[r.Stage] = field(default_factory=list)
    fields: dict[str, dict[str, r.Field]] = field(default_factory=dict)  # entity → key → definition
    issues: list[ConversionIssue] = field(default_factory=list)


Item = r.Record | ConversionIssue


class ApiSource:
    def __init__(self, client: PipedriveClient):
        self.client = client
        self.structure: Structure | None = None

    def read_structure(self) -> Structure:
        structure = Structure()
        for entity, listing in (("user", self.client.users), ("pipeline", self.client.pipelines)):
            version = "v1" if entity == "user" else "v2"
            for item in _items(listing()):
                self._keep(structure, convert(entity, item, version=version))
        for item in _items(self.client.stages()):
            self._keep(structure, convert("stage", item, version="v2"))
        for entity in FIELD_ENTITIES:
            definitions: dict[str, r.Field] = {}
            for item in _items(self.client.fields(entity)):
                converted = convert("field", item, version="v2", field_entity=entity)
                if isinstance(converted.record, r.Field):
                    definitions[converted.record.source_id] = converted.record
                structure.issues.extend(converted.issues)
            structure.fields[entity] = definitions
        # Leads carry the deal custom fields.
        structure.fields["lead"] = structure.fields.get("deal", {})
        self.structure = structure
        return structure

    @staticmethod
    def _keep(structure: Structure, converted) -> None:
        record = converted.record
        if isinstance(record, r.User):
            structure.users.append(record)
        elif isinstance(record, r.Pipeline):
            structure.pipelines.append(record)
        elif isinstance(record, r.Stage):
            structure.stages.append(record)
        structure.issues.extend(converted.issues)

    def read(
        self, listing: str, *, resume_from: Position | None = None
    ) -> Iterator[tuple[Item, Position | None]]:
        """Every item of a listing (LISTINGS) as records or issues, each with the resume position."""
        if self.structure is None:
            self.read_structure()
        method, version = LISTINGS[listing]
        entity = RECORD_ENTITY.get(listing, listing)
        fields = self.structure.fields.get(entity)
        options: dict[str, Any] = {"resume_from": resume_from}
        if listing in ("deleted_deal", "archived_deleted_deal"):
            options["status"] = "deleted"
        for page in getattr(self.client, method)(**options):
            for index, item in enumerate(page.items):
                # Mid-page, resuming re-reads the page and skips what was done: the position of
                # an item is its page's start until the page's last item hands over the next one.
                last = index == len(page.items) - 1
                position = page.next_position if last else page.position
                converted = convert(entity, item, version=version, fields=fields)
                for issue in converted.issues:
                    yield issue, position
                if converted.record is not None:
                    yield converted.record, position

    def flow(self, deal: r.Deal) -> list[r.StageChange]:
        """The deal's stage moves, oldest first, its creation entry included."""
        changes = []
        for item in _items(self.client.deal_flow(int(deal.source_id))):
            converted = convert("stage_change", item, version="v1", deal_id=deal.source_id)
            if isinstance(converted.record, r.StageChange):
                changes.append(converted.record)
        changes.sort(key=lambda change: change.at)
        first = initial_stage_change(deal, changes)
        return [first, *changes] if first is not None else changes

    def deal_products(self, deal: r.Deal) -> list[r.DealProduct]:
        """The product lines of a deal (10 tokens a deal: asked only for deals that changed)."""
        lines = []
        for item in _items(self.client.deal_products(int(deal.source_id))):
            converted = convert("deal_product", item, version="v2", deal_id=deal.source_id)
            if isinstance(converted.record, r.DealProduct):
                lines.append(converted.record)
        return lines


def _items(pages: Iterator[Page]) -> Iterator[dict[str, Any]]:
    for page in pages:
        yield from page.items
