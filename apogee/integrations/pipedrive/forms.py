"""Forms of the Pipedrive migration page: starting a run, resuming one, importing a dry run for real.

Forms parse and type the input: which entity each uploaded export file holds (told by its
headers or name, as the CLI does), the map as text whether typed or uploaded, the reading
options. The rules (a valid map, an address and a token for the API, at least one file) live
in the services, whose ValidationFailed comes back through `add_domain_error`.
"""

from functools import cache
from zoneinfo import available_timezones

from django import forms
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apogee.integrations.pipedrive import services
from apogee.integrations.pipedrive.exportfiles import ExportFileError, open_export_file
from apogee.integrations.pipedrive.models import RunSource
from apogee.workspace.forms import SettingsForm

DEFAULT_TIMEZONE = "Europe/Zurich"


@cache
def timezone_choices() -> list[tuple[str, str]]:
    return [(name, name.replace("_", " ")) for name in sorted(available_timezones())]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; cleans to a list (empty when none was chosen)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        # An empty file is reported by the form with the file's name, like any unreadable one.
        kwargs.setdefault("allow_empty_file", True)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        one = super().clean
        if isinstance(data, list | tuple):
            return [one(item, initial) for item in data if item]
        return [one(data, initial)] if data else []


class _TokenField(forms.CharField):
    """The API token: a password input that never shows the value back."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", gettext_lazy("API token"))
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "widget",
            forms.PasswordInput(render_value=False, attrs={"autocomplete": "off", "spellcheck": "false"}),
        )
        super().__init__(**kwargs)


class StartImportForm(SettingsForm):
    autofocus = False  # the page opens on the runs as much as on the form

    source = forms.ChoiceField(
        label=gettext_lazy("Read from"),
        choices=[
            (RunSource.FILES.value, gettext_lazy("Export files (CSV or XLSX)")),
            (RunSource.API.value, gettext_lazy("The Pipedrive API")),
        ],
        initial=RunSource.FILES.value,
        widget=forms.RadioSelect,
    )
    files = MultipleFileField(
        label=gettext_lazy("Files"),
        required=False,
        help_text=gettext_lazy(
            "Any of the organizations, persons, products, deals, leads, activities and notes exports, "
            "in one go; each file is recognised by its columns."
        ),
        widget=MultipleFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
    )
    base_url = forms.CharField(
        label=gettext_lazy("Company address"),
        required=False,
        max_length=300,
        widget=forms.URLInput(
            attrs={"placeholder": "https://yourcompany.pipedrive.com", "spellcheck": "false"}
        ),
    )
    token = _TokenField(
        help_text=gettext_lazy(
            "In Pipedrive: Personal preferences › API. Kept encrypted while the import runs, "
            "erased when it ends."
        )
    )
    map = forms.CharField(
        label=gettext_lazy("Restructuring map"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 18, "spellcheck": "false", "class": "code"}),
        help_text=gettext_lazy(
            "Which legacy pipeline and stage goes where, in YAML. Prefilled with the reference map."
        ),
    )
    map_file = forms.FileField(
        label=gettext_lazy("…or upload a map"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".yaml,.yml,text/yaml"}),
        help_text=gettext_lazy("A .yaml file replaces the text above."),
    )
    timezone = forms.ChoiceField(
        label=gettext_lazy("Time zone of the files"),
        choices=timezone_choices,
        initial=DEFAULT_TIMEZONE,
        help_text=gettext_lazy("Exports show times in the exporting user's zone, without saying which."),
    )
    day_first = forms.TypedChoiceField(
        label=gettext_lazy("Dates such as 03/04/2024"),
        choices=[
            ("1", gettext_lazy("Day first: 3 April 2024")),
            ("0", gettext_lazy("Month first: March 4, 2024")),
        ],
        coerce=lambda value: value == "1",
        initial="1",
        widget=forms.RadioSelect,
    )
    dry_run = forms.BooleanField(
        label=gettext_lazy("Dry run (write nothing)"),
        required=False,
        initial=True,
        help_text=gettext_lazy("Reports what the import would do. Uncheck it to import for real."),
    )

    def __init__(self, *args, max_file_bytes: int = services.MAX_FILE_BYTES, **kwargs):
        super().__init__(*args, **kwargs)
        self.max_file_bytes = max_file_bytes
        if not self.is_bound:
            self.fields["map"].initial = services.reference_map_text()

    def clean_map_file(self):
        upload = self.cleaned_data.get("map_file")
        if not upload:
            return ""
        if upload.size > 1024 * 1024:
            raise forms.ValidationError(_("A map is a short text: this file is larger than 1 MB."))
        try:
            text = upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise forms.ValidationError(_("The map file is not UTF-8 text.")) from None
        # The map is shown in the text area from now on, so that a rejected one can be corrected there.
        self.data = self.data.copy()
        self.data["map"] = text
        return text

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("map_file"):
            cleaned["map"] = cleaned["map_file"]
        cleaned["export_files"] = {}
        if cleaned.get("source") == RunSource.FILES:
            cleaned["export_files"] = self._read_files(cleaned.get("files") or [])
        return cleaned

    def _read_files(self, uploads) -> dict[str, bytes]:
        """The uploads by entity; problems become errors of the files field, one per file."""
        found: dict[str, tuple[str, bytes]] = {}
        for upload in uploads:
            if upload.size > self.max_file_bytes:
                self.add_error(
                    "files",
                    _("%(name)s is larger than %(max)s.")
                    % {"name": upload.name, "max": filesizeformat(self.max_file_bytes)},
                )
                continue
            data = upload.read()
            try:
                entity = open_export_file(data, filename=upload.name).entity
            except ExportFileError as error:
                self.add_error("files", f"{upload.name}: {error.message}")
                continue
            if entity in found:
                self.add_error(
                    "files",
                    _("%(first)s and %(second)s hold the same kind of records: keep one.")
                    % {"first": found[entity][0], "second": upload.name},
                )
                continue
            found[entity] = (upload.name, data)
        return {entity: data for entity, (_name, data) in found.items()}

    def chosen_file_names(self) -> list[str]:
        """The names of the files chosen, for the page that asks for them again."""
        return [upload.name for upload in self.files.getlist("files")] if self.is_bound else []

    def start_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "source": data["source"],
            "dry_run": data["dry_run"],
            "map_text": data["map"],
            "base_url": data["base_url"],
            "token": data["token"],
            "files": data["export_files"],
            "timezone_name": data["timezone"],
            "day_first": data["day_first"],
        }


class TokenForm(SettingsForm):
    """Resuming a run, or importing a dry run for real: the API token again when the run needs it."""

    autofocus = False

    token = _TokenField()

    def __init__(self, *args, needs_token: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.needs_token = needs_token
        if not needs_token:
            del self.fields["token"]

    def given_token(self) -> str:
        return self.cleaned_data.get("token", "") if self.needs_token else ""
