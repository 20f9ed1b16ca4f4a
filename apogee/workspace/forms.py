"""Forms of the settings pages: the shared base that shows domain errors, ordering, rates, lost reasons.

Forms parse and type the input; the rules (ranges, uniqueness, codes) live in the
services, whose DomainError comes back through `add_domain_error`.
"""

from datetime import date

from django import forms
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apogee.core.errors import DomainError
from apogee.core.models import Currency


class SettingsForm(forms.Form):
    """Puts the cursor in the first field, and turns a service's DomainError into form errors."""

    autofocus = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.autofocus:
            for field in self.visible_fields():
                field.field.widget.attrs.setdefault("autofocus", True)
                break

    def full_clean(self) -> None:
        super().full_clean()
        self._focus_first_error()

    def add_domain_error(self, error: DomainError) -> None:
        """error.message becomes a non-field error; error.fields land on the matching fields."""
        self.add_error(None, error.message)
        for name, messages in error.fields.items():
            target = name if name in self.fields else None
            for message in messages:
                self.add_error(target, message)
        self._focus_first_error()

    def _focus_first_error(self) -> None:
        # A rejected form puts the cursor where the first correction is needed.
        invalid = [name for name in self.fields if name in (self._errors or {})]
        if not self.autofocus or not invalid:
            return
        for name, field in self.fields.items():
            if name == invalid[0]:
                field.widget.attrs["autofocus"] = True
            else:
                field.widget.attrs.pop("autofocus", None)


class OrderForm(SettingsForm):
    """A new order for a list: either all ids (drag and drop) or one item moved up or down (buttons).

    `current_ids` is the list as shown; `hidden_ids` (archived rows) keep their order after it,
    because the reorder services want every row exactly once.
    """

    autofocus = False
    order = forms.CharField(required=False)
    move = forms.IntegerField(required=False)
    direction = forms.ChoiceField(required=False, choices=[("up", "up"), ("down", "down")])

    def __init__(self, *args, current_ids: list[int], hidden_ids: list[int] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.current_ids = list(current_ids)
        self.hidden_ids = list(hidden_ids)

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        if data.get("order"):
            try:
                shown = [int(part) for part in data["order"].split(",") if part.strip()]
            except ValueError:
                raise forms.ValidationError(_("Invalid order.")) from None
        elif data.get("move") is not None and data.get("direction"):
            shown = self._moved(data["move"], data["direction"])
        else:
            raise forms.ValidationError(_("Nothing to reorder."))
        if sorted(shown) != sorted(self.current_ids):
            raise forms.ValidationError(
                _("The list changed since the page was loaded. Reload it and try again.")
            )
        data["ordered_ids"] = shown + [pk for pk in self.hidden_ids if pk not in shown]
        return data

    def _moved(self, pk: int, direction: str) -> list[int]:
        ids = list(self.current_ids)
        if pk not in ids:
            raise forms.ValidationError(
                _("The list changed since the page was loaded. Reload it and try again.")
            )
        index = ids.index(pk)
        other = index - 1 if direction == "up" else index + 1
        if 0 <= other < len(ids):
            ids[index], ids[other] = ids[other], ids[index]
        return ids


class LostReasonForm(SettingsForm):
    label = forms.CharField(label=gettext_lazy("Reason"), max_length=200)


class CurrencyForm(SettingsForm):
    code = forms.CharField(
        label=gettext_lazy("ISO code"),
        max_length=10,
        help_text=gettext_lazy("Three letters, for example GBP."),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "size": 4, "style": "text-transform: uppercase"}
        ),
    )
    name = forms.CharField(label=gettext_lazy("Name"), max_length=60, required=False)


class ExchangeRateForm(SettingsForm):
    currency = forms.ModelChoiceField(label=gettext_lazy("Currency"), queryset=Currency.objects.none())
    valid_from = forms.DateField(
        label=gettext_lazy("Valid from"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=gettext_lazy("Entering a rate for a date that already has one corrects it."),
    )
    rate_to_base = forms.DecimalField(
        label=gettext_lazy("Rate"),
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("valid_from", date.today())
        super().__init__(*args, **kwargs)
        base = settings.APOGEE_BASE_CURRENCY
        # The base currency is worth 1 of itself by definition: it never has a rate.
        self.fields["currency"].queryset = Currency.objects.exclude(code=base)
        self.fields["currency"].empty_label = None
        self.fields["rate_to_base"].help_text = _("How many %(base)s one unit of the currency is worth.") % {
            "base": base
        }
