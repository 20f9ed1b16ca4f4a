"""A deterministic generator of six years of the customer's Pipedrive account.

`generate_dataset(seed=1, deals=200)` builds the small accounts tests use; `deals=100_000` the
benchmark's. The same seed gives the same data. Deals, activities and notes are made on demand
from (seed, id) (see `dataset.IdTable`), so building even the large account takes about two seconds and
little memory; organizations, persons, leads and the definitions are built at once.

The shape follows PRODUCT.md: eight legacy pipelines mixing sector, tender type and product, a
deleted pipeline and a deleted stage that old stage histories pass through, ESA and the primes
(with near-duplicate names), EU programmes, watchmaking and automotive customers, activities that
mostly stop in 2022, qualification fields filled in half the time, 40-char custom field keys of
every type, a duplicate field name and a deleted option still referenced by old deals.
"""

from __future__ import annotations

import hashlib
import random
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from functools import lru_cache

from . import catalogue as cat
from .contacts import ContactsMixin
from .dataset import Dataset, IdTable
from .deals import DealMaker
from .model import (
    ActivityType,
    Field,
    LeadLabel,
    Option,
    Pipeline,
    Price,
    Product,
    Stage,
    User,
)
from .timeline import TimelineMixin

AS_OF = datetime(2026, 9, 1, 8, 0, tzinfo=UTC)
YEARS = 6
ACTIVITIES_PER_DEAL = 3
NOTES_PER_DEAL = 0.6


def generate_dataset(*, seed: int = 1, deals: int = 200, as_of: datetime = AS_OF) -> Dataset:
    """The account, with `deals` deal ids (a few are long deleted and no longer visible)."""
    return _Generator(seed=seed, deal_count=deals, as_of=as_of).build()


class _Generator(ContactsMixin, TimelineMixin):
    def __init__(self, *, seed: int, deal_count: int, as_of: datetime) -> None:
        self.seed = seed
        self.rng = random.Random(seed)
        self.deal_count = deal_count
        self.as_of = as_of
        self.start = as_of - timedelta(days=365 * YEARS + 1)
        self.option_ids = iter(range(31, 100_000))
        self.field_ids = iter(range(12001, 100_000))
        self.keys: dict[tuple[str, str, str], str] = {}
        self._option_ids: dict[tuple, int | str] = {}
        self._active_users: list[int] = []

    def build(self) -> Dataset:
        self.users = self._users()
        self.pipelines, self.stages = self._pipelines()
        self.lead_labels = self._lead_labels()
        self.fields = self._fields()
        self.products = self._products()
        self.organizations = self._organizations()
        self.persons = self._persons()
        self.deal_maker = DealMaker(self)
        deals = IdTable(lru_cache(maxsize=8192)(self.deal_maker.make), 1, self.deal_count)
        self.deals = deals
        self.leads = self._leads()
        self.activity_count = self.deal_count * ACTIVITIES_PER_DEAL
        self.note_count = max(60, int(self.deal_count * NOTES_PER_DEAL))
        return Dataset(
            seed=self.seed,
            as_of=self.as_of,
            company=dict(cat.COMPANY),
            users=self.users,
            pipelines=self.pipelines,
            stages=self.stages,
            fields=self.fields,
            organizations=IdTable.of(self.organizations),
            persons=IdTable.of(self.persons),
            deals=deals,
            lead_labels=self.lead_labels,
            leads=self.leads,
            activity_types=self._activity_types(),
            activities=IdTable(self._activity, 1, self.activity_count),
            notes=IdTable(self._note, 1, self.note_count),
            products=IdTable.of(self.products),
        )

    # -- helpers ---------------------------------------------------------------------------

    def moment(self, rng: random.Random, low: datetime, high: datetime) -> datetime:
        """A whole second between low and high (or low when the range is empty)."""
        span = int((high - low).total_seconds())
        return low + timedelta(seconds=rng.randrange(span)) if span > 0 else low

    def key(self, entity: str, name: str, field_type: str) -> str:
        return self.keys[(entity, name, field_type)]

    def option_id(self, entity: str, name: str, label: str, field_type: str = "enum") -> int:
        if not self._option_ids:
            for f in self.fields:
                for option in f.options or ():
                    self._option_ids[(f.entity, f.name, f.field_type, option.label)] = option.id
        return self._option_ids[(entity, name, field_type, label)]

    def active_user_ids(self) -> list[int]:
        if not self._active_users:
            self._active_users = [user.id for user in self.users if user.active]
        return self._active_users

    # -- definitions -------------------------------------------------------------------------

    def _users(self) -> list[User]:
        users = []
        for index, (name, local, is_admin, active) in enumerate(cat.USERS):
            created = self.start - timedelta(days=90 - 30 * index)
            last_login = (
                self.as_of - timedelta(hours=5 + 11 * index) if active else datetime(2022, 6, 30, tzinfo=UTC)
            )
            users.append(
                User(
                    id=cat.FIRST_USER_ID + index,
                    name=name,
                    email=f"{local}@{cat.MAIL_DOMAIN}",
                    is_admin=is_admin,
                    active=active,
                    created=created,
                    last_login=last_login,
                    phone=f"+41 32 555 01 {10 + index}",
                )
            )
        return users

    def _pipelines(self) -> tuple[list[Pipeline], list[Stage]]:
        pipelines, stages = [], []
        definitions = [(name, stage_list, False) for name, _weight, stage_list in cat.PIPELINES]
        definitions.append((cat.DELETED_PIPELINE[0], cat.DELETED_PIPELINE[1], True))
        for pipeline_id, (name, stage_list, deleted) in enumerate(definitions, start=1):
            created = self.start - timedelta(days=400 if deleted else 60 - pipeline_id)
            updated = datetime(2021, 2, 1, tzinfo=UTC) if deleted else created + timedelta(days=400)
            pipelines.append(Pipeline(pipeline_id, name, pipeline_id, created, updated, is_deleted=deleted))
            for order, (stage_name, probability, rotten, stage_deleted) in enumerate(stage_list, start=1):
                stages.append(
                    Stage(
                        id=len(stages) + 1,
                        pipeline_id=pipeline_id,
                        name=stage_name,
                        order_nr=order,
                        deal_probability=probability,
                        add_time=created,
                        update_time=datetime(2022, 3, 1, tzinfo=UTC) if stage_deleted else updated,
                        rotten_days=rotten,
                        is_deleted=stage_deleted,
                    )
                )
        return pipelines, stages

    def _lead_labels(self) -> list[LeadLabel]:
        created = self.start + timedelta(days=200)
        return [
            LeadLabel(str(uuid.UUID(int=self.rng.getrandbits(128), version=4)), name, color, created, created)
            for name, color in cat.LEAD_LABELS
        ]

    def _field(self, entity: str, key: str, name: str, field_type: str, options, *, custom: bool) -> Field:
        created = self.start + timedelta(days=len(self.keys)) if custom else self.start - timedelta(days=90)
        return Field(
            id=next(self.field_ids),
            entity=entity,
            key=key,
            name=name,
            field_type=field_type,
            order_nr=0,
            is_custom=custom,
            add_time=created,
            update_time=created,
            options=options,
        )

    def _custom_fields(self, entity: str, definitions) -> list[Field]:
        fields = []
        for index, (name, field_type, labels) in enumerate(definitions):
            key = hashlib.sha1(
                f"{self.seed}/{entity}/{index}/{name}".encode(), usedforsecurity=False
            ).hexdigest()
            self.keys[(entity, name, field_type)] = key
            options = None
            if labels is not None:
                options = [
                    Option(next(self.option_ids), label.lstrip("*"), is_deleted=label.startswith("*"))
                    for label in labels
                ]
            fields.append(self._field(entity, key, name, field_type, options, custom=True))
        return fields

    def _builtin_options(self, entity: str, code: str) -> list[Option] | None:
        labels = {
            ("deal", "label_ids"): (cat.DEAL_LABELS, 1),
            ("person", "label_ids"): (cat.PERSON_LABELS, 5),
            ("organization", "label_ids"): (cat.ORGANIZATION_LABELS, 7),
        }
        if (entity, code) in labels:
            names, first = labels[(entity, code)]
            return [Option(first + i, label, color) for i, (label, color) in enumerate(names)]
        if code == "status":
            return [Option(s, s.capitalize()) for s in ("open", "won", "lost", "deleted")]
        if code == "visible_to":
            return [Option(str(v), label) for v, label in ((1, "Owner & followers"), (3, "Entire company"))]
        if entity == "lead" and code == "label_ids":
            return [Option(label.id, label.name, label.color) for label in self.lead_labels]
        if entity == "activity" and code == "type":
            return [Option(key, name) for name, key, *_ in cat.ACTIVITY_TYPES]
        return None

    def _fields(self) -> list[Field]:
        customs = {
            "deal": cat.DEAL_CUSTOM_FIELDS,
            "person": cat.PERSON_CUSTOM_FIELDS,
            "organization": cat.ORGANIZATION_CUSTOM_FIELDS,
            "product": cat.PRODUCT_CUSTOM_FIELDS,
        }
        fields: list[Field] = []
        deal_customs: list[Field] = []
        for entity, builtins in cat.BUILTIN_FIELDS.items():
            for code, name, field_type in builtins:
                options = self._builtin_options(entity, code)
                fields.append(self._field(entity, code, name, field_type, options, custom=False))
            if entity in customs:
                made = self._custom_fields(entity, customs[entity])
                fields.extend(made)
                deal_customs = made if entity == "deal" else deal_customs
            if entity == "lead":  # leads inherit every deal custom field, with the same keys
                for deal_field in deal_customs:
                    copy = self._field(
                        "lead",
                        deal_field.key,
                        deal_field.name,
                        deal_field.field_type,
                        deal_field.options,
                        custom=True,
                    )
                    fields.append(copy)
                    self.keys[("lead", deal_field.name, deal_field.field_type)] = deal_field.key
        for entity in customs.keys() | {"activity", "lead", "note"}:
            for order, f in enumerate((f for f in fields if f.entity == entity), start=1):
                f.order_nr = order
        return fields

    def _products(self) -> list[Product]:
        products = []
        owner = self.users[3].id
        for index, (name, code, unit, chf, eur, line, deleted) in enumerate(cat.PRODUCTS, start=1):
            created = self.start + timedelta(days=30 * index)
            products.append(
                Product(
                    id=index,
                    name=name,
                    code=code,
                    unit=unit,
                    owner_id=owner,
                    add_time=created,
                    update_time=created + timedelta(days=200),
                    prices=(
                        Price(Decimal(chf), "CHF", (Decimal(chf) * Decimal("0.55")).quantize(Decimal(1))),
                        Price(Decimal(eur), "EUR"),
                    ),
                    category=line,
                    tax=Decimal("8.1"),
                    is_deleted=deleted,
                    custom={
                        self.key("product", "Product line", "enum"): self.option_id(
                            "product", "Product line", line
                        )
                    },
                )
            )
        return products

    def _activity_types(self) -> list[ActivityType]:
        created = self.start - timedelta(days=90)
        return [
            ActivityType(
                id=index,
                name=name,
                key_string=key,
                icon_key=icon,
                order_nr=index,
                add_time=created if not custom else self.start + timedelta(days=400 + index),
                update_time=datetime(2022, 9, 1, tzinfo=UTC) if not active else created,
                color="0a66c2" if key == "linkedin_step" else None,
                is_custom=custom,
                active=active,
            )
            for index, (name, key, icon, custom, active) in enumerate(cat.ACTIVITY_TYPES, start=1)
        ]
