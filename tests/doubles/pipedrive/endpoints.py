"""The endpoints the double serves, with their token costs (research §2.5), filters and the
archived/deleted semantics (v2 `/deals` leaves archived deals out; `status=deleted` shows deals
deleted within 30 days; `/deals/archived` and `/v1/leads/archived` list the archived ones).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from .protocol import (
    ApiError,
    Request,
    _equals,
    _single,
    _updated_between,
    bool_param,
    cursor_page,
    custom_keys_param,
    ids_param,
    int_param,
    list_param,
    offset_page,
)
from .shapes import Shapes
from .wire import DEAL_INCLUDE_FIELDS

MAX_LIMIT = 500
DEFAULT_LIMIT = 100
MAX_IDS = 100
MAX_CUSTOM_FIELDS = 15
V2_FIELD_ENTITIES = {
    "dealFields": "deal",
    "personFields": "person",
    "organizationFields": "organization",
    "productFields": "product",
    "activityFields": "activity",
}
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
UUID = r"([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})"


@dataclass(frozen=True)
class Route:
    version: str
    pattern: re.Pattern
    cost: int
    handler: Callable[[Request], tuple]


ROUTES: list[Route] = []


def route(version: str, pattern: str, cost: int):
    def register(handler):
        ROUTES.append(Route(version, re.compile(f"^{pattern}$"), cost, handler))
        return handler

    return register


def resolve(version: str, path: str) -> tuple[Route, tuple[str, ...]] | None:
    for candidate in ROUTES:
        if candidate.version == version and (match := candidate.pattern.match(path)):
            return candidate, match.groups()
    return None


# -- v2 ----------------------------------------------------------------------------------------


def _deals(req: Request, *, archived: bool) -> tuple:
    statuses = list_param(req, "status", allowed=("open", "won", "lost", "deleted"))
    ids = ids_param(req)
    keys = custom_keys_param(req, "deal")
    labels = bool(bool_param(req, "include_option_labels"))
    include = frozenset(list_param(req, "include_fields", allowed=DEAL_INCLUDE_FIELDS) or ())
    if req.query.get("filter_id"):
        raise ApiError(404, "Filter not found")
    equal = _equals(req, "owner_id", "person_id", "org_id", "pipeline_id", "stage_id")
    updated = _updated_between(req)
    as_of = req.dataset.as_of

    def keep(deal) -> bool:
        if deal.is_archived != archived:
            return False
        if deal.is_deleted:
            if not (statuses and "deleted" in statuses and deal.is_recently_deleted(as_of)):
                return False
        elif statuses and deal.status not in statuses:
            return False
        return (ids is None or deal.id in ids) and equal(deal) and updated(deal)

    def render(deal):
        return req.shapes.deal_v2(deal, keys=keys, option_labels=labels, include=include)

    return cursor_page(req, "deal", req.dataset.deals, keep, render)


@route("v2", "deals", 10)
def deals_v2(req: Request) -> tuple:
    return _deals(req, archived=False)


@route("v2", "deals/archived", 10)
def archived_deals_v2(req: Request) -> tuple:
    return _deals(req, archived=True)


def _visible_deal(req: Request, deal_id: int):
    deal = req.dataset.deals.get(deal_id)
    if deal is None or (deal.is_deleted and not deal.is_recently_deleted(req.dataset.as_of)):
        raise ApiError(404, "Deal not found")
    return deal


@route("v2", r"deals/(\d+)", 1)
def deal_v2(req: Request) -> tuple:
    return req.shapes.deal_v2(_visible_deal(req, int(req.params[0]))), None, None


@route("v2", r"deals/(\d+)/products", 10)
def deal_products_v2(req: Request) -> tuple:
    deal = _visible_deal(req, int(req.params[0]))
    return cursor_page(
        req,
        "product_attachment",
        list(deal.products),
        lambda _: True,
        req.shapes.deal_product_v2,
        sortable=("id", "add_time", "update_time"),
    )


def _contacts(req: Request, entity: str, source, render_name: str, *filters: str) -> tuple:
    ids = ids_param(req)
    keys = custom_keys_param(req, entity)
    labels = bool(bool_param(req, "include_option_labels"))
    equal = _equals(req, *filters)
    updated = _updated_between(req)
    render = getattr(req.shapes, render_name)

    def keep(record) -> bool:
        return (
            not record.is_deleted and (ids is None or record.id in ids) and equal(record) and updated(record)
        )

    return cursor_page(req, entity, source, keep, lambda r: render(r, keys=keys, option_labels=labels))


@route("v2", "persons", 10)
def persons_v2(req: Request) -> tuple:
    return _contacts(req, "person", req.dataset.persons, "person_v2", "owner_id", "org_id")


@route("v2", r"persons/(\d+)", 1)
def person_v2(req: Request) -> tuple:
    person = _single(req.dataset.persons.get(int(req.params[0])), "Person")
    return req.shapes.person_v2(person), None, None


@route("v2", "organizations", 10)
def organizations_v2(req: Request) -> tuple:
    return _contacts(req, "organization", req.dataset.organizations, "organization_v2", "owner_id")


@route("v2", r"organizations/(\d+)", 1)
def organization_v2(req: Request) -> tuple:
    org = _single(req.dataset.organizations.get(int(req.params[0])), "Organization")
    return req.shapes.organization_v2(org), None, None


@route("v2", "products", 10)
def products_v2(req: Request) -> tuple:
    return _contacts(req, "product", req.dataset.products, "product_v2", "owner_id")


@route("v2", r"products/(\d+)", 1)
def product_v2(req: Request) -> tuple:
    product = _single(req.dataset.products.get(int(req.params[0])), "Product")
    return req.shapes.product_v2(product), None, None


@route("v2", "activities", 10)
def activities_v2(req: Request) -> tuple:
    ids = ids_param(req)
    equal = _equals(req, "deal_id", "person_id", "org_id", "owner_id")
    lead_id = req.query.get("lead_id")
    done = bool_param(req, "done")
    updated = _updated_between(req)

    def keep(activity) -> bool:
        return (
            not activity.is_deleted
            and (ids is None or activity.id in ids)
            and equal(activity)
            and (lead_id is None or activity.lead_id == lead_id)
            and (done is None or activity.done == done)
            and updated(activity)
        )

    return cursor_page(req, "activity", req.dataset.activities, keep, req.shapes.activity_v2)


@route("v2", r"activities/(\d+)", 1)
def activity_v2(req: Request) -> tuple:
    activity = _single(req.dataset.activities.get(int(req.params[0])), "Activity")
    return req.shapes.activity_v2(activity), None, None


@route("v2", "pipelines", 5)
def pipelines_v2(req: Request) -> tuple:
    return cursor_page(req, "pipeline", req.dataset.pipelines, lambda _: True, req.shapes.pipeline_v2)


@route("v2", r"pipelines/(\d+)", 1)
def pipeline_v2(req: Request) -> tuple:
    pipeline = _single(req.dataset.pipeline(int(req.params[0])), "Pipeline")
    return req.shapes.pipeline_v2(pipeline), None, None


@route("v2", "stages", 5)
def stages_v2(req: Request) -> tuple:
    pipeline_id = int_param(req, "pipeline_id")

    def keep(stage) -> bool:
        return pipeline_id is None or stage.pipeline_id == pipeline_id

    return cursor_page(req, "stage", req.dataset.stages, keep, req.shapes.stage_v2)


@route("v2", r"stages/(\d+)", 1)
def stage_v2(req: Request) -> tuple:
    stage = _single(req.dataset.stage(int(req.params[0])), "Stage")
    return req.shapes.stage_v2(stage), None, None


@route("v2", "(dealFields|personFields|organizationFields|productFields|activityFields)", 10)
def fields_v2(req: Request) -> tuple:
    fields = req.dataset.fields_of(V2_FIELD_ENTITIES[req.params[0]])
    return cursor_page(req, "field", fields, lambda _: True, req.shapes.field_v2, sortable=("id",))


# -- v1 ----------------------------------------------------------------------------------------


def _related(shapes: Shapes, data: list[dict], users=(), persons=(), orgs=()) -> dict:
    related: dict[str, dict] = {}

    def ids(item, key):
        value = item.get(key)
        return value.get("value") if isinstance(value, dict) else value

    for name, keys, render in (
        ("user", users, shapes.user_ref),
        ("person", persons, shapes.person_ref),
        ("organization", orgs, shapes.org_ref),
    ):
        found = {ids(item, key) for item in data for key in keys} - {None}
        if found:
            related[name] = {str(i): render(i) for i in sorted(found)}
    return related


def _leads(req: Request, *, archived: bool) -> tuple:
    equal = _equals(req, "owner_id", "person_id", "organization_id")
    leads = [lead for lead in req.dataset.leads if lead.is_archived == archived and equal(lead)]
    return offset_page(req, leads, req.shapes.lead_v1)


@route("v1", "leads", 20)
def leads_v1(req: Request) -> tuple:
    return _leads(req, archived=False)


@route("v1", "leads/archived", 40)
def archived_leads_v1(req: Request) -> tuple:
    return _leads(req, archived=True)


@route("v1", f"leads/{UUID}", 2)
def lead_v1(req: Request) -> tuple:
    return req.shapes.lead_v1(_single(req.dataset.lead(req.params[0]), "Lead")), None, None


@route("v1", "leadLabels", 20)
def lead_labels_v1(req: Request) -> tuple:
    return [req.shapes.lead_label_v1(label) for label in req.dataset.lead_labels], None, None


@route("v1", "(leadFields|noteFields)", 20)
def fields_v1(req: Request) -> tuple:
    fields = req.dataset.fields_of("lead" if req.params[0] == "leadFields" else "note")
    return offset_page(req, fields, req.shapes.field_v1)


@route("v1", "notes", 20)
def notes_v1(req: Request) -> tuple:
    equal = _equals(req, "deal_id", "person_id", "org_id", "user_id")
    lead_id = req.query.get("lead_id")
    filters = tuple(
        sorted(
            (k, v)
            for k, v in req.query.items()
            if k in ("deal_id", "person_id", "org_id", "user_id", "lead_id")
        )
    )

    def matching_ids() -> list[int]:
        return [
            note.id
            for note in req.dataset.notes
            if not note.is_deleted and equal(note) and (lead_id is None or note.lead_id == lead_id)
        ]

    ids = req.api.cached(("notes", filters), matching_ids)

    def render(note_id: int) -> dict:
        return req.shapes.note_v1(req.dataset.notes.get(note_id), req.user)

    return offset_page(
        req,
        ids,
        render,
        lambda data: _related(req.shapes, data, users=("user_id",), persons=("person_id",), orgs=("org_id",)),
    )


@route("v1", r"notes/(\d+)", 2)
def note_v1(req: Request) -> tuple:
    note = _single(req.dataset.notes.get(int(req.params[0])), "Note")
    return req.shapes.note_v1(note, req.user), None, None


@route("v1", "users", 20)
def users_v1(req: Request) -> tuple:
    return [req.shapes.user_v1(user, me=req.user) for user in req.dataset.users], None, None


@route("v1", "users/me", 2)
def me_v1(req: Request) -> tuple:
    return req.shapes.me_v1(req.user), None, None


@route("v1", r"users/(\d+)", 2)
def user_v1(req: Request) -> tuple:
    user = _single(req.dataset.user(int(req.params[0])), "User")
    return req.shapes.user_v1(user, me=req.user), None, None


@route("v1", "activityTypes", 20)
def activity_types_v1(req: Request) -> tuple:
    return [req.shapes.activity_type_v1(kind) for kind in req.dataset.activity_types], None, None


@route("v1", r"deals/(\d+)/flow", 40)
def deal_flow_v1(req: Request) -> tuple:
    deal = _visible_deal(req, int(req.params[0]))
    items = req.shapes.flow_v1(deal)
    if objects := list_param(req, "items"):
        items = [item for item in items if item["object"] in objects]
    return offset_page(
        req,
        items,
        lambda item: item,
        lambda data: _related(req.shapes, [item["data"] for item in data], users=("user_id",)),
    )


def _v1_list(req: Request, name: str, table, render, keep, related_keys: dict) -> tuple:
    ids = req.api.cached((name,), lambda: [record.id for record in table if keep(record)])
    return offset_page(
        req,
        ids,
        lambda record_id: render(table.get(record_id)),
        lambda data: _related(req.shapes, data, **related_keys),
    )


@route("v1", "deals", 20)
def deals_v1(req: Request) -> tuple:
    return _v1_list(
        req,
        "deals",
        req.dataset.deals,
        req.shapes.deal_v1,
        lambda deal: not deal.is_deleted and not deal.is_archived,
        {"users": ("user_id",), "persons": ("person_id",), "orgs": ("org_id",)},
    )


@route("v1", r"deals/(\d+)", 2)
def deal_v1(req: Request) -> tuple:
    return req.shapes.deal_v1(_visible_deal(req, int(req.params[0]))), None, None


@route("v1", "persons", 20)
def persons_v1(req: Request) -> tuple:
    return _v1_list(
        req,
        "persons",
        req.dataset.persons,
        req.shapes.person_v1,
        lambda p: not p.is_deleted,
        {"users": ("owner_id",), "orgs": ("org_id",)},
    )


@route("v1", "organizations", 20)
def organizations_v1(req: Request) -> tuple:
    return _v1_list(
        req,
        "organizations",
        req.dataset.organizations,
        req.shapes.organization_v1,
        lambda o: not o.is_deleted,
        {"users": ("owner_id",)},
    )
