"""Organization and person pages: lists with search, record pages, and the create and edit forms."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Case, Value, When
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from apogee.core.errors import DomainError
from apogee.core.undo import offer_undo
from apogee.customfields.queries import ValueFormatter, definitions_for
from apogee.deals.models import DealStatus
from apogee.deals.queries import deals_visible_to

from . import queries, services
from .errors import DuplicateSuspected
from .forms import OrganizationForm, PersonForm

PAGE_SIZE = 50
SEARCH_MAX = 100


def _safe_link(url: Any) -> str:
    """The URL if it is a web link; a stored javascript: or data: URL must never become an href."""
    text = str(url or "")
    return text if text.lower().startswith(("http://", "https://")) else ""


def _open_first(prefix: str = "") -> Case:
    """Open deals first: on a contact's page they are the ones to act on; then the newest."""
    return Case(When(**{f"{prefix}status": DealStatus.OPEN}, then=Value(0)), default=Value(1))


def _posted(request: HttpRequest):
    return request.POST if request.method == "POST" else None


def _custom_rows(entity: str, values: dict) -> list[dict[str, str]]:
    """Label, display text and (for links and references) a target, for each active custom field."""
    definitions = list(definitions_for(entity))
    formatter = ValueFormatter(definitions, [values])
    pages = {"person": "contacts:person", "organization": "contacts:organization"}
    rows = []
    for definition in definitions:
        value = values.get(definition.key)
        href = ""
        if definition.field_type == "url":
            href = _safe_link(value)
        elif definition.field_type in pages and value in formatter.names[definition.field_type]:
            href = reverse(pages[definition.field_type], args=[value])
        rows.append(
            {
                "label": definition.label,
                "text": formatter.format(definition.key, value),
                "href": href,
                "external": definition.field_type == "url",
            }
        )
    return rows


def _list_page(request: HttpRequest, rows, full_template: str, results_template: str) -> HttpResponse:
    search = request.GET.get("q", "").strip()[:SEARCH_MAX]
    page = Paginator(rows(request.user, search), PAGE_SIZE).get_page(request.GET.get("page"))
    # The search box asks for the results alone; a history restore needs the whole page.
    partial = request.htmx and not request.htmx.history_restore_request
    response = render(
        request, results_template if partial else full_template, {"page": page, "search": search}
    )
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
@require_safe
def organizations(request: HttpRequest) -> HttpResponse:
    return _list_page(
        request,
        queries.organizations_list,
        "contacts/organization_list.html",
        "contacts/_organization_results.html",
    )


@login_required
@require_safe
def persons(request: HttpRequest) -> HttpResponse:
    return _list_page(
        request, queries.persons_list, "contacts/person_list.html", "contacts/_person_results.html"
    )


@login_required
@require_safe
def organization(request: HttpRequest, pk: int) -> HttpResponse:
    organization = queries.get_organization_for_user_or_404(request.user, pk)
    website = _safe_link(organization.website)
    context = {
        "organization": organization,
        "website": website,
        "website_label": website.partition("://")[2].rstrip("/"),
        "custom_rows": _custom_rows("organization", organization.custom_values),
        "persons": organization.persons.prefetch_related("emails").order_by("name", "pk"),
        "deals": deals_visible_to(request.user)
        .filter(organization=organization)
        .select_related("pipeline", "stage")
        .order_by(_open_first(), "-created_at", "-pk"),
    }
    return render(request, "contacts/organization_detail.html", context)


@login_required
@require_safe
def person(request: HttpRequest, pk: int) -> HttpResponse:
    person = queries.get_person_for_user_or_404(request.user, pk)
    participations = (
        person.deal_participations.filter(deal__in=deals_visible_to(request.user))
        .select_related("deal__pipeline", "deal__stage")
        .order_by(_open_first("deal__"), "-deal__created_at", "-deal_id", "pk")
    )
    context = {
        "person": person,
        "custom_rows": _custom_rows("person", person.custom_values),
        "participations": participations,
    }
    return render(request, "contacts/person_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def organization_new(request: HttpRequest) -> HttpResponse:
    duplicate = None
    if request.method == "POST":
        form = OrganizationForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                organization = services.create_organization(
                    actor=request.user,
                    allow_duplicate=form.cleaned_data["allow_duplicate"],
                    **form.service_fields(),
                )
            except DuplicateSuspected as suspected:
                duplicate = suspected
            except DomainError as error:
                form.add_service_errors(error)
            else:
                messages.success(request, _("Organization “%s” created.") % organization.name)
                return redirect("contacts:organization", pk=organization.pk)
    else:
        form = OrganizationForm(user=request.user, initial={"owner": request.user.pk})
    return render(request, "contacts/organization_form.html", {"form": form, "duplicate": duplicate})


@login_required
@require_http_methods(["GET", "POST"])
def organization_edit(request: HttpRequest, pk: int) -> HttpResponse:
    organization = queries.get_organization_for_user_or_404(request.user, pk)
    form = OrganizationForm(_posted(request), organization=organization, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_organization(
                organization=organization, actor=request.user, changes=form.service_fields()
            )
        except DomainError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("contacts:organization", pk=organization.pk)
    return render(request, "contacts/organization_form.html", {"form": form, "organization": organization})


@login_required
@require_http_methods(["GET", "POST"])
def person_new(request: HttpRequest) -> HttpResponse:
    duplicate = None
    if request.method == "POST":
        form = PersonForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                person = services.create_person(
                    actor=request.user,
                    allow_duplicate=form.cleaned_data["allow_duplicate"],
                    **form.service_fields(),
                )
            except DuplicateSuspected as suspected:
                duplicate = suspected
            except DomainError as error:
                form.add_service_errors(error)
            else:
                messages.success(request, _("Person “%s” created.") % person.name)
                return redirect("contacts:person", pk=person.pk)
    else:
        # "Add person" on an organization's page arrives with ?organization=<id>.
        initial = {"owner": request.user.pk, "organization": request.GET.get("organization")}
        form = PersonForm(user=request.user, initial=initial)
    return render(request, "contacts/person_form.html", {"form": form, "duplicate": duplicate})


@login_required
@require_http_methods(["GET", "POST"])
def person_edit(request: HttpRequest, pk: int) -> HttpResponse:
    person = queries.get_person_for_user_or_404(request.user, pk)
    form = PersonForm(_posted(request), person=person, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_person(person=person, actor=request.user, changes=form.service_fields())
        except DomainError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("contacts:person", pk=person.pk)
    return render(request, "contacts/person_form.html", {"form": form, "person": person})


# Delete and restore, for both kinds of contact: (find visible, find deleted, delete, restore, kwarg).
_RECORDS = {
    "organization": (
        queries.get_organization_for_user_or_404,
        queries.deleted_organization_for_user_or_404,
        services.delete_organization,
        services.restore_organization,
    ),
    "person": (
        queries.get_person_for_user_or_404,
        queries.deleted_person_for_user_or_404,
        services.delete_person,
        services.restore_person,
    ),
}


def _delete(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    find, _find_deleted, delete, _restore_service = _RECORDS[kind]
    record = find(request.user, pk)
    try:
        delete(actor=request.user, **{kind: record})
    except DomainError as error:
        messages.error(request, error.message)
        return redirect(f"contacts:{kind}", pk=pk)
    offer_undo(
        request,
        url=reverse(f"contacts:{kind}_restore", args=[pk]),
        label=_("“%s” was deleted.") % record.name,
    )
    return redirect(f"contacts:{kind}s")


def _restore(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    _find, find_deleted, _delete_service, restore = _RECORDS[kind]
    record = find_deleted(request.user, pk)
    try:
        restore(actor=request.user, **{kind: record})
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("“%s” is back.") % record.name)
    return redirect(f"contacts:{kind}", pk=pk)


@login_required
@require_POST
def organization_delete(request: HttpRequest, pk: int) -> HttpResponse:
    return _delete(request, "organization", pk)


@login_required
@require_POST
def organization_restore(request: HttpRequest, pk: int) -> HttpResponse:
    return _restore(request, "organization", pk)


@login_required
@require_POST
def person_delete(request: HttpRequest, pk: int) -> HttpResponse:
    return _delete(request, "person", pk)


@login_required
@require_POST
def person_restore(request: HttpRequest, pk: int) -> HttpResponse:
    return _restore(request, "person", pk)
