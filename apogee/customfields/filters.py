"""Filters on custom fields compiled to ORM lookups that behave the same on SQLite and PostgreSQL."""

from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _

from .models import FieldDefinition
from .types import REGISTRY, FieldValueError

_RANGE = {"gt": "gt", "gte": "gte", "lt": "lt", "lte": "lte"}


class InvalidFilter(ValueError):
    pass


def custom_value_q(definition: FieldDefinition, op: str, raw: Any, *, column: str = "custom_values") -> Q:
    """One condition on one custom field, e.g. (opportunity_type, eq, "esa").

    Raises InvalidFilter when the operator does not suit the type or the value is invalid.
    """
    field_type = REGISTRY[definition.field_type]
    if op not in field_type.operators:
        raise InvalidFilter(_("This condition does not apply to this field."))
    path = f"{column}__{definition.key}"
    if definition.field_type == "monetary":
        path += "__amount"
    # A missing key and a JSON null both mean "not filled in".
    empty = Q(**{f"{path}__isnull": True})
    if op == "empty":
        return empty
    if op == "not_empty":
        return ~empty
    try:
        value = _filter_value(definition, raw)
    except FieldValueError as error:
        message = _(error.message)
        raise InvalidFilter(message % error.params if error.params else message) from None
    if op == "eq":
        return Q(**{path: value})
    if op == "ne":
        return ~Q(**{path: value}) | empty
    if op == "contains":
        return Q(**{f"{path}__icontains": value})
    if op == "has":
        # The stored list's JSON text contains the quoted key on both databases; keys are slugs.
        return Q(**{f"{path}__icontains": f'"{value}"'})
    return Q(**{f"{path}__{_RANGE[op]}": value})


def _filter_value(definition: FieldDefinition, raw: Any) -> Any:
    field_type = REGISTRY[definition.field_type]
    spec = definition.spec()
    if definition.field_type == "monetary":
        return REGISTRY["number"].validate(raw, spec)
    if definition.field_type == "multiple_options":
        return REGISTRY["single_option"].validate(raw, spec)
    if definition.field_type in ("text", "long_text", "url"):
        return str(raw)
    return field_type.validate(field_type.parse(raw), spec)
