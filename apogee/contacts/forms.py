"""Forms of the organization and person pages: parsing only; the services validate and write.

`CustomFieldsForm` is the reusable part: it adds one Django field per custom-field
definition of an entity (rendered by type), turns the submitted values into what
`clean_custom_values` expects, and puts a service's field errors back on the form.
"""

from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.utils.translation import gettext_lazy as _

from apogee.accounts.models import User
from apogee.core.errors import DomainError
from apogee.customfields.formfields import (
    custom_form_field,
    custom_initial,
    custom_submitted,
    users_to_choose,
)
from apogee.customfields.queries import definitions_for

from .models import Organization, OrganizationRole, Person
from .queries import organizations_visible_to

CUSTOM_PREFIX = "custom_"
WIDE_TYPES = {"long_text", "multiple_options"}


class CustomFieldsForm(forms.Form):
    """A form that also carries the custom fields of `entity`, named custom_<key>."""

    entity = ""
    #: fields that steer the request (such as a confirmation) and are not record data
    control_fields: tuple[str, ...] = ()

    def __init__(self, *args, user, custom_values: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.custom_definitions = list(definitions_for(self.entity))
        stored = custom_values or {}
        for definition in self.custom_definitions:
            name = CUSTOM_PREFIX + definition.key
            self.fields[name] = custom_form_field(definition, user=user, current=stored.get(definition.key))
            self.initial.setdefault(name, custom_initial(definition, stored.get(definition.key)))

    @property
    def core_field_names(self) -> list[str]:
        return [n for n in self.fields if not n.startswith(CUSTOM_PREFIX)]

    def custom_fields(self) -> list[tuple[forms.BoundField, bool]]:
        """Each custom field with whether it takes the form's full width (long text, checkbox groups)."""
        return [(self[CUSTOM_PREFIX + d.key], d.field_type in WIDE_TYPES) for d in self.custom_definitions]

    @property
    def has_field_errors(self) -> bool:
        return any(name != NON_FIELD_ERRORS for name in self.errors)

    def add_error(self, field, error) -> None:
        super().add_error(field, error)
        self._focus_first_error()

    def _focus_first_error(self) -> None:
        # Keyboard users land on the first field to correct, not on the name again.
        first = next((name for name in self.fields if name in self.errors), None)
        if first is None:
            return
        for field in self.fields.values():
            field.widget.attrs.pop("autofocus", None)
        self.fields[first].widget.attrs["autofocus"] = True

    def custom_values(self) -> dict[str, Any]:
        return {
            d.key: custom_submitted(d, self.cleaned_data.get(CUSTOM_PREFIX + d.key))
            for d in self.custom_definitions
        }

    def service_fields(self) -> dict[str, Any]:
        """The built-in fields and custom_values, as the create and update services take them."""
        fields = {n: self.cleaned_data[n] for n in self.core_field_names if n not in self.control_fields}
        fields["custom_values"] = self.custom_values()
        return fields

    def add_service_errors(self, error: DomainError) -> None:
        """Show a service's refusal on the fields it names; anything else above the form."""
        custom_keys = {d.key for d in self.custom_definitions}
        for key, messages in error.fields.items():
            # Should a custom key repeat a built-in name, the built-in field takes the message.
            if key in self.fields and not key.startswith(CUSTOM_PREFIX):
                name = key
            elif key in custom_keys:
                name = CUSTOM_PREFIX + key
            else:
                name = None
            for message in messages:
                self.add_error(name, message)
        if not error.fields:
            self.add_error(None, error.message)


def _comma_separated(values: list[str]) -> str:
    return ", ".join(values or [])


class OrganizationForm(CustomFieldsForm):
    entity = "organization"
    control_fields = ("allow_duplicate",)

    name = forms.CharField(label=_("Name"), max_length=200, widget=forms.TextInput(attrs={"autofocus": True}))
    roles = forms.MultipleChoiceField(
        label=_("Roles"),
        required=False,
        choices=OrganizationRole.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    street = forms.CharField(label=_("Street"), required=False)
    postal_code = forms.CharField(label=_("Postal code"), required=False)
    city = forms.CharField(label=_("City"), required=False)
    country = forms.CharField(
        label=_("Country"),
        required=False,
        help_text=_("Two-letter ISO code, e.g. CH"),
        widget=forms.TextInput(attrs={"autocomplete": "country", "size": 4}),
    )
    vat_number = forms.CharField(label=_("VAT / UID number"), required=False)
    website = forms.CharField(
        label=_("Website"), required=False, widget=forms.TextInput(attrs={"inputmode": "url"})
    )
    email_domains = forms.CharField(
        label=_("E-mail domains"),
        required=False,
        help_text=_("Separate with commas, e.g. esa.int, ext.esa.int"),
    )
    owner = forms.ModelChoiceField(
        label=_("Owner"), required=False, queryset=User.objects.none(), empty_label="—"
    )
    allow_duplicate = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, organization: Organization | None = None, user, **kwargs):
        if organization is not None:
            kwargs.setdefault(
                "initial",
                {
                    "name": organization.name,
                    "roles": organization.roles,
                    "street": organization.street,
                    "postal_code": organization.postal_code,
                    "city": organization.city,
                    "country": organization.country,
                    "vat_number": organization.vat_number,
                    "website": organization.website,
                    "email_domains": _comma_separated(organization.email_domains),
                    "owner": organization.owner_id,
                },
            )
            kwargs["custom_values"] = organization.custom_values
        super().__init__(*args, user=user, **kwargs)
        self.fields["owner"].queryset = users_to_choose(organization.owner_id if organization else None)


class PersonForm(CustomFieldsForm):
    entity = "person"
    control_fields = ("allow_duplicate",)

    name = forms.CharField(label=_("Name"), max_length=200, widget=forms.TextInput(attrs={"autofocus": True}))
    organization = forms.ModelChoiceField(
        label=_("Organization"), required=False, queryset=Organization.objects.none(), empty_label="—"
    )
    job_title = forms.CharField(label=_("Job title"), required=False)
    emails = forms.CharField(
        label=_("E-mail addresses"),
        required=False,
        help_text=_("Separate with commas; the first one is the primary address."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    phones = forms.CharField(label=_("Phones"), required=False, help_text=_("Separate with commas."))
    owner = forms.ModelChoiceField(
        label=_("Owner"), required=False, queryset=User.objects.none(), empty_label="—"
    )
    allow_duplicate = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, person: Person | None = None, user, **kwargs):
        if person is not None:
            kwargs.setdefault(
                "initial",
                {
                    "name": person.name,
                    "organization": person.organization_id,
                    "job_title": person.job_title,
                    "emails": _comma_separated([e.address for e in person.emails.all()]),
                    "phones": _comma_separated(person.phones),
                    "owner": person.owner_id,
                },
            )
            kwargs["custom_values"] = person.custom_values
        super().__init__(*args, user=user, **kwargs)
        self.fields["organization"].queryset = organizations_visible_to(user).only("id", "name")
        self.fields["owner"].queryset = users_to_choose(person.owner_id if person else None)
