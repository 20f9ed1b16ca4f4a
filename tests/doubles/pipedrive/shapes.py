"""How records look on the wire: API v2 (RFC 3339, ids, `custom_fields`) and v1 (the older shapes).

v2: times `2024-01-01T00:00:00Z`, `owner_id`, `is_deleted`, `label_ids`, integer `visible_to`,
`emails`/`phones`, custom fields nested under `custom_fields` in their v2 form (monetary
`{"value", "currency"}`, enum an option id, set a list of ids, daterange `{"value", "until"}`).
v1: times `2024-01-01 00:00:00` (UTC), `user_id`/`person_id`/`org_id` as objects with a `value`,
custom fields at the root with `_currency`/`_until`/`_<subfield>` siblings, enum `"31"` and set
`"31,32"` strings, `visible_to` a string, `email`/`phone`, some flags 0/1 (`has_pic`,
`is_admin`). Leads are v1 but use ISO times with milliseconds and plain ids, as Pipedrive's do.
"""

from __future__ import annotations

from typing import Any

from .dataset import Dataset
from .model import (
    Field,
)
from .shapes_v1 import V1Shapes
from .shapes_v2 import V2Shapes
from .wire import (
    ADDRESS_PARTS,
    TIMEZONE_IDS,
    day,
    number,
)


class Shapes(V2Shapes, V1Shapes):
    """Renders one dataset's records; keeps the lookups (users, option labels, field lists) at hand."""

    def __init__(self, dataset: Dataset) -> None:
        self.dataset = dataset
        self.users = {user.id: user for user in dataset.users}
        self.stages = {stage.id: stage for stage in dataset.stages}
        self.custom = {
            entity: [f for f in dataset.fields if f.entity == entity and f.is_custom]
            for entity in ("deal", "person", "organization", "product", "lead")
        }
        self.labels = {
            option.id: option.label
            for f in dataset.fields
            if f.is_custom and f.options
            for option in f.live_options()
        }
        self._people_count: dict[int, int] | None = None

    # -- custom fields ------------------------------------------------------------------------

    def custom_v2(self, entity: str, values: dict, keys: set[str] | None, option_labels: bool) -> dict:
        out = {}
        for f in self.custom[entity]:
            if keys is not None and f.key not in keys:
                continue
            value = values.get(f.key)
            out[f.key] = None if value is None else self._v2_value(f, value, option_labels)
        return out

    def _v2_value(self, f: Field, value: Any, option_labels: bool) -> Any:
        kind = f.field_type
        if kind == "monetary":
            return {"value": number(value[0]), "currency": value[1]}
        if kind == "enum":
            return {"id": value, "label": self.labels.get(value)} if option_labels else value
        if kind == "set":
            return [{"id": v, "label": self.labels.get(v)} for v in value] if option_labels else list(value)
        if kind == "daterange":
            return {"value": day(value[0]), "until": day(value[1])}
        if kind == "time":
            return {"value": value[0], "timezone_name": value[1], "timezone_id": TIMEZONE_IDS.get(value[1])}
        if kind == "address":
            return dict(value)
        if kind in ("double", "int"):
            return number(value)
        if kind == "date":
            return day(value)
        return value

    def custom_v1(self, entity: str, values: dict, *, refs_as_objects: bool) -> dict:
        out: dict[str, Any] = {}
        for f in self.custom[entity]:
            key, kind, value = f.key, f.field_type, values.get(f.key)
            if kind == "monetary":
                out[key] = number(value[0]) if value else None
                out[f"{key}_currency"] = value[1] if value else None
            elif kind == "daterange":
                out[key] = day(value[0]) if value else None
                out[f"{key}_until"] = day(value[1]) if value else None
            elif kind == "time":
                out[key] = value[0] if value else None
                out[f"{key}_timezone_id"] = TIMEZONE_IDS.get(value[1]) if value else None
            elif kind == "address":
                out[key] = value["value"] if value else None
                for part in ADDRESS_PARTS:
                    out[f"{key}_{part}"] = (value.get(part) or None) if value else None
            elif value is None:
                out[key] = None
            elif kind == "enum":
                out[key] = str(value)
            elif kind == "set":
                out[key] = ",".join(str(v) for v in value)
            elif kind in ("double", "int"):
                out[key] = number(value)
            elif kind == "date":
                out[key] = day(value)
            elif kind in ("user", "org", "people") and refs_as_objects:
                out[key] = {"user": self.user_ref, "org": self.org_ref, "people": self.person_ref}[kind](
                    value
                )
            else:
                out[key] = value
        return out

    # -- v1 reference objects -------------------------------------------------------------------

    def user_ref(self, user_id: int | None) -> dict | None:
        user = self.users.get(user_id)
        if user is None:
            return None
        return {
            "id": user.id,
            "name": user.name,
            "email": user.email,
            "has_pic": 0,
            "pic_hash": None,
            "active_flag": user.active,
            "value": user.id,
        }

    def person_ref(self, person_id: int | None) -> dict | None:
        person = self.dataset.persons.get(person_id) if person_id else None
        if person is None:
            return None
        return {
            "active_flag": not person.is_deleted,
            "name": person.name,
            "email": self._contacts_v1(person.emails),
            "phone": self._contacts_v1(person.phones),
            "owner_id": person.owner_id,
            "value": person.id,
        }

    def org_ref(self, org_id: int | None) -> dict | None:
        org = self.dataset.organizations.get(org_id) if org_id else None
        if org is None:
            return None
        return {
            "name": org.name,
            "people_count": self.people_count(org.id),
            "owner_id": org.owner_id,
            "address": org.address["value"] if org.address else None,
            "active_flag": not org.is_deleted,
            "cc_email": self.cc_email("org", org.id),
            "value": org.id,
        }

    def people_count(self, org_id: int) -> int:
        if self._people_count is None:
            counts: dict[int, int] = {}
            for person in self.dataset.persons:
                if person.org_id and not person.is_deleted:
                    counts[person.org_id] = counts.get(person.org_id, 0) + 1
            self._people_count = counts
        return self._people_count.get(org_id, 0)

    def cc_email(self, kind: str, record_id: int | str) -> str:
        company = self.dataset.company
        return f"{company['domain']}+{company['id']}+{kind}{record_id}@pipedrivemail.com"

    @staticmethod
    def _contacts_v1(contacts) -> list[dict]:
        if not contacts:
            return [{"value": "", "primary": True}]
        return [{"label": c.label, "value": c.value, "primary": c.primary} for c in contacts]

    @staticmethod
    def _contacts_v2(contacts) -> list[dict]:
        return [{"value": c.value, "primary": c.primary, "label": c.label} for c in contacts]
