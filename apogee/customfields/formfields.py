"""Django form fields built from custom field definitions, for every page that edits custom values.

A form field only parses what the browser sends; validation proper stays in the
field-type registry (services.clean_custom_values), so forms, API and importers
accept exactly the same values. Reference fields offer only what the user may see.
"""

from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from apogee.accounts.models import User
from apogee.accounts.queries import active_users
from apogee.contacts.queries import organizations_visible_to, persons_visible_to

from .models import FieldDefinition, localized
from .types import REGISTRY, is_empty

BOOLEAN_CHOICES = [("", "—"), ("true", _("Yes")), ("false", _("No"))]


def users_to_choose(current_pk: int | None = None) -> QuerySet[User]:
    """Active users, plus the one already chosen: deactivating someone must not break the form."""
    if isinstance(current_pk, int) and current_pk > 0:
        return User.objects.filter(Q(is_active=True) | Q(pk=current_pk)).select_related("team")
    return active_users()


def _option_choices(definition: FieldDefinition, current: Any) -> list[tuple[str, str]]:
    # Archived options are not offered, except the one(s) already stored, which must survive an edit.
    stored = set(current if isinstance(current, list) else [current])
    return [
        (o["key"], localized(o.get("label_en", o["key"]), o.get("label_fr", "")))
        for o in definition.options
        if not o.get("archived") or o["key"] in stored
    ]


def custom_form_field(definition: FieldDefinition, *, user, current: Any = None) -> forms.Field:
    """A Django form field for one custom-field definition; `current` is the stored value."""
    kind = definition.field_type
    common = {"label": definition.label, "required": False}
    if kind == "text":
        return forms.CharField(**common, strip=True)
    if kind == "long_text":
        return forms.CharField(**common, strip=True, widget=forms.Textarea(attrs={"rows": 4}))
    if kind == "number":
        return forms.DecimalField(**common, widget=forms.NumberInput(attrs={"step": "any"}))
    if kind == "monetary":
        return forms.CharField(
            **common,
            help_text=_("Currency and amount, e.g. EUR 12000"),
            widget=forms.TextInput(attrs={"placeholder": "CHF 0"}),
        )
    if kind == "date":
        return forms.DateField(**common, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    if kind == "single_option":
        return forms.ChoiceField(**common, choices=[("", "—"), *_option_choices(definition, current)])
    if kind == "multiple_options":
        return forms.MultipleChoiceField(
            **common, choices=_option_choices(definition, current), widget=forms.CheckboxSelectMultiple
        )
    if kind == "boolean":
        return forms.ChoiceField(**common, choices=BOOLEAN_CHOICES)
    if kind == "url":
        return forms.CharField(
            **common, widget=forms.URLInput(attrs={"placeholder": "https://"}), max_length=2000
        )
    if kind == "user":
        return forms.ModelChoiceField(**common, queryset=users_to_choose(current), empty_label="—")
    if kind == "person":
        return forms.ModelChoiceField(
            **common, queryset=persons_visible_to(user).only("id", "name"), empty_label="—"
        )
    if kind == "organization":
        return forms.ModelChoiceField(
            **common, queryset=organizations_visible_to(user).only("id", "name"), empty_label="—"
        )
    raise ValueError(f"No form field for custom field type {kind!r}")


def custom_initial(definition: FieldDefinition, value: Any) -> Any:
    """The stored value as the form field shows it."""
    if is_empty(value):
        return None
    if definition.field_type == "boolean":
        return "true" if value else "false"
    if definition.field_type == "monetary":
        return REGISTRY["monetary"].to_text(value)
    return value


def custom_submitted(definition: FieldDefinition, cleaned: Any) -> Any:
    """A cleaned form value as `clean_custom_values` takes it; None or "" clears the field."""
    if cleaned is None or cleaned == "" or cleaned == []:
        return None
    kind = definition.field_type
    if kind in ("user", "person", "organization"):
        return cleaned.pk
    if kind == "monetary":
        return REGISTRY["monetary"].parse(cleaned)
    if kind == "number":
        return str(cleaned)
    return cleaned


def add_custom_fields(
    form: forms.Form, definitions, values: dict, *, user, prefix: str, required_keys=()
) -> None:
    """Add one field per definition to `form`, named prefix + key, showing the stored `values`."""
    for definition in definitions:
        name = prefix + definition.key
        current = values.get(definition.key)
        form.fields[name] = custom_form_field(definition, user=user, current=current)
        form.fields[name].required = definition.key in required_keys
        form.initial.setdefault(name, custom_initial(definition, current))


def custom_values_from(form: forms.Form, definitions, *, prefix: str) -> dict[str, Any]:
    """The custom values of a bound, valid form, keyed by field key, as the services take them."""
    return {
        d.key: custom_submitted(d, form.cleaned_data.get(prefix + d.key))
        for d in definitions
        if prefix + d.key in form.cleaned_data
    }
