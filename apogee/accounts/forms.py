"""Forms of users, teams, the user's own preferences and API tokens. Parsing only."""

import functools
import zoneinfo

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from apogee.workspace.forms import SettingsForm

from .models import Role, Team, User

LANGUAGE_CHOICES = [("", _("The browser's language")), ("en", "English"), ("fr", "Français")]


@functools.cache
def _zone_names() -> tuple[str, ...]:
    # Listing the zone database reads hundreds of files: once per process is enough.
    return tuple(
        sorted(
            z for z in zoneinfo.available_timezones() if ("/" in z and not z.startswith("Etc/")) or z == "UTC"
        )
    )


def _time_zone_choices() -> list[tuple[str, str]]:
    default = settings.DEFAULT_USER_TIMEZONE
    return [("", _("Workspace default (%s)") % default), *((z, z.replace("_", " ")) for z in _zone_names())]


class UserCreateForm(SettingsForm):
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    username = forms.CharField(
        label=_("User name"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    email = forms.EmailField(label=_("E-mail"))
    password = forms.CharField(
        label=_("Password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Give it to the person by a separate channel; they can change it after logging in."),
    )
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.MEMBER)
    team = forms.ModelChoiceField(
        label=_("Team"), queryset=Team.objects.all(), required=False, empty_label=_("No team")
    )
    language = forms.ChoiceField(label=_("Language"), choices=LANGUAGE_CHOICES, required=False)


class UserEditForm(SettingsForm):
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    email = forms.EmailField(label=_("E-mail"))
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    team = forms.ModelChoiceField(
        label=_("Team"), queryset=Team.objects.all(), required=False, empty_label=_("No team")
    )
    is_active = forms.BooleanField(
        label=_("Active"),
        required=False,
        help_text=_("An inactive user cannot log in or use API tokens; their deals and history stay."),
    )

    def __init__(self, *args, user: User, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "first_name": user.first_name,
                "last_name": user.last_name,
                "email": user.email,
                "role": user.role,
                "team": user.team_id,
                "is_active": user.is_active,
            },
        )
        super().__init__(*args, **kwargs)


class TeamForm(SettingsForm):
    name = forms.CharField(label=_("Name"), max_length=100)


class PreferencesForm(SettingsForm):
    language = forms.ChoiceField(label=_("Language"), choices=LANGUAGE_CHOICES, required=False)
    timezone = forms.ChoiceField(label=_("Time zone"), required=False)

    def __init__(self, *args, user: User, **kwargs):
        kwargs.setdefault("initial", {"language": user.language, "timezone": user.timezone})
        super().__init__(*args, **kwargs)
        self.fields["timezone"].choices = _time_zone_choices()


class ApiTokenForm(SettingsForm):
    autofocus = False
    name = forms.CharField(
        label=_("Token name"),
        max_length=100,
        help_text=_("Say what will use it, for example “Excel report” or “Website form”."),
    )
