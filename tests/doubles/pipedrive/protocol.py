"""How the double reads a request: errors, the request context, query validation (v2 strict,
v1 lenient) and both kinds of paging.

v2 lists page with opaque base64 cursors holding the last position seen (sort value and id), not
an offset, so a cursor stays valid while records are added, changed or deleted. v1 lists page with
`start`/`limit` offsets and `additional_data.pagination`.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .dataset import Dataset
from .model import User
from .shapes import Shapes

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


class ApiError(Exception):
    def __init__(self, status: int, error: str, error_info: str = "Please check developers.pipedrive.com"):
        super().__init__(error)
        self.status, self.error, self.error_info = status, error, error_info


@dataclass
class Api:
    """What every endpoint reads: the data, its renderer, the paging settings and a cache."""

    dataset: Dataset
    limit_overflow: str = "reject"  # v2 `limit` > 500: "reject" (400) or "clamp"
    shapes: Shapes = field(init=False)
    _cache: dict = field(default_factory=dict, init=False)

    def __post_init__(self) -> None:
        self.shapes = Shapes(self.dataset)

    def cached(self, key: tuple, compute: Callable[[], Any]) -> Any:
        key = (*key, self.dataset.version)
        if key not in self._cache:
            if len(self._cache) > 256:
                self._cache.clear()
            self._cache[key] = compute()
        return self._cache[key]


@dataclass
class Request:
    api: Api
    version: str
    params: tuple[str, ...]
    query: dict[str, str]
    user: User

    @property
    def dataset(self) -> Dataset:
        return self.api.dataset

    @property
    def shapes(self) -> Shapes:
        return self.api.shapes


# -- query parameters ---------------------------------------------------------------------------


def _invalid(name: str, message: str) -> ApiError:
    return ApiError(400, f"Validation failed: {name}: {message}")


def int_param(req: Request, name: str) -> int | None:
    raw = req.query.get(name)
    if raw is None:
        return None
    if not raw.isdigit():
        raise _invalid(name, "Expected number, received string")
    return int(raw)


def bool_param(req: Request, name: str) -> bool | None:
    raw = req.query.get(name)
    if raw is None:
        return None
    if req.version == "v2" and raw not in ("true", "false"):
        raise _invalid(name, "Expected boolean, received string")
    return raw in ("true", "1")


def time_param(req: Request, name: str) -> datetime | None:
    raw = req.query.get(name)
    if raw is None:
        return None
    if not RFC3339.match(raw):
        raise _invalid(name, "Invalid datetime, expected RFC 3339 (2024-01-01T00:00:00Z)")
    return datetime.fromisoformat(raw.replace("Z", "+00:00"))


def list_param(req: Request, name: str, *, most: int | None = None, allowed=None) -> list[str] | None:
    raw = req.query.get(name)
    if raw is None:
        return None
    values = [value for value in raw.split(",") if value]
    if most is not None and len(values) > most:
        raise _invalid(name, f"Array must contain at most {most} element(s)")
    if allowed is not None and (unknown := [v for v in values if v not in allowed]):
        raise _invalid(
            name, f"Invalid enum value '{unknown[0]}'. Expected one of {', '.join(sorted(allowed))}"
        )
    return values


def ids_param(req: Request) -> set[int] | None:
    values = list_param(req, "ids", most=MAX_IDS)
    if values is None:
        return None
    if not all(v.isdigit() for v in values):
        raise _invalid("ids", "Expected number, received string")
    return {int(v) for v in values}


def limit_param(req: Request) -> int:
    raw = req.query.get("limit")
    if raw is None:
        return DEFAULT_LIMIT
    if not raw.isdigit() or int(raw) < 1:
        raise _invalid("limit", "Number must be greater than or equal to 1")
    limit = int(raw)
    if limit > MAX_LIMIT:
        if req.version == "v2" and req.api.limit_overflow == "reject":
            raise _invalid("limit", f"Number must be less than or equal to {MAX_LIMIT}")
        limit = MAX_LIMIT
    return limit


def custom_keys_param(req: Request, entity: str) -> set[str] | None:
    keys = list_param(req, "custom_fields", most=MAX_CUSTOM_FIELDS)
    return set(keys) if keys is not None else None


# -- paging ------------------------------------------------------------------------------------


def encode_cursor(entity: str, sort_by: str, direction: str, record) -> str:
    position: dict[str, Any] = {entity: record.id}
    if sort_by != "id" or direction != "asc":
        value = getattr(record, sort_by)
        position |= {
            "sort_by": sort_by,
            "direction": direction,
            "value": value.isoformat() if isinstance(value, datetime) else value,
        }
    return base64.b64encode(json.dumps(position, separators=(",", ":")).encode()).decode().rstrip("=")


def decode_cursor(raw: str, entity: str, sort_by: str, direction: str) -> tuple:
    try:
        position = json.loads(base64.b64decode(raw + "=" * (-len(raw) % 4), validate=True))
        last_id = position[entity]
        if position.get("sort_by", "id") != sort_by or position.get("direction", "asc") != direction:
            raise ValueError("cursor from another ordering")
        value = position.get("value", last_id)
        if sort_by != "id":
            value = datetime.fromisoformat(value)
        return (value, int(last_id))
    except (ValueError, KeyError, TypeError, binascii.Error) as error:
        raise ApiError(400, "Invalid cursor") from error


def cursor_page(
    req: Request,
    entity: str,
    source,
    keep: Callable,
    render: Callable,
    *,
    sortable=("id", "update_time", "add_time"),
) -> tuple:
    """One v2 page of `source` (an IdTable or a list in id order) filtered by `keep`."""
    limit = limit_param(req)
    sort_by = (list_param(req, "sort_by", allowed=sortable) or ["id"])[0]
    direction = (list_param(req, "sort_direction", allowed=("asc", "desc")) or ["asc"])[0]
    after = (
        decode_cursor(req.query["cursor"], entity, sort_by, direction) if req.query.get("cursor") else None
    )
    if sort_by == "id" and direction == "asc":
        candidates: Iterable = (
            source.after(after[1] if after else 0)
            if hasattr(source, "after")
            else (r for r in source if not after or r.id > after[1])
        )
    else:

        def key(record):
            return (getattr(record, sort_by), record.id)

        ordered = sorted((r for r in source if keep(r)), key=key, reverse=direction == "desc")
        if after:
            ordered = [r for r in ordered if (key(r) > after if direction == "asc" else key(r) < after)]
        candidates = ordered
    page = []
    for record in candidates:
        if keep(record):
            page.append(record)
            if len(page) > limit:
                break
    more = len(page) > limit
    page = page[:limit]
    next_cursor = encode_cursor(entity, sort_by, direction, page[-1]) if more else None
    return [render(r) for r in page], {"next_cursor": next_cursor}, None


def offset_page(req: Request, items: list, render: Callable, related: Callable | None = None) -> tuple:
    """One v1 page of `items` by `start`/`limit`."""
    raw_start = req.query.get("start", "0")
    if not raw_start.isdigit():
        raise _invalid("start", "Expected number, received string")
    start, limit = int(raw_start), limit_param(req)
    chunk = items[start : start + limit]
    more = start + limit < len(items)
    pagination: dict[str, Any] = {"start": start, "limit": limit, "more_items_in_collection": more}
    if more:
        pagination["next_start"] = start + limit
    data = [render(item) for item in chunk]
    return data, {"pagination": pagination}, related(data) if related else None


def _updated_between(req: Request) -> Callable:
    since, until = time_param(req, "updated_since"), time_param(req, "updated_until")

    def within(record) -> bool:
        return (since is None or record.update_time >= since) and (
            until is None or record.update_time < until
        )

    return within


def _equals(req: Request, *names: str, attribute: dict[str, str] | None = None) -> Callable:
    wanted = {name: value for name in names if (value := int_param(req, name)) is not None}
    attribute = attribute or {}

    def matches(record) -> bool:
        return all(getattr(record, attribute.get(name, name)) == value for name, value in wanted.items())

    return matches


def _single(record, what: str):
    if record is None:
        raise ApiError(404, f"{what} not found")
    return record
