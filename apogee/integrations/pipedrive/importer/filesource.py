"""Export files behind the interface of the API source: structure first, then each entity.

Files carry no structure of their own, so it is read from the data: the legacy pipelines and
their stages are the names the deals file shows (in order of first appearance), users are the
owner names seen in any file, custom fields are the custom columns (types as the caller
knows them, text otherwise). Files carry no ids either: records get the reader's synthetic
ids, references are names, and the deal flow is not in any export, so a deal's history is
its current stage since it was added.

A file that cannot be opened (unreadable, truncated, missing a required column) stops the
import before anything is written: `check()` opens every file and reports them all.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from apogee.integrations.pipedrive import records as r
from apogee.integrations.pipedrive.apisource import Structure
from apogee.integrations.pipedrive.exportfiles import ExportFile, ExportFileError, RowIssue, open_export_file
from apogee.integrations.pipedrive.exportfiles.columns import CUSTOM

# Dependency order: a record's references are imported before it.
LISTINGS = ("organization", "person", "product", "deal", "lead", "activity", "note")


@dataclass
class FileProblem:
    entity: str
    filename: str
    message: str
    code: str
    row: int | None = None


@dataclass
class FileSource:
    paths: dict[str, Path]  # entity → stored file
    timezone: str = "Europe/Zurich"
    day_first: bool = True
    field_types: dict[str, dict[str, str]] = field(default_factory=dict)
    structure: Structure | None = None

    @property
    def listings(self) -> tuple[str, ...]:
        return tuple(entity for entity in LISTINGS if entity in self.paths)

    def open(self, entity: str) -> ExportFile:
        types = self.field_types.get("deal" if entity == "lead" else entity, {})
        return open_export_file(
            self.paths[entity],
            entity=entity,
            field_types=types,
            timezone=self.timezone,
            day_first=self.day_first,
        )

    def check(self) -> list[FileProblem]:
        problems = []
        for entity, path in self.paths.items():
            try:
                export = self.open(entity)
                if not export.mapping.is_usable:
                    missing = ", ".join(export.mapping.missing_required)
                    problems.append(
                        FileProblem(entity, path.name, f"no column for: {missing}", "missing_columns")
                    )
            except ExportFileError as error:
                problems.append(
                    FileProblem(entity, path.name, error.message, error.code, error.last_good_row)
                )
        return problems

    def row_counts(self) -> dict[str, int]:
        counts = {}
        for entity in self.listings:
            export = self.open(entity)
            export.scan()
            counts[entity] = export.row_count or 0
        return counts

    def read_structure(self) -> Structure:
        structure = Structure()
        pipelines: dict[str, r.Pipeline] = {}
        stages: dict[tuple[str, str], r.Stage] = {}
        owners: dict[str, r.User] = {}
        for entity in self.listings:
            export = self.open(entity)
            definitions = {}
            for column in export.mapping.columns:
                if column.kind == CUSTOM and column.target not in definitions:
                    kind = self.field_types.get("deal" if entity == "lead" else entity, {}).get(column.target)
                    definitions[column.target] = r.Field(
                        column.target, entity=entity, name=column.target, field_type=kind or "varchar"
                    )
            structure.fields[entity] = definitions
            if entity != "deal" and not any(c.target == "owner.name" for c in export.mapping.columns):
                continue
            for item in export.read():
                if isinstance(item, RowIssue):
                    continue
                owner = getattr(item, "owner", None) or getattr(item, "user", None)
                if owner and owner.name and owner.name not in owners:
                    owners[owner.name] = r.User(owner.name, name=owner.name)
                if isinstance(item, r.Deal) and item.pipeline.name:
                    pipeline = item.pipeline.name
                    if pipeline not in pipelines:
                        pipelines[pipeline] = r.Pipeline(pipeline, name=pipeline, order=len(pipelines))
                    if item.stage.name and (pipeline, item.stage.name) not in stages:
                        stages[(pipeline, item.stage.name)] = r.Stage(
                            f"{pipeline}/{item.stage.name}",
                            name=item.stage.name,
                            pipeline=r.Ref(pipeline, pipeline),
                        )
        structure.users = list(owners.values())
        structure.pipelines = list(pipelines.values())
        structure.stages = list(stages.values())
        self.structure = structure
        return structure

    def read(self, listing: str, *, resume_from=None) -> Iterator[tuple[r.Record | RowIssue, None]]:
        """Every row of the entity's file as a record or RowIssue; files resume by skipping rows."""
        for item in self.open(listing).read():
            yield item, None
