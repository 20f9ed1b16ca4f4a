"""The audit trail's filter form."""

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from apogee.core.models import EventSource

from .queries import AuditFilters

# The subject types people look for; the audit trail itself holds every type.
SUBJECT_TYPES = [
    ("", _("Any record")),
    ("deal", _("Deal")),
    ("lead", _("Lead")),
    ("person", _("Person")),
    ("organization", _("Organization")),
    ("activity", _("Activity")),
    ("note", _("Note")),
    ("pipeline", _("Pipeline")),
    ("stage", _("Stage")),
    ("fielddefinition", _("Custom field")),
    ("user", _("User")),
    ("apitoken", _("API token")),
]


class AuditFilterForm(forms.Form):
    actor = forms.ModelChoiceField(
        label=_("Who"), queryset=get_user_model().objects.order_by("first_name", "username"), required=False
    )
    source = forms.ChoiceField(
        label=_("Through"), choices=[("", _("Any channel")), *EventSource.choices], required=False
    )
    subject_type = forms.ChoiceField(label=_("Record type"), choices=SUBJECT_TYPES, required=False)
    subject_id = forms.IntegerField(label=_("Record id"), min_value=1, required=False)
    name = forms.CharField(
        label=_("Event"), max_length=80, required=False, help_text=_("e.g. deal.updated, or deal. for all")
    )
    since = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        cleaned = super().clean()
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and until < since:
            self.add_error("until", _("The end is before the start."))
        return cleaned

    def filters(self) -> AuditFilters:
        data = self.cleaned_data if self.is_valid() else {}
        actor = data.get("actor")
        return AuditFilters(
            actor=actor.pk if actor else None,
            source=data.get("source", ""),
            subject_type=data.get("subject_type", ""),
            subject_id=data.get("subject_id"),
            name=(data.get("name") or "").strip(),
            since=data.get("since"),
            until=data.get("until"),
        )
