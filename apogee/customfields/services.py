"""Writes to field definitions, and the one validation every custom value passes through."""

import re
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils.text import slugify
from django.utils.translation import gettext as _

from apogee.core.errors import PermissionDenied, ValidationFailed
from apogee.core.events import record_event
from apogee.pipelines.models import Stage

from .models import Entity, FieldDefinition, FieldTypeChoice
from .queries import definitions_for, reference_exists
from .types import clean_values

KEY_RE = re.compile(r"^[a-z][a-z0-9_]{0,59}$")
# Option keys are stored in JSON lists and matched as '"key"' by the "has" filter: slugs only.
OPTION_KEY_RE = re.compile(r"^[a-z0-9_]{1,60}$")
# Keys that would shadow built-in record fields in filters, the API or imports.
RESERVED_KEYS = {
    "id",
    "title",
    "name",
    "value",
    "currency",
    "status",
    "stage",
    "pipeline",
    "owner",
    "organization",
    "person",
    "created_at",
    "updated_at",
    "version",
    "visibility",
    "email",
    "phone",
    # Built-in fields of persons, organizations and the API's input names: a custom field with
    # one of these keys would be confused with them in forms, filters and error messages.
    "street",
    "postal_code",
    "city",
    "country",
    "vat_number",
    "website",
    "email_domains",
    "roles",
    "job_title",
    "phones",
    "emails",
    "lost_reason",
    "lost_note",
    "note",
    "parent_contract",
    "origin_deal",
    "participants",
    "custom_fields",
    "expected_close_date",
    "owner_id",
    "stage_id",
    "pipeline_id",
    "organization_id",
    "person_id",
    "lost_reason_id",
    "parent_contract_id",
    "origin_deal_id",
}


def _ensure_admin(actor) -> None:
    if actor is not None and not actor.is_workspace_admin:
        raise PermissionDenied(_("Only an administrator can change custom fields."))


def clean_custom_values(*, entity: str, values: dict[str, Any]) -> dict[str, Any]:
    """Validate submitted custom values for an entity; raise ValidationFailed with per-field messages.

    Returns the values as stored; an empty value means "clear this field" and comes back as None.
    """
    if not isinstance(values, dict):
        raise ValidationFailed(
            _("Custom fields must be an object."), fields={"custom_fields": [_("Invalid.")]}
        )
    specs = [d.spec() for d in definitions_for(entity, include_archived=True)]
    cleaned, errors = clean_values(specs, values, reference_exists)
    if errors:
        raise ValidationFailed(
            _("Some fields are invalid."),
            fields={
                key: [_(e.message) % e.params if e.params else _(e.message)] for key, e in errors.items()
            },
        )
    return cleaned


def merge_custom_values(current: dict[str, Any], cleaned: dict[str, Any]) -> dict[str, Any]:
    merged = dict(current or {})
    for key, value in cleaned.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = value
    return merged


def _clean_options(options: Any) -> list[dict]:
    if not isinstance(options, list):
        raise ValidationFailed(_("Invalid options."), fields={"options": [_("Give a list of options.")]})
    cleaned, seen = [], set()
    for index, option in enumerate(options, start=1):
        if isinstance(option, str):
            option = {"label_en": option}
        if not isinstance(option, dict):
            raise ValidationFailed(
                _("Invalid options."), fields={"options": [_("Option %d is invalid.") % index]}
            )
        label_en = str(option.get("label_en") or "").strip()
        if not label_en:
            raise ValidationFailed(
                _("Invalid options."), fields={"options": [_("Option %d needs an English label.") % index]}
            )
        if "\x00" in label_en or "\x00" in str(option.get("label_fr") or ""):
            raise ValidationFailed(
                _("Invalid options."), fields={"options": [_("Option %d: text may not contain NUL.") % index]}
            )
        key = str(option.get("key") or slugify(label_en).replace("-", "_"))[:60] or f"option_{index}"
        if not OPTION_KEY_RE.match(key):
            raise ValidationFailed(
                _("Invalid options."),
                fields={
                    "options": [
                        _("Option %d: the key may hold only lower-case letters, digits and underscores.")
                        % index
                    ]
                },
            )
        if key in seen:
            raise ValidationFailed(
                _("Invalid options."), fields={"options": [_("Two options have the key “%s”.") % key]}
            )
        seen.add(key)
        cleaned.append(
            {
                "key": key,
                "label_en": label_en[:120],
                "label_fr": str(option.get("label_fr") or "").strip()[:120],
                "archived": bool(option.get("archived", False)),
            }
        )
    return cleaned


@transaction.atomic
def create_field_definition(
    *,
    entity: str,
    label_en: str,
    field_type: str,
    actor,
    key: str = "",
    label_fr: str = "",
    options: list | None = None,
) -> FieldDefinition:
    _ensure_admin(actor)
    errors: dict[str, list[str]] = {}
    label_en = (label_en or "").strip()
    if entity not in Entity.values:
        errors["entity"] = [_("Choose deal, person, organization or lead.")]
    if not label_en:
        errors["label_en"] = [_("This field is required.")]
    for name, text in (("label_en", label_en), ("label_fr", label_fr or "")):
        if "\x00" in text:  # PostgreSQL refuses NUL in text columns
            errors[name] = [_("Text may not contain NUL characters.")]
    if field_type not in FieldTypeChoice.values:
        errors["field_type"] = [_("Choose a valid type.")]
    key = (key or slugify(label_en).replace("-", "_")).strip()
    if not KEY_RE.match(key):
        errors["key"] = [_("Use lower-case letters, digits and underscores, starting with a letter.")]
    elif key in RESERVED_KEYS:
        errors["key"] = [_("This key is reserved for a built-in field.")]
    elif FieldDefinition.objects.filter(entity=entity, key=key).exists():
        errors["key"] = [_("A field with this key exists.")]
    if errors:
        raise ValidationFailed(_("The field could not be created."), fields=errors)
    cleaned_options = _clean_options(options or [])
    if field_type in ("single_option", "multiple_options") and not cleaned_options:
        raise ValidationFailed(_("Options needed."), fields={"options": [_("Add at least one option.")]})
    position = (FieldDefinition.objects.filter(entity=entity).aggregate(m=Max("position"))["m"] or 0) + 1
    definition = FieldDefinition.objects.create(
        entity=entity,
        key=key,
        label_en=label_en[:120],
        label_fr=(label_fr or "").strip()[:120],
        field_type=field_type,
        options=cleaned_options if field_type in ("single_option", "multiple_options") else [],
        position=position,
    )
    record_event(
        "custom_field.created",
        subject=definition,
        actor=actor,
        data={"entity": entity, "key": key, "field_type": field_type},
    )
    return definition


@transaction.atomic
def update_field_definition(
    *, definition: FieldDefinition, actor, label_en=None, label_fr=None, options=None, is_archived=None
) -> FieldDefinition:
    """Rename, change options or archive. The key and type never change: stored values depend on them.

    Options are never deleted, only archived, so values already stored keep their label.
    """
    _ensure_admin(actor)
    changes = {}
    if label_en is not None:
        label_en = label_en.strip()
        if not label_en:
            raise ValidationFailed(_("Label needed."), fields={"label_en": [_("This field is required.")]})
        changes["label_en"] = label_en[:120]
    if label_fr is not None:
        changes["label_fr"] = label_fr.strip()[:120]
    for name in ("label_en", "label_fr"):
        if "\x00" in changes.get(name, ""):  # PostgreSQL refuses NUL in text columns
            raise ValidationFailed(
                _("Invalid label."), fields={name: [_("Text may not contain NUL characters.")]}
            )
    if options is not None and definition.has_options:
        cleaned = _clean_options(options)
        old_keys = {o["key"] for o in definition.options}
        kept = {o["key"] for o in cleaned}
        for lost in old_keys - kept:
            previous = next(o for o in definition.options if o["key"] == lost)
            cleaned.append({**previous, "archived": True})
        if not any(not o["archived"] for o in cleaned):
            raise ValidationFailed(_("Options needed."), fields={"options": [_("Keep at least one option.")]})
        changes["options"] = cleaned
    if is_archived and definition.entity == "deal":
        gating = [
            f"{stage.pipeline.name} — {stage.name}"
            for stage in Stage.objects.select_related("pipeline").order_by("pipeline__position", "position")
            if definition.key in stage.gate_field_keys
        ]
        if gating:
            raise ValidationFailed(
                _("A stage gate requires this field."),
                fields={"is_archived": [_("Remove it from the gates of: %s") % ", ".join(gating)]},
            )
    if is_archived is not None:
        changes["is_archived"] = bool(is_archived)
    diff = {k: [getattr(definition, k), v] for k, v in changes.items() if getattr(definition, k) != v}
    if diff:
        for k, (_old, new) in diff.items():
            setattr(definition, k, new)
        definition.save()
        record_event("custom_field.updated", subject=definition, actor=actor, data={"changes": diff})
    return definition


@transaction.atomic
def reorder_field_definitions(*, entity: str, ordered_ids: list[int], actor) -> None:
    _ensure_admin(actor)
    definitions = {d.pk: d for d in FieldDefinition.objects.filter(entity=entity)}
    # Compared as sorted lists, not sets: an id given twice would otherwise pass and skew positions.
    if sorted(ordered_ids) != sorted(definitions):
        raise ValidationFailed(_("Invalid order."), fields={"order": [_("Give every field exactly once.")]})
    if not ordered_ids:
        return
    for position, pk in enumerate(ordered_ids, start=1):
        if definitions[pk].position != position:
            FieldDefinition.objects.filter(pk=pk).update(position=position)
    record_event(
        "custom_field.reordered",
        subject=definitions[ordered_ids[0]],
        actor=actor,
        data={"order": ordered_ids},
    )
