"""Forms of the deal pages: they parse what the browser sends; the services validate and write."""

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from apogee.contacts.models import Organization, Person
from apogee.core.models import Currency
from apogee.customfields.formfields import add_custom_fields, custom_values_from
from apogee.customfields.queries import definitions_for
from apogee.pipelines.models import Pipeline, Stage

from .models import LostReason, ParticipantRole, Visibility

# Custom fields on deal forms are named cf_<key>, apart from the built-in fields.
CUSTOM_PREFIX = "cf_"


def currency_choices():
    return [(c, c) for c in Currency.objects.filter(is_active=True).values_list("code", flat=True)]


class MoveDealForm(forms.Form):
    stage = forms.ModelChoiceField(queryset=Stage.objects.none())

    def __init__(self, *args, pipeline: Pipeline, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stage"].queryset = pipeline.stages.all()


class GateFieldsForm(forms.Form):
    """The fields a gate asks for, offered in the dialog that opens on a blocked move."""

    def __init__(self, *args, deal, field_keys: list[str], user, **kwargs):
        super().__init__(*args, **kwargs)
        self.definitions = [d for d in definitions_for("deal") if d.key in field_keys]
        add_custom_fields(
            self,
            self.definitions,
            deal.custom_values,
            user=user,
            prefix=CUSTOM_PREFIX,
            required_keys=field_keys,
        )

    def custom_values(self) -> dict:
        return custom_values_from(self, self.definitions, prefix=CUSTOM_PREFIX)


class DealForm(forms.Form):
    title = forms.CharField(
        label=_("Title"), max_length=200, widget=forms.TextInput(attrs={"autofocus": True})
    )
    organization = forms.ModelChoiceField(
        label=_("Organization"),
        queryset=Organization.objects.filter(deleted_at__isnull=True).order_by("name"),
        required=False,
    )
    pipeline = forms.ModelChoiceField(label=_("Pipeline"), queryset=Pipeline.objects.none())
    stage = forms.ModelChoiceField(label=_("Stage"), queryset=Stage.objects.none(), required=False)
    value = forms.CharField(
        label=_("Value"), required=False, widget=forms.TextInput(attrs={"inputmode": "decimal"})
    )
    currency = forms.ChoiceField(label=_("Currency"))
    expected_close_date = forms.CharField(
        label=_("Expected close date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=get_user_model().objects.none())
    visibility = forms.ChoiceField(
        label=_("Visible to"), choices=Visibility.choices, initial=Visibility.EVERYONE
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pipeline"].queryset = Pipeline.objects.filter(is_archived=False)
        self.fields["stage"].queryset = Stage.objects.filter(pipeline__is_archived=False).select_related(
            "pipeline"
        )
        self.fields["stage"].label_from_instance = lambda s: f"{s.pipeline.name} — {s.name}"
        self.fields["currency"].choices = currency_choices()
        self.fields["owner"].queryset = get_user_model().objects.filter(is_active=True)
        self.definitions = list(definitions_for("deal"))
        add_custom_fields(self, self.definitions, {}, user=user, prefix=CUSTOM_PREFIX)

    def custom_values(self) -> dict:
        values = custom_values_from(self, self.definitions, prefix=CUSTOM_PREFIX)
        return {k: v for k, v in values.items() if v is not None}


class LostForm(forms.Form):
    lost_reason = forms.ModelChoiceField(
        label=_("Reason"), queryset=LostReason.objects.filter(is_archived=False), required=False
    )
    note = forms.CharField(
        label=_("Note"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class ParticipantForm(forms.Form):
    person = forms.ModelChoiceField(
        label=_("Person"),
        queryset=Person.objects.filter(deleted_at__isnull=True).select_related("organization"),
    )
    role = forms.ChoiceField(label=_("Role"), choices=ParticipantRole.choices)

    def __init__(self, *args, deal=None, **kwargs):
        super().__init__(*args, **kwargs)
        if deal is not None and deal.organization_id:
            # People of the deal's organization first: they are the usual participants.
            self.fields["person"].queryset = Person.objects.filter(deleted_at__isnull=True).order_by(
                "-organization_id", "name"
            )
        self.fields["person"].label_from_instance = lambda p: (
            f"{p.name} ({p.organization.name})" if p.organization_id else p.name
        )


class SaveViewForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    is_shared = forms.BooleanField(label=_("Share with everyone"), required=False)
    query = forms.CharField(required=False, widget=forms.HiddenInput)
    pipeline = forms.ModelChoiceField(
        queryset=Pipeline.objects.all(), required=False, widget=forms.HiddenInput
    )
