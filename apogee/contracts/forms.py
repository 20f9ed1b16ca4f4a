"""Forms of the contract pages: edit a contract, open a change notice, filter the list, pipeline settings.

The forms only shape input; the services validate it and name the fields at fault,
which add_domain_error attaches to the form.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from apogee.core.errors import DomainError
from apogee.core.models import Currency

from .models import ContractStatus


def _currency_choices():
    return [(c, c) for c in Currency.objects.filter(is_active=True).values_list("code", flat=True)]


class _DomainErrorsMixin:
    def add_domain_error(self, error: DomainError) -> None:
        attached = False
        for name, messages in error.fields.items():
            if name in self.fields:
                for message in messages:
                    self.add_error(name, message)
                attached = True
        if not attached:
            self.add_error(None, error.message)


class ContractForm(_DomainErrorsMixin, forms.Form):
    number = forms.CharField(label=_("Number"), max_length=30)
    signed_on = forms.CharField(
        label=_("Signature date"), widget=forms.DateInput(attrs={"type": "date"}), help_text=_("YYYY-MM-DD")
    )
    value = forms.CharField(label=_("Value"))
    currency = forms.ChoiceField(label=_("Currency"))
    erp_project_number = forms.CharField(
        label=_("ERP project number"),
        max_length=40,
        required=False,
        help_text=_("The project in Business Central, once it exists."),
    )
    status = forms.ChoiceField(label=_("Status"), choices=ContractStatus.choices)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["currency"].choices = _currency_choices()


class ChangeNoticeForm(_DomainErrorsMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    value = forms.CharField(
        label=_("Value"), initial="0", help_text=_("Negative when the change takes scope away.")
    )
    currency = forms.ChoiceField(label=_("Currency"))
    expected_close_date = forms.DateField(
        label=_("Expected close date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, contract=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["currency"].choices = _currency_choices()
        if contract is not None:
            self.fields["currency"].initial = contract.currency


class ContractFilterForm(forms.Form):
    """Shapes the filter bar; queries.parse_contract_filter reads the values."""

    q = forms.CharField(label=_("Search"), required=False)
    customer = forms.ChoiceField(label=_("Customer"), required=False)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any status")), *ContractStatus.choices]
    )
    year = forms.ChoiceField(label=_("Signed in"), required=False)

    def __init__(self, *args, customers=(), years=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["customer"].choices = [("", _("Any customer"))] + [(c.pk, c.name) for c in customers]
        self.fields["year"].choices = [("", _("Any year"))] + [(y, y) for y in years]


class PipelineSettingsForm(forms.Form):
    """One pair of checkboxes per pipeline, named creates_<id> and holds_<id>."""

    def __init__(self, *args, rows=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = []
        for pipeline, creates, holds in rows:
            self.fields[f"creates_{pipeline.pk}"] = forms.BooleanField(
                label=_("Winning a deal creates a contract"), required=False, initial=creates
            )
            self.fields[f"holds_{pipeline.pk}"] = forms.BooleanField(
                label=_("New change notices go here"), required=False, initial=holds
            )
            self.rows.append((pipeline, self[f"creates_{pipeline.pk}"], self[f"holds_{pipeline.pk}"]))
