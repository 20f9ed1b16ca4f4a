"""Forms of the lead pages: they parse what the browser sends; the services validate and write."""

from django import forms
from django.utils.translation import gettext_lazy as _

from apogee.accounts.queries import active_users
from apogee.contacts.queries import organizations_visible_to, persons_visible_to
from apogee.core.errors import DomainError
from apogee.core.models import Currency
from apogee.customfields.formfields import add_custom_fields, custom_values_from
from apogee.customfields.queries import definitions_for
from apogee.deals.models import Visibility
from apogee.pipelines.models import Pipeline, Stage
from apogee.workspace.forms import SettingsForm

from .models import NOTE_MAX_LENGTH, LeadKind, LeadLabel, LeadSource
from .queries import AGES

# Custom fields on lead forms are named cf_<key>, apart from the built-in fields.
CUSTOM_PREFIX = "cf_"
AGE_CHOICES = list(
    zip(AGES, [_("Less than 7 days"), _("Less than 30 days"), _("30 days or older")], strict=True)
)


def currency_choices():
    return [(c, c) for c in Currency.objects.filter(is_active=True).values_list("code", flat=True)]


def add_domain_errors(form: forms.Form, error: DomainError) -> None:
    """Attach a DomainError's per-field messages to the form; the rest becomes a non-field error."""
    attached = False
    for field, messages in error.fields.items():
        name = field if field in form.fields else CUSTOM_PREFIX + field
        if name in form.fields:
            for message in messages:
                form.add_error(name, message)
            attached = True
    if not attached or error.code not in ("validation_failed", "stage_gate_blocked"):
        form.add_error(None, error.message)


class LeadForm(forms.Form):
    """Quick add and edit: the two lines first (title, who), then the rest."""

    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        widget=forms.TextInput(attrs={"autofocus": True, "placeholder": _("Future mission, 250 M")}),
    )
    organization = forms.ModelChoiceField(label=_("Organization"), queryset=None, required=False)
    new_organization = forms.CharField(
        label=_("or a new organization"), max_length=200, required=False, strip=True
    )
    person = forms.ModelChoiceField(label=_("Person"), queryset=None, required=False)
    new_person = forms.CharField(label=_("or a new person"), max_length=200, required=False, strip=True)
    source = forms.ChoiceField(label=_("Source"), choices=LeadSource.choices, initial=LeadSource.MANUAL)
    kind = forms.ChoiceField(label=_("Kind"), choices=LeadKind.choices, initial=LeadKind.OTHER)
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=None)
    labels = forms.ModelMultipleChoiceField(
        label=_("Labels"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )
    expected_value = forms.CharField(
        label=_("Expected value"), required=False, widget=forms.TextInput(attrs={"inputmode": "decimal"})
    )
    currency = forms.ChoiceField(label=_("Currency"))
    visibility = forms.ChoiceField(
        label=_("Visible to"), choices=Visibility.choices, initial=Visibility.EVERYONE
    )
    note = forms.CharField(
        label=_("Note"), max_length=NOTE_MAX_LENGTH, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, user, lead=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.lead = lead
        self.fields["organization"].queryset = organizations_visible_to(user).order_by("name")
        self.fields["person"].queryset = persons_visible_to(user).order_by("name")
        self.fields["owner"].queryset = active_users()
        labels = LeadLabel.objects.filter(is_archived=False)
        if lead is not None:
            labels = LeadLabel.objects.filter(pk__in=[label.pk for label in lead.labels.all()]) | labels
        self.fields["labels"].queryset = labels.distinct().order_by("position", "id")
        self.fields["currency"].choices = currency_choices()
        if lead is not None:
            # Editing links existing contacts; new ones are created on their own pages.
            del self.fields["new_organization"], self.fields["new_person"]
        self.definitions = list(definitions_for("lead"))
        add_custom_fields(
            self, self.definitions, lead.custom_values if lead else {}, user=user, prefix=CUSTOM_PREFIX
        )

    @classmethod
    def initial_for(cls, lead) -> dict:
        return {
            "title": lead.title,
            "organization": lead.organization_id,
            "person": lead.person_id,
            "source": lead.source,
            "kind": lead.kind,
            "owner": lead.owner_id,
            "labels": [label.pk for label in lead.labels.all()],
            "expected_value": lead.expected_value,
            "currency": lead.currency,
            "visibility": lead.visibility,
            "note": lead.note,
        }

    def custom_values(self) -> dict:
        return custom_values_from(self, self.definitions, prefix=CUSTOM_PREFIX)

    def changes(self) -> dict:
        """The edit as update_lead takes it."""
        data = self.cleaned_data
        names = ("title", "organization", "person", "source", "kind", "owner", "expected_value", "currency")
        return {
            **{name: data[name] for name in names},
            "visibility": data["visibility"],
            "note": data["note"],
            "labels": list(data["labels"]),
            "custom_values": self.custom_values(),
        }

    def create_arguments(self) -> dict:
        """The capture as create_lead takes it."""
        data = self.cleaned_data
        return {
            "title": data["title"],
            "organization": data["organization"],
            "person": data["person"],
            "new_organization_name": data["new_organization"],
            "new_person_name": data["new_person"],
            "source": data["source"],
            "kind": data["kind"],
            "owner": data["owner"],
            "labels": list(data["labels"]),
            "expected_value": data["expected_value"],
            "currency": data["currency"],
            "visibility": data["visibility"],
            "note": data["note"],
            "custom_values": {k: v for k, v in self.custom_values().items() if v is not None},
        }


class ConvertForm(forms.Form):
    """Where the deal goes; the fields its stage's gate requires are added once the service names them."""

    pipeline = forms.ModelChoiceField(label=_("Pipeline"), queryset=None)
    stage = forms.ModelChoiceField(
        label=_("Stage"), queryset=None, required=False, help_text=_("The pipeline's first stage if empty.")
    )

    def __init__(self, *args, user, gate_keys=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pipeline"].queryset = Pipeline.objects.filter(is_archived=False).order_by(
            "position", "id"
        )
        self.fields["stage"].queryset = (
            Stage.objects.filter(pipeline__is_archived=False)
            .select_related("pipeline")
            .order_by("pipeline__position", "pipeline_id", "position", "id")
        )
        self.fields["stage"].label_from_instance = lambda s: f"{s.pipeline.name} — {s.name}"
        self.gate_keys = list(gate_keys)
        self.definitions = [d for d in definitions_for("deal") if d.key in self.gate_keys]
        add_custom_fields(
            self, self.definitions, {}, user=user, prefix=CUSTOM_PREFIX, required_keys=self.gate_keys
        )

    def clean(self):
        data = super().clean()
        pipeline, stage = data.get("pipeline"), data.get("stage")
        if pipeline and stage and stage.pipeline_id != pipeline.pk:
            self.add_error("stage", _("Choose a stage of the chosen pipeline."))
        return data

    def custom_values(self) -> dict:
        values = custom_values_from(self, self.definitions, prefix=CUSTOM_PREFIX)
        return {k: v for k, v in values.items() if v is not None}


class BulkActionForm(forms.Form):
    ACTIONS = [
        ("assign", _("Assign")),
        ("label", _("Add label")),
        ("unlabel", _("Remove label")),
        ("archive", _("Archive")),
        ("unarchive", _("Back to the inbox")),
    ]
    action = forms.ChoiceField(choices=ACTIONS)
    ids = forms.TypedMultipleChoiceField(coerce=int, choices=())
    owner = forms.ModelChoiceField(queryset=None, required=False)
    label = forms.ModelChoiceField(queryset=None, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = active_users()
        self.fields["label"].queryset = LeadLabel.objects.all()
        # Any integer is accepted here; the service refuses ids the user may not see (all or nothing).
        self.fields["ids"].valid_value = lambda value: str(value).isdigit() and 0 < int(value) < 2**63

    def clean(self):
        data = super().clean()
        action = data.get("action")
        if action == "assign" and not data.get("owner"):
            self.add_error("owner", _("Choose whom to assign the leads to."))
        if action in ("label", "unlabel") and not data.get("label"):
            self.add_error("label", _("Choose a label."))
        return data


class LeadLabelForm(SettingsForm):
    name = forms.CharField(label=_("Name"), max_length=60)
    colour = forms.CharField(label=_("Colour"), max_length=7, widget=forms.TextInput(attrs={"type": "color"}))
