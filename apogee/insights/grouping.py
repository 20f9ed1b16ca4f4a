"""The fields a report can be grouped by: built-in deal fields and option-like custom fields.

A group is identified by a string key ("" when the deal has no value), so that a bar of a
chart, a row of a table and a drill-down link all name it the same way. A deal with several
options of a multiple-options field (product line: motor and mechanisms) counts in each.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apogee.contacts.models import Organization, Person
from apogee.customfields.filters import custom_value_q
from apogee.customfields.models import FieldDefinition
from apogee.customfields.queries import definitions_for
from apogee.deals.models import LostReason
from apogee.pipelines.models import Pipeline, Stage

CUSTOM_PREFIX = "cf:"
GROUPABLE_TYPES = ("single_option", "multiple_options", "boolean", "user", "person", "organization", "text")

# key: (label, column on the deal, model whose names label the groups)
BUILT_IN = {
    "owner": (gettext_lazy("Owner"), "owner_id", get_user_model()),
    "pipeline": (gettext_lazy("Pipeline"), "pipeline_id", Pipeline),
    "stage": (gettext_lazy("Stage"), "stage_id", Stage),
    "organization": (gettext_lazy("Organization"), "organization_id", Organization),
    "end_customer": (gettext_lazy("End customer"), "end_customer_id", Organization),
    "lost_reason": (gettext_lazy("Lost reason"), "lost_reason_id", LostReason),
    "currency": (gettext_lazy("Currency"), "currency", None),
}
_REFERENCE_MODELS = {"user": get_user_model(), "person": Person, "organization": Organization}


def _names(model, keys: Iterable[str]) -> dict[str, str]:
    ids = [int(k) for k in keys if k.isdigit()]
    if not ids:
        return {}
    return {str(obj.pk): str(obj) for obj in model.objects.filter(pk__in=ids)}


@dataclass(frozen=True)
class Grouping:
    key: str
    label: str
    column: str
    model: Any = None
    definition: FieldDefinition | None = None

    def keys_of(self, raw: Any) -> list[str]:
        """The group keys of one stored value: several for a multiple-options value, "" for none."""
        if raw is None or raw == "" or raw == []:
            return [""]
        if isinstance(raw, list):
            return [str(item) for item in raw]
        if isinstance(raw, bool) or (self.definition is not None and self.definition.field_type == "boolean"):
            return ["true" if raw else "false"]
        return [str(raw)]

    def labels(self, keys: Iterable[str]) -> dict[str, str]:
        keys = set(keys)
        labels = {"": _("(none)")}
        definition = self.definition
        if definition is not None and definition.has_options:
            labels.update({k: definition.option_label(k) for k in keys if k})
        elif definition is not None and definition.field_type == "boolean":
            labels.update({"true": _("Yes"), "false": _("No")})
        elif definition is not None and definition.field_type in _REFERENCE_MODELS:
            labels.update(_names(_REFERENCE_MODELS[definition.field_type], keys))
        elif self.model is not None:
            labels.update(_names(self.model, keys))
        return {k: labels.get(k, k) for k in keys}

    def deal_q(self, group_key: str, prefix: str = "") -> Q:
        """The deals of one group, for a drill-down."""
        definition = self.definition
        if definition is None:
            field = f"{prefix}{self.column}"
            return Q(**{f"{field}__isnull": True}) if group_key == "" else Q(**{field: group_key})
        column = f"{prefix}custom_values"
        if group_key == "":
            return custom_value_q(definition, "empty", "", column=column)
        if definition.field_type == "multiple_options":
            return custom_value_q(definition, "has", group_key, column=column)
        if definition.field_type == "boolean":
            return Q(**{f"{column}__{definition.key}": group_key == "true"})
        if definition.field_type in _REFERENCE_MODELS:
            return Q(**{f"{column}__{definition.key}": int(group_key) if group_key.isdigit() else -1})
        return Q(**{f"{column}__{definition.key}": group_key})


def parse_grouping(key: str) -> Grouping | None:
    if key in BUILT_IN:
        label, column, model = BUILT_IN[key]
        return Grouping(key=key, label=str(label), column=column, model=model)
    if key.startswith(CUSTOM_PREFIX):
        definition = definitions_for("deal").filter(key=key[len(CUSTOM_PREFIX) :]).first()
        if definition is not None and definition.field_type in GROUPABLE_TYPES:
            return Grouping(
                key=key,
                label=definition.label,
                column=f"custom_values__{definition.key}",
                definition=definition,
            )
    return None


def available_groupings() -> list[tuple[str, str]]:
    """(key, label) for the group-by menu."""
    choices = [(key, str(label)) for key, (label, _column, _model) in BUILT_IN.items()]
    choices += [
        (f"{CUSTOM_PREFIX}{d.key}", d.label)
        for d in definitions_for("deal")
        if d.field_type in GROUPABLE_TYPES
    ]
    return choices
