"""Forms of the custom field settings: a new field, and the labels and options of an existing one.

Options are edited as lines "English label | French label". On edit, a line keeps the key of
the option whose English or French label it still carries, so fixing one of the two labels
never orphans the values already stored; a removed line is archived by the service.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from apogee.workspace.forms import SettingsForm

from .models import FieldDefinition, FieldTypeChoice

OPTION_TYPES = ("single_option", "multiple_options")

OPTIONS_HELP = _(
    "One option per line: “English label | French label”. The French label is optional. "
    "For single and multiple option fields only."
)


def parse_option_lines(text: str) -> list[dict]:
    options = []
    for line in text.splitlines():
        if not line.strip():
            continue
        label_en, _sep, label_fr = line.partition("|")
        options.append({"label_en": label_en.strip(), "label_fr": label_fr.strip()})
    return options


def option_lines(options: list[dict]) -> str:
    return "\n".join(
        f"{o['label_en']} | {o['label_fr']}" if o.get("label_fr") else o["label_en"] for o in options
    )


class FieldCreateForm(SettingsForm):
    label_en = forms.CharField(label=_("Label (English)"), max_length=120)
    label_fr = forms.CharField(label=_("Label (French)"), max_length=120, required=False)
    field_type = forms.ChoiceField(label=_("Type"), choices=FieldTypeChoice.choices)
    key = forms.CharField(
        label=_("Key"),
        max_length=60,
        required=False,
        help_text=_(
            "Used by the API, imports and filters; cannot be changed later. "
            "Leave empty to derive it from the English label."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    options = forms.CharField(
        label=_("Options"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5, "data-options-input": ""}),
        help_text=OPTIONS_HELP,
    )

    def clean_options(self) -> list[dict]:
        return parse_option_lines(self.cleaned_data["options"])


class FieldEditForm(SettingsForm):
    label_en = forms.CharField(label=_("Label (English)"), max_length=120)
    label_fr = forms.CharField(label=_("Label (French)"), max_length=120, required=False)
    options = forms.CharField(
        label=_("Options"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "One option per line: “English label | French label”. Removing a line archives the option: "
            "deals that already have it keep it. Add a line with an archived label to restore it."
        ),
    )

    def __init__(self, *args, definition: FieldDefinition, **kwargs):
        self.definition = definition
        kwargs.setdefault(
            "initial",
            {
                "label_en": definition.label_en,
                "label_fr": definition.label_fr,
                "options": option_lines(definition.active_options()),
            },
        )
        super().__init__(*args, **kwargs)
        if not definition.has_options:
            del self.fields["options"]

    def clean_options(self) -> list[dict]:
        parsed = parse_option_lines(self.cleaned_data["options"])
        by_label: dict[str, str] = {}
        # Active options first, so a label shared with an archived option maps to the active one.
        for option in sorted(self.definition.options, key=lambda o: bool(o.get("archived"))):
            for label in (option.get("label_en"), option.get("label_fr")):
                if label:
                    by_label.setdefault(label.casefold(), option["key"])
        used: set[str] = set()
        for option in parsed:
            for label in (option["label_en"], option["label_fr"]):
                key = by_label.get(label.casefold()) if label else None
                if key and key not in used:
                    option["key"] = key
                    used.add(key)
                    break
        return parsed

    @property
    def archived_options(self) -> list[dict]:
        return [o for o in self.definition.options if o.get("archived")]
