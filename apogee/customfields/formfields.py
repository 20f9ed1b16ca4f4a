"""Django form fields built from custom field definitions, for every page that edits custom values.

The form field only parses what the browser sends; validation proper stays in
the field-type registry (services.clean_custom_values), so forms, API and
imports accept exactly the same values.
"""

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from apogee.contacts.models import Organization, Person

from .models import FieldDefinition, localized
from .types import REGISTRY

YES_NO = [("", "—"), ("true", _("Yes")), ("false", _("No"))]


def _choices(definition: FieldDefinition, current: Any = None) -> list[tuple[str, str]]:
    # Archived options stay selectable only when the record already holds them.
    held = set(current if isinstance(current, list) else [current])
    return [
        (o["key"], localized(o.get("label_en", o["key"]), o.get("label_fr", "")))
        for o in definition.options
        if not o.get("archived") or o["key"] in held
    ]


def _reference_choices(kind: str) -> list[tuple[str, str]]:
    if kind == "user":
        rows = get_user_model().objects.filter(is_active=True)
    elif kind == "person":
        rows = Person.objects.filter(deleted_at__isnull=True)
    else:
        rows = Organization.objects.filter(deleted_at__isnull=True)
    return [("", "—"), *((str(r.pk), str(r)) for r in rows.order_by("pk")[:1000])]


def form_field_for(
    definition: FieldDefinition, *, current: Any = None, required: bool = False
) -> forms.Field:
    """A form field named after the definition's key, rendering the stored value `current`."""
    kind = definition.field_type
    common = {"label": definition.label, "required": required}
    if kind == "long_text":
        field = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), **common)
    elif kind == "number":
        field = forms.CharField(widget=forms.TextInput(attrs={"inputmode": "decimal"}), **common)
    elif kind == "monetary":
        field = forms.CharField(help_text=_("e.g. EUR 120000"), **common)
    elif kind == "date":
        field = forms.CharField(widget=forms.DateInput(attrs={"type": "date"}), **common)
    elif kind == "single_option":
        field = forms.ChoiceField(choices=[("", "—"), *_choices(definition, current)], **common)
    elif kind == "multiple_options":
        field = forms.MultipleChoiceField(
            choices=_choices(definition, current), widget=forms.CheckboxSelectMultiple, **common
        )
    elif kind == "boolean":
        field = forms.ChoiceField(choices=YES_NO, **common)
    elif kind in ("user", "person", "organization"):
        field = forms.ChoiceField(choices=_reference_choices(kind), **common)
    elif kind == "url":
        field = forms.CharField(widget=forms.URLInput(), **common)
    else:
        field = forms.CharField(**common)
    field.initial = initial_for(definition, current)
    return field


def initial_for(definition: FieldDefinition, value: Any) -> Any:
    if value is None:
        return [] if definition.field_type == "multiple_options" else ""
    if definition.field_type == "boolean":
        return "true" if value else "false"
    if definition.field_type == "monetary":
        return f"{value.get('currency', '')} {value.get('amount', '')}".strip()
    if definition.field_type in ("user", "person", "organization"):
        return str(value)
    return value


def submitted_value(definition: FieldDefinition, raw: Any) -> Any:
    """What the browser sent, in the shape the type registry validates ("" clears the field)."""
    if raw in (None, "", []):
        return None
    return REGISTRY[definition.field_type].parse(raw)


def add_custom_fields(form: forms.Form, definitions, values: dict, *, required_keys=()) -> None:
    """Add one field per definition to `form`, prefixed "cf_" so they never clash with built-ins."""
    for definition in definitions:
        form.fields[f"cf_{definition.key}"] = form_field_for(
            definition, current=values.get(definition.key), required=definition.key in required_keys
        )


def custom_values_from(form: forms.Form, definitions) -> dict[str, Any]:
    """The custom values of a bound, valid form, keyed by field key, for the services."""
    return {
        d.key: submitted_value(d, form.cleaned_data.get(f"cf_{d.key}"))
        for d in definitions
        if f"cf_{d.key}" in form.cleaned_data
    }
