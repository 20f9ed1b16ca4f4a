"""Forms of the pipeline settings: pipelines, stages with their gates, and stage removal.

Parsing only: ranges, uniqueness and "at least one stage" are the services' rules.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from apogee.customfields.queries import definitions_for
from apogee.workspace.forms import SettingsForm

from .models import HandoffMode, Pipeline, Stage


class PipelineCreateForm(SettingsForm):
    name = forms.CharField(label=_("Name"), max_length=100)
    stage_names = forms.CharField(
        label=_("Stages"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("One stage per line, in order. Leave empty to start with “First contact”."),
    )

    def clean_stage_names(self) -> list[str] | None:
        names = [line.strip() for line in self.cleaned_data["stage_names"].splitlines() if line.strip()]
        return names or None


class PipelineForm(SettingsForm):
    name = forms.CharField(label=_("Name"), max_length=100)
    handoff_target = forms.ModelChoiceField(
        label=_("Hand off won deals to"),
        queryset=Pipeline.objects.none(),
        required=False,
        empty_label=_("No hand-off"),
    )
    handoff_mode = forms.ChoiceField(
        label=_("Hand-off"),
        choices=HandoffMode.choices,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, pipeline: Pipeline, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "name": pipeline.name,
                "handoff_target": pipeline.handoff_target_id,
                "handoff_mode": pipeline.handoff_mode,
            },
        )
        super().__init__(*args, **kwargs)
        self.fields["handoff_target"].queryset = Pipeline.objects.filter(is_archived=False).exclude(
            pk=pipeline.pk
        )


class StageForm(SettingsForm):
    name = forms.CharField(label=_("Name"), max_length=100)
    probability = forms.IntegerField(
        label=_("Win probability (%)"),
        initial=0,
        widget=forms.NumberInput(attrs={"min": 0, "max": 100, "step": 1}),
    )
    rotting_days = forms.IntegerField(
        label=_("Rotting after (days)"),
        required=False,
        widget=forms.NumberInput(attrs={"min": 1, "max": 3650, "step": 1}),
        help_text=_("A deal idle this long in the stage is flagged. Leave empty to never flag."),
    )
    gate_field_keys = forms.MultipleChoiceField(
        label=_("Required fields from this stage on"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "A deal cannot enter this stage, or any later one, until these deal fields are filled in."
        ),
    )

    def __init__(self, *args, stage: Stage | None = None, **kwargs):
        if stage is not None:
            kwargs.setdefault(
                "initial",
                {
                    "name": stage.name,
                    "probability": stage.probability,
                    "rotting_days": stage.rotting_days,
                    "gate_field_keys": stage.gate_field_keys,
                },
            )
        super().__init__(*args, **kwargs)
        choices = [(d.key, d.label) for d in definitions_for("deal")]
        offered = {key for key, _label in choices}
        # A gate on a field archived since stays visible, so the administrator sees it and can drop it.
        labels = {d.key: d.label for d in definitions_for("deal", include_archived=True)}
        for key in stage.gate_field_keys if stage is not None else []:
            if key not in offered:
                choices.append((key, _("%s (archived field)") % labels.get(key, key)))
        self.fields["gate_field_keys"].choices = choices
        if not choices:
            self.fields["gate_field_keys"].help_text = _(
                "There are no deal fields yet. Add them under Custom fields to use them as gates."
            )

    def clean_rotting_days(self) -> int | str:
        # The stage services read "" as "never rots" (None would mean "leave unchanged").
        value = self.cleaned_data["rotting_days"]
        return "" if value is None else value


class StageRemoveForm(SettingsForm):
    """Confirms a stage's removal; when it holds deals, asks which stage of the pipeline takes them."""

    move_deals_to = forms.ModelChoiceField(
        label=_("Move its deals to"), queryset=Stage.objects.none(), required=False
    )

    def __init__(self, *args, stage: Stage, deal_count: int, **kwargs):
        super().__init__(*args, **kwargs)
        if deal_count:
            self.fields["move_deals_to"].queryset = Stage.objects.filter(
                pipeline_id=stage.pipeline_id
            ).exclude(pk=stage.pk)
            self.fields["move_deals_to"].empty_label = _("Choose a stage…")
        else:
            del self.fields["move_deals_to"]
