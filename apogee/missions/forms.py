"""The mission profile form, the link-a-deal form and the missions list's filter."""

from django import forms
from django.utils.translation import gettext_lazy as _

from apogee.contacts.models import Organization
from apogee.core.errors import DomainError

from .models import DEFAULT_GO_AHEAD, MAX_YEAR, MIN_YEAR, MissionProfile, Phase
from .services import MAX_PROGRAMME


class _DomainErrors:
    def add_domain_error(self, error: DomainError) -> None:
        attached = False
        for name, messages in error.fields.items():
            if name in self.fields:
                for message in messages:
                    self.add_error(name, message)
                attached = True
        if not attached:
            self.add_error(None, error.message)


class MissionProfileForm(_DomainErrors, forms.Form):
    agency = forms.ModelChoiceField(
        label=_("Agency"),
        queryset=Organization.objects.none(),
        required=False,
        help_text=_("Who will procure the mission, e.g. ESA."),
    )
    programme = forms.CharField(
        label=_("Programme"),
        max_length=MAX_PROGRAMME,
        required=False,
        help_text=_("The agency's programme, e.g. Earth Explorers, Copernicus Expansion."),
    )
    expected_tender_year = forms.IntegerField(
        label=_("Expected tender year"), required=False, min_value=MIN_YEAR, max_value=MAX_YEAR
    )
    expected_launch_year = forms.IntegerField(
        label=_("Expected launch year"), required=False, min_value=MIN_YEAR, max_value=MAX_YEAR
    )
    phase = forms.ChoiceField(label=_("Phase"), choices=[("", "—"), *Phase.choices], required=False)
    go_ahead_probability = forms.IntegerField(
        label=_("Go-ahead probability (%)"),
        min_value=0,
        max_value=100,
        initial=DEFAULT_GO_AHEAD,
        help_text=_("How likely the mission is procured at all; our chance of winning is the stage's."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Agencies first, then every other organization: a national office can be the agency too.
        organizations = list(Organization.objects.filter(deleted_at__isnull=True).order_by("name"))
        agencies = [o for o in organizations if "agency" in (o.roles or [])]
        others = [o for o in organizations if "agency" not in (o.roles or [])]
        self.fields["agency"].queryset = Organization.objects.filter(deleted_at__isnull=True)
        self.fields["agency"].choices = [
            ("", "—"),
            (_("Agencies"), [(o.pk, o.name) for o in agencies]),
            (_("Other organizations"), [(o.pk, o.name) for o in others]),
        ]

    @staticmethod
    def initial_for(profile: MissionProfile | None) -> dict:
        if profile is None:
            return {"go_ahead_probability": DEFAULT_GO_AHEAD}
        return {
            "agency": profile.agency_id,
            "programme": profile.programme,
            "expected_tender_year": profile.expected_tender_year,
            "expected_launch_year": profile.expected_launch_year,
            "phase": profile.phase,
            "go_ahead_probability": profile.go_ahead_probability,
        }

    def service_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.fields}


class LinkDealForm(_DomainErrors, forms.Form):
    deal = forms.ModelChoiceField(label=_("Deal"), queryset=None)

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["deal"].queryset = candidates
        self.fields["deal"].label_from_instance = lambda d: (
            f"{d.title} ({d.pipeline.name}, {d.get_status_display()})"
        )


class MissionFilterForm(forms.Form):
    HORIZONS = (("4", _("Next 4 years")), ("2", _("Next 2 years")), ("all", _("All years")))

    horizon = forms.ChoiceField(label=_("Tender within"), choices=HORIZONS, required=False)
    closed = forms.BooleanField(label=_("Include closed missions"), required=False)

    def horizon_years(self) -> int | None:
        value = self.cleaned_data.get("horizon") if self.is_valid() else ""
        if value == "all":
            return None
        return int(value) if value else 4

    def include_closed(self) -> bool:
        return bool(self.is_valid() and self.cleaned_data.get("closed"))
