"""JSON API of leads: list with the inbox filters, create, read, edit, delete and restore, bulk
assign/label/archive, convert to a deal; and the lead labels.

A lead the user may not see answers 404 on every verb (queries.get_lead_for_user_or_404);
a bulk action naming one answers 404 too, and changes none of the others.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from pydantic import ConfigDict

from apogee.accounts.models import User
from apogee.accounts.queries import active_users
from apogee.contacts.queries import organizations_visible_to, persons_visible_to
from apogee.core.errors import DomainError, ValidationFailed
from apogee.core.money import CENT
from apogee.deals.models import Visibility
from apogee.pipelines.models import Pipeline, Stage

from . import queries, services
from .models import Lead, LeadKind, LeadLabel, LeadSource

router = Router(tags=["leads"])

MAX_LIMIT = 500
Id = Annotated[int, Field(ge=1, le=2**63 - 1)]


class Input(Schema):
    # A misspelt field is refused (422), not silently dropped.
    model_config = ConfigDict(extra="forbid", use_enum_values=True)


class LeadOut(Schema):
    id: int
    title: str
    organization_id: int | None
    person_id: int | None
    source: str
    kind: str
    owner_id: int
    visibility: str
    label_ids: list[int]
    expected_value: str | None = Field(
        ..., description="Decimal as a string, e.g. “250000000.00”; null if unknown."
    )
    currency: str
    note: str
    custom_fields: dict[str, Any]
    status: str
    archived_at: datetime | None
    converted_deal_id: int | None
    converted_at: datetime | None
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_expected_value(lead: Lead) -> str | None:
        return None if lead.expected_value is None else str(lead.expected_value.quantize(CENT))

    @staticmethod
    def resolve_label_ids(lead: Lead) -> list[int]:
        return [label.pk for label in lead.labels.all()]

    @staticmethod
    def resolve_custom_fields(lead: Lead) -> dict[str, Any]:
        return lead.custom_values


class LeadPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[LeadOut]


class LeadListQuery(Schema):
    """Documents and bounds the filters; queries.parse_lead_filter reads them."""

    status: Literal["open", "archived", "all"] = "open"
    owner: list[Id] = Field(default_factory=list)
    label: list[Id] = Field(default_factory=list, description="Leads carrying any of these labels.")
    source: list[LeadSource] = Field(default_factory=list)
    age: Literal["", "lt7", "lt30", "older"] = Field(
        "", description="Captured < 7 days, < 30 days, or earlier."
    )
    q: str = Field("", description="Title, organization or person name contains.")
    limit: int = Field(100, ge=1, le=MAX_LIMIT)
    offset: int = Field(0, ge=0, le=2**31 - 1)


class LeadCreate(Input):
    title: str
    organization_id: int | None = None
    person_id: int | None = None
    new_organization_name: str = Field("", description="Create this organization with the lead.")
    new_person_name: str = Field("", description="Create this person with the lead.")
    allow_duplicate: bool = Field(
        False, description="Create the new contacts even if they look like existing ones."
    )
    source: LeadSource = LeadSource.MANUAL
    kind: LeadKind = LeadKind.OTHER
    owner_id: int | None = Field(None, description="You if omitted.")
    label_ids: list[int] = Field(default_factory=list)
    expected_value: Decimal | None = None
    currency: str = "CHF"
    note: str = ""
    visibility: Visibility = Visibility.EVERYONE
    custom_fields: dict[str, Any] = Field(default_factory=dict)


class LeadPatch(Input):
    title: str | None = None
    organization_id: int | None = None
    person_id: int | None = None
    source: LeadSource | None = None
    kind: LeadKind | None = None
    owner_id: int | None = None
    label_ids: list[int] | None = Field(None, description="The full set of labels.")
    expected_value: Decimal | None = None
    currency: str | None = None
    note: str | None = None
    visibility: Visibility | None = None
    custom_fields: dict[str, Any] | None = Field(None, description="Merged; an empty value clears a field.")


class ConvertIn(Input):
    pipeline_id: int | None = Field(
        None, description="Missions for a mission lead, Sales otherwise, if omitted."
    )
    stage_id: int | None = Field(None, description="The pipeline's first stage if omitted.")
    custom_fields: dict[str, Any] = Field(
        default_factory=dict,
        description="The deal's custom fields, including those the stage's gate requires.",
    )


class BulkIn(Input):
    action: Literal["assign", "label", "unlabel", "archive", "unarchive"]
    ids: list[Id] = Field(..., min_length=1, max_length=1000)
    owner_id: int | None = Field(None, description="For assign.")
    label_id: int | None = Field(None, description="For label and unlabel.")


class LeadLabelOut(Schema):
    id: int
    name: str
    colour: str
    position: int


@contextmanager
def _fields_named(**names: str) -> Iterator[None]:
    """Rename the fields of a service error to the names the request used."""
    try:
        yield
    except DomainError as error:
        error.fields = {names.get(field, field): messages for field, messages in error.fields.items()}
        raise


def _referenced(queryset: QuerySet, pk: int | None, field: str, message: str):
    """The record `pk` names in the request body, or a 422 on that field; None stays None."""
    if pk is None:
        return None
    record = queryset.filter(pk=pk).first()
    if record is None:
        raise ValidationFailed(_("Some fields are invalid."), fields={field: [message]})
    return record


def _owner(pk: int | None) -> User | None:
    return _referenced(active_users(), pk, "owner_id", _("Choose an active user."))


def _labels(ids: list[int]) -> list[LeadLabel]:
    labels = list(LeadLabel.objects.filter(pk__in=ids))
    if len(labels) != len(set(ids)):
        raise ValidationFailed(
            _("Some fields are invalid."), fields={"label_ids": [_("Choose existing labels.")]}
        )
    return labels


def _out(lead: Lead) -> Lead:
    return queries.with_list_relations(Lead.objects.filter(pk=lead.pk)).get()


@router.get("/leads", response=LeadPage)
def list_leads(request, params: Query[LeadListQuery]):
    """Leads you may see, filtered like the inbox (default: open leads), newest first."""
    lead_filter = queries.parse_lead_filter(request.GET)
    if not lead_filter.is_valid:
        raise ValidationFailed(_("Some filters are invalid."), fields=lead_filter.errors)
    leads = lead_filter.apply(queries.leads_visible_to(request.auth))
    page = queries.with_list_relations(leads).order_by("-created_at", "-id")
    return {
        "count": leads.count(),
        "limit": params.limit,
        "offset": params.offset,
        "items": list(page[params.offset : params.offset + params.limit]),
    }


@router.post("/leads", response={201: LeadOut})
def create_lead(request, payload: LeadCreate):
    """Capture a lead; 409 `duplicate_suspected` when a new contact looks like an existing one."""
    organization = _referenced(
        organizations_visible_to(request.auth),
        payload.organization_id,
        "organization_id",
        _("Choose an existing organization."),
    )
    person = _referenced(
        persons_visible_to(request.auth), payload.person_id, "person_id", _("Choose an existing person.")
    )
    with _fields_named(
        owner="owner_id",
        organization="organization_id",
        person="person_id",
        new_organization="new_organization_name",
        new_person="new_person_name",
        labels="label_ids",
    ):
        lead = services.create_lead(
            title=payload.title,
            actor=request.auth,
            owner=_owner(payload.owner_id),
            organization=organization,
            person=person,
            new_organization_name=payload.new_organization_name,
            new_person_name=payload.new_person_name,
            allow_duplicate_organization=payload.allow_duplicate,
            allow_duplicate_person=payload.allow_duplicate,
            source=payload.source,
            kind=payload.kind,
            labels=_labels(payload.label_ids),
            expected_value=payload.expected_value,
            currency=payload.currency,
            note=payload.note,
            visibility=payload.visibility,
            custom_values=payload.custom_fields,
        )
    return Status(201, _out(lead))


# Declared before /leads/{lead_id}: routes match in order, and "bulk" would be taken for an id.
@router.post("/leads/bulk", response=list[LeadOut])
def bulk_action(request, payload: BulkIn):
    """One action on many leads, all or nothing: one id you may not see and nothing changes (404)."""
    if payload.action == "assign":
        owner = _owner(payload.owner_id)
        if owner is None:
            raise ValidationFailed(
                _("Some fields are invalid."), fields={"owner_id": [_("Choose an active user.")]}
            )
        leads = services.assign_leads(lead_ids=payload.ids, owner=owner, actor=request.auth)
    elif payload.action in ("label", "unlabel"):
        label = _referenced(LeadLabel.objects.all(), payload.label_id, "label_id", _("Choose a label."))
        if label is None:
            raise ValidationFailed(_("Some fields are invalid."), fields={"label_id": [_("Choose a label.")]})
        with _fields_named(label="label_id"):
            leads = services.label_leads(
                lead_ids=payload.ids, label=label, actor=request.auth, remove=payload.action == "unlabel"
            )
    elif payload.action == "archive":
        leads = services.archive_leads(lead_ids=payload.ids, actor=request.auth)
    else:
        leads = services.unarchive_leads(lead_ids=payload.ids, actor=request.auth)
    return list(
        queries.with_list_relations(Lead.objects.filter(pk__in=[lead.pk for lead in leads])).order_by("pk")
    )


@router.get("/leads/{lead_id}", response=LeadOut)
def get_lead(request, lead_id: int):
    return queries.get_lead_for_user_or_404(request.auth, lead_id)


@router.patch("/leads/{lead_id}", response=LeadOut)
def update_lead(request, lead_id: int, payload: LeadPatch):
    lead = queries.get_lead_for_user_or_404(request.auth, lead_id)
    changes = payload.model_dump(exclude_unset=True)
    if "owner_id" in changes:
        changes["owner"] = _owner(changes.pop("owner_id"))
    if "organization_id" in changes:
        changes["organization"] = _referenced(
            organizations_visible_to(request.auth),
            changes.pop("organization_id"),
            "organization_id",
            _("Choose an existing organization."),
        )
    if "person_id" in changes:
        changes["person"] = _referenced(
            persons_visible_to(request.auth),
            changes.pop("person_id"),
            "person_id",
            _("Choose an existing person."),
        )
    if "label_ids" in changes:
        changes["labels"] = _labels(changes.pop("label_ids") or [])
    if "custom_fields" in changes:
        changes["custom_values"] = changes.pop("custom_fields") or {}
    with _fields_named(
        owner="owner_id", organization="organization_id", person="person_id", labels="label_ids"
    ):
        lead = services.update_lead(lead=lead, actor=request.auth, changes=changes)
    return _out(lead)


@router.delete("/leads/{lead_id}", response={204: None})
def delete_lead(request, lead_id: int):
    """Delete; the lead leaves every list and can be brought back with POST /leads/{id}/restore."""
    lead = queries.get_lead_for_user_or_404(request.auth, lead_id)
    services.delete_lead(lead=lead, actor=request.auth)
    return Status(204, None)


@router.post("/leads/{lead_id}/restore", response=LeadOut)
def restore_lead(request, lead_id: int):
    lead = queries.deleted_lead_for_user_or_404(request.auth, lead_id)
    return _out(services.restore_lead(lead=lead, actor=request.auth))


@router.post("/leads/{lead_id}/convert", response=LeadOut)
def convert_lead(request, lead_id: int, payload: ConvertIn):
    """Create the deal; the lead comes back archived with `converted_deal_id`.

    422 `stage_gate_blocked` names the deal fields the stage requires: send them in
    `custom_fields` and try again. 409 `lead_already_converted` the second time.
    """
    lead = queries.get_lead_for_user_or_404(request.auth, lead_id)
    pipeline = _referenced(
        Pipeline.objects.filter(is_archived=False),
        payload.pipeline_id,
        "pipeline_id",
        _("Choose a pipeline."),
    )
    stage = _referenced(
        Stage.objects.select_related("pipeline"), payload.stage_id, "stage_id", _("Choose a stage.")
    )
    with _fields_named(pipeline="pipeline_id", stage="stage_id"):
        services.convert_lead_to_deal(
            lead=lead, actor=request.auth, pipeline=pipeline, stage=stage, custom_values=payload.custom_fields
        )
    return _out(lead)


@router.get("/lead-labels", response=list[LeadLabelOut])
def list_lead_labels(request):
    """The active labels, in the order the UI offers them."""
    return queries.active_labels()
