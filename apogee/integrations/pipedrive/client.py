"""Read-only HTTP client for the Pipedrive API: v2 where it exists, v1 for the rest.

It speaks HTTP and nothing else: every listing yields `Page`s of Pipedrive's JSON objects as
dicts, untouched (`apirecords` turns them into records). No Django, no models.

Paging and resuming
    v2 lists page with opaque cursors, v1 lists with `start` offsets; both always ask for
    `limit=500`, because a request costs the same tokens whatever its size. Each `Page` carries
    `next_position` (the next cursor, or the next `start`; None after the last page). Save it
    once the page's items are safely stored, and pass it back as `resume_from=` to carry on
    exactly after that page, in this process or in another one, today or after the budget
    reset. A v2 cursor is the last position seen, not an offset, so records added or deleted
    in the meantime neither repeat nor shift the rest; v1 offsets have no such guarantee.

Idempotency and retries
    Every call is a GET: it changes nothing in Pipedrive, so repeating one is always safe and
    needs no idempotency key. A page is retried, from the same position, on 5xx answers
    (500/502/503/504), timeouts, refused or broken connections, and 429s, with exponential
    back-off and jitter, capped (`backoff_base` × 2^attempt, at most `backoff_cap` seconds).
    Pipedrive sends no `Retry-After`; on a 429 the wait is at least `x-ratelimit-reset` (the
    burst window's reset, in seconds). After `max_retries` the call raises a temporary error
    (`Unavailable`, `Throttled`) for the caller's own, slower, retry.

Never hammering
    Pipedrive answers clients that keep calling after 429s with Cloudflare's 403 HTML page. That
    page raises `Blocked` at once, without a retry, and the client refuses further calls until
    `blocked_cooldown` has passed. When the daily token budget is spent (a 429 with
    `x-daily-ratelimit-token-remaining: 0`; a 429 while the burst window still has room, since
    the burst is then not the cause; or 429s that outlast the back-off when Pipedrive omits
    both headers), the client raises `BudgetExhausted` with `resume_at`, the next midnight
    in `budget_timezone` (Pipedrive resets budgets at midnight server time), and makes no call
    before then. `reserve` stops the import while that many tokens are left, so that the
    company's other integrations keep working.

Budget
    `budget` is the last known state: daily tokens left and the limit (from the undocumented
    `x-daily-ratelimit-token-*` headers, which may be missing), the burst window's limit,
    remaining and reset (`x-ratelimit-*`), when it was read, and until when the client waits.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from .errors import (
    Blocked,
    BudgetExhausted,
    Conflict,
    Forbidden,
    NotFound,
    PermanentError,
    PipedriveError,
    Throttled,
    Unauthorized,
    Unavailable,
)

logger = logging.getLogger(__name__)

PAGE_SIZE = 500
DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=10.0)
RETRIED_STATUSES = frozenset({500, 502, 503, 504})
TRANSPORT_ERRORS = (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError)
V2_FIELDS = {
    "deal": "dealFields",
    "person": "personFields",
    "organization": "organizationFields",
    "product": "productFields",
    "activity": "activityFields",
}
V1_FIELDS = {"lead": "leadFields", "note": "noteFields"}

Position = str | int


@dataclass(frozen=True)
class Page:
    """One page of a listing. Resume after it with `resume_from=page.next_position`."""

    items: list[dict[str, Any]]
    position: Position | None  # where this page was read from (None: the beginning)
    next_position: Position | None  # the next page's cursor or start; None: this was the last
    related_objects: dict[str, Any]  # v1 only: the users, persons, … the items refer to

    @property
    def is_last(self) -> bool:
        return self.next_position is None


@dataclass(frozen=True)
class Budget:
    """Pipedrive's rate-limit state as last seen (None: not known yet, or not sent)."""

    daily_limit: int | None = None
    daily_remaining: int | None = None
    burst_limit: int | None = None
    burst_remaining: int | None = None
    burst_reset_seconds: float | None = None
    observed_at: datetime | None = None
    exhausted_until: datetime | None = None  # no call before then: the daily budget is spent
    blocked_until: datetime | None = None  # no call before then: Cloudflare blocked the client


def iter_items(pages: Iterator[Page]) -> Iterator[dict[str, Any]]:
    """The items of every page, for callers that do not need to resume."""
    for page in pages:
        yield from page.items


class PipedriveClient:
    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
        max_retries: int = 5,
        backoff_base: float = 1.0,
        backoff_cap: float = 60.0,
        budget_timezone: str = "UTC",
        reserve: int = 0,
        blocked_cooldown: float = 3600.0,
        rng: random.Random | None = None,
    ) -> None:
        """`base_url` is the company domain, e.g. https://acme.pipedrive.com (no /api/v… suffix)."""
        self._http = httpx.Client(
            base_url=base_url.rstrip("/"),
            timeout=timeout,
            headers={
                "x-api-token": token,
                "accept": "application/json",
                "user-agent": "Apogee-Pipedrive-import",
            },
        )
        self._sleep = sleep
        self._clock = clock
        self._max_retries = max_retries
        self._backoff_base = backoff_base
        self._backoff_cap = backoff_cap
        self._budget_zone = ZoneInfo(budget_timezone)
        self._reserve = reserve
        self._blocked_cooldown = blocked_cooldown
        self._rng = rng or random.Random()
        self._budget = Budget()
        self.requests_made = 0

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> PipedriveClient:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    @property
    def budget(self) -> Budget:
        return self._budget

    # -- single objects -----------------------------------------------------------------------

    def me(self) -> dict[str, Any]:
        """The token's user with the company (`company_id`, `company_domain`, `timezone_name`…)."""
        return self._get("/api/v1/users/me", {})["data"]

    # -- v2 listings (cursor) -------------------------------------------------------------------

    def pipelines(self, *, resume_from: str | None = None) -> Iterator[Page]:
        return self.cursor_pages("/api/v2/pipelines", resume_from=resume_from)

    def stages(self, *, pipeline_id: int | None = None, resume_from: str | None = None) -> Iterator[Page]:
        return self.cursor_pages("/api/v2/stages", {"pipeline_id": pipeline_id}, resume_from=resume_from)

    def fields(self, entity: str, *, resume_from: Position | None = None) -> Iterator[Page]:
        """Field definitions of deal, person, organization, product, activity (v2) or lead, note (v1)."""
        if entity in V2_FIELDS:
            return self.cursor_pages(f"/api/v2/{V2_FIELDS[entity]}", resume_from=resume_from)
        if entity in V1_FIELDS:
            return self.offset_pages(f"/api/v1/{V1_FIELDS[entity]}", resume_from=resume_from)
        raise ValueError(f"Pipedrive has no field list for {entity!r}")

    def organizations(
        self, *, updated_since: datetime | None = None, resume_from: str | None = None
    ) -> Iterator[Page]:
        return self.cursor_pages("/api/v2/organizations", _since(updated_since), resume_from=resume_from)

    def persons(
        self, *, updated_since: datetime | None = None, resume_from: str | None = None
    ) -> Iterator[Page]:
        return self.cursor_pages("/api/v2/persons", _since(updated_since), resume_from=resume_from)

    def deals(
        self,
        *,
        status: str | Sequence[str] | None = None,
        updated_since: datetime | None = None,
        resume_from: str | None = None,
    ) -> Iterator[Page]:
        """Deals that are not archived. Without `status`: open, won and lost; `status="deleted"`:
        those deleted in the last 30 days (older deletions are gone from the API)."""
        params = _since(updated_since) | {"status": _csv(status)}
        return self.cursor_pages("/api/v2/deals", params, resume_from=resume_from)

    def archived_deals(
        self, *, status: str | Sequence[str] | None = None, resume_from: str | None = None
    ) -> Iterator[Page]:
        """Archived deals, which `deals()` leaves out."""
        return self.cursor_pages("/api/v2/deals/archived", {"status": _csv(status)}, resume_from=resume_from)

    def deal_products(self, deal_id: int, *, resume_from: str | None = None) -> Iterator[Page]:
        return self.cursor_pages(f"/api/v2/deals/{int(deal_id)}/products", resume_from=resume_from)

    def activities(
        self, *, updated_since: datetime | None = None, resume_from: str | None = None
    ) -> Iterator[Page]:
        return self.cursor_pages("/api/v2/activities", _since(updated_since), resume_from=resume_from)

    def products(self, *, resume_from: str | None = None) -> Iterator[Page]:
        return self.cursor_pages("/api/v2/products", resume_from=resume_from)

    # -- v1 listings (offset) --------------------------------------------------------------------

    def users(self, *, resume_from: int | None = None) -> Iterator[Page]:
        return self.offset_pages("/api/v1/users", resume_from=resume_from)

    def deal_flow(
        self, deal_id: int, *, items: str | None = None, resume_from: int | None = None
    ) -> Iterator[Page]:
        """The deal's change log, newest first (40 tokens a page): stage moves are the `dealChange`
        items whose `data.field_key` is `stage_id`."""
        return self.offset_pages(
            f"/api/v1/deals/{int(deal_id)}/flow", {"items": items}, resume_from=resume_from
        )

    def leads(self, *, resume_from: int | None = None) -> Iterator[Page]:
        return self.offset_pages("/api/v1/leads", resume_from=resume_from)

    def archived_leads(self, *, resume_from: int | None = None) -> Iterator[Page]:
        return self.offset_pages("/api/v1/leads/archived", resume_from=resume_from)

    def lead_labels(self, *, resume_from: int | None = None) -> Iterator[Page]:
        return self.offset_pages("/api/v1/leadLabels", resume_from=resume_from)

    def activity_types(self, *, resume_from: int | None = None) -> Iterator[Page]:
        return self.offset_pages("/api/v1/activityTypes", resume_from=resume_from)

    def notes(self, *, resume_from: int | None = None) -> Iterator[Page]:
        return self.offset_pages("/api/v1/notes", resume_from=resume_from)

    # -- paging ----------------------------------------------------------------------------------

    def cursor_pages(
        self, path: str, params: dict[str, Any] | None = None, *, resume_from: str | None = None
    ) -> Iterator[Page]:
        """Every page of a v2 list, from `resume_from` (a `next_position` seen before) on."""
        cursor = resume_from
        while True:
            query = _clean(params) | {"limit": PAGE_SIZE}
            if cursor:
                query["cursor"] = cursor
            body = self._get(path, query)
            next_cursor = (body.get("additional_data") or {}).get("next_cursor")
            yield Page(list(body.get("data") or []), cursor, next_cursor, {})
            if not next_cursor:
                return
            cursor = next_cursor

    def offset_pages(
        self, path: str, params: dict[str, Any] | None = None, *, resume_from: int | None = None
    ) -> Iterator[Page]:
        """Every page of a v1 list, from `resume_from` (a `next_position` seen before) on."""
        start = int(resume_from or 0)
        while True:
            body = self._get(path, _clean(params) | {"start": start, "limit": PAGE_SIZE})
            pagination = (body.get("additional_data") or {}).get("pagination") or {}
            more = bool(pagination.get("more_items_in_collection"))
            data = body.get("data") or []
            next_start = pagination.get("next_start", start + len(data)) if more else None
            yield Page(list(data), start, next_start, body.get("related_objects") or {})
            if next_start is None:
                return
            start = int(next_start)

    # -- one request ---------------------------------------------------------------------------

    def _get(self, path: str, params: dict[str, Any]) -> dict[str, Any]:
        """One GET, retried as the module docstring says; the decoded JSON body."""
        attempt = 0
        while True:
            self._refuse_while_waiting(path)
            try:
                self.requests_made += 1
                response = self._http.get(path, params=params)
            except TRANSPORT_ERRORS as error:
                if attempt >= self._max_retries:
                    raise Unavailable(f"Pipedrive unreachable: {error!r}", path=path) from error
                self._back_off(attempt, path, repr(error))
                attempt += 1
                continue
            self._observe(response.headers)
            status = response.status_code
            if status == 200:
                body = _json(response)
                if isinstance(body, dict) and body.get("success", True) is not False:
                    return body
                if body is not None:
                    raise self._refusal(response, path)
            elif status == 403 and _json(response) is None:
                raise self._blocked(response, path)
            elif status == 429:
                self._on_429(response, path, attempt)
            elif status not in RETRIED_STATUSES:
                raise self._refusal(response, path)
            if attempt >= self._max_retries:
                raise Unavailable(
                    f"Pipedrive answered {status} to {path} {attempt + 1} times", **_details(response, path)
                )
            self._back_off(
                attempt, path, f"HTTP {status}", floor=_float(response.headers.get("x-ratelimit-reset"))
            )
            attempt += 1

    def _back_off(self, attempt: int, path: str, reason: str, *, floor: float | None = None) -> None:
        delay = min(self._backoff_cap, self._backoff_base * 2**attempt)
        delay = delay / 2 + self._rng.random() * delay / 2
        if floor:
            delay = max(delay, min(floor, self._backoff_cap))
        logger.warning("Pipedrive %s: %s; retrying in %.1f s (attempt %d)", path, reason, delay, attempt + 1)
        self._sleep(delay)

    def _on_429(self, response: httpx.Response, path: str, attempt: int) -> None:
        """Raise when the 429 means the daily budget; return to back off when it is the burst."""
        headers = response.headers
        daily = _int(headers.get("x-daily-ratelimit-token-remaining"))
        burst = _int(headers.get("x-ratelimit-remaining"))
        spent = daily is not None and daily <= 0
        # A 429 with burst requests left is not about the burst: it is the daily budget.
        if spent or (burst is not None and burst > 0) or (attempt >= self._max_retries and daily is None):
            raise self._exhausted(path, response)
        if attempt >= self._max_retries:
            raise Throttled(
                f"Pipedrive kept answering 429 to {path}",
                resume_at=self._now() + timedelta(seconds=self._backoff_cap),
                **_details(response, path),
            )

    def _exhausted(self, path: str, response: httpx.Response | None = None) -> BudgetExhausted:
        resume_at = self._next_budget_reset()
        self._budget = replace(self._budget, exhausted_until=resume_at)
        details = _details(response, path) if response is not None else {"path": path}
        return BudgetExhausted(
            f"Pipedrive's daily token budget is spent; resume after {resume_at.isoformat()}",
            remaining=self._budget.daily_remaining,
            limit=self._budget.daily_limit,
            resume_at=resume_at,
            **details,
        )

    def _blocked(self, response: httpx.Response, path: str) -> Blocked:
        resume_at = self._now() + timedelta(seconds=self._blocked_cooldown)
        self._budget = replace(self._budget, blocked_until=resume_at)
        logger.error("Pipedrive blocked this client (Cloudflare 403 page) on %s", path)
        return Blocked(
            "Pipedrive's firewall blocked the client after repeated 429s; not retrying",
            resume_at=resume_at,
            **_details(response, path),
        )

    def _refuse_while_waiting(self, path: str) -> None:
        now, budget = self._now(), self._budget
        if budget.blocked_until and now < budget.blocked_until:
            raise Blocked(
                "Pipedrive blocked this client; waiting before any call",
                resume_at=budget.blocked_until,
                path=path,
            )
        if budget.exhausted_until and now < budget.exhausted_until:
            raise self._exhausted(path)
        if budget.exhausted_until or budget.blocked_until:
            self._budget = replace(budget, exhausted_until=None, blocked_until=None)
        remaining = self._budget.daily_remaining
        if self._reserve and remaining is not None and remaining <= self._reserve and self._read_today():
            raise self._exhausted(path)

    def _refusal(self, response: httpx.Response, path: str) -> PipedriveError:
        status = response.status_code
        details = _details(response, path)
        message = f"Pipedrive refused {path} ({status}): {details['error'] or response.reason_phrase}"
        if status == 401:
            return Unauthorized(message, **details)
        if status in (402, 403):
            return Forbidden(message, **details)
        if status in (404, 410):
            return NotFound(message, **details)
        if status == 409:
            return Conflict(message, **details)
        return PermanentError(message, **details)

    # -- budget ----------------------------------------------------------------------------------

    def _observe(self, headers: httpx.Headers) -> None:
        budget = self._budget
        daily_limit = _int(headers.get("x-daily-ratelimit-token-limit"))
        daily_remaining = _int(headers.get("x-daily-ratelimit-token-remaining"))
        self._budget = replace(
            budget,
            daily_limit=daily_limit if daily_limit is not None else budget.daily_limit,
            daily_remaining=daily_remaining if daily_remaining is not None else budget.daily_remaining,
            burst_limit=_int(headers.get("x-ratelimit-limit")),
            burst_remaining=_int(headers.get("x-ratelimit-remaining")),
            burst_reset_seconds=_float(headers.get("x-ratelimit-reset")),
            observed_at=self._now() if daily_remaining is not None else budget.observed_at,
        )

    def _now(self) -> datetime:
        return datetime.fromtimestamp(self._clock(), UTC)

    def _next_budget_reset(self) -> datetime:
        local = self._now().astimezone(self._budget_zone)
        midnight = datetime.combine(local.date() + timedelta(days=1), datetime.min.time(), self._budget_zone)
        return midnight.astimezone(UTC)

    def _read_today(self) -> bool:
        observed = self._budget.observed_at
        return observed is not None and self._now() < self._next_reset_after(observed)

    def _next_reset_after(self, moment: datetime) -> datetime:
        local = moment.astimezone(self._budget_zone)
        return datetime.combine(local.date() + timedelta(days=1), datetime.min.time(), self._budget_zone)


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def _details(response: httpx.Response, path: str) -> dict[str, Any]:
    body = _json(response)
    body = body if isinstance(body, dict) else {}
    return {
        "status": response.status_code,
        "error": body.get("error"),
        "error_info": body.get("error_info"),
        "correlation_id": response.headers.get("x-correlation-id"),
        "path": path,
    }


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def _float(value: str | None) -> float | None:
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def _csv(value: str | Sequence[str] | None) -> str | None:
    if value is None or isinstance(value, str):
        return value
    return ",".join(value)


def _since(moment: datetime | None) -> dict[str, Any]:
    if moment is None:
        return {}
    return {"updated_since": moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")}


def _clean(params: dict[str, Any] | None) -> dict[str, Any]:
    return {key: value for key, value in (params or {}).items() if value is not None}
