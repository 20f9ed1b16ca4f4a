"""The column mapping of an export file: what every header means, decided before any row is read.

`map_columns` looks at the header row only. Each column becomes a ColumnMap: a built-in field
of the record (possibly through an alias or a French label), a custom field by display name,
a column of a linked record (a "Person - Email - Work" in a deals file), or ignored, always
with the reason, so that the UI can show the whole mapping before anything is written.
"""

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from apogee.integrations.pipedrive.exportfiles import vocabulary as words
from apogee.integrations.pipedrive.exportfiles.values import fold

FIELD, CUSTOM, LINKED, IGNORED = "field", "custom", "linked", "ignored"

# Pipedrive field types (research/integrations.md §2.8) → how a custom column's values are read.
CUSTOM_KINDS = {
    "varchar": "text",
    "varchar_auto": "text",
    "varchar_options": "text",
    "text": "text",
    "phone": "text",
    "time": "text",
    "timerange": "text",
    "status": "text",
    "visible_to": "text",
    "stage": "text",
    "address": "text",
    "double": "number",
    "int": "number",
    "monetary": "number",
    "date": "date",
    "daterange": "daterange",
    "enum": "option",
    "set": "options",
    "boolean": "boolean",
    "user": "ref_name",
    "org": "ref_name",
    "people": "ref_name",
    "deal": "ref_name",
    "lead": "ref_name",
}

_DASHES = str.maketrans({"\u2013": "-", "\u2014": "-", "\u2010": "-", "\u2011": "-", "\u2019": "'"})
_PREFIX = re.compile(r"\s+[-\u2013\u2014]\s+")
_CONNECTOR = re.compile(r"\s+(?:of\s+|de\s+l'\s*|de\s+la\s+|du\s+|de\s+|d'\s*)", re.IGNORECASE)


@dataclass(frozen=True)
class ColumnMap:
    """One column: `kind` is field, custom, linked or ignored; `reason` is a stable code, `note` says why.

    For a field, `target` is the record attribute ("title", "owner.name", "address.postal_code",
    "emails" with `label` "work"); for a custom column it is the key in the record's `custom`
    (the display name, " (2)" for a second column of the same name) and `part` tells the amount
    or currency of a monetary field, or the part of an address. `fallback` marks a linked
    column that fills a reference only where the record's own column is empty.
    """

    index: int
    header: str
    kind: str
    target: str = ""
    value_kind: str = ""
    reason: str = ""
    note: str = ""
    label: str = ""
    part: str = ""
    fallback: bool = False


@dataclass(frozen=True)
class ColumnMapping:
    entity: str
    columns: tuple[ColumnMap, ...]
    missing_required: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()

    @property
    def is_usable(self) -> bool:
        return not self.missing_required

    def custom_fields(self) -> dict[str, str]:
        """Custom field key → how its values are read (number, date, monetary, address, …)."""
        kinds: dict[str, str] = {}
        for column in self.columns:
            if column.kind == CUSTOM:
                if column.part in ("amount", "currency"):
                    kinds[column.target] = "monetary"
                elif column.part:
                    kinds[column.target] = "address"
                else:
                    kinds.setdefault(column.target, column.value_kind)
        return kinds


def normalize_header(text: str) -> str:
    return fold(text.translate(_DASHES)).rstrip("*").strip()


def _clean(text: str) -> str:
    """The header as written, less runs of spaces and the trailing "*" of a required column."""
    return " ".join(str(text or "").split()).rstrip("*").strip()


def _build_tables() -> dict[str, dict[str, tuple[str, str, bool]]]:
    tables: dict[str, dict[str, tuple[str, str, bool]]] = {}
    for entity, fields in words.FIELDS.items():
        table: dict[str, tuple[str, str, bool]] = {}
        for target, kind, labels in fields:
            for position, label in enumerate(labels):
                key = normalize_header(label)
                assert key not in table, f"{entity}: label {label!r} is listed twice"
                table[key] = (target, kind, position == 0)
        tables[entity] = table
    return tables


TABLES = _build_tables()
_PREFIXES = {fold(word): entity for entity, prefixes in words.PREFIXES.items() for word in prefixes}
_ADDRESS_PARTS = {fold(label): part for label, part in words.ADDRESS_PARTS.items()}
_CONTACT_LABELS = {fold(label): name for label, name in words.CONTACT_LABELS.items()}
_OWN_ADDRESS = {"address", "adresse"}
_OWN_MONEY = {"deal": {"value", "valeur"}, "lead": {"value", "valeur"}, "product": {"price", "prix"}}


def split_header(header: str) -> tuple[str | None, str]:
    """("deal", "Title") for "Deal - Title"; (None, header) when there is no known entity prefix."""
    parts = _PREFIX.split(_clean(header), maxsplit=1)
    if len(parts) == 2 and fold(parts[0]) in _PREFIXES:
        return _PREFIXES[fold(parts[0])], parts[1]
    return None, _clean(header)


def detect_entity(headers: Sequence[str], filename: str = "") -> str | None:
    """The entity whose prefix most headers carry, else the one the file name suggests."""
    counts = Counter(entity for entity, _ in map(split_header, headers) if entity)
    if counts:
        return counts.most_common(1)[0][0]
    name = fold(filename)
    for entity, hints in words.FILENAME_HINTS.items():
        if any(hint in name for hint in hints):
            return entity
    return None


def _part_of(text: str, parts: Mapping[str, str] | Sequence[str]) -> tuple[str, str] | None:
    """("postal_code", "Address") for "ZIP/Postal code of Address"; None when no known part leads."""
    for match in _CONNECTOR.finditer(text):
        head = fold(text[: match.start()])
        if head in parts:
            name = text[match.end() :].strip()
            part = parts[head] if isinstance(parts, Mapping) else head
            return (part, name) if name else None
    return None


def _contact(entity: str, key: str) -> tuple[str, str] | None:
    """("emails", "work") for "email - work", a split e-mail or phone column."""
    head, _, tail = key.partition(" - ")
    found = TABLES[entity].get(head)
    if found and found[1] == "contact" and tail in _CONTACT_LABELS:
        return found[0], _CONTACT_LABELS[tail]
    return None


def _own_column(entity: str, index: int, header: str, rest: str) -> ColumnMap:
    key = normalize_header(rest)
    found = TABLES[entity].get(key)
    if found:
        target, kind, canonical = found
        reason, note = (
            ("builtin", "Pipedrive field") if canonical else ("alias", "another name of this field")
        )
        return ColumnMap(index, header, FIELD, target, kind, reason, note)
    contact = _contact(entity, key)
    if contact:
        target, label = contact
        return ColumnMap(index, header, FIELD, target, "contact", "builtin", f"{label} {target}", label)
    currency = _part_of(rest, words.CURRENCY_PARTS)
    if currency and fold(currency[1]) in _OWN_MONEY.get(entity, ()):
        target = "price_currency" if entity == "product" else "currency"
        return ColumnMap(index, header, FIELD, target, "currency", "alias", "currency of the record's value")
    if currency and entity in words.HAS_CUSTOM:
        return ColumnMap(
            index,
            header,
            CUSTOM,
            currency[1],
            "currency",
            "currency_of",
            "currency of a monetary field",
            part="currency",
        )
    address = _part_of(rest, _ADDRESS_PARTS)
    if address:
        part, name = address
        if part == "subpremise":
            return ColumnMap(
                index, header, IGNORED, reason="not_in_records", note="addresses keep no apartment part"
            )
        if entity == "organization" and fold(name) in _OWN_ADDRESS:
            return ColumnMap(
                index, header, FIELD, f"address.{part}", "text", "address_part", "part of the address"
            )
        if entity in words.HAS_CUSTOM:
            return ColumnMap(
                index, header, CUSTOM, name, "text", "address_part", "part of the address", part=part
            )
    if key in words.COMPUTED:
        return ColumnMap(
            index, header, IGNORED, reason="computed", note="computed by Pipedrive from other records"
        )
    if entity in words.HAS_CUSTOM:
        return ColumnMap(
            index, header, CUSTOM, rest, "raw", "custom_field", "custom field, by its display name"
        )
    return ColumnMap(
        index, header, IGNORED, reason="no_custom_fields", note=f"{entity} records keep no custom fields"
    )


def _linked_column(entity: str, linked: str, index: int, header: str, rest: str) -> ColumnMap:
    found = TABLES[linked].get(normalize_header(rest))
    if entity == "lead" and linked == "deal" and not found:
        # Leads carry the deal custom fields: "Deal - Budget" in a leads file is the lead's own.
        return _own_column(entity, index, header, rest)
    if found and linked in words.REFERENCES[entity]:
        if found[0] == "source_id":
            target, kind = f"{linked}.id", "id"
        elif found[0] == words.NAME_TARGET[linked]:
            target, kind = f"{linked}.name", "text"
        else:
            target = ""
        if target:
            note = f"the linked {linked}, where the {entity}'s own column is empty"
            return ColumnMap(index, header, FIELD, target, kind, "linked_reference", note, fallback=True)
    contact = _contact(linked, normalize_header(rest))
    target = f"{linked}.{contact[0]}:{contact[1]}" if contact else f"{linked}.{found[0] if found else rest}"
    note = f"a column of the linked {linked}; {linked} records are read from their own file"
    return ColumnMap(index, header, LINKED, target, reason="linked_column", note=note)


def _numbered(columns: list[ColumnMap]) -> list[ColumnMap]:
    """Keep same-named columns apart: the second "Budget" becomes "Budget (2)", its currency too."""
    seen: Counter = Counter()
    fields_seen: set[tuple[str, str]] = set()
    numbered = []
    for column in columns:
        if column.kind == FIELD and not column.fallback and column.value_kind != "contact":
            if (column.target, column.label) in fields_seen:
                _, rest = split_header(column.header)
                column = replace(
                    column,
                    kind=CUSTOM,
                    target=rest,
                    value_kind="raw",
                    reason="duplicate",
                    note="a second column of the same name, kept as a custom field",
                )
            fields_seen.add((column.target, column.label))
        if column.kind == CUSTOM:
            slot = (fold(column.target), column.part)
            seen[slot] += 1
            if seen[slot] > 1:
                column = replace(column, target=f"{column.target} ({seen[slot]})")
        numbered.append(column)
    return numbered


def _custom_groups(columns: list[ColumnMap], types: Mapping[str, str]) -> list[ColumnMap]:
    """Join "Currency of X" to X (Money) and "<part> of X" columns to X (Address); apply field types."""
    monetary = {fold(c.target) for c in columns if c.kind == CUSTOM and c.part == "currency"}
    addresses = {
        fold(c.target) for c in columns if c.kind == CUSTOM and c.part not in ("", "currency", "amount")
    }
    grouped = []
    for column in columns:
        if column.kind == CUSTOM and not column.part:
            key = fold(column.target)
            declared = types.get(key) or types.get(fold(re.sub(r" \(\d+\)$", "", column.target)))
            if key in monetary or declared == "monetary":
                column = replace(
                    column, value_kind="number", part="amount", note="amount of a monetary field"
                )
            elif key in addresses or declared == "address":
                column = replace(
                    column, value_kind="text", part="value", note="full address of an address field"
                )
            elif declared:
                column = replace(
                    column, value_kind=CUSTOM_KINDS.get(declared, "raw"), note=f"{declared} field"
                )
        grouped.append(column)
    return grouped


def map_columns(
    headers: Sequence[str],
    entity: str,
    *,
    field_types: Mapping[str, str] | None = None,
    header_aliases: Mapping[str, str] | None = None,
) -> ColumnMapping:
    """The mapping of every column of a file of `entity` records, from its header row alone.

    `field_types` gives Pipedrive's type of custom fields by display name (for leads: the deal
    fields); `header_aliases` renames headers this reader does not know ("Obchod - Název" →
    "Deal - Title").
    """
    aliases = {normalize_header(source): target for source, target in (header_aliases or {}).items()}
    types = {fold(name): kind for name, kind in (field_types or {}).items()}
    columns = []
    for index, raw_header in enumerate(headers):
        header = _clean(raw_header)
        if not header:
            columns.append(
                ColumnMap(index, header, IGNORED, reason="empty_header", note="column without a header")
            )
            continue
        renamed = aliases.get(normalize_header(header), header)
        linked, rest = split_header(renamed)
        if linked is None or linked == entity:
            column = _own_column(entity, index, header, rest)
        else:
            column = _linked_column(entity, linked, index, header, rest)
        if renamed != header:
            column = replace(
                column, reason="header_alias", note=f"renamed to '{renamed}' by the header table"
            )
        columns.append(column)
    columns = _custom_groups(_numbered(columns), types)
    return ColumnMapping(entity, tuple(columns), _missing(entity, columns), _warnings(entity, columns))


def _missing(entity: str, columns: list[ColumnMap]) -> tuple[str, ...]:
    targets = {column.target for column in columns if column.kind == FIELD}
    if entity == "person" and targets & {"first_name", "last_name"}:
        targets.add("name")
    missing = [target for target in words.REQUIRED[entity] if target not in targets]
    return tuple(f"{entity.capitalize()} - {target.capitalize()}" for target in missing)


def _warnings(entity: str, columns: list[ColumnMap]) -> tuple[str, ...]:
    targets = {column.target for column in columns if column.kind == FIELD}
    warnings = []
    if "source_id" not in targets:
        warnings.append("No ID column: each record gets an id made from its name, stable across re-reads.")
    if entity == "deal" and "status" not in targets:
        warnings.append("No status column: every deal is read as open.")
    if entity == "deal" and not targets & {"stage.name", "stage.id", "stage+pipeline"}:
        warnings.append("No stage column: deals carry no stage.")
    return tuple(warnings)
