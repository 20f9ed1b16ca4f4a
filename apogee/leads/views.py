"""Lead pages: the inbox with its bulk actions, quick add (in the dialog from any page), the lead
page, edit, convert to a deal (asking for the stage's gate fields on the spot), delete with undo;
and the lead labels settings page, routed from workspace/urls.py.
"""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from apogee.accounts.queries import active_users
from apogee.contacts.errors import DuplicateSuspected
from apogee.core.errors import DomainError
from apogee.core.undo import offer_undo
from apogee.customfields.queries import ValueFormatter, definitions_for
from apogee.deals.errors import StageGateBlocked
from apogee.workspace.views import admin_required, finish, posted, render_form

from . import queries, services
from .errors import LeadsNotFound
from .forms import AGE_CHOICES, BulkActionForm, ConvertForm, LeadForm, LeadLabelForm, add_domain_errors
from .models import LeadLabel, LeadSource, LeadStatus

PAGE_SIZE = 50
DUPLICATE_FLAGS = ("allow_duplicate_organization", "allow_duplicate_person")


def _render(request: HttpRequest, template: str, context: dict, *, invalid: bool = False) -> HttpResponse:
    """A form opens in the dialog when htmx asked for it, and as a page otherwise (no JS, new tab)."""
    in_dialog = bool(request.htmx)
    context = {
        "base_template": "leads/_dialog.html" if in_dialog else "leads/_page.html",
        "in_dialog": in_dialog,
        **context,
    }
    return render(request, template, context, status=422 if invalid and not in_dialog else 200)


def _redirect(request: HttpRequest, url: str) -> HttpResponse:
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    lead_filter = queries.parse_lead_filter(request.GET)
    leads = queries.with_list_relations(queries.leads_visible_to(request.user))
    leads = lead_filter.apply(leads) if lead_filter.is_valid else leads.none()
    page = Paginator(leads, PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    archived = lead_filter.status == LeadStatus.ARCHIVED
    context = {
        "page": page,
        "leads": list(page.object_list),
        "filter": lead_filter,
        "archived_view": archived,
        "users": active_users(),
        "labels": list(queries.active_labels()),
        "sources": LeadSource.choices,
        "ages": AGE_CHOICES,
        "selected_owners": request.GET.getlist("owner"),
        "selected_labels": request.GET.getlist("label"),
        "selected_sources": request.GET.getlist("source"),
        "page_query": params.urlencode(),
        "is_filtered": any(request.GET.get(k) for k in ("owner", "label", "source", "age", "q")),
        "actions": [a for a in BulkActionForm.ACTIONS if a[0] != ("archive" if archived else "unarchive")],
    }
    return render(request, "leads/inbox.html", context)


def _contact_choices(post) -> dict:
    """The data to bind the lead form to, with a "use this existing record" choice applied."""
    data = post.copy()
    for kind in ("organization", "person"):
        chosen = data.get(f"use_{kind}")
        if chosen:
            data[kind] = chosen
            data[f"new_{kind}"] = ""
    return data


@login_required
@require_http_methods(["GET", "POST"])
def quick_add(request: HttpRequest) -> HttpResponse:
    """Capture a lead; from the dialog of any page, or as a page without JavaScript."""
    initial = {"owner": request.user.pk, "currency": "CHF"}
    data = _contact_choices(request.POST) if request.method == "POST" else None
    form = LeadForm(data, user=request.user, initial=initial)
    flags = {flag: bool(data and data.get(flag) == "1") for flag in DUPLICATE_FLAGS}
    duplicate, duplicate_kind = None, ""
    if data is not None and form.is_valid():
        try:
            lead = services.create_lead(actor=request.user, **form.create_arguments(), **flags)
        except DuplicateSuspected as suspected:
            duplicate = suspected
            duplicate_kind = "organization" if "new_organization" in suspected.fields else "person"
        except DomainError as error:
            add_domain_errors(form, error)
        else:
            message = _("Lead “%s” added.") % lead.title
            if not request.htmx:
                messages.success(request, message)
                return redirect("leads:detail", lead.pk)
            response = HttpResponse(status=204)
            response["HX-Trigger"] = json.dumps(
                {
                    "close-dialog": True,
                    "leads-changed": True,
                    "toast": {"message": message, "kind": "success"},
                }
            )
            return response
    context = {
        "form": form,
        "title": _("New lead"),
        "action": reverse("leads:quick_add"),
        "submit_label": _("Add lead"),
        "duplicate": duplicate,
        "duplicate_kind": duplicate_kind,
        "flags": [flag for flag, on in flags.items() if on],
    }
    return _render(request, "leads/lead_form.html", context, invalid=bool(form.errors or duplicate))


@login_required
def detail(request: HttpRequest, lead_id: int) -> HttpResponse:
    lead = queries.get_lead_for_user_or_404(request.user, lead_id)
    definitions = list(definitions_for("lead"))
    formatter = ValueFormatter(definitions, [lead.custom_values])
    context = {
        "lead": lead,
        "custom_rows": [(d, formatter.format(d.key, lead.custom_values.get(d.key))) for d in definitions],
        "deal_visible": lead.converted_deal is not None and lead.converted_deal.deleted_at is None,
    }
    return render(request, "leads/detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, lead_id: int) -> HttpResponse:
    lead = queries.get_lead_for_user_or_404(request.user, lead_id)
    form = LeadForm(posted(request), user=request.user, lead=lead, initial=LeadForm.initial_for(lead))
    if request.method == "POST" and form.is_valid():
        try:
            services.update_lead(lead=lead, actor=request.user, changes=form.changes())
        except DomainError as error:
            add_domain_errors(form, error)
        else:
            messages.success(request, _("Lead saved."))
            return _redirect(request, reverse("leads:detail", args=[lead.pk]))
    context = {
        "form": form,
        "lead": lead,
        "title": _("Edit lead"),
        "action": reverse("leads:edit", args=[lead.pk]),
        "submit_label": _("Save"),
    }
    return _render(request, "leads/lead_form.html", context, invalid=bool(form.errors))


@login_required
@require_http_methods(["GET", "POST"])
def convert(request: HttpRequest, lead_id: int) -> HttpResponse:
    """Choose pipeline and stage; a gate blocking the stage adds its fields to the same dialog.

    The first refusal shows the gate's fields unfilled (no errors yet); the form then
    posts them back with gate_keys, and the conversion completes once they are valid.
    """
    lead = queries.get_lead_for_user_or_404(request.user, lead_id)
    if lead.is_converted:
        messages.info(request, _("This lead was already converted."))
        return _redirect(request, reverse("leads:detail", args=[lead.pk]))
    blocked_message = ""
    if request.method == "GET":
        form = ConvertForm(user=request.user, initial={"pipeline": queries.default_pipeline_for(lead)})
    else:
        gate_keys = request.POST.getlist("gate_keys")
        form = ConvertForm(request.POST, user=request.user, gate_keys=gate_keys)
        if form.is_valid():
            try:
                deal = services.convert_lead_to_deal(
                    lead=lead,
                    actor=request.user,
                    pipeline=form.cleaned_data["pipeline"],
                    stage=form.cleaned_data["stage"],
                    custom_values=form.custom_values(),
                )
            except StageGateBlocked as blocked:
                blocked_message = blocked.message
                chosen = {"pipeline": request.POST.get("pipeline"), "stage": request.POST.get("stage")}
                if set(blocked.missing_fields) <= set(gate_keys):
                    add_domain_errors(form, blocked)
                else:
                    form = ConvertForm(user=request.user, gate_keys=blocked.missing_fields, initial=chosen)
            except DomainError as error:
                add_domain_errors(form, error)
            else:
                messages.success(request, _("“%s” is now a deal.") % lead.title)
                return _redirect(request, reverse("deals:detail", args=[deal.pk]))
    context = {
        "form": form,
        "lead": lead,
        "title": _("Convert to a deal"),
        "blocked_message": blocked_message,
    }
    return _render(request, "leads/convert.html", context, invalid=bool(form.errors or blocked_message))


def _back_to_inbox(request: HttpRequest) -> str:
    wanted = request.POST.get("next", "")
    if wanted and url_has_allowed_host_and_scheme(wanted, allowed_hosts={request.get_host()}):
        return wanted
    return reverse("leads:inbox")


@login_required
@require_POST
def bulk(request: HttpRequest) -> HttpResponse:
    """One action on the checked leads, all or nothing. A lead the user may not see makes it a 404."""
    form = BulkActionForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(_back_to_inbox(request))
    data = form.cleaned_data
    action, ids = data["action"], data["ids"]
    try:
        if action == "assign":
            services.assign_leads(lead_ids=ids, owner=data["owner"], actor=request.user)
            done = ngettext("%(n)d lead assigned to %(who)s.", "%(n)d leads assigned to %(who)s.", len(ids))
        elif action in ("label", "unlabel"):
            services.label_leads(
                lead_ids=ids, label=data["label"], actor=request.user, remove=action == "unlabel"
            )
            done = ngettext("%(n)d lead labelled “%(label)s”.", "%(n)d leads labelled “%(label)s”.", len(ids))
            if action == "unlabel":
                done = ngettext(
                    "“%(label)s” removed from %(n)d lead.", "“%(label)s” removed from %(n)d leads.", len(ids)
                )
        elif action == "archive":
            services.archive_leads(lead_ids=ids, actor=request.user)
            done = ngettext("%(n)d lead archived.", "%(n)d leads archived.", len(ids))
        else:
            services.unarchive_leads(lead_ids=ids, actor=request.user)
            done = ngettext("%(n)d lead back in the inbox.", "%(n)d leads back in the inbox.", len(ids))
    except LeadsNotFound:
        raise Http404("No such lead") from None
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, done % {"n": len(ids), "who": data["owner"], "label": data["label"]})
    return redirect(_back_to_inbox(request))


@login_required
@require_POST
def archive(request: HttpRequest, lead_id: int) -> HttpResponse:
    lead = queries.get_lead_for_user_or_404(request.user, lead_id)
    try:
        if lead.is_open:
            services.archive_leads(lead_ids=[lead.pk], actor=request.user)
        else:
            services.unarchive_leads(lead_ids=[lead.pk], actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("leads:detail", lead.pk)


@login_required
@require_POST
def delete(request: HttpRequest, lead_id: int) -> HttpResponse:
    lead = queries.get_lead_for_user_or_404(request.user, lead_id)
    try:
        services.delete_lead(lead=lead, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("leads:detail", lead.pk)
    offer_undo(
        request, url=reverse("leads:restore", args=[lead.pk]), label=_("“%s” was deleted.") % lead.title
    )
    return redirect("leads:inbox")


@login_required
@require_POST
def restore(request: HttpRequest, lead_id: int) -> HttpResponse:
    lead = queries.deleted_lead_for_user_or_404(request.user, lead_id)
    services.restore_lead(lead=lead, actor=request.user)
    messages.success(request, _("“%s” is back.") % lead.title)
    return redirect("leads:detail", lead.pk)


# Settings: lead labels ------------------------------------------------------------------

LABELS_URL = "workspace:lead_labels"


@admin_required
def label_list(request: HttpRequest) -> HttpResponse:
    """The labels, with the form that adds one (POST here adds one)."""
    form = LeadLabelForm(posted(request), initial={"colour": "#2454d6"})
    if request.method == "POST" and form.is_valid():
        try:
            label = services.save_lead_label(actor=request.user, **form.cleaned_data)
        except DomainError as error:
            form.add_domain_error(error)
        else:
            messages.success(request, _("Label “%s” added.") % label.name)
            return redirect(LABELS_URL)
    labels = list(LeadLabel.objects.all())
    context = {
        "section": "lead_labels",
        "form": form,
        "active": [label for label in labels if not label.is_archived],
        "archived": [label for label in labels if label.is_archived],
    }
    return render(request, "settings/lead_labels.html", context, status=422 if form.errors else 200)


@admin_required
def label_edit(request: HttpRequest, label_id: int) -> HttpResponse:
    label = get_object_or_404(LeadLabel, pk=label_id)
    form = LeadLabelForm(posted(request), initial={"name": label.name, "colour": label.colour})
    if request.method == "POST" and form.is_valid():
        try:
            services.save_lead_label(actor=request.user, label=label, **form.cleaned_data)
        except DomainError as error:
            form.add_domain_error(error)
        else:
            return finish(request, reverse(LABELS_URL), _("Label saved."))
    context = {
        "section": "lead_labels",
        "title": _("Edit label"),
        "form": form,
        "action": request.path,
        "submit_label": _("Save"),
        "cancel_url": reverse(LABELS_URL),
    }
    return render_form(request, "settings/form.html", context, invalid=bool(form.errors))


@admin_required
@require_POST
def label_archive(request: HttpRequest, label_id: int) -> HttpResponse:
    """Archive (or, with restore=1, bring back) a label; leads keep the labels they carry."""
    label = get_object_or_404(LeadLabel, pk=label_id)
    restoring = request.POST.get("restore") == "1"
    services.save_lead_label(
        actor=request.user, label=label, name=label.name, colour=label.colour, is_archived=not restoring
    )
    messages.success(request, (_("“%s” restored.") if restoring else _("“%s” archived.")) % label.name)
    return redirect(LABELS_URL)
