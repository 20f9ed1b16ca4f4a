"""The double's data: canonical Pipedrive records as plain dataclasses (held by `dataset.Dataset`).

Records are stored once, in a neutral form (aware UTC datetimes, Decimal amounts, custom field
values by 40-char key in a per-type canonical form); `shapes` renders them as API v1 or v2 JSON.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, NamedTuple, TypeVar

RECENTLY_DELETED_DAYS = 30

R = TypeVar("R")
_KINDS = {"org": 1, "person": 2, "deal": 3, "activity": 4, "note": 5, "lead": 6}


def record_rng(seed: int, kind: str, record_id: int) -> random.Random:
    """The random source of one record: the same record whatever was generated before it."""
    return random.Random((seed << 48) + (_KINDS[kind] << 40) + record_id)


class Contact(NamedTuple):
    value: str
    label: str
    primary: bool


@dataclass(slots=True)
class User:
    id: int
    name: str
    email: str
    is_admin: bool
    active: bool
    created: datetime
    last_login: datetime | None
    phone: str = ""
    timezone_name: str = "Europe/Zurich"
    locale: str = "fr_CH"
    default_currency: str = "CHF"


@dataclass(slots=True)
class Pipeline:
    id: int
    name: str
    order_nr: int
    add_time: datetime
    update_time: datetime
    is_deleted: bool = False
    deal_probability: bool = True


@dataclass(slots=True)
class Stage:
    id: int
    pipeline_id: int
    name: str
    order_nr: int
    deal_probability: int
    add_time: datetime
    update_time: datetime
    rotten_days: int | None = None
    is_deleted: bool = False


@dataclass(slots=True)
class Option:
    id: int | str  # integers for custom fields, strings for some built-ins (deal status)
    label: str
    color: str = ""
    is_deleted: bool = False  # deleted in Pipedrive, still referenced by old records


@dataclass(slots=True)
class Field:
    """A field definition. `key` is the field_code: a 40-char hash for custom fields."""

    id: int
    entity: str  # deal, person, organization, product, activity, lead, note
    key: str
    name: str
    field_type: str
    order_nr: int
    is_custom: bool
    add_time: datetime
    update_time: datetime
    options: list[Option] | None = None
    mandatory: bool = False

    def live_options(self) -> list[Option]:
        return [option for option in self.options or () if not option.is_deleted]


@dataclass(slots=True)
class Organization:
    id: int
    name: str
    owner_id: int
    add_time: datetime
    update_time: datetime
    address: dict[str, str] | None = None
    website: str = ""
    label_ids: tuple[int, ...] = ()
    visible_to: int = 3
    is_deleted: bool = False
    custom: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class Person:
    id: int
    name: str
    first_name: str
    last_name: str
    org_id: int | None
    owner_id: int
    add_time: datetime
    update_time: datetime
    emails: tuple[Contact, ...] = ()
    phones: tuple[Contact, ...] = ()
    job_title: str = ""
    label_ids: tuple[int, ...] = ()
    visible_to: int = 3
    is_deleted: bool = False
    marketing_status: str = "no_consent"
    custom: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class StageMove:
    """One change of a deal's stage (and maybe pipeline), as the deal flow shows it."""

    at: datetime
    user_id: int
    from_stage: int
    to_stage: int
    from_pipeline: int
    to_pipeline: int


@dataclass(slots=True)
class DealProduct:
    id: int
    deal_id: int
    product_id: int
    name: str
    item_price: Decimal
    quantity: Decimal
    discount: Decimal
    currency: str
    order_nr: int
    add_time: datetime
    update_time: datetime
    discount_type: str = "percentage"
    tax: Decimal = Decimal("0")
    comments: str = ""

    @property
    def sum(self) -> Decimal:
        gross = self.item_price * self.quantity
        if self.discount_type == "percentage":
            return gross * (Decimal(100) - self.discount) / Decimal(100)
        return gross - self.discount


@dataclass(slots=True)
class Deal:
    id: int
    title: str
    creator_user_id: int
    owner_id: int
    value: Decimal
    currency: str
    person_id: int | None
    org_id: int | None
    pipeline_id: int
    stage_id: int
    status: str  # open, won, lost, deleted
    add_time: datetime
    update_time: datetime
    stage_change_time: datetime | None = None
    won_time: datetime | None = None
    lost_time: datetime | None = None
    first_won_time: datetime | None = None
    lost_reason: str | None = None
    probability: int | None = None
    expected_close_date: date | None = None
    label_ids: tuple[int, ...] = ()
    visible_to: int = 3
    is_archived: bool = False
    archive_time: datetime | None = None
    deleted_time: datetime | None = None
    closed_status: str | None = None  # for a deleted deal: the status it had before
    origin: str = "ManuallyCreated"
    moves: tuple[StageMove, ...] = ()
    products: tuple[DealProduct, ...] = ()
    custom: dict[str, Any] = field(default_factory=dict)

    @property
    def close_time(self) -> datetime | None:
        return self.won_time or self.lost_time

    @property
    def is_deleted(self) -> bool:
        return self.status == "deleted"

    def is_recently_deleted(self, as_of: datetime) -> bool:
        return self.deleted_time is not None and self.deleted_time >= as_of - timedelta(
            days=RECENTLY_DELETED_DAYS
        )


@dataclass(slots=True)
class LeadLabel:
    id: str
    name: str
    color: str
    add_time: datetime
    update_time: datetime


@dataclass(slots=True)
class Lead:
    id: str  # a UUID
    title: str
    owner_id: int
    creator_id: int
    person_id: int | None
    organization_id: int | None
    add_time: datetime
    update_time: datetime
    label_ids: tuple[str, ...] = ()
    value: tuple[Decimal, str] | None = None  # (amount, currency)
    expected_close_date: date | None = None
    source_name: str = "Manually created"
    origin: str = "ManuallyCreated"
    is_archived: bool = False
    archive_time: datetime | None = None
    was_seen: bool = True
    visible_to: int = 3
    custom: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class ActivityType:
    id: int
    name: str
    key_string: str
    icon_key: str
    order_nr: int
    add_time: datetime
    update_time: datetime
    color: str | None = None
    is_custom: bool = False
    active: bool = True


@dataclass(slots=True)
class Activity:
    id: int
    subject: str
    type: str  # an activity type's key_string
    owner_id: int
    creator_user_id: int
    add_time: datetime
    update_time: datetime
    due_date: date
    due_time: str | None = None  # "HH:MM:SS" UTC; None for all-day
    duration: str | None = None  # "HH:MM:SS"
    deal_id: int | None = None
    lead_id: str | None = None
    person_id: int | None = None
    org_id: int | None = None
    participants: tuple[tuple[int, bool], ...] = ()  # (person_id, primary)
    busy: bool = True
    done: bool = False
    marked_as_done_time: datetime | None = None
    location: str | None = None
    note: str | None = None  # HTML
    public_description: str | None = None
    is_deleted: bool = False


@dataclass(slots=True)
class Note:
    id: int
    content: str  # HTML as Pipedrive stores it, unsanitized
    user_id: int
    add_time: datetime
    update_time: datetime
    deal_id: int | None = None
    lead_id: str | None = None
    person_id: int | None = None
    org_id: int | None = None
    pinned_to_deal: bool = False
    pinned_to_lead: bool = False
    pinned_to_person: bool = False
    pinned_to_organization: bool = False
    is_deleted: bool = False


@dataclass(slots=True)
class Price:
    price: Decimal
    currency: str
    cost: Decimal = Decimal("0")


@dataclass(slots=True)
class Product:
    id: int
    name: str
    code: str
    unit: str
    owner_id: int
    add_time: datetime
    update_time: datetime
    prices: tuple[Price, ...] = ()
    category: str | None = None
    tax: Decimal = Decimal("0")
    is_deleted: bool = False
    visible_to: int = 3
    custom: dict[str, Any] = field(default_factory=dict)
