"""The deal page: inline edits with a version check, stage path, participants, won/lost, hand-off."""

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect, HttpResponseClientRefresh

from apogee.contacts.models import Organization
from apogee.core.errors import DomainError
from apogee.core.undo import offer_undo
from apogee.customfields.formfields import custom_form_field, custom_initial, custom_submitted
from apogee.customfields.queries import ValueFormatter, definitions_for
from apogee.deals import queries, services
from apogee.deals.errors import DealVersionConflict
from apogee.deals.forms import DealForm, LostForm, ParticipantForm, currency_choices
from apogee.deals.models import DealParticipant, Visibility
from apogee.deals.sections import deal_sections
from apogee.pipelines.queries import ordered_stages
from apogee.timeline.labels import conflict_rows

from .common import add_domain_errors

BUILT_IN = ("title", "value", "organization", "expected_close_date", "owner", "visibility")
DEADLINE_LABELS = {
    "clarification_deadline": gettext_lazy("Clarification questions until"),
    "submission_deadline": gettext_lazy("Submission deadline"),
}


def _detail_context(request, deal) -> dict:
    definitions = list(definitions_for("deal"))
    formatter = ValueFormatter(definitions, [deal.custom_values])
    stages = ordered_stages(deal.pipeline)
    return {
        "deal": deal,
        "stages": stages,
        "custom_rows": [(d, formatter.format(d.key, deal.custom_values.get(d.key))) for d in definitions],
        "participants": deal.participants.select_related("person__organization"),
        "participant_form": ParticipantForm(deal=deal),
        "handed_off": queries.deals_visible_to(request.user)
        .filter(origin_deal=deal)
        .select_related("pipeline"),
        "change_notices": queries.deals_visible_to(request.user).filter(parent_contract=deal),
        "can_hand_off": deal.is_open
        and deal.pipeline.handoff_target_id
        and stages
        and deal.stage_id == stages[-1].pk,
        "lost_form": LostForm(),
        "deal_sections": deal_sections(),
        "deadline": deal.deadline_warning(),
    }


@login_required
def detail(request: HttpRequest, deal_id: int) -> HttpResponse:
    deal = queries.get_deal_for_user_or_404(request.user, deal_id)
    return render(request, "deals/detail.html", _detail_context(request, deal))


class _FieldForm(forms.Form):
    """One field of the deal, built for the inline editor."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, deal, name: str, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.name = name
        self.definition = None
        if name == "title":
            self.fields["title"] = forms.CharField(max_length=200, initial=deal.title, label=_("Title"))
        elif name == "value":
            self.fields["value"] = forms.CharField(initial=deal.value, label=_("Value"))
            self.fields["currency"] = forms.ChoiceField(choices=currency_choices(), label=_("Currency"))
            self.fields["currency"].initial = deal.currency
        elif name in ("organization", "end_customer"):
            self.fields[name] = forms.ModelChoiceField(
                queryset=Organization.objects.filter(deleted_at__isnull=True).order_by("name"),
                required=False,
                initial=getattr(deal, f"{name}_id"),
                label=_("Organization") if name == "organization" else _("End customer"),
            )
        elif name == "tender_reference":
            self.fields[name] = forms.CharField(
                max_length=80, required=False, initial=deal.tender_reference, label=_("Tender reference")
            )
        elif name in ("clarification_deadline", "submission_deadline"):
            current = getattr(deal, name)
            self.fields[name] = forms.DateTimeField(
                required=False,
                initial=current and timezone.localtime(current).strftime("%Y-%m-%dT%H:%M"),
                widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
                input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"],
                label=DEADLINE_LABELS[name],
            )
        elif name == "offer_valid_until":
            self.fields[name] = forms.DateField(
                required=False,
                initial=deal.offer_valid_until,
                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                input_formats=["%Y-%m-%d"],
                label=_("Offer valid until"),
            )
        elif name == "expected_close_date":
            self.fields[name] = forms.CharField(
                required=False,
                initial=deal.expected_close_date and deal.expected_close_date.isoformat(),
                widget=forms.DateInput(attrs={"type": "date"}),
                label=_("Expected close date"),
            )
        elif name == "owner":
            self.fields["owner"] = forms.ModelChoiceField(
                queryset=get_user_model().objects.filter(is_active=True),
                initial=deal.owner_id,
                label=_("Owner"),
            )
        elif name == "visibility":
            self.fields["visibility"] = forms.ChoiceField(
                choices=Visibility.choices, initial=deal.visibility, label=_("Visible to")
            )
        elif name.startswith("cf_"):
            self.definition = next((d for d in definitions_for("deal") if f"cf_{d.key}" == name), None)
            if self.definition is None:
                raise Http404("No such field")
            current = deal.custom_values.get(self.definition.key)
            self.fields[name] = custom_form_field(self.definition, user=user, current=current)
            self.fields[name].initial = custom_initial(self.definition, current)
        else:
            raise Http404("No such field")

    def changes(self) -> dict:
        data = self.cleaned_data
        if self.definition is not None:
            return {
                "custom_values": {self.definition.key: custom_submitted(self.definition, data[self.name])}
            }
        if self.name == "value":
            return {"value": data["value"], "currency": data["currency"]}
        return {self.name: data[self.name]}


@login_required
@require_http_methods(["GET", "POST"])
def edit_field(request: HttpRequest, deal_id: int, field: str) -> HttpResponse:
    """GET: the inline editor of one field. POST: save it, refusing a save based on an old version."""
    deal = queries.get_deal_for_user_or_404(request.user, deal_id)
    if request.method == "GET":
        version = request.GET.get("version", deal.version)
        form = _FieldForm(deal=deal, name=field, user=request.user, initial={"version": version})
        return render(request, "deals/_field_editor.html", {"deal": deal, "form": form, "field": field})
    form = _FieldForm(request.POST, deal=deal, name=field, user=request.user)
    conflict = None
    if form.is_valid():
        try:
            services.update_deal(
                deal=deal,
                actor=request.user,
                changes=form.changes(),
                expected_version=form.cleaned_data["version"],
            )
        except DealVersionConflict as error:
            conflict = error
            form.add_error(None, error.message)
        except DomainError as error:
            add_domain_errors(form, error)
        else:
            return HttpResponseClientRefresh()
    return render(
        request,
        "deals/_field_editor.html",
        {
            "deal": deal,
            "form": form,
            "field": field,
            "conflict_rows": conflict_rows(conflict.changes) if conflict else None,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def create(request: HttpRequest) -> HttpResponse:
    initial = {"owner": request.user.pk, "currency": "CHF", "pipeline": request.GET.get("pipeline")}
    form = DealForm(request.POST or None, initial=initial, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            deal = services.create_deal(
                title=data["title"],
                pipeline=data["pipeline"],
                stage=data["stage"],
                actor=request.user,
                owner=data["owner"],
                organization=data["organization"],
                value=data["value"] or 0,
                currency=data["currency"],
                expected_close_date=data["expected_close_date"] or None,
                visibility=data["visibility"],
                custom_values=form.custom_values(),
            )
        except DomainError as error:
            add_domain_errors(form, error)
        else:
            return redirect("deals:detail", deal.pk)
    return render(request, "deals/create.html", {"form": form})


@login_required
@require_POST
def won(request: HttpRequest, deal_id: int) -> HttpResponse:
    deal = queries.get_deal_for_user_or_404(request.user, deal_id)
    try:
        services.mark_deal_won(deal=deal, actor=request.user)
    except DomainError as error:
        return _error_back(request, deal, error)
    return _back(request, deal)


@login_required
@require_http_methods(["GET", "POST"])
def lost(request: HttpRequest, deal_id: int) -> HttpResponse:
    deal = queries.get_deal_for_user_or_404(request.user, deal_id)
    form = LostForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.mark_deal_lost(
                deal=deal,
                actor=request.user,
                reason=form.cleaned_data["lost_reason"],
                note=form.cleaned_data["note"],
            )
        except DomainError as error:
            add_domain_errors(form, error)
        else:
            return _back(request, deal)
    return render(request, "deals/_lost_dialog.html", {"deal": deal, "form": form})


@login_required
@require_POST
def reopen(request: HttpRequest, deal_id: int) -> HttpResponse:
    deal = queries.get_deal_for_user_or_404(request.user, deal_id)
    services.reopen_deal(deal=deal, actor=request.user)
    return _back(request, deal)


@login_required
@require_POST
def handoff(request: HttpRequest, deal_id: int) -> HttpResponse:
    deal = queries.get_deal_for_user_or_404(request.user, deal_id)
    try:
        result = services.hand_off_deal(deal=deal, actor=request.user)
    except DomainError as error:
        return _error_back(request, deal, error)
    url = reverse("deals:detail", args=[result.pk])
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


@login_required
@require_POST
def participants(request: HttpRequest, deal_id: int) -> HttpResponse:
    deal = queries.get_deal_for_user_or_404(request.user, deal_id)
    form = ParticipantForm(request.POST, deal=deal)
    if form.is_valid():
        try:
            services.add_participant(
                deal=deal,
                person=form.cleaned_data["person"],
                role=form.cleaned_data["role"],
                actor=request.user,
            )
        except DomainError as error:
            add_domain_errors(form, error)
    return render(
        request,
        "deals/_participants.html",
        {
            "deal": deal,
            "participants": deal.participants.select_related("person__organization"),
            "participant_form": form if form.errors else ParticipantForm(deal=deal),
        },
    )


@login_required
@require_POST
def remove_participant(request: HttpRequest, deal_id: int, participant_id: int) -> HttpResponse:
    deal = queries.get_deal_for_user_or_404(request.user, deal_id)
    try:
        participant = deal.participants.select_related("person").get(pk=participant_id)
    except DealParticipant.DoesNotExist:
        raise Http404("No such participant") from None
    services.remove_participant(participant=participant, actor=request.user)
    return render(
        request,
        "deals/_participants.html",
        {
            "deal": deal,
            "participants": deal.participants.select_related("person__organization"),
            "participant_form": ParticipantForm(deal=deal),
        },
    )


@login_required
@require_POST
def delete(request: HttpRequest, deal_id: int) -> HttpResponse:
    deal = queries.get_deal_for_user_or_404(request.user, deal_id)
    try:
        services.delete_deal(deal=deal, actor=request.user)
    except DomainError as error:
        return _error_back(request, deal, error)
    offer_undo(
        request, url=reverse("deals:restore", args=[deal.pk]), label=_("“%s” was deleted.") % deal.title
    )
    return redirect(f"{reverse('deals:board')}?pipeline={deal.pipeline_id}")


@login_required
@require_POST
def restore(request: HttpRequest, deal_id: int) -> HttpResponse:
    deal = queries.deleted_deal_for_user_or_404(request.user, deal_id)
    services.restore_deal(deal=deal, actor=request.user)
    messages.success(request, _("“%s” is back.") % deal.title)
    return redirect("deals:detail", deal.pk)


def _back(request, deal) -> HttpResponse:
    if request.htmx:
        return HttpResponseClientRefresh()
    return redirect("deals:detail", deal.pk)


def _error_back(request, deal, error: DomainError) -> HttpResponse:
    messages.error(request, error.message)
    return _back(request, deal)
