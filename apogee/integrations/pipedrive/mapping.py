"""Pure mapping from Pipedrive records to what Apogee will write, through the restructuring map.

No Django, no HTTP: the importer hands in records, the map and plain descriptions of both
sides (legacy pipelines and fields by id; Apogee's fields with their options), and gets
back plans — plain values ready for the services — plus the issues met on the way. Nothing
is decided in the importer that could be decided here, so the rules are tested without a
database.

Rules
- A deal lands in the Apogee pipeline its *current* legacy pipeline maps to. Its history is
  the deal flow translated stage by stage; moves in legacy pipelines that map elsewhere are
  left out (an RFI deal moved into ESA Sales keeps its Sales past only), and stages that land
  together collapse into one stay. Without a flow, the history is the current stage since
  the deal was added.
- Qualification values implied by the legacy pipeline (ESA Sales → opportunity type ESA) are
  set unless the deal's own custom fields say otherwise.
- A legacy custom value is converted to the Apogee field's type; an option is found by the
  map's option table, else by its label among the Apogee field's options; an option found
  nowhere follows the map's `unmapped_option` (keep: a new option is created; drop: the value
  is left out with a warning; error: the record is skipped).
- Deleted deals land in the trash (Pipedrive keeps them 30 days; so does Apogee's trash).
"""

import re
import unicodedata
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from . import records as r
from .restructuring import RestructuringMap, StageTarget, Unmapped, normalize, translate_history

# Pipedrive field type → the Apogee type a "create" rule gives the new field.
CREATED_TYPES = {
    "varchar": "text",
    "varchar_auto": "text",
    "varchar_options": "text",
    "phone": "text",
    "text": "long_text",
    "double": "number",
    "int": "number",
    "monetary": "monetary",
    "date": "date",
    "enum": "single_option",
    "set": "multiple_options",
    "user": "user",
    "org": "organization",
    "people": "person",
    "boolean": "boolean",
    "address": "long_text",
}
DEFAULT_CREATED_TYPE = "text"


@dataclass(frozen=True)
class Issue:
    level: str  # error, warning, unmapped, duplicate
    message: str


@dataclass
class TargetField:
    """An Apogee custom field as the mapping needs it: type and options (key → label)."""

    key: str
    field_type: str
    options: dict[str, str] = field(default_factory=dict)

    def option_by_label(self, label: str) -> str | None:
        wanted = normalize(label)
        for key, option_label in self.options.items():
            if normalize(option_label) == wanted or normalize(key) == wanted:
                return key
        return None


@dataclass
class Legacy:
    """The legacy structure, by Pipedrive id: pipeline names, stages, custom field definitions."""

    pipelines: dict[str, str]  # id → name
    stages: dict[str, tuple[str, str]]  # id → (pipeline id, stage name)
    fields: dict[str, dict[str, r.Field]]  # entity → field key → definition
    users: dict[str, r.User] = field(default_factory=dict)  # id → user

    def stage_name(self, ref: r.Ref) -> tuple[str | None, str | None]:
        """(legacy pipeline name, stage name) of a stage reference."""
        if ref.id and ref.id in self.stages:
            pipeline_id, name = self.stages[ref.id]
            return self.pipelines.get(pipeline_id), name
        return None, ref.name

    def pipeline_name(self, ref: r.Ref) -> str | None:
        if ref.id and ref.id in self.pipelines:
            return self.pipelines[ref.id]
        return ref.name


@dataclass
class NewOption:
    """An option the importer must add to an Apogee field before writing (policy keep)."""

    field_key: str
    key: str
    label: str


@dataclass
class CustomValues:
    values: dict[str, Any] = field(default_factory=dict)
    builtins: dict[str, Any] = field(default_factory=dict)
    new_options: list[NewOption] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    refused: bool = False


@dataclass
class DealPlan:
    source_id: str
    title: str
    pipeline: str
    history: list[tuple[str | None, datetime]]  # (Apogee stage name, None = first stage; when)
    status: str
    value: Decimal
    currency: str
    owner: str | None  # Apogee username
    organization: str | None  # Pipedrive organization id or synthetic id
    person: str | None
    expected_close_date: Any
    won_at: datetime | None
    lost_at: datetime | None
    lost_reason: str
    deleted: bool
    custom: CustomValues
    issues: list[Issue] = field(default_factory=list)


def slug(text: str) -> str:
    """An Apogee field or option key from a legacy label: "Programme ESA" → "programme_esa"."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    key = re.sub(r"[^a-z0-9]+", "_", folded).strip("_")
    return (key or "field")[:60]


def field_key(name: str, reserved: Collection[str] = ()) -> str:
    """The key of a field created for a legacy one: a slug that starts with a letter and does not
    shadow a built-in field ("Status" → "status_legacy", "2nd contact" → "f_2nd_contact")."""
    key = slug(name)
    if not key[0].isalpha():
        key = f"f_{key}"[:60]
    if key in reserved:
        key = f"{key[:53]}_legacy"
    return key


def _option_key(
    target: TargetField, label: str | None, option_id: str | None, rule_option, policy: str, out: CustomValues
) -> str | None:
    if not label:
        # An option id the field definition no longer knows (not even among deleted options):
        # there is no label to map or to create an option from.
        out.issues.append(Issue("unmapped", f"{target.key}: option id {option_id} unknown (left out)"))
        return None
    key = rule_option(label) or target.option_by_label(label)
    if key:
        return key
    if policy == "keep":
        key = slug(label)
        if key not in target.options:
            target.options[key] = label
            out.new_options.append(NewOption(target.key, key, label))
        return key
    message = f"{target.key}: no option for “{label}”"
    if policy == "error":
        out.refused = True
        out.issues.append(Issue("unmapped", message))
    else:
        out.issues.append(Issue("unmapped", message + " (left out)"))
    return None


def _convert(value: Any, target: TargetField, rule, policy: str, out: CustomValues) -> Any:
    """A normalized legacy value as the Apogee field stores it (validated again by the service)."""
    kind = target.field_type
    if isinstance(value, r.OptionRef):
        if kind not in ("single_option", "multiple_options"):
            return value.label or value.id
        value = [value] if kind == "multiple_options" else value
    if kind == "single_option":
        option = value[0] if isinstance(value, list) and value else value
        if isinstance(option, r.OptionRef):
            return _option_key(target, option.label, option.id, rule.option_for, policy, out)
        return _option_key(target, str(option), None, rule.option_for, policy, out)
    if kind == "multiple_options":
        options = value if isinstance(value, list) else [value]
        keys = []
        for option in options:
            label, option_id = (
                (option.label, option.id) if isinstance(option, r.OptionRef) else (str(option), None)
            )
            key = _option_key(target, label, option_id, rule.option_for, policy, out)
            if key:
                keys.append(key)
        return keys or None
    if isinstance(value, r.Money):
        return (
            {"amount": value.amount, "currency": value.currency} if kind == "monetary" else str(value.amount)
        )
    if isinstance(value, r.DateRange):
        return " – ".join(d.isoformat() for d in (value.start, value.until) if d)
    if isinstance(value, r.Address):
        return value.value or ", ".join(
            part
            for part in (value.route, value.street_number, value.postal_code, value.locality, value.country)
            if part
        )
    if isinstance(value, r.Ref):
        # References to legacy users, organizations and persons are resolved by the importer.
        return value
    if isinstance(value, list):
        return ", ".join(o.label or o.id or "" if isinstance(o, r.OptionRef) else str(o) for o in value)
    if kind in ("text", "long_text") and not isinstance(value, str):
        return value.isoformat() if hasattr(value, "isoformat") else str(value)
    return value


def custom_values(
    entity: str,
    values: dict[str, Any],
    *,
    legacy_fields: dict[str, r.Field],
    targets: dict[str, TargetField],
    the_map: RestructuringMap,
    reserved: Collection[str] = (),
) -> CustomValues:
    """The Apogee custom values (and built-in fields) of one record's legacy custom values.

    `targets` are the Apogee fields of the entity; a field the map says to create is added to
    it (the importer creates the definition before writing the record)."""
    out = CustomValues()
    for source_key, value in values.items():
        if value is None or value == "" or value == []:
            continue
        definition = legacy_fields.get(source_key)
        name = definition.name if definition else source_key
        rule = the_map.field_rule(entity, name)
        if rule.action == "drop":
            continue
        if rule.builtin:
            out.builtins[rule.builtin] = _plain(value)
            continue
        key = rule.to if rule.action == "map" else field_key(name, reserved)
        target = targets.get(key)
        if target is None:
            if rule.action == "map":
                out.issues.append(Issue("unmapped", f"{name}: Apogee has no field “{key}”"))
                continue
            target = TargetField(
                key, CREATED_TYPES.get(definition.field_type if definition else "", DEFAULT_CREATED_TYPE)
            )
            targets[key] = target
        converted = _convert(value, target, rule, the_map.unmapped_option, out)
        if converted is not None:
            out.values[key] = converted
    return out


def _implied(key: str, value: Any, targets: dict[str, TargetField], out: CustomValues) -> Any:
    """A qualification value the map implies, given as option keys: missing options are added."""
    target = targets.get(key)
    if target is not None and target.field_type in ("single_option", "multiple_options"):
        for option in value if isinstance(value, list) else [value]:
            if option not in target.options:
                target.options[option] = str(option).replace("_", " ").capitalize()
                out.new_options.append(NewOption(key, option, target.options[option]))
    return value


def _plain(value: Any) -> Any:
    if isinstance(value, r.OptionRef):
        return value.label or value.id
    if isinstance(value, r.Money):
        return value.amount
    return value


def _history(
    deal: r.Deal, pipeline_name: str, flow: list[r.StageChange], legacy: Legacy, the_map: RestructuringMap
) -> tuple[str, list[tuple[StageTarget, datetime]], list[Issue]]:
    issues: list[Issue] = []
    final = the_map.stage_for(pipeline_name, legacy.stage_name(deal.stage)[1])
    created = deal.add_time
    raw: list[tuple[r.Ref, datetime]] = []
    moves = sorted(flow, key=lambda change: change.at)
    if moves:
        if moves[0].from_stage:
            raw.append((moves[0].from_stage, created or moves[0].at))
        raw += [(change.to_stage, change.at) for change in moves]
    else:
        raw.append((deal.stage, created or deal.stage_change_time or deal.update_time))
    targets: list[tuple[StageTarget, datetime]] = []
    for ref, when in raw:
        if when is None:
            continue
        legacy_pipeline, stage_name = legacy.stage_name(ref)
        try:
            target = the_map.stage_for(legacy_pipeline or pipeline_name, stage_name)
        except Unmapped as missing:
            issues.append(Issue("unmapped", str(missing)))
            continue
        if target.pipeline == final.pipeline:
            targets.append((target, when))
    if not targets or targets[-1][0].stage != final.stage:
        targets.append((final, deal.stage_change_time or (targets[-1][1] if targets else created)))
    return final.pipeline, translate_history(targets), issues


def deal_plan(
    deal: r.Deal,
    *,
    flow: list[r.StageChange],
    legacy: Legacy,
    targets: dict[str, TargetField],
    the_map: RestructuringMap,
    reserved: Collection[str] = (),
) -> DealPlan | Issue:
    """What to write for one legacy deal, or why it cannot be written."""
    pipeline_name = legacy.pipeline_name(deal.pipeline)
    if not pipeline_name:
        return Issue("error", "The deal has no pipeline.")
    try:
        pipeline, history, issues = _history(deal, pipeline_name, flow, legacy, the_map)
    except Unmapped as missing:
        return Issue("unmapped", str(missing))
    if not history or history[0][1] is None:
        return Issue("error", "The deal has no date to start its history from.")
    custom = custom_values(
        "deal",
        deal.custom,
        legacy_fields=legacy.fields.get("deal", {}),
        targets=targets,
        the_map=the_map,
        reserved=reserved,
    )
    if custom.refused:
        return custom.issues[-1]
    for key, value in history[-1][0].values.items():
        if key not in custom.values:
            custom.values[key] = _implied(key, value, targets, custom)
    owner = legacy.users.get(deal.owner.id) if deal.owner.id else None
    status = {"deleted": "open"}.get(deal.status, deal.status)
    return DealPlan(
        source_id=deal.source_id,
        title=deal.title,
        pipeline=pipeline,
        history=[(target.stage, when) for target, when in history],
        status=status,
        value=deal.value,
        currency=deal.currency,
        owner=the_map.user_for(owner.name if owner else deal.owner.name, owner.email if owner else None),
        organization=deal.organization.id
        or (f"name:{normalize(deal.organization.name)}" if deal.organization.name else None),
        person=deal.person.id or (f"name:{normalize(deal.person.name)}" if deal.person.name else None),
        expected_close_date=deal.expected_close_date,
        won_at=(deal.won_time or deal.close_time or deal.update_time) if status == "won" else None,
        lost_at=(deal.lost_time or deal.close_time or deal.update_time) if status == "lost" else None,
        lost_reason=deal.lost_reason if status == "lost" else "",
        deleted=deal.status == "deleted" or deal.is_deleted,
        custom=custom,
        issues=issues + custom.issues,
    )
