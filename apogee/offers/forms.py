"""Forms of the offers section: they parse what the browser sends; the services validate and write."""

from django import forms
from django.utils.translation import gettext_lazy as _

from apogee.core.errors import DomainError
from apogee.core.queries import active_currency_codes

from .models import BINDING_BY_DEFAULT, Offer, OfferType, PriceBasis
from .services import MAX_NOTE


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


class OfferForm(_DomainErrorsMixin, forms.Form):
    """A new offer, a draft being edited, or the next revision (then prefilled from the current one)."""

    offer_type = forms.ChoiceField(label=_("Type"), choices=OfferType.choices)
    is_binding = forms.BooleanField(
        label=_("Binding"),
        required=False,
        help_text=_("A ROM or a budgetary figure usually commits to nothing."),
    )
    amount = forms.CharField(label=_("Amount"), widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    currency = forms.ChoiceField(label=_("Currency"))
    price_basis = forms.ChoiceField(
        label=_("Price basis"), choices=[("", "—"), *PriceBasis.choices], required=False
    )
    valid_until = forms.DateField(
        label=_("Valid until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    submitted_on = forms.DateField(
        label=_("Submitted on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Leave empty while the offer is a draft."),
    )
    note = forms.CharField(
        label=_("Note"), required=False, max_length=MAX_NOTE, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, default_currency: str = "CHF", **kwargs):
        super().__init__(*args, **kwargs)
        codes = active_currency_codes()
        self.fields["currency"].choices = [(c, c) for c in codes]
        self.fields["currency"].initial = default_currency if default_currency in codes else None

    @staticmethod
    def initial_for(offer: Offer, *, revising: bool = False) -> dict:
        return {
            "offer_type": offer.offer_type,
            "is_binding": offer.is_binding,
            "amount": offer.amount,
            "currency": offer.currency,
            "price_basis": offer.price_basis,
            "valid_until": offer.valid_until,
            # A revision is sent anew; its submission day is its own.
            "submitted_on": None if revising else offer.submitted_on,
            "note": offer.note,
        }

    @staticmethod
    def initial_new(*, offer_type: str, currency: str) -> dict:
        return {
            "offer_type": offer_type,
            "is_binding": offer_type in BINDING_BY_DEFAULT,
            "currency": currency,
        }

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        data["price_basis"] = data.get("price_basis") or ""
        return data


class DocumentForm(_DomainErrorsMixin, forms.Form):
    file = forms.FileField(label=_("Document"))
