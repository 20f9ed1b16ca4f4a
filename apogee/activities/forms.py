"""Forms of the activity pages: parsing only; the services validate and write."""

from datetime import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apogee.accounts.models import User
from apogee.contacts.queries import organizations_visible_to, persons_visible_to
from apogee.core.errors import DomainError
from apogee.customfields.formfields import users_to_choose
from apogee.deals.models import DealStatus
from apogee.deals.queries import deals_visible_to
from apogee.leads.models import LeadStatus
from apogee.leads.queries import leads_visible_to

from .models import Activity, ActivityType
from .queries import active_types

DURATIONS = [
    ("", "—"),
    (15, "15 min"),
    (30, "30 min"),
    (45, "45 min"),
    (60, "1 h"),
    (90, "1 h 30"),
    (120, "2 h"),
    (180, "3 h"),
    (240, "4 h"),
    (480, "8 h"),
]


class TypeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: ActivityType) -> str:
        return f"{obj.icon} {obj.label}".strip()


class ActivityForm(forms.Form):
    """Schedule or edit an activity. Deal, lead, person, organization pickers offer what one may see."""

    type = TypeChoiceField(queryset=ActivityType.objects.none(), label=_("Type"), empty_label=None)
    subject = forms.CharField(label=_("Subject"), max_length=200)
    due_date = forms.DateField(
        label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    due_time = forms.TimeField(
        label=_("Time"),
        required=False,
        help_text=_("Leave empty for an all-day activity."),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    duration_minutes = forms.TypedChoiceField(
        label=_("Duration"), choices=DURATIONS, coerce=int, empty_value=None, required=False
    )
    owner = forms.ModelChoiceField(queryset=User.objects.none(), label=_("Owner"), empty_label=None)
    deal = forms.ModelChoiceField(queryset=None, label=_("Deal"), required=False, empty_label="—")
    lead = forms.ModelChoiceField(queryset=None, label=_("Lead"), required=False, empty_label="—")
    person = forms.ModelChoiceField(queryset=None, label=_("Person"), required=False, empty_label="—")
    organization = forms.ModelChoiceField(
        queryset=None, label=_("Organization"), required=False, empty_label="—"
    )
    attendee_users = forms.ModelMultipleChoiceField(
        queryset=User.objects.none(),
        label=_("Colleagues attending"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    attendee_persons = forms.ModelMultipleChoiceField(
        queryset=None,
        label=_("Contacts attending"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 4}),
    )
    note = forms.CharField(
        label=_("Note"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, user: User, activity: Activity | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        current_type = activity.type_id if activity else None
        self.fields["type"].queryset = ActivityType.objects.filter(
            pk__in=active_types().values("pk")
        ) | ActivityType.objects.filter(pk=current_type)
        self.fields["owner"].queryset = users_to_choose(activity.owner_id if activity else None)
        self.fields["attendee_users"].queryset = users_to_choose()
        deals = deals_visible_to(user).filter(status=DealStatus.OPEN)
        if activity and activity.deal_id:
            deals = deals | deals_visible_to(user).filter(pk=activity.deal_id)
        self.fields["deal"].queryset = deals.order_by("title").only("id", "title")
        leads = leads_visible_to(user).filter(status=LeadStatus.OPEN)
        if activity and activity.lead_id:
            leads = leads | leads_visible_to(user).filter(pk=activity.lead_id)
        self.fields["lead"].queryset = leads.order_by("title").only("id", "title")
        persons = persons_visible_to(user).only("id", "name").order_by("name")
        self.fields["person"].queryset = persons
        self.fields["attendee_persons"].queryset = persons
        self.fields["organization"].queryset = (
            organizations_visible_to(user).only("id", "name").order_by("name")
        )
        self.fields["subject"].widget.attrs["autofocus"] = True

    @staticmethod
    def initial_for(activity: Activity) -> dict:
        local = timezone.localtime(activity.due_at) if activity.due_at else None
        return {
            "type": activity.type_id,
            "subject": activity.subject,
            "due_date": local.date() if local else activity.due_date,
            "due_time": local.time() if local else None,
            "duration_minutes": activity.duration_minutes,
            "owner": activity.owner_id,
            "deal": activity.deal_id,
            "lead": activity.lead_id,
            "person": activity.person_id,
            "organization": activity.organization_id,
            "attendee_users": [a.user_id for a in activity.attendees.all() if a.user_id],
            "attendee_persons": [a.person_id for a in activity.attendees.all() if a.person_id],
            "note": activity.note,
        }

    def service_fields(self) -> dict:
        """The cleaned data as create_activity and update_activity take it (due: date or aware datetime)."""
        data = self.cleaned_data
        due = data["due_date"]
        if data.get("due_time") is not None:
            due = timezone.make_aware(datetime.combine(due, data["due_time"]))
        return {
            "type": data["type"],
            "subject": data["subject"],
            "due": due,
            "duration_minutes": data.get("duration_minutes"),
            "owner": data["owner"],
            "deal": data.get("deal"),
            "lead": data.get("lead"),
            "person": data.get("person"),
            "organization": data.get("organization"),
            "note": data.get("note", ""),
            "attendee_users": list(data.get("attendee_users") or []),
            "attendee_persons": list(data.get("attendee_persons") or []),
        }

    def add_domain_error(self, error: DomainError) -> None:
        attached = False
        for name, messages in error.fields.items():
            target = {"due": "due_date"}.get(name, name)
            if target in self.fields:
                for message in messages:
                    self.add_error(target, message)
                attached = True
        if not attached:
            self.add_error(None, error.message)


class ActivityTypeForm(forms.Form):
    label_en = forms.CharField(label=_("Label (English)"), max_length=60)
    label_fr = forms.CharField(label=_("Label (French)"), max_length=60, required=False)
    icon = forms.CharField(
        label=_("Icon"), max_length=8, required=False, help_text=_("An emoji or a short symbol, e.g. ☎")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["label_en"].widget.attrs["autofocus"] = True

    def add_domain_error(self, error: DomainError) -> None:
        self.add_error(None, error.message)
        for name, messages in error.fields.items():
            for message in messages:
                self.add_error(name if name in self.fields else None, message)
