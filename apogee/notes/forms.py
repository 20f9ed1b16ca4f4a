"""The note form: one textarea; the service sanitizes what it holds."""

from django import forms
from django.utils.translation import gettext_lazy as _

from apogee.core.errors import DomainError

from .services import MAX_BODY


class NoteForm(forms.Form):
    body = forms.CharField(
        label=_("Note"),
        max_length=MAX_BODY,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": _("Write a note…")}),
        help_text=_("Bold, italic, lists, links and quotes are kept; other HTML is removed."),
    )

    def add_domain_error(self, error: DomainError) -> None:
        attached = False
        for name, messages in error.fields.items():
            if name in self.fields:
                for message in messages:
                    self.add_error(name, message)
                attached = True
        if not attached:
            self.add_error(None, error.message)
