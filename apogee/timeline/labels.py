"""Change payloads for people: field labels, and names instead of ids and codes.

Events store `{"changes": {field: [old, new]}}` with raw values (ids, choice codes,
ISO dates). One ChangeLabels resolves a whole page of events with one query per
referenced model and per custom-field entity, whatever the page mixes.
"""

from collections import defaultdict
from collections.abc import Iterable
from contextlib import suppress
from datetime import date, datetime

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy

from apogee.activities.models import Activity
from apogee.contacts.models import Organization, Person
from apogee.core.models import DomainEvent
from apogee.customfields.queries import ValueFormatter, definitions_for
from apogee.deals.models import Deal
from apogee.leads.models import Lead
from apogee.products.models import Product

MODELS: dict[str, type[models.Model]] = {
    "deal": Deal,
    "lead": Lead,
    "person": Person,
    "organization": Organization,
    "activity": Activity,
    "product": Product,
}
# Where the model's verbose name is not what the page calls the field.
LABELS = {
    "visibility": gettext_lazy("Visible to"),
    "stage": gettext_lazy("Stage"),
    "expected_close_date": gettext_lazy("Expected close date"),
    "lead_id": gettext_lazy("Lead"),
    # The changes of a deal's product line, recorded on the deal.
    "item_price": gettext_lazy("Unit price"),
    "discount_percent": gettext_lazy("Discount (%)"),
}
EMPTY = "—"


def _field(model: type[models.Model] | None, key: str):
    if model is None:
        return None
    try:
        return model._meta.get_field(key)
    except FieldDoesNotExist:
        return None


def _pairs(event: DomainEvent) -> Iterable[tuple[str, object, object]]:
    changes = event.data.get("changes") if isinstance(event.data, dict) else None
    if not isinstance(changes, dict):
        return
    for key, pair in changes.items():
        if isinstance(pair, list | tuple) and len(pair) == 2:
            yield key, pair[0], pair[1]


class ChangeLabels:
    def __init__(self, events: Iterable[DomainEvent]):
        events = list(events)
        wanted: dict[type[models.Model], set[int]] = defaultdict(set)
        custom_values: dict[str, list[dict]] = defaultdict(list)
        for event in events:
            model = MODELS.get(event.subject_type)
            for key, old, new in _pairs(event):
                if key.startswith("custom."):
                    custom_values[event.subject_type].extend(
                        {key[7:]: v} for v in (old, new) if v is not None
                    )
                    continue
                field = _field(model, key)
                if field is not None and field.is_relation and field.related_model is not None:
                    wanted[field.related_model].update(v for v in (old, new) if isinstance(v, int))
        self.names = {
            related: {obj.pk: str(obj) for obj in related._base_manager.filter(pk__in=ids)}
            for related, ids in wanted.items()
        }
        self.custom: dict[str, tuple[dict[str, str], ValueFormatter]] = {}
        for entity, values in custom_values.items():
            definitions = list(definitions_for(entity, include_archived=True))
            self.custom[entity] = ({d.key: d.label for d in definitions}, ValueFormatter(definitions, values))

    def changes(self, event: DomainEvent) -> list[tuple[str, str, str]]:
        return [self.row(event.subject_type, key, old, new) for key, old, new in _pairs(event)]

    def row(self, subject_type: str, key: str, old, new) -> tuple[str, str, str]:
        if key.startswith("custom."):
            custom_key = key[7:]
            labels, formatter = self.custom.get(subject_type, ({}, None))
            if formatter is None:
                return custom_key, _plain(old), _plain(new)
            return (
                labels.get(custom_key, custom_key),
                _shown(formatter.format(custom_key, old)),
                _shown(formatter.format(custom_key, new)),
            )
        field = _field(MODELS.get(subject_type), key)
        return self.label(field, key), self.value(field, old), self.value(field, new)

    @staticmethod
    def label(field, key: str) -> str:
        if key in LABELS:
            return str(LABELS[key])
        if field is not None and getattr(field, "verbose_name", None):
            return str(field.verbose_name).capitalize()
        return key.replace("_", " ").capitalize()

    def value(self, field, value) -> str:
        if value in (None, "", []):
            return EMPTY
        if field is not None and field.is_relation and field.related_model is not None:
            return self.names.get(field.related_model, {}).get(value, f"#{value}")
        if field is not None and field.choices:
            return str(dict(field.flatchoices).get(value, value))
        if isinstance(value, bool):
            return str(gettext_lazy("yes") if value else gettext_lazy("no"))
        if isinstance(field, models.DateTimeField) and isinstance(value, str):
            with suppress(ValueError):
                moment = datetime.fromisoformat(value)
                if timezone.is_aware(moment):
                    moment = timezone.localtime(moment)
                return date_format(moment, "SHORT_DATETIME_FORMAT")
        elif isinstance(field, models.DateField) and isinstance(value, str):
            with suppress(ValueError):
                return date_format(date.fromisoformat(value), "SHORT_DATE_FORMAT")
        return _plain(value)


def _plain(value) -> str:
    if value in (None, "", []):
        return EMPTY
    if isinstance(value, list):
        return ", ".join(_money(v) if isinstance(v, dict) else str(v) for v in value)
    return str(value)


def _money(value: dict) -> str:
    # A price list, e.g. a product's prices: [{"amount": "1200.00", "currency": "CHF"}].
    if {"amount", "currency"} <= set(value):
        return f"{value['currency']} {value['amount']}"
    return ", ".join(f"{k}: {v}" for k, v in value.items())


def _shown(text) -> str:
    return str(text) if text not in (None, "") else EMPTY


def conflict_rows(changes: list[dict]) -> list[tuple[str, str, str, str]]:
    """A deal version conflict's changes (DealVersionConflict.changes) as (label, old, new, who)."""
    event = DomainEvent(
        subject_type="deal", data={"changes": {c["field"]: [c["old"], c["new"]] for c in changes}}
    )
    labels = ChangeLabels([event])
    return [(*labels.row("deal", c["field"], c["old"], c["new"]), c["by"]) for c in changes]
