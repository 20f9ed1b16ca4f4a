"""What a run says to the people signing off the migration: the per-entity report and its CSV,
and the reconciliation of what the source held against what Apogee now holds.

The reconciliation is measured, not remembered: source counts and legacy values are what
the run read (skipped records included), imported counts and new-pipeline values are read
back from the database through the links this run wrote or found unchanged (a link names
the last run that saw its record). A record lost anywhere shows as a difference.
"""

import csv
import io
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Case, Count, Sum, When

from apogee.deals.models import Deal
from apogee.integrations.pipedrive.models import ImportIssue, ImportLink, ImportRun, IssueLevel

# The entities a report shows, in the order they are imported.
REPORTED = ("organization", "person", "product", "deal", "lead", "activity", "note")


@dataclass
class EntityLine:
    entity: str
    source: int = 0
    created: int = 0
    updated: int = 0
    merged: int = 0  # linked to a record Apogee held already, which kept its own values
    unchanged: int = 0
    skipped: int = 0
    failed: int = 0
    issues: dict[str, int] = field(default_factory=dict)  # level → count
    in_apogee: int = 0  # records this run created, updated or found unchanged, as the database holds them

    @property
    def imported(self) -> int:
        return self.created + self.updated + self.merged + self.unchanged

    @property
    def balanced(self) -> bool:
        return self.source == self.imported + self.skipped + self.failed


@dataclass
class ValueLine:
    pipeline: str
    currency: str
    amount: Decimal
    deals: int | None = None


@dataclass
class Reconciliation:
    entities: list[EntityLine]
    legacy_values: list[ValueLine]
    new_values: list[ValueLine]
    trashed_values: list[ValueLine]
    totals: dict[str, tuple[Decimal, Decimal]]  # currency → (legacy, Apogee incl. trash)

    @property
    def values_balance(self) -> bool:
        return all(legacy == new for legacy, new in self.totals.values())


def entity_lines(run: ImportRun) -> list[EntityLine]:
    issues: dict[str, dict[str, int]] = defaultdict(dict)
    for row in ImportIssue.objects.filter(run=run).values("entity", "level").annotate(n=Count("id")):
        issues[row["entity"]][row["level"]] = row["n"]
    linked = dict(
        ImportLink.objects.filter(run=run)
        .values_list("entity")
        .annotate(n=Count("id"))
        .values_list("entity", "n")
    )
    lines = []
    for entity in REPORTED:
        counts = run.counts.get(entity, {})
        lines.append(
            EntityLine(
                entity=entity,
                **{
                    key: counts.get(key, 0) for key in ("source", "created", "updated", "merged", "unchanged")
                },
                skipped=counts.get("skipped", 0),
                failed=counts.get("failed", 0),
                issues=issues.get(entity, {}),
                in_apogee=linked.get(entity, 0),
            )
        )
    return lines


def reconciliation(run: ImportRun) -> Reconciliation:
    legacy = [
        ValueLine(pipeline, currency, Decimal(amount))
        for pipeline, by_currency in sorted(run.source_values.items())
        for currency, amount in sorted(by_currency.items())
    ]
    linked = ImportLink.objects.filter(entity="deal", run=run).values("object_id")
    rows = (
        Deal.objects.filter(pk__in=linked)
        .annotate(live=Case(When(deleted_at__isnull=True, then=True), default=False))
        .values("pipeline__name", "currency", "live")
        .annotate(amount=Sum("value"), deals=Count("id"))
        .order_by("pipeline__name", "currency")
    )
    new, trashed = [], []
    for row in rows:
        line = ValueLine(row["pipeline__name"], row["currency"], row["amount"] or Decimal(0), row["deals"])
        (new if row["live"] else trashed).append(line)
    totals: dict[str, list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    for line in legacy:
        totals[line.currency][0] += line.amount
    for line in new + trashed:
        totals[line.currency][1] += line.amount
    return Reconciliation(
        entities=entity_lines(run),
        legacy_values=legacy,
        new_values=new,
        trashed_values=trashed,
        totals={currency: (pair[0], pair[1]) for currency, pair in sorted(totals.items())},
    )


def report_csv(run: ImportRun) -> str:
    """The run's report as CSV: one line per entity with its counts, then every issue."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["section", "entity", "source_id", "row", "level", "message"])
    verb = "would be " if run.dry_run else ""
    for line in entity_lines(run):
        summary = (
            f"read {line.source}; {verb}created {line.created}; {verb}updated {line.updated}; "
            f"{verb}merged {line.merged}; unchanged {line.unchanged}; "
            f"skipped {line.skipped}; failed {line.failed}"
        )
        writer.writerow(["summary", line.entity, "", "", "", summary])
    for entity, info in run.files.items():
        for column in info.get("columns", []):
            read_as = f"{column['kind']} {column['target']}".strip()
            note = f" ({column['note']})" if column.get("note") else ""
            writer.writerow(
                ["column", entity, "", "", "", _safe_cell(f"{column['header']} → {read_as}{note}")]
            )
    for issue in ImportIssue.objects.filter(run=run).order_by("id").iterator(chunk_size=2000):
        writer.writerow(
            [
                "issue",
                issue.entity,
                issue.source_id,
                issue.row or "",
                issue.level,
                _safe_cell(issue.message),
            ]
        )
    return out.getvalue()


def _safe_cell(text: str) -> str:
    # A spreadsheet would run a cell starting with = + - @ as a formula (CSV injection).
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def issue_levels() -> list[tuple[str, str]]:
    return list(IssueLevel.choices)
