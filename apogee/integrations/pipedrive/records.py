"""What the importer reads, whatever the source: Pipedrive records normalized into plain dataclasses.

Both readers produce these: `apirecords` (from the API's v1 and v2 JSON) and `exportfiles`
(from CSV / XLSX exports). The importer and the pure mapping only ever see these, so one
importer serves both sources. Pure: no Django, no HTTP.

Identity and references
    Every record has `source_id`, the Pipedrive id as a string ("42" for a deal, a UUID for a
    lead). A file row without an id column gets a stable synthetic id ("name:Thales Alenia
    Space" for an organization) so that re-importing the same file finds the same record.
    A reference to another record is a `Ref`: the id when the source knows it, else the name
    the source shows (exports print names: owner "Marc Dubois", stage "Proposal made"). The
    importer resolves by id first, then by name.

Values
    Amounts are Decimal, dates `date`, moments aware `datetime` in UTC. Custom field values
    are normalized per type in `custom`: {field key: value}, where the key is the field's
    `source_key` (the 40-char hash from the API, or the column's display name from a file)
    and the value is: str (text, phone, option *label* once resolved, see below), Decimal
    (numbers), Money, date, DateRange, Address, bool, Ref (user / org / person references),
    OptionRef / list[OptionRef] (enum / set: the option id when known, and its label).

Provenance
    `row` is the 1-based data row of an export file (None for the API): every issue the
    importer reports about a record names it.
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

ENTITIES = (
    "user",
    "pipeline",
    "stage",
    "field",
    "organization",
    "person",
    "deal",
    "stage_change",
    "lead_label",
    "lead",
    "activity_type",
    "activity",
    "note",
    "product",
    "deal_product",
)


@dataclass(frozen=True)
class Ref:
    """A reference to another Pipedrive record: by id when known, else by the name shown."""

    id: str | None = None
    name: str | None = None

    def __bool__(self) -> bool:
        return bool(self.id or self.name)


@dataclass(frozen=True)
class OptionRef:
    id: str | None = None
    label: str | None = None


@dataclass(frozen=True)
class Money:
    amount: Decimal
    currency: str


@dataclass(frozen=True)
class DateRange:
    start: date | None
    until: date | None


@dataclass(frozen=True)
class Address:
    value: str = ""  # the full, combined address as Pipedrive shows it
    street_number: str = ""
    route: str = ""
    sublocality: str = ""
    locality: str = ""
    admin_area_level_1: str = ""
    admin_area_level_2: str = ""
    postal_code: str = ""
    country: str = ""


@dataclass(frozen=True)
class Contact:
    """One e-mail address or phone number with its label (work, home, mobile, other)."""

    value: str
    label: str = ""
    primary: bool = False


@dataclass
class Record:
    source_id: str
    row: int | None = field(default=None, kw_only=True)


@dataclass
class User(Record):
    name: str
    email: str = ""
    is_active: bool = True


@dataclass
class Pipeline(Record):
    name: str
    order: int = 0
    is_deleted: bool = False


@dataclass
class Stage(Record):
    name: str
    pipeline: Ref
    order: int = 0
    probability: int | None = None
    rotting_days: int | None = None
    is_deleted: bool = False


@dataclass
class FieldOption:
    id: str
    label: str
    # Deleted in Pipedrive but still referenced by old records (v1 `options_deleted`).
    is_deleted: bool = False


@dataclass
class Field(Record):
    """A custom field definition: `source_id` is its key (40-char hash, or display name in files)."""

    entity: str  # deal, person, organization, product, activity, lead, note
    name: str
    # Pipedrive's type: varchar, text, double, monetary, enum, set, date, daterange, user, org, people, …
    field_type: str
    options: list[FieldOption] = field(default_factory=list)


@dataclass
class Organization(Record):
    name: str
    owner: Ref = field(default_factory=Ref)
    address: Address | None = None
    website: str = ""
    labels: list[str] = field(default_factory=list)
    add_time: datetime | None = None
    update_time: datetime | None = None
    is_deleted: bool = False
    custom: dict[str, Any] = field(default_factory=dict)


@dataclass
class Person(Record):
    name: str
    first_name: str = ""
    last_name: str = ""
    organization: Ref = field(default_factory=Ref)
    owner: Ref = field(default_factory=Ref)
    emails: list[Contact] = field(default_factory=list)
    phones: list[Contact] = field(default_factory=list)
    job_title: str = ""
    labels: list[str] = field(default_factory=list)
    add_time: datetime | None = None
    update_time: datetime | None = None
    is_deleted: bool = False
    custom: dict[str, Any] = field(default_factory=dict)


@dataclass
class Deal(Record):
    title: str
    pipeline: Ref
    stage: Ref
    status: str  # open, won, lost, deleted
    value: Decimal = Decimal("0")
    currency: str = ""
    owner: Ref = field(default_factory=Ref)
    organization: Ref = field(default_factory=Ref)
    person: Ref = field(default_factory=Ref)
    expected_close_date: date | None = None
    add_time: datetime | None = None
    update_time: datetime | None = None
    stage_change_time: datetime | None = None
    won_time: datetime | None = None
    lost_time: datetime | None = None
    close_time: datetime | None = None
    lost_reason: str = ""
    labels: list[str] = field(default_factory=list)
    probability: int | None = None
    is_archived: bool = False
    is_deleted: bool = False
    visible_to: str = ""
    custom: dict[str, Any] = field(default_factory=dict)


@dataclass
class StageChange(Record):
    """One move of a deal between stages (from the deal flow, `field_key` stage_id)."""

    deal: Ref
    from_stage: Ref
    to_stage: Ref
    at: datetime
    user: Ref = field(default_factory=Ref)


@dataclass
class LeadLabel(Record):
    name: str
    color: str = ""


@dataclass
class Lead(Record):
    title: str
    owner: Ref = field(default_factory=Ref)
    person: Ref = field(default_factory=Ref)
    organization: Ref = field(default_factory=Ref)
    labels: list[Ref] = field(default_factory=list)
    value: Money | None = None
    expected_close_date: date | None = None
    source_name: str = ""
    add_time: datetime | None = None
    update_time: datetime | None = None
    is_archived: bool = False
    converted_deal: Ref = field(default_factory=Ref)
    custom: dict[str, Any] = field(default_factory=dict)


@dataclass
class ActivityType(Record):
    """`source_id` is the type's key_string (call, meeting, task, deadline, email, lunch, …)."""

    name: str
    icon_key: str = ""
    is_active: bool = True


@dataclass
class Activity(Record):
    subject: str
    type: Ref  # id = key_string
    due_date: date | None = None
    due_time: str = ""  # "HH:MM" in UTC, empty for all-day
    duration_minutes: int | None = None
    owner: Ref = field(default_factory=Ref)
    deal: Ref = field(default_factory=Ref)
    lead: Ref = field(default_factory=Ref)
    person: Ref = field(default_factory=Ref)
    organization: Ref = field(default_factory=Ref)
    participants: list[Ref] = field(default_factory=list)
    done: bool = False
    done_time: datetime | None = None
    note: str = ""  # HTML, sanitized by the importer
    add_time: datetime | None = None
    update_time: datetime | None = None
    is_deleted: bool = False


@dataclass
class Note(Record):
    content: str  # HTML, sanitized by the importer
    user: Ref = field(default_factory=Ref)
    deal: Ref = field(default_factory=Ref)
    lead: Ref = field(default_factory=Ref)
    person: Ref = field(default_factory=Ref)
    organization: Ref = field(default_factory=Ref)
    pinned: bool = False
    add_time: datetime | None = None
    update_time: datetime | None = None


@dataclass
class Product(Record):
    name: str
    code: str = ""
    unit: str = ""
    prices: list[Money] = field(default_factory=list)
    is_deleted: bool = False
    custom: dict[str, Any] = field(default_factory=dict)


@dataclass
class DealProduct(Record):
    deal: Ref
    product: Ref
    quantity: Decimal = Decimal("1")
    item_price: Decimal = Decimal("0")
    currency: str = ""
    discount: Decimal = Decimal("0")
