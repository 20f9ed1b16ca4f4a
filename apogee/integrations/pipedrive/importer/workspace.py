"""The Apogee side of an import: what the map may name, and the structure records are written into.

Loaded once per run. The map is checked against it before any record is read (an unknown
Apogee pipeline, stage, field or user stops the run with every problem listed). Custom fields
the map says to create, and options met for the first time, are created here — before the
record that needs them is written, in their own transaction: they are structure, not data,
and a record refused later leaves a usable field behind rather than a half-written record.
"""

from dataclasses import dataclass, field

from django.utils.text import slugify

from apogee.accounts.models import User
from apogee.activities.models import ActivityType
from apogee.activities.services import save_activity_type
from apogee.contracts.queries import change_notice_pipeline
from apogee.core.models import Currency
from apogee.customfields.models import Entity, FieldDefinition
from apogee.customfields.services import RESERVED_KEYS, create_field_definition, update_field_definition
from apogee.deals.models import LostReason
from apogee.deals.services import save_lost_reason
from apogee.integrations.pipedrive.mapping import NewOption, TargetField
from apogee.integrations.pipedrive.restructuring import MapError, RestructuringMap, check_against, normalize
from apogee.leads.models import LeadLabel
from apogee.leads.services import save_lead_label
from apogee.pipelines.models import Pipeline, Stage

# Built-in Apogee fields a map may send a legacy custom field to ("builtin:tender_reference").
BUILTIN_FIELDS = {
    "deal": {"tender_reference"},
    "organization": {"vat_number", "website", "country"},
    "person": {"job_title"},
    "lead": set(),
}
CUSTOM_ENTITIES = tuple(Entity.values)
# Pipedrive activity type keys → the Apogee type that means the same (others are created).
ACTIVITY_TYPE_KEYS = {
    "call": "call",
    "meeting": "meeting",
    "task": "task",
    "deadline": "deadline",
    "email": "email",
}
LABEL_COLOURS = {
    "green": "#2e7d32",
    "red": "#c62828",
    "yellow": "#f9a825",
    "blue": "#1565c0",
    "purple": "#6a1b9a",
}


@dataclass
class Workspace:
    pipelines: dict[str, Pipeline]
    stages: dict[str, dict[str, Stage]]  # pipeline name → stage name → stage (in order)
    users: dict[str, User]  # username → active user
    targets: dict[str, dict[str, TargetField]]  # entity → key → field as the mapping sees it
    definitions: dict[tuple[str, str], FieldDefinition]
    currencies: set[str]
    activity_types: dict[str, ActivityType] = field(default_factory=dict)
    lost_reasons: dict[str, LostReason] = field(default_factory=dict)
    lead_labels: dict[str, LeadLabel] = field(default_factory=dict)
    change_notice_pipeline: Pipeline | None = None
    reserved: frozenset[str] = frozenset(RESERVED_KEYS)
    dry_run: bool = False
    created_fields: list[str] = field(default_factory=list)

    @classmethod
    def load(cls, *, dry_run: bool = False) -> "Workspace":
        pipelines = {p.name: p for p in Pipeline.objects.all()}
        stages: dict[str, dict[str, Stage]] = {name: {} for name in pipelines}
        for stage in Stage.objects.select_related("pipeline").order_by("pipeline", "position", "id"):
            stages[stage.pipeline.name][stage.name] = stage
        definitions = {(d.entity, d.key): d for d in FieldDefinition.objects.all()}
        targets: dict[str, dict[str, TargetField]] = {entity: {} for entity in CUSTOM_ENTITIES}
        for (entity, key), definition in definitions.items():
            targets[entity][key] = TargetField(
                key,
                definition.field_type,
                {o["key"]: o.get("label_en", o["key"]) for o in definition.options},
            )
        return cls(
            pipelines=pipelines,
            stages=stages,
            users={u.username: u for u in User.objects.filter(is_active=True)},
            targets=targets,
            definitions=definitions,
            currencies=set(Currency.objects.filter(is_active=True).values_list("code", flat=True)),
            activity_types={t.key: t for t in ActivityType.objects.all()},
            lost_reasons={normalize(r.label): r for r in LostReason.objects.all()},
            lead_labels={normalize(label.name): label for label in LeadLabel.objects.all()},
            change_notice_pipeline=change_notice_pipeline(),
            dry_run=dry_run,
        )

    def check(self, the_map: RestructuringMap) -> list[MapError]:
        return check_against(
            the_map,
            stages={name: list(stages) for name, stages in self.stages.items()},
            field_keys={entity: set(fields) for entity, fields in self.targets.items()},
            builtin_fields=BUILTIN_FIELDS,
            usernames=set(self.users),
        )

    def stage(self, pipeline: str, name: str | None) -> Stage:
        """The Apogee stage a plan names; None is the pipeline's first stage."""
        stages = self.stages[pipeline]
        return stages[name] if name is not None else next(iter(stages.values()))

    def user(self, username: str | None) -> User | None:
        return self.users.get(username or "")

    # -- structure created on the way ------------------------------------------------------------

    def ensure_fields(self, entity: str, keys, new_options: list[NewOption]) -> None:
        """Create the fields and options a plan needs (nothing in a dry run: they are reported)."""
        for key in keys:
            if (entity, key) in self.definitions:
                continue
            target = self.targets[entity][key]
            if self.dry_run:
                self.definitions[(entity, key)] = None
                self.created_fields.append(f"{entity}.{key}")
                continue
            field_type = target.field_type
            options = [{"key": k, "label_en": label} for k, label in target.options.items()]
            if field_type in ("single_option", "multiple_options") and not options:
                options = [{"key": "other", "label_en": "Other"}]
            self.definitions[(entity, key)] = create_field_definition(
                entity=entity,
                key=key,
                label_en=key.replace("_", " ").capitalize(),
                field_type=field_type,
                options=options,
                actor=None,
            )
            self.created_fields.append(f"{entity}.{key}")
            for option in new_options:  # the new field was created with them
                if option.field_key == key:
                    option.key = ""
        for option in new_options:
            definition = self.definitions.get((entity, option.field_key))
            if self.dry_run or not option.key or definition is None:
                continue
            if any(o["key"] == option.key for o in definition.options):
                continue
            self.definitions[(entity, option.field_key)] = update_field_definition(
                definition=definition,
                actor=None,
                options=[*definition.options, {"key": option.key, "label_en": option.label}],
            )

    def label_for_created(self, entity: str, key: str, legacy_name: str) -> None:
        """Give a created field its legacy name as label (the key is a slug of it)."""
        definition = self.definitions.get((entity, key))
        if definition is not None and definition.label_en != legacy_name[:120]:
            self.definitions[(entity, key)] = update_field_definition(
                definition=definition, actor=None, label_en=legacy_name
            )

    def lost_reason(self, label: str) -> LostReason | None:
        label = " ".join((label or "").split())[:120]
        if not label:
            return None
        key = normalize(label)
        if key not in self.lost_reasons and not self.dry_run:
            self.lost_reasons[key] = save_lost_reason(actor=None, label=label)
        return self.lost_reasons.get(key)

    def activity_type(self, key: str, name: str) -> ActivityType | None:
        """The Apogee type for a Pipedrive one (by key, then by name); created when none fits.

        Files name types ("Call", "Appel") where the API gives keys ("call")."""
        wanted = ACTIVITY_TYPE_KEYS.get(key, key) if key else _type_key(name)
        wanted = ACTIVITY_TYPE_KEYS.get(wanted, wanted)
        if wanted in self.activity_types:
            return self.activity_types[wanted]
        for existing in self.activity_types.values():
            if normalize(name or key) in (normalize(existing.label_en), normalize(existing.label_fr)):
                self.activity_types[wanted] = existing
                return existing
        if self.dry_run:
            return None
        created = save_activity_type(actor=None, label_en=(name or key)[:60], key=wanted)
        self.activity_types[created.key] = created
        self.activity_types[wanted] = created
        return created

    def lead_label(self, name: str, colour: str = "") -> LeadLabel | None:
        key = normalize(name)
        if not key:
            return None
        if key not in self.lead_labels and not self.dry_run:
            self.lead_labels[key] = save_lead_label(
                actor=None, name=name[:60], colour=LABEL_COLOURS.get(colour, "#607d8b")
            )
        return self.lead_labels.get(key)


def _type_key(name: str) -> str:
    return (slugify(name).replace("-", "_") or "other")[:40]
