"""JSON API of deals: list with filters, create, edit with a version check, move, win, lose,
reopen, hand off, participants; and the lost reasons.

A deal the user may not see answers 404 on every verb (queries.get_deal_for_user_or_404).
Service errors name model fields (owner, stage); each endpoint renames them to the ids
the client sent (owner_id, stage_id), so `fields` always points at the request.
"""

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Literal

from django.db.models import F, QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from pydantic import ConfigDict, field_validator, model_validator

from apogee.accounts.models import User
from apogee.accounts.queries import active_users
from apogee.contacts.models import Organization
from apogee.contacts.queries import organizations_visible_to, persons_visible_to
from apogee.core.errors import DomainError, ValidationFailed
from apogee.core.money import CENT
from apogee.core.queries import BaseConverter
from apogee.pipelines.models import Pipeline, Stage

from . import queries, services
from .filters import parse_deal_filter
from .models import Deal, ParticipantRole, Visibility

router = Router(tags=["deals"])

MAX_LIMIT = 500
MAX_OFFSET = 2**31 - 1
# Ids in query strings become SQL IN lists; a number past 64 bits would crash the driver.
Id = Annotated[int, Field(ge=1, le=2**63 - 1)]

# `ordering` → ORDER BY; empty dates last on every database, then the id for a stable page.
ORDERINGS: dict[str, tuple] = {
    "id": ("id",),
    "-id": ("-id",),
    "title": ("title", "id"),
    "-title": ("-title", "-id"),
    "value": ("value", "id"),
    "-value": ("-value", "-id"),
    "expected_close_date": (F("expected_close_date").asc(nulls_last=True), "id"),
    "-expected_close_date": (F("expected_close_date").desc(nulls_last=True), "-id"),
    "created_at": ("created_at", "id"),
    "-created_at": ("-created_at", "-id"),
    "updated_at": ("updated_at", "id"),
    "-updated_at": ("-updated_at", "-id"),
}
Ordering = Literal[tuple(ORDERINGS)]


class Input(Schema):
    # A misspelt field is refused (422), not silently dropped.
    model_config = ConfigDict(extra="forbid", use_enum_values=True)


class ParticipantOut(Schema):
    id: int
    person_id: int
    role: str


class DealOut(Schema):
    id: int
    title: str
    pipeline_id: int
    stage_id: int
    status: str
    value: str = Field(..., description="Decimal as a string, e.g. “125000.00”.")
    currency: str
    value_in_base_currency: str | None = Field(
        ..., description="At today's rate; null when the currency has no rate."
    )
    expected_close_date: date | None
    owner_id: int
    organization_id: int | None
    end_customer_id: int | None = Field(..., description="Who the work is finally for, e.g. ESA.")
    tender_reference: str
    clarification_deadline: datetime | None
    submission_deadline: datetime | None
    offer_valid_until: date | None
    value_follows_offer: bool = Field(..., description="False once someone typed the value by hand.")
    visibility: str
    custom_fields: dict[str, Any]
    origin_deal_id: int | None
    parent_contract_id: int | None
    lost_reason_id: int | None
    lost_note: str
    won_at: datetime | None
    lost_at: datetime | None
    version: int = Field(..., description="Send it back with PATCH; a stale version is refused with 409.")
    created_at: datetime
    updated_at: datetime
    participants: list[ParticipantOut]

    @staticmethod
    def resolve_value(deal: Deal) -> str:
        return str(deal.value.quantize(CENT))

    @staticmethod
    def resolve_value_in_base_currency(deal: Deal) -> str | None:
        converted = getattr(deal, "value_in_base_currency", None)
        return None if converted is None else str(converted)

    @staticmethod
    def resolve_custom_fields(deal: Deal) -> dict[str, Any]:
        return deal.custom_values


class DealPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[DealOut]


class DealListQuery(Schema):
    """Documents and bounds the filters; deals.filters.parse_deal_filter reads them."""

    pipeline: list[Id] = Field(default_factory=list)
    stage: list[Id] = Field(default_factory=list)
    owner: list[Id] = Field(default_factory=list)
    organization: list[Id] = Field(default_factory=list)
    status: Literal["open", "won", "lost", "all"] = "open"
    q: str = Field("", description="Title or organization name contains.")
    currency: list[str] = Field(default_factory=list)
    value_min: str = ""
    value_max: str = ""
    close_from: str = Field("", description="Expected close date from, YYYY-MM-DD.")
    close_to: str = Field("", description="Expected close date to, YYYY-MM-DD.")
    f: list[str] = Field(
        default_factory=list,
        description="Custom field filter key:operator:value, e.g. opportunity_type:eq:esa.",
    )
    ordering: Ordering = "-id"
    limit: int = Field(100, ge=1, le=MAX_LIMIT)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)

    @field_validator("value_min", "value_max")
    @classmethod
    def within_deal_values(cls, raw: str) -> str:
        # PostgreSQL refuses a numeric past its range (1e999999) with an error, not an empty result.
        try:
            number = Decimal(raw)
        except InvalidOperation:
            return raw  # not a number: parse_deal_filter names the error
        if number.is_finite() and abs(number) >= services.MAX_VALUE:
            raise ValueError(_("No deal is worth that much."))
        return raw


class ParticipantIn(Input):
    person_id: int
    role: ParticipantRole = ParticipantRole.OTHER


class DealCreate(Input):
    title: str
    pipeline_id: int
    stage_id: int | None = Field(None, description="The pipeline's first stage if omitted.")
    owner_id: int | None = Field(None, description="You if omitted.")
    organization_id: int | None = None
    end_customer_id: int | None = None
    value: Decimal = Decimal("0")
    currency: str | None = None
    expected_close_date: date | None = None
    tender_reference: str = Field("", max_length=80)
    clarification_deadline: datetime | None = None
    submission_deadline: datetime | None = None
    offer_valid_until: date | None = None
    visibility: Visibility = Visibility.EVERYONE
    custom_fields: dict[str, Any] = Field(default_factory=dict)
    participants: list[ParticipantIn] = Field(default_factory=list)
    parent_contract_id: int | None = Field(None, description="For a change notice: the won contract.")

    @model_validator(mode="after")
    def participants_once_per_role(self):
        pairs = [(p.person_id, p.role) for p in self.participants]
        if len(set(pairs)) != len(pairs):
            raise ValueError("A person appears twice with the same role.")
        return self


class DealPatch(Input):
    version: int = Field(..., description="The version you read; refused with 409 if someone saved since.")
    title: str | None = None
    owner_id: int | None = None
    organization_id: int | None = None
    value: Decimal | None = None
    currency: str | None = None
    expected_close_date: date | None = None
    visibility: Visibility | None = None
    custom_fields: dict[str, Any] | None = Field(None, description="Merged; an empty value clears a field.")
    end_customer_id: int | None = None
    tender_reference: str | None = Field(None, max_length=80)
    clarification_deadline: datetime | None = None
    submission_deadline: datetime | None = None
    offer_valid_until: date | None = None
    value_follows_offer: bool | None = Field(
        None, description="Setting a value without it stops the value following the offers."
    )


class MoveIn(Input):
    stage_id: int
    custom_fields: dict[str, Any] | None = Field(None, description="Gate fields to fill on the way.")


class LostIn(Input):
    lost_reason_id: int | None = Field(None, description="Required when the workspace has lost reasons.")
    note: str = ""


class LostReasonOut(Schema):
    id: int
    label: str
    position: int


@contextmanager
def _fields_named(**names: str) -> Iterator[None]:
    """Rename the fields of a service error to the names the request used."""
    try:
        yield
    except DomainError as error:
        error.fields = {names.get(field, field): messages for field, messages in error.fields.items()}
        raise


def _with_base_values(deals: Iterable[Deal]) -> list[Deal]:
    convert = BaseConverter()
    deals = list(deals)
    for deal in deals:
        deal.value_in_base_currency = convert(deal.value, deal.currency)
    return deals


def _out(deal: Deal) -> Deal:
    return _with_base_values([deal])[0]


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


def _organization(request, pk: int | None, field: str = "organization_id") -> Organization | None:
    message = _("Choose an existing organization.")
    return _referenced(organizations_visible_to(request.auth), pk, field, message)


def _ids(participants: list[ParticipantIn]) -> list[int]:
    return [p.person_id for p in participants]


def _deal_page(deals: QuerySet[Deal], params: DealListQuery) -> dict:
    page = deals.order_by(*ORDERINGS[params.ordering]).prefetch_related("participants")
    return {
        "count": deals.count(),
        "limit": params.limit,
        "offset": params.offset,
        "items": _with_base_values(page[params.offset : params.offset + params.limit]),
    }


@router.get("/deals", response=DealPage)
def list_deals(request, params: Query[DealListQuery]):
    """Deals you may see, filtered like the board and the list (default: open deals)."""
    deal_filter = parse_deal_filter(request.GET)
    if not deal_filter.is_valid:
        raise ValidationFailed(_("Some filters are invalid."), fields=deal_filter.errors)
    return _deal_page(queries.deals_visible_to(request.auth).filter(deal_filter.q), params)


@router.post("/deals", response={201: DealOut})
def create_deal(request, payload: DealCreate):
    pipeline = _referenced(
        Pipeline.objects.all(), payload.pipeline_id, "pipeline_id", _("Choose a pipeline.")
    )
    stage = _referenced(Stage.objects.all(), payload.stage_id, "stage_id", _("Choose a stage."))
    persons = {p.pk: p for p in persons_visible_to(request.auth).filter(pk__in=_ids(payload.participants))}
    if len(persons) != len(set(_ids(payload.participants))):
        raise ValidationFailed(
            _("Some fields are invalid."), fields={"participants": [_("Choose existing persons.")]}
        )
    parent_contract = _referenced(
        queries.deals_visible_to(request.auth),
        payload.parent_contract_id,
        "parent_contract_id",
        _("No such deal."),
    )
    optional = {"currency": payload.currency} if payload.currency is not None else {}
    with _fields_named(
        pipeline="pipeline_id",
        stage="stage_id",
        owner="owner_id",
        organization="organization_id",
        end_customer="end_customer_id",
        parent_contract="parent_contract_id",
    ):
        details = {
            "end_customer": _organization(request, payload.end_customer_id, "end_customer_id"),
            "tender_reference": payload.tender_reference,
            "clarification_deadline": payload.clarification_deadline,
            "submission_deadline": payload.submission_deadline,
            "offer_valid_until": payload.offer_valid_until,
        }
        deal = services.create_deal(
            title=payload.title,
            pipeline=pipeline,
            stage=stage,
            actor=request.auth,
            owner=_owner(payload.owner_id),
            organization=_organization(request, payload.organization_id),
            value=payload.value,
            expected_close_date=payload.expected_close_date,
            visibility=payload.visibility,
            custom_values=payload.custom_fields,
            participants=[(persons[p.person_id], p.role) for p in payload.participants],
            parent_contract=parent_contract,
            details=details,
            **optional,
        )
    return Status(201, _out(deal))


@router.get("/deals/{deal_id}", response=DealOut)
def get_deal(request, deal_id: int):
    return _out(queries.get_deal_for_user_or_404(request.auth, deal_id))


@router.patch("/deals/{deal_id}", response=DealOut)
def update_deal(request, deal_id: int, payload: DealPatch):
    """Edit fields; send the `version` you read. If someone saved since, 409 lists their changes."""
    deal = queries.get_deal_for_user_or_404(request.auth, deal_id)
    changes = payload.model_dump(exclude_unset=True, exclude={"version"})
    if "owner_id" in changes:
        changes["owner"] = _owner(changes.pop("owner_id"))
    if "organization_id" in changes:
        changes["organization"] = _organization(request, changes.pop("organization_id"))
    if "end_customer_id" in changes:
        changes["end_customer"] = _organization(request, changes.pop("end_customer_id"), "end_customer_id")
    if "custom_fields" in changes:
        changes["custom_values"] = changes.pop("custom_fields") or {}
    with _fields_named(owner="owner_id", organization="organization_id", end_customer="end_customer_id"):
        deal = services.update_deal(
            deal=deal, actor=request.auth, changes=changes, expected_version=payload.version
        )
    return _out(deal)


@router.delete("/deals/{deal_id}", response={204: None})
def delete_deal(request, deal_id: int):
    """Delete; the deal leaves every list and can be brought back with POST /deals/{id}/restore."""
    deal = queries.get_deal_for_user_or_404(request.auth, deal_id)
    services.delete_deal(deal=deal, actor=request.auth)
    return Status(204, None)


@router.post("/deals/{deal_id}/restore", response=DealOut)
def restore_deal(request, deal_id: int):
    deal = queries.deleted_deal_for_user_or_404(request.auth, deal_id)
    return _out(services.restore_deal(deal=deal, actor=request.auth))


@router.post("/deals/{deal_id}/move", response=DealOut)
def move_deal(request, deal_id: int, payload: MoveIn):
    """Move to another stage of the deal's pipeline; 422 names the gate fields still missing."""
    deal = queries.get_deal_for_user_or_404(request.auth, deal_id)
    stage = _referenced(Stage.objects.all(), payload.stage_id, "stage_id", _("Choose a stage."))
    with _fields_named(stage="stage_id"):
        deal = services.move_deal_to_stage(
            deal=deal, stage=stage, actor=request.auth, custom_values=payload.custom_fields
        )
    return _out(deal)


@router.post("/deals/{deal_id}/won", response=DealOut)
def mark_deal_won(request, deal_id: int):
    deal = queries.get_deal_for_user_or_404(request.auth, deal_id)
    return _out(services.mark_deal_won(deal=deal, actor=request.auth))


@router.post("/deals/{deal_id}/lost", response=DealOut)
def mark_deal_lost(request, deal_id: int, payload: LostIn):
    deal = queries.get_deal_for_user_or_404(request.auth, deal_id)
    reason = _referenced(
        queries.active_lost_reasons(), payload.lost_reason_id, "lost_reason_id", _("Choose a reason.")
    )
    with _fields_named(lost_reason="lost_reason_id", lost_note="note"):
        deal = services.mark_deal_lost(deal=deal, actor=request.auth, reason=reason, note=payload.note)
    return _out(deal)


@router.post("/deals/{deal_id}/reopen", response=DealOut)
def reopen_deal(request, deal_id: int):
    deal = queries.get_deal_for_user_or_404(request.auth, deal_id)
    return _out(services.reopen_deal(deal=deal, actor=request.auth))


@router.post("/deals/{deal_id}/handoff", response=DealOut)
def hand_off_deal(request, deal_id: int):
    """From the last stage of Missions or RFI on to Sales; returns the deal now in the target pipeline."""
    deal = queries.get_deal_for_user_or_404(request.auth, deal_id)
    return _out(services.hand_off_deal(deal=deal, actor=request.auth))


@router.post("/deals/{deal_id}/participants", response={201: ParticipantOut})
def add_participant(request, deal_id: int, payload: ParticipantIn):
    deal = queries.get_deal_for_user_or_404(request.auth, deal_id)
    person = _referenced(
        persons_visible_to(request.auth), payload.person_id, "person_id", _("Choose an existing person.")
    )
    with _fields_named(person="person_id"):
        participant = services.add_participant(
            deal=deal, person=person, role=payload.role, actor=request.auth
        )
    return Status(201, participant)


@router.delete("/deals/{deal_id}/participants/{participant_id}", response={204: None})
def remove_participant(request, deal_id: int, participant_id: int):
    deal = queries.get_deal_for_user_or_404(request.auth, deal_id)
    participant = get_object_or_404(deal.participants.select_related("person", "deal"), pk=participant_id)
    services.remove_participant(participant=participant, actor=request.auth)
    return Status(204, None)


@router.get("/lost-reasons", response=list[LostReasonOut])
def list_lost_reasons(request):
    """The active reasons a deal may be lost for, in the order the UI offers them."""
    return queries.active_lost_reasons()
