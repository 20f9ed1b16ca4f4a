"""Forms of bid management: the decision (one score per active criterion), a review note, criteria, rules.

Forms parse and type the input; the rules (every criterion scored, ranges, who may
approve) live in the services, whose DomainError comes back through add_domain_error.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from apogee.core.errors import DomainError
from apogee.workspace.forms import SettingsForm

from .models import MAX_SCORE, MAX_WEIGHT, MIN_SCORE, BidCriterion, Decision

SCORE_CHOICES = [(str(n), str(n)) for n in range(MIN_SCORE, MAX_SCORE + 1)]


class _DomainErrors:
    """Puts a service's field errors on the matching fields ("scores.3" → score_3), the rest on top."""

    def field_name(self, key: str) -> str | None:
        if key.startswith("scores."):
            key = f"score_{key.split('.', 1)[1]}"
        return key if key in self.fields else None

    def add_domain_error(self, error: DomainError) -> None:
        attached = False
        for key, messages in error.fields.items():
            name = self.field_name(key)
            for message in messages:
                self.add_error(name, message)
            attached = attached or name is not None
        if not attached or error.code != "validation_failed":
            self.add_error(None, error.message)


class BidDecisionForm(_DomainErrors, forms.Form):
    # Plain text fields with radio widgets: the service checks every value and reports all faults at once.
    decision = forms.CharField(
        label=_("Decision"), widget=forms.RadioSelect(choices=Decision.choices), required=False
    )
    rationale = forms.CharField(
        label=_("Rationale"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": _("Why bid, or why not: people, fit, risk…")}),
    )
    # The stage a refused move wanted; the view keeps it only if it is one of the deal's pipeline.
    stage = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, criteria: list[BidCriterion], **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        for criterion in criteria:
            self.fields[f"score_{criterion.pk}"] = forms.CharField(
                label=criterion.label, required=False, widget=forms.RadioSelect(choices=SCORE_CHOICES)
            )

    def score_fields(self) -> list:
        """(criterion, bound field) pairs, in the criteria's order, for the score grid."""
        return [(c, self[f"score_{c.pk}"]) for c in self.criteria]

    def scores(self) -> dict[int, str]:
        return {c.pk: self.cleaned_data.get(f"score_{c.pk}") for c in self.criteria}


class ReviewForm(_DomainErrors, forms.Form):
    note = forms.CharField(
        label=_("Note to the proposer"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class CriterionForm(SettingsForm):
    label_en = forms.CharField(label=_("Criterion (English)"), max_length=80)
    label_fr = forms.CharField(label=_("Criterion (French)"), max_length=80, required=False)
    weight = forms.IntegerField(
        label=_("Weight"),
        min_value=1,
        max_value=MAX_WEIGHT,
        initial=1,
        help_text=_("How much it counts against the others, e.g. 1 to 5."),
    )


class BidRulesForm(SettingsForm):
    autofocus = False
    approval_required = forms.BooleanField(
        label=_("Decisions need a manager's approval"),
        required=False,
        help_text=_(
            "A member's decision is then a proposal; a manager of their team (or an administrator) approves "
            "or rejects it. Managers' and administrators' own decisions are final."
        ),
    )

    def __init__(self, *args, pipelines, **kwargs):
        super().__init__(*args, **kwargs)
        self.pipelines = pipelines
        for pipeline in pipelines:
            self.fields[f"stages_{pipeline.pk}"] = forms.MultipleChoiceField(
                label=pipeline.name,
                choices=[(str(s.pk), s.name) for s in pipeline.stages.all()],
                required=False,
                widget=forms.CheckboxSelectMultiple,
            )

    def stage_ids(self) -> set[int]:
        return {int(pk) for p in self.pipelines for pk in self.cleaned_data.get(f"stages_{p.pk}", [])}
