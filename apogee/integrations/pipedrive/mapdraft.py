"""A first restructuring map for a new account: what `apogee pipedrive map --init` writes.

Pure (no Django): the command hands in the legacy structure (`DraftInput`: Pipedrive pipelines,
stages, custom field definitions, users) and the Apogee workspace's (`DraftTarget`), and gets
back YAML text that `restructuring.load_map` accepts as is and a person then edits. Every
choice that is not an exact name match carries a comment saying it is a guess.

How the guesses are made
- Pipelines: the Apogee pipeline of the same name (`restructuring.normalize`), else the one
  sharing the most words, else a keyword ("rfi" → RFI, "ccn" / "change" → CCN, "mission" →
  Missions), else "Sales" (or the first Apogee pipeline). A pipeline merged into one of another
  name whose name names an option of an Apogee deal field ("ESA Sales" → opportunity type ESA)
  gets a commented `values:` suggestion.
- Stages: the Apogee stage of the same name, else the one sharing words (weighed by how close
  the two sit in their pipelines), else by position: stage i of n → stage
  round(i × (m − 1) / (n − 1)) of the m Apogee stages (rounded half up). Deleted pipelines and
  stages are listed too: old deals and stage histories still name them.
- Custom fields: the Apogee field whose label (or key) is the legacy name, with an option table
  for the labels that match (exactly, or guessed when the words of one contain the other's);
  the other labels are listed as comments. Other fields: `create`.
- Users: by e-mail, then by name; the others are listed as comments and fall to "*": the
  target's `default_user`, else the first user whose username or name says "admin", else the
  first user.
Every pipeline says `unmapped_stage: first` and a "*" pipeline catches the rest, so every
legacy (pipeline, stage) has an answer. The output depends only on the input's content, not on
the order of its lists (except the Apogee pipelines' and users' order, which is meaningful).
"""

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

import yaml

from . import records as r
from .mapping import CREATED_TYPES, DEFAULT_CREATED_TYPE, slug
from .restructuring import FIELD_ENTITIES, WILDCARD, normalize

OPTION_KINDS = ("enum", "set")
TARGET_OPTION_KINDS = ("single_option", "multiple_options")
GUESS = "check"
# Words of a legacy pipeline name → the Apogee pipeline they suggest (when the workspace has it).
KEYWORDS = (("rfi", "RFI"), ("ccn", "CCN"), ("change", "CCN"), ("mission", "Missions"))
DEFAULT_PIPELINE = "Sales"
# fmt: off
STOPWORDS = frozenset({
    "a", "an", "the", "at", "of", "to", "in", "on", "for", "and", "or", "with", "by", "de", "du",
    "des", "la", "le", "les", "l", "d", "et", "en", "au", "aux",
})
# fmt: on
NEGATIONS = frozenset({"non", "not", "no", "other", "others", "hors", "sans", "ex"})
# Words stage names use for the same step, compared as one ("Quote sent" ~ "Proposal at customer").
SYNONYMS = {
    "quote": "proposal",
    "quotation": "proposal",
    "offer": "proposal",
    "sent": "customer",
    "submitted": "customer",
    "negotiating": "negotiation",
}
# Stage names: how much the distance between the two stages' relative positions counts
# against the share of words they have in common.
POSITION_WEIGHT = 0.5
# PyYAML refuses implicit keys longer than 1024 characters.
MAX_KEY_LENGTH = 1000
_BREAKS = re.compile(r"[\r\n\x85\u2028\u2029\t]")
_NON_PRINTABLE = re.compile("[^\x20-\x7e\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]|\ufeff")


@dataclass
class DraftInput:
    """The legacy structure, as the readers normalize it."""

    pipelines: list[r.Pipeline]
    stages: list[r.Stage]
    fields: dict[str, dict[str, r.Field]] = field(default_factory=dict)  # entity → key → definition
    users: list[r.User] = field(default_factory=list)
    # Option labels seen in the records' values (entity → field key → labels), for fields whose
    # definition lists none or not all (file exports, options deleted long ago).
    observed_options: dict[str, dict[str, list[str]]] = field(default_factory=dict)


@dataclass
class DraftTarget:
    """The Apogee workspace's structure."""

    pipelines: dict[str, list[str]]  # pipeline name → its stage names, in order
    # entity → field key → (label, field type, option key → option label)
    fields: dict[str, dict[str, tuple[str, str, dict[str, str]]]] = field(default_factory=dict)
    users: list[tuple[str, str, str]] = field(default_factory=list)  # (username, full name, e-mail)
    default_user: str | None = None  # who gets "*"; None: guessed (see the module docstring)


# -- YAML pieces ------------------------------------------------------------------------------


def _scalar(value: object) -> str:
    """One scalar or flow collection as YAML on one line, quoted when it must be."""
    text = yaml.safe_dump(value, allow_unicode=True, default_flow_style=True, width=math.inf)
    text = text.removesuffix("\n...\n").removesuffix("\n")
    if "\n" in text or _BREAKS.search(text):
        text = yaml.safe_dump(value, allow_unicode=True, default_style='"', width=math.inf).rstrip("\n")
    return text


def _note(text: str) -> str:
    """Text safe inside a YAML comment: one line, printable characters only."""
    return _NON_PRINTABLE.sub(" ", _BREAKS.sub(" ", text)).strip()


def _shown(name: str, limit: int = 80) -> str:
    """A name quoted in prose (comments)."""
    name = name if len(name) <= limit else name[: limit - 1] + "…"
    return f"“{_note(name)}”"


class _Lines:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def add(self, depth: int, text: str, comment: str = "") -> None:
        note = _note(comment)
        self.lines.append("  " * depth + text + (f"  # {note}" if note else ""))

    def comment(self, depth: int, text: str) -> None:
        self.lines.append("  " * depth + f"# {_note(text)}".rstrip())

    def blank(self) -> None:
        self.lines.append("")

    def text(self) -> str:
        return "\n".join(self.lines) + "\n"


def _usable(name: str) -> str | None:
    """Why a legacy name cannot be a key of the map, or None when it can."""
    if not name.strip():
        return "it has no name"
    if name.strip() == WILDCARD:
        return f"a name of {WILDCARD} cannot be told from the catch-all rule"
    if len(_scalar(name)) > MAX_KEY_LENGTH:
        return "its name is too long for a map key"
    return None


# -- name matching ----------------------------------------------------------------------------


def _words(name: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", normalize(name))


def _stem(word: str) -> str:
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


def _tokens(name: str) -> set[str]:
    return {_stem(SYNONYMS.get(word, word)) for word in _words(name) if word not in STOPWORDS}


def _overlap(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def _match_pipeline(name: str, targets: list[str]) -> tuple[str, str]:
    """(Apogee pipeline, comment: empty for an exact match)."""
    wanted = normalize(name)
    for target in targets:
        if normalize(target) == wanted:
            return target, ""
    tokens = _tokens(name)
    score, _, best = max((_overlap(tokens, _tokens(t)), -i, t) for i, t in enumerate(targets))
    if score > 0:
        return best, f"guessed from the name — {GUESS}"
    for keyword, target_name in KEYWORDS:
        if keyword in tokens:
            for target in targets:
                if normalize(target) == normalize(target_name):
                    return target, f"guessed from the word “{keyword}” — {GUESS}"
    default = next((t for t in targets if normalize(t) == normalize(DEFAULT_PIPELINE)), targets[0])
    return default, f"no Apogee pipeline has a similar name: guessed — {GUESS}"


def _position(index: int, count: int) -> float:
    return index / (count - 1) if count > 1 else 0.0


def _match_stage(name: str, index: int, count: int, targets: list[str]) -> tuple[str, str]:
    """(Apogee stage, comment) for stage `index` of `count` in its legacy pipeline."""
    wanted = normalize(name)
    for target in targets:
        if normalize(target) == wanted:
            return target, ""
    here = _position(index, count)
    tokens = _tokens(name)
    score, _, best = max(
        (
            _overlap(tokens, _tokens(t)) - POSITION_WEIGHT * abs(here - _position(j, len(targets))),
            -j,
            t,
        )
        for j, t in enumerate(targets)
    )
    if tokens and score > 0:
        return best, f"guessed by name — {GUESS}"
    at = math.floor(index * (len(targets) - 1) / (count - 1) + 0.5) if count > 1 else 0
    return targets[at], f"guessed by position — {GUESS}"


def _contains_run(words: list[str], run: list[str]) -> bool:
    return bool(run) and any(words[i : i + len(run)] == run for i in range(len(words) - len(run) + 1))


def _suggested_values(legacy: str, target: str, deal_fields: dict[str, tuple[str, str, dict[str, str]]]):
    """Qualification values the legacy pipeline's name implies once merged into `target`."""
    words = _words(legacy)
    if _tokens(legacy) == _tokens(target) or NEGATIONS & set(words):
        return {}
    target_words = set(_words(target))
    values: dict[str, object] = {}
    for key, (_label, field_type, options) in deal_fields.items():
        if field_type not in TARGET_OPTION_KINDS:
            continue
        found = [
            option_key
            for option_key, option_label in options.items()
            if _contains_run(words, run := _words(option_label)) and not set(run) <= target_words
        ]
        if field_type == "multiple_options" and found:
            values[key] = found
        elif len(found) == 1:
            values[key] = found[0]
    return values


# -- pipelines --------------------------------------------------------------------------------


def _sorted_pipelines(pipelines: Iterable[r.Pipeline]) -> list[r.Pipeline]:
    return sorted(pipelines, key=lambda p: (p.is_deleted, p.order, normalize(p.name), p.name, p.source_id))


def _stages_by_pipeline(legacy: DraftInput) -> tuple[dict[str, list[r.Stage]], list[r.Stage]]:
    """Each legacy pipeline's stages (by source id) in order, and the stages of no known pipeline."""
    by_id = {p.source_id: p for p in legacy.pipelines}
    by_name: dict[str, r.Pipeline] = {}
    for pipeline in _sorted_pipelines(legacy.pipelines):
        by_name.setdefault(normalize(pipeline.name), pipeline)
    stages: dict[str, list[r.Stage]] = {p.source_id: [] for p in legacy.pipelines}
    orphans = []
    for stage in legacy.stages:
        owner = by_id.get(stage.pipeline.id or "") or (
            by_name.get(normalize(stage.pipeline.name)) if stage.pipeline.name else None
        )
        if owner is None:
            orphans.append(stage)
        else:
            stages[owner.source_id].append(stage)
    for listed in stages.values():
        listed.sort(key=lambda s: (s.order, s.source_id))
    orphans.sort(key=lambda s: (normalize(s.name), s.source_id))
    return stages, orphans


def _write_pipelines(out: _Lines, legacy: DraftInput, target: DraftTarget) -> None:
    targets = list(target.pipelines)
    placeholder = not targets
    if placeholder:
        targets = [DEFAULT_PIPELINE]
    stages, orphans = _stages_by_pipeline(legacy)
    groups: dict[str, list[r.Pipeline]] = {}
    skipped: list[tuple[r.Pipeline, str]] = []
    for pipeline in _sorted_pipelines(legacy.pipelines):
        reason = _usable(pipeline.name)
        if reason:
            skipped.append((pipeline, reason))
        else:
            groups.setdefault(normalize(pipeline.name), []).append(pipeline)
    deal_fields = target.fields.get("deal", {})

    out.add(0, "pipelines:")
    for number, group in enumerate(groups.values()):
        first = group[0]
        to, how = _match_pipeline(first.name, targets)
        if placeholder:
            how = f"Apogee has no pipeline yet: create “{to}” or name another — {GUESS}"
        if number:
            out.blank()
        if len(group) > 1:
            out.comment(1, f"{len(group)} Pipedrive pipelines have this name: this rule covers them all.")
        if all(p.is_deleted for p in group):
            out.comment(1, "Deleted in Pipedrive: old deals and stage histories may still name it.")
        out.add(1, f"{_scalar(first.name.strip())}:")
        out.add(2, f"to: {_scalar(to)}", how)
        values = _suggested_values(first.name, to, deal_fields)
        if values:
            out.add(
                2,
                f"# values: {_scalar(values)}",
                "suggested by the name: uncomment if every deal of this pipeline is one",
            )
        _write_stages(out, group, stages, to, target.pipelines.get(to, []))
        out.add(2, "unmapped_stage: first", "stages not listed land in the first stage")
    if groups:
        out.blank()
    for pipeline, reason in skipped:
        out.comment(1, f"A Pipedrive pipeline (id {pipeline.source_id}) is left to the rule below: {reason}.")
    for stage in orphans:
        out.comment(
            1,
            f"The stage {_shown(stage.name)} (id {stage.source_id}) belongs to no known pipeline.",
        )
    default, _ = _match_pipeline(DEFAULT_PIPELINE, targets)
    out.add(1, f"{_scalar(WILDCARD)}:", "deleted pipelines, pipelines added after this draft")
    out.add(2, f"to: {_scalar(default)}")


def _write_stages(
    out: _Lines, group: list[r.Pipeline], stages: dict[str, list[r.Stage]], to: str, target_stages: list[str]
) -> None:
    if not target_stages:
        if any(stages[p.source_id] for p in group):
            out.comment(2, f"Apogee's {_shown(to)} has no stages yet: its deals land in its first stage.")
        return
    written: set[str] = set()
    lines = []
    for pipeline in group:
        listed = stages[pipeline.source_id]
        for index, stage in enumerate(listed):
            if _usable(stage.name) or normalize(stage.name) in written:
                continue
            written.add(normalize(stage.name))
            stage_to, how = _match_stage(stage.name, index, len(listed), target_stages)
            notes = [note for note in ("deleted in Pipedrive" if stage.is_deleted else "", how) if note]
            lines.append((f"{_scalar(stage.name.strip())}: {_scalar(stage_to)}", "; ".join(notes)))
    if lines:
        out.add(2, "stages:")
        for text, comment in lines:
            out.add(3, text, comment)


# -- fields -----------------------------------------------------------------------------------


def _kind(field_type: str) -> str:
    return "options" if field_type in (*OPTION_KINDS, *TARGET_OPTION_KINDS) else field_type


def _target_field(name: str, fields: dict[str, tuple[str, str, dict[str, str]]]) -> tuple[str | None, str]:
    wanted = normalize(name)
    for key, (label, _type, _options) in fields.items():
        if normalize(label) == wanted:
            return key, ""
    for key in fields:
        if key == slug(name):
            return key, f"matched by key — {GUESS}"
    return None, ""


def _option_key(label: str, options: dict[str, str]) -> tuple[str | None, str]:
    wanted = normalize(label)
    for key, option_label in options.items():
        if normalize(option_label) == wanted or normalize(key) == wanted:
            return key, ""
    tokens = _tokens(label)
    if tokens:
        close = [
            key
            for key, option_label in options.items()
            if (other := _tokens(option_label)) and (tokens <= other or other <= tokens)
        ]
        if len(close) == 1:
            return close[0], f"guessed — {GUESS}"
    return None, ""


def _legacy_labels(entity: str, group: list[r.Field], observed: dict[str, dict[str, list[str]]]):
    """(label, deleted in Pipedrive) of every option of the fields named alike, each once."""
    labels: dict[str, tuple[str, bool]] = {}
    for definition in group:
        for option in sorted(definition.options, key=lambda o: o.is_deleted):
            known = labels.get(normalize(option.label))
            if known is None or (known[1] and not option.is_deleted):
                labels[normalize(option.label)] = (option.label, option.is_deleted)
    for definition in group:
        for label in sorted(observed.get(entity, {}).get(definition.source_id, []), key=normalize):
            labels.setdefault(normalize(label), (label, False))
    return list(labels.values())


def _write_field(
    out: _Lines,
    entity: str,
    group: list[r.Field],
    targets: dict[str, tuple[str, str, dict[str, str]]],
    observed: dict[str, dict[str, list[str]]],
) -> None:
    name = group[0].name.strip()
    legacy_types = sorted({definition.field_type for definition in group})
    if len(group) > 1:
        out.comment(
            2,
            f"{len(group)} Pipedrive {entity} fields have this name ({', '.join(legacy_types)}): "
            "this rule covers them all.",
        )
    key, how = _target_field(name, targets)
    if key is None:
        created = CREATED_TYPES.get(group[0].field_type, DEFAULT_CREATED_TYPE)
        out.add(2, f"{_scalar(name)}: create", f"a new {created} field (no Apogee field has this label)")
        return
    _label, target_type, target_options = targets[key]
    kinds = {_kind(t) for t in legacy_types}
    mismatch = (
        "" if kinds == {_kind(target_type)} else f"Pipedrive {', '.join(legacy_types)} → Apogee {target_type}"
    )
    out.add(2, f"{_scalar(name)}:", "; ".join(note for note in (mismatch, how) if note))
    out.add(3, f"to: {_scalar(key)}")
    if target_type not in TARGET_OPTION_KINDS:
        return
    labels = [item for item in _legacy_labels(entity, group, observed) if not _usable(item[0])]
    if not labels:
        return
    out.add(3, "options:")
    for label, deleted in labels:
        option, guessed = _option_key(label, target_options)
        notes = [note for note in ("deleted in Pipedrive" if deleted else "", guessed) if note]
        if option is None:
            notes.append("no Apogee option has this label: unmapped_option decides (keep adds it)")
            out.add(4, f"# {_scalar(label.strip())}:", "; ".join(notes))
        else:
            out.add(4, f"{_scalar(label.strip())}: {_scalar(option)}", "; ".join(notes))


def _write_fields(out: _Lines, legacy: DraftInput, target: DraftTarget) -> None:
    out.add(0, "fields:")
    for entity in sorted(set(legacy.fields) - set(FIELD_ENTITIES)):
        out.comment(1, f"Pipedrive {entity} fields are not covered by the map format.")
    for entity in FIELD_ENTITIES:
        definitions = sorted(
            legacy.fields.get(entity, {}).values(), key=lambda f: (normalize(f.name), f.name, f.source_id)
        )
        if not definitions:
            continue
        out.add(1, f"{entity}:")
        groups: dict[str, list[r.Field]] = {}
        for definition in definitions:
            reason = _usable(definition.name)
            if reason:
                out.comment(2, f"A Pipedrive {entity} field ({_shown(definition.source_id)}): {reason}.")
            else:
                groups.setdefault(normalize(definition.name), []).append(definition)
        for group in groups.values():
            _write_field(out, entity, group, target.fields.get(entity, {}), legacy.observed_options)
        out.add(2, f"{_scalar(WILDCARD)}: create", "other custom fields: create | drop")


# -- users ------------------------------------------------------------------------------------


def _default_user(target: DraftTarget) -> str | None:
    if target.default_user:
        return target.default_user
    for username, full_name, _email in target.users:
        if "admin" in normalize(username) or "admin" in normalize(full_name):
            return username
    return target.users[0][0] if target.users else None


def _match_user(user: r.User, target: DraftTarget) -> tuple[str | None, str]:
    email = user.email.strip().casefold()
    if email:
        for username, _name, target_email in target.users:
            if target_email.strip().casefold() == email:
                return username, "matched by e-mail"
    wanted = normalize(user.name)
    if wanted:
        for username, full_name, _email in target.users:
            if wanted in (normalize(full_name), normalize(username)):
                return username, f"matched by name — {GUESS}"
    return None, ""


def _write_users(out: _Lines, legacy: DraftInput, target: DraftTarget) -> None:
    default = _default_user(target)
    users = sorted(legacy.users, key=lambda u: (normalize(u.name), u.email.casefold(), u.source_id))
    names: dict[str, int] = {}
    for user in users:
        names[normalize(user.name)] = names.get(normalize(user.name), 0) + 1
    written: set[str] = set()
    out.add(0, "users:")
    for user in users:
        key = user.name.strip()
        if _usable(key) or names[normalize(key)] > 1:
            key = user.email.strip()
        if _usable(key) or normalize(key) in written:
            out.comment(1, f"A Pipedrive user (id {user.source_id}) has neither a unique name nor an e-mail.")
            continue
        written.add(normalize(key))
        username, how = _match_user(user, target)
        notes = [how] if how else []
        if not user.is_active:
            notes.append("deactivated in Pipedrive")
        if username is None:
            notes.insert(0, 'no Apogee user has this e-mail or name: their records go to "*"')
            out.add(1, f"# {_scalar(key)}:", "; ".join(notes))
        else:
            out.add(1, f"{_scalar(key)}: {_scalar(username)}", "; ".join(notes))
    if default is None:
        out.add(
            1, f"# {_scalar(WILDCARD)}:", "Apogee has no users yet: name who owns the records of anyone else"
        )
    else:
        out.add(1, f"{_scalar(WILDCARD)}: {_scalar(default)}", "owns the records of anyone not listed")


HEADER = """\
# Restructuring map drafted by `apogee pipedrive map --init` from this Pipedrive account and
# this Apogee workspace. Read it through before importing:
# - Left of each colon: the Pipedrive name (matched without regard to case, accents or spacing).
#   Right: the Apogee name. Edit the right-hand sides.
# - Every line ending in "— check" is a guess. Lines starting with "# name:" are left for you:
#   uncomment and complete them, or leave them commented to accept what the comment says.
# - pipelines: each Pipedrive pipeline → an Apogee pipeline (to) and its stages → Apogee stages;
#   values: qualification a pipeline implied (ESA Sales → opportunity_type: esa);
#   unmapped_stage: first, an Apogee stage name, or error.
# - fields: per entity, each custom field → an Apogee field (to: key, options: label → option
#   key), create (a new field) or drop; "*" is what happens to the fields not listed.
# - users: Pipedrive user name or e-mail → Apogee username; "*" owns the records of anyone else.
# - unmapped_option: an option found neither here nor among the Apogee field's options is kept
#   as a new option (keep), left out (drop) or stops the record (error).
# The format is described in apogee/integrations/pipedrive/restructuring.py; maps/reference.yaml
# is a finished example.
"""


def draft_map(legacy: DraftInput, target: DraftTarget) -> str:
    """A starting restructuring map (YAML text) for `legacy` into `target`."""
    out = _Lines()
    out.lines.extend(HEADER.splitlines())
    out.add(0, "version: 1")
    out.blank()
    _write_pipelines(out, legacy, target)
    out.blank()
    _write_fields(out, legacy, target)
    out.blank()
    _write_users(out, legacy, target)
    out.blank()
    out.add(0, "unmapped_option: keep")
    return out.text()
