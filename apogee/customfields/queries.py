"""Reads of field definitions, and display of stored values."""

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from apogee.contacts.models import Organization, Person

from .models import FieldDefinition
from .types import REGISTRY, is_empty


def definitions_for(entity: str, *, include_archived: bool = False) -> QuerySet[FieldDefinition]:
    qs = FieldDefinition.objects.filter(entity=entity)
    if not include_archived:
        qs = qs.filter(is_archived=False)
    return qs.order_by("position", "id")


def reference_exists(kind: str, pk: int) -> bool:
    model = {"user": get_user_model(), "person": Person, "organization": Organization}[kind]
    return model.objects.filter(pk=pk).exists()


class ValueFormatter:
    """Formats custom values for display, resolving references in one query per kind."""

    def __init__(self, definitions, records_values: list[dict]):
        self.definitions = {d.key: d for d in definitions}
        wanted: dict[str, set[int]] = {"user": set(), "person": set(), "organization": set()}
        for values in records_values:
            for key, definition in self.definitions.items():
                if definition.field_type in wanted and isinstance(values.get(key), int):
                    wanted[definition.field_type].add(values[key])
        models = {"user": get_user_model(), "person": Person, "organization": Organization}
        self.names: dict[str, dict[int, str]] = {
            kind: {o.pk: str(o) for o in models[kind].objects.filter(pk__in=ids)} if ids else {}
            for kind, ids in wanted.items()
        }

    def format(self, key: str, value: Any) -> str:
        definition = self.definitions.get(key)
        if definition is None or is_empty(value):
            return ""
        kind = definition.field_type
        if kind == "single_option":
            return definition.option_label(value)
        if kind == "multiple_options":
            return ", ".join(definition.option_label(v) for v in value)
        if kind in self.names:
            return self.names[kind].get(value, f"#{value}")
        if kind == "boolean":
            return _("Yes") if value else _("No")
        if kind == "monetary":
            return f"{value.get('currency')} {value.get('amount'):,}".replace(",", "\u2019")
        if kind == "number":
            return f"{value:,}".replace(",", "\u2019")
        return REGISTRY[kind].to_text(value)
