"""The restructuring map: where each legacy Pipedrive pipeline, stage, field, option and user goes.

A declarative YAML file, read and checked here (pure: no Django), then asked questions by the
importer. Example (the reference customer's full map ships as maps/reference.yaml):

    version: 1
    pipelines:
      ESA Sales:
        to: Sales
        values: {opportunity_type: esa}          # qualification this pipeline implied
        stages:
          Opportunity identified: Opportunity identified
          Proposal preparation: Proposal preparation
        unmapped_stage: first                    # or the name of an Apogee stage, or "error"
      Product:
        to: Sales
        values: {product_line: [motor]}
      "*": {to: Sales}                           # any other legacy pipeline
    fields:
      deal:
        Programme: {to: programme, options: {Horizon Europe: horizon_europe}}
        ESA reference: {to: "builtin:tender_reference"}
        Old internal code: drop
        "*": create                              # other custom fields: create | drop
    users:
      Marc Dubois: marc
      "*": sophie                                # who owns records of unknown or departed users
    unmapped_option: keep                        # keep (as a new option) | drop | error

Names are matched without regard to case, accents or repeated spaces, so "ESA  sales" finds
"ESA Sales". Every question has an answer or a reported reason: `stage_for` says which Apogee
pipeline and stage a legacy (pipeline, stage) lands in and what qualification values it sets;
`field_rule` what to do with a legacy custom field; `user_for` who owns a record.
"""

import unicodedata
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import yaml

T = TypeVar("T")
WILDCARD = "*"
BUILTIN_PREFIX = "builtin:"
FIELD_ENTITIES = ("deal", "person", "organization", "lead", "activity", "product")
FIELD_ACTIONS = ("map", "create", "drop")
OPTION_POLICIES = ("keep", "drop", "error")
STAGE_FALLBACKS = ("first", "error")


class MapError(ValueError):
    """The map file is not valid; `path` says where (e.g. "pipelines › ESA Sales › to")."""

    def __init__(self, path: list[str], message: str):
        self.path = path
        self.message = message
        super().__init__(f"{' › '.join(path) or 'map'}: {message}")


def normalize(name: str) -> str:
    """How names are compared: case, accents and repeated spaces do not matter."""
    folded = unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode()
    return " ".join(folded.casefold().split())


@dataclass(frozen=True)
class PipelineRule:
    legacy: str
    to: str
    values: dict[str, Any]
    stages: dict[str, str]  # normalized legacy stage name → Apogee stage name
    unmapped_stage: str  # "first", "error" or an Apogee stage name


@dataclass(frozen=True)
class StageTarget:
    pipeline: str
    stage: str | None  # None: the first stage of `pipeline` (the importer knows it)
    values: dict[str, Any]
    exact: bool  # False when a fallback rule chose the stage


@dataclass(frozen=True)
class FieldRule:
    action: str  # map, create or drop
    to: str | None = None  # Apogee custom field key, or "builtin:<field>"
    options: dict[str, str] = field(default_factory=dict)  # normalized legacy label → Apogee option key

    @property
    def builtin(self) -> str | None:
        return self.to[len(BUILTIN_PREFIX) :] if self.to and self.to.startswith(BUILTIN_PREFIX) else None

    def option_for(self, label: str) -> str | None:
        return self.options.get(normalize(label))


class Unmapped(LookupError):
    """A legacy name the map has no rule for and no fallback; the importer reports it and skips."""

    def __init__(self, kind: str, name: str, detail: str = ""):
        self.kind = kind
        self.name = name
        suffix = f" {detail}" if detail else ""
        super().__init__(f"No rule for the legacy {kind} “{name}”{suffix}")


@dataclass
class RestructuringMap:
    pipelines: dict[str, PipelineRule]  # normalized legacy name → rule
    default_pipeline: PipelineRule | None
    fields: dict[str, dict[str, FieldRule]]  # entity → normalized legacy field name → rule
    default_field_action: dict[str, str]  # entity → create | drop
    users: dict[str, str]  # normalized legacy user name or e-mail → Apogee username
    default_user: str | None
    unmapped_option: str = "keep"

    def stage_for(self, legacy_pipeline: str, legacy_stage: str | None) -> StageTarget:
        rule = self.pipelines.get(normalize(legacy_pipeline)) or self.default_pipeline
        if rule is None:
            raise Unmapped("pipeline", legacy_pipeline)
        if legacy_stage is not None and normalize(legacy_stage) in rule.stages:
            return StageTarget(rule.to, rule.stages[normalize(legacy_stage)], dict(rule.values), exact=True)
        if rule.unmapped_stage == "error":
            raise Unmapped("stage", legacy_stage or "", f"in the pipeline “{legacy_pipeline}”")
        stage = None if rule.unmapped_stage == "first" else rule.unmapped_stage
        return StageTarget(rule.to, stage, dict(rule.values), exact=False)

    def field_rule(self, entity: str, legacy_name: str) -> FieldRule:
        rule = self.fields.get(entity, {}).get(normalize(legacy_name))
        if rule is not None:
            return rule
        return FieldRule(action=self.default_field_action.get(entity, "create"))

    def user_for(self, *names: str | None) -> str | None:
        """The Apogee username for the first of the legacy user's name or e-mail the map knows."""
        for name in names:
            if name and normalize(name) in self.users:
                return self.users[normalize(name)]
        return self.default_user

    def target_pipelines(self) -> set[str]:
        rules = [*self.pipelines.values(), *([self.default_pipeline] if self.default_pipeline else [])]
        return {rule.to for rule in rules}


def _mapping(value: Any, path: list[str]) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise MapError(path, "expected a mapping of names to rules")
    return value


def _text(value: Any, path: list[str]) -> str:
    if not isinstance(value, str | int | float) or isinstance(value, bool) or not str(value).strip():
        raise MapError(path, "expected a name")
    return str(value).strip()


def _pipeline_rule(legacy: str, raw: Any, path: list[str]) -> PipelineRule:
    if isinstance(raw, str):
        raw = {"to": raw}
    raw = _mapping(raw, path)
    unknown = set(raw) - {"to", "values", "stages", "unmapped_stage"}
    if unknown:
        raise MapError(path, f"unknown keys: {', '.join(sorted(unknown))}")
    if "to" not in raw:
        raise MapError(path, "say which Apogee pipeline it goes to (to: …)")
    to = _text(raw["to"], [*path, "to"])
    values = _mapping(raw.get("values"), [*path, "values"])
    for key, value in values.items():
        if isinstance(value, dict):
            raise MapError([*path, "values", str(key)], "expected a value or a list of values")
    stages = {}
    for legacy_stage, target in _mapping(raw.get("stages"), [*path, "stages"]).items():
        stages[normalize(_text(legacy_stage, [*path, "stages"]))] = _text(
            target, [*path, "stages", str(legacy_stage)]
        )
    unmapped = str(raw.get("unmapped_stage", "first")).strip() or "first"
    return PipelineRule(legacy=legacy, to=to, values=dict(values), stages=stages, unmapped_stage=unmapped)


def _field_rule(raw: Any, path: list[str]) -> FieldRule:
    if isinstance(raw, str):
        if raw in FIELD_ACTIONS:
            return FieldRule(action=raw)
        return FieldRule(action="map", to=raw.strip())
    raw = _mapping(raw, path)
    unknown = set(raw) - {"to", "action", "options"}
    if unknown:
        raise MapError(path, f"unknown keys: {', '.join(sorted(unknown))}")
    to = _text(raw["to"], [*path, "to"]) if raw.get("to") is not None else None
    action = raw.get("action") or ("map" if to else "create")
    if action not in FIELD_ACTIONS:
        raise MapError([*path, "action"], f"choose one of {', '.join(FIELD_ACTIONS)}")
    if action == "map" and not to:
        raise MapError(path, "a mapped field needs to: <Apogee field key>")
    options = {
        normalize(_text(label, [*path, "options"])): _text(key, [*path, "options", str(label)])
        for label, key in _mapping(raw.get("options"), [*path, "options"]).items()
    }
    return FieldRule(action=action, to=to, options=options)


def parse_map(data: dict) -> RestructuringMap:
    """A map from already-loaded data (e.g. yaml.safe_load); raises MapError with the path at fault."""
    data = _mapping(data, [])
    unknown = set(data) - {"version", "pipelines", "fields", "users", "unmapped_option"}
    if unknown:
        raise MapError([], f"unknown keys: {', '.join(sorted(unknown))}")
    if data.get("version", 1) != 1:
        raise MapError(["version"], "only version 1 is known")
    pipelines, default_pipeline = {}, None
    for legacy, raw in _mapping(data.get("pipelines"), ["pipelines"]).items():
        name = _text(legacy, ["pipelines"])
        rule = _pipeline_rule(name, raw, ["pipelines", name])
        if name == WILDCARD:
            default_pipeline = rule
        else:
            pipelines[normalize(name)] = rule
    fields: dict[str, dict[str, FieldRule]] = {}
    defaults: dict[str, str] = {}
    for entity, rules in _mapping(data.get("fields"), ["fields"]).items():
        if entity not in FIELD_ENTITIES:
            raise MapError(["fields", str(entity)], f"choose one of {', '.join(FIELD_ENTITIES)}")
        fields[entity] = {}
        for legacy, raw in _mapping(rules, ["fields", entity]).items():
            name = _text(legacy, ["fields", entity])
            if name == WILDCARD:
                if raw not in ("create", "drop"):
                    raise MapError(["fields", entity, WILDCARD], "choose create or drop")
                defaults[entity] = raw
            else:
                fields[entity][normalize(name)] = _field_rule(raw, ["fields", entity, name])
    users, default_user = {}, None
    for legacy, username in _mapping(data.get("users"), ["users"]).items():
        name = _text(legacy, ["users"])
        target = _text(username, ["users", name])
        if name == WILDCARD:
            default_user = target
        else:
            users[normalize(name)] = target
    policy = data.get("unmapped_option", "keep")
    if policy not in OPTION_POLICIES:
        raise MapError(["unmapped_option"], f"choose one of {', '.join(OPTION_POLICIES)}")
    return RestructuringMap(
        pipelines=pipelines,
        default_pipeline=default_pipeline,
        fields=fields,
        default_field_action=defaults,
        users=users,
        default_user=default_user,
        unmapped_option=policy,
    )


def load_map(text: str) -> RestructuringMap:
    """Read a YAML map; a syntax error is a MapError with the line, like any other mistake."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else "map"
        raise MapError([where], "this is not valid YAML") from None
    return parse_map(data or {})


def translate_history(moves: Sequence[tuple[StageTarget, T]]) -> list[tuple[StageTarget, T]]:
    """A deal's legacy stage moves (target, moment) seen through the map: two legacy stages that
    land in the same Apogee stage are one stay, so consecutive repeats collapse to the first."""
    translated: list[tuple[StageTarget, T]] = []
    for target, moment in moves:
        if translated and (translated[-1][0].pipeline, translated[-1][0].stage) == (
            target.pipeline,
            target.stage,
        ):
            continue
        translated.append((target, moment))
    return translated


def check_against(
    the_map: RestructuringMap,
    *,
    stages: Mapping[str, Sequence[str]],
    field_keys: Mapping[str, Collection[str]],
    builtin_fields: Mapping[str, Collection[str]],
    usernames: Collection[str],
) -> list[MapError]:
    """Everything the map names that the Apogee workspace does not have: pipelines, stages,
    fields (custom keys and built-ins per entity), users. Values are checked by the importer."""
    problems = []
    rules = [*the_map.pipelines.values(), *([the_map.default_pipeline] if the_map.default_pipeline else [])]
    for rule in rules:
        path = ["pipelines", rule.legacy]
        if rule.to not in stages:
            problems.append(MapError([*path, "to"], f"Apogee has no pipeline “{rule.to}”"))
            continue
        named = [
            *rule.stages.values(),
            *([] if rule.unmapped_stage in STAGE_FALLBACKS else [rule.unmapped_stage]),
        ]
        for stage in named:
            if stage not in stages[rule.to]:
                problems.append(MapError([*path, "stages"], f"“{rule.to}” has no stage “{stage}”"))
    for entity, rules_by_name in the_map.fields.items():
        for rule in rules_by_name.values():
            if rule.action != "map":
                continue
            known = builtin_fields.get(entity, ()) if rule.builtin else field_keys.get(entity, ())
            if (rule.builtin or rule.to) not in known:
                problems.append(MapError(["fields", entity], f"Apogee has no {entity} field “{rule.to}”"))
    for username in {*the_map.users.values(), *([the_map.default_user] if the_map.default_user else [])}:
        if username not in usernames:
            problems.append(MapError(["users"], f"Apogee has no user “{username}”"))
    return problems
