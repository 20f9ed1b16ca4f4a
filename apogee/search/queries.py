"""Permission-scoped search: ranked matches from the index, kept only where the user may look.

The index knows nothing of permissions. A ranked window of candidates is read from it, then
each kind is filtered through its app's own door (deals_visible_to, leads_visible_to,
persons_visible_to, organizations_visible_to, notes_visible_to) in one query per kind, and
the rank order is kept. If too few survive, the next window is read, up to MAX_CANDIDATES.
What the user may not see is never returned, counted or hinted at.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apogee.accounts.models import User
from apogee.contacts.queries import organizations_visible_to, persons_visible_to
from apogee.deals.queries import deals_visible_to
from apogee.leads.queries import leads_visible_to
from apogee.notes.queries import notes_visible_to

from .backends import Hit, search_ids
from .folding import highlight, query_tokens
from .models import Kind, SearchDocument

WINDOW = 500
MAX_CANDIDATES = 2000
KINDS = tuple(Kind.values)

# One record of each kind, for the badge in front of a result.
KIND_NAMES = {
    Kind.DEAL: gettext_lazy("Deal"),
    Kind.LEAD: gettext_lazy("Lead"),
    Kind.PERSON: gettext_lazy("Person"),
    Kind.ORGANIZATION: gettext_lazy("Organization"),
    Kind.NOTE: gettext_lazy("Note"),
}
_DETAIL_URLS = {
    Kind.DEAL: "deals:detail",
    Kind.LEAD: "leads:detail",
    Kind.PERSON: "contacts:person",
    Kind.ORGANIZATION: "contacts:organization",
}


@dataclass
class SearchResult:
    kind: str
    object: Any
    label: str
    detail: str
    url: str
    rank: float
    # The query's words, for marking them in the label and the detail.
    tokens: list[str] = field(default_factory=list, repr=False)

    @property
    def label_parts(self) -> list[tuple[str, bool]]:
        return highlight(self.label, self.tokens)

    @property
    def detail_parts(self) -> list[tuple[str, bool]]:
        return highlight(self.detail, self.tokens)

    @property
    def id(self) -> int:
        return self.object.pk

    @property
    def kind_name(self) -> str:
        return str(KIND_NAMES[self.kind])


@dataclass
class SearchPage:
    """Visible results in rank order and their number per kind. When `complete` is False the
    candidate window ran out before the matches did: the counts are lower bounds."""

    results: list[SearchResult] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    complete: bool = True

    def of_kind(self, kind: str) -> list[SearchResult]:
        return [r for r in self.results if r.kind == kind]


def parse_kinds(value: str | Iterable[str] | None) -> tuple[list[str] | None, list[str]]:
    """'deal,lead' → (['deal', 'lead'], []); unknown names come back second; empty means all kinds."""
    if value is None:
        return None, []
    items = value.split(",") if isinstance(value, str) else list(value)
    names = [item.strip().lower() for item in items if item and item.strip()]
    unknown = [name for name in names if name not in KINDS]
    kinds = [kind for kind in KINDS if kind in names]
    return (kinds or None), unknown


def _scope(user: User, kind: str) -> QuerySet:
    """The records of a kind the user may see: each app's own door."""
    if kind == Kind.DEAL:
        return deals_visible_to(user)
    if kind == Kind.LEAD:
        return leads_visible_to(user)
    if kind == Kind.PERSON:
        return persons_visible_to(user)
    if kind == Kind.ORGANIZATION:
        return organizations_visible_to(user)
    return notes_visible_to(user)


_SHOWN_WITH = {
    Kind.DEAL: ("organization", "pipeline", "stage"),
    Kind.LEAD: ("organization", "person"),
    Kind.PERSON: ("organization",),
    Kind.ORGANIZATION: (),
    Kind.NOTE: ("deal", "lead", "person", "organization"),
}


def _records(user: User, kind: str, ids: Iterable[int]) -> dict[int, Any]:
    """The visible records among `ids`, with what a result shows of them."""
    return _scope(user, kind).select_related(*_SHOWN_WITH[kind]).in_bulk(list(ids))


def _visible_ids(user: User, kind: str, ids: list[int]) -> set[int]:
    return set(_scope(user, kind).filter(pk__in=ids).values_list("pk", flat=True))


def _note_details(ids: list[int]) -> dict[int, str]:
    # The excerpt saved with the note's document: the note's text, without parsing its HTML again.
    return dict(
        SearchDocument.objects.filter(kind=Kind.NOTE, object_id__in=ids).values_list("object_id", "detail")
    )


class _Links:
    """Record URLs by kind, reversed once per kind: a page of 200 results would reverse 200 times."""

    SENTINEL = 987654321

    def __init__(self) -> None:
        self._patterns: dict[str, str] = {}

    def __call__(self, kind: str, pk: int) -> str:
        if kind not in self._patterns:
            self._patterns[kind] = reverse(_DETAIL_URLS[kind], args=[self.SENTINEL])
        return self._patterns[kind].replace(str(self.SENTINEL), str(pk))


def _present(hit: Hit, record, note_details: dict[int, str], link: _Links) -> SearchResult:
    kind = hit.kind
    if kind == Kind.DEAL:
        parts = [record.organization.name if record.organization_id else "", record.pipeline.name]
        parts.append(record.stage.name if record.is_open else record.get_status_display())
        label, detail = record.title, " · ".join(p for p in parts if p)
    elif kind == Kind.LEAD:
        parts = [
            record.organization.name if record.organization_id else "",
            record.person.name if record.person_id else "",
        ]
        label, detail = record.title, " · ".join(p for p in parts if p)
    elif kind == Kind.PERSON:
        parts = [record.job_title, record.organization.name if record.organization_id else ""]
        label, detail = record.name, " · ".join(p for p in parts if p)
    elif kind == Kind.ORGANIZATION:
        label, detail = record.name, record.city
    else:
        target = record.target
        name = getattr(target, "title", None) or getattr(target, "name", "")
        label = _("Note on %(record)s") % {"record": name}
        detail = note_details.get(record.pk, "")
        url = link(record.target_kind, record.target_id)
        return SearchResult(
            kind, record, label, detail, f"{url}#notes-{record.target_kind}-{record.target_id}", hit.rank
        )
    return SearchResult(kind, record, label, detail, link(kind, record.pk), hit.rank)


def _by_kind(hits: Iterable[Hit]) -> dict[str, list[int]]:
    grouped: dict[str, list[int]] = {}
    for hit in hits:
        grouped.setdefault(hit.kind, []).append(hit.object_id)
    return grouped


def _search(user: User, query: str, kinds: list[str] | None, limit: int) -> tuple[list[SearchResult], bool]:
    """Up to `limit` visible results, best first, and whether every match was looked at.

    A window that may hold more matches than will be shown is filtered on primary keys only;
    only the records shown are loaded whole (a common word must not load 500 deals to show 8).
    """
    tokens = query_tokens(query)
    if not user.is_authenticated or not user.is_active or limit <= 0 or not tokens:
        return [], True
    kept: list[Hit] = []
    records: dict[str, dict[int, Any]] = {kind: {} for kind in KINDS}
    offset, exhausted = 0, False
    while len(kept) < limit and offset < MAX_CANDIDATES:
        hits = search_ids(query, kinds, limit=WINDOW, offset=offset)
        offset += WINDOW
        if len(hits) <= limit - len(kept):
            for kind, ids in _by_kind(hits).items():
                records[kind].update(_records(user, kind, ids))
            kept.extend(hit for hit in hits if hit.object_id in records[hit.kind])
        else:
            visible = {kind: _visible_ids(user, kind, ids) for kind, ids in _by_kind(hits).items()}
            kept.extend(hit for hit in hits if hit.object_id in visible[hit.kind])
        if len(hits) < WINDOW:
            exhausted = True
            break
    complete = exhausted and len(kept) <= limit
    kept = kept[:limit]
    for kind, ids in _by_kind(hit for hit in kept if hit.object_id not in records[hit.kind]).items():
        records[kind].update(_records(user, kind, ids))
    notes = _note_details([hit.object_id for hit in kept if hit.kind == Kind.NOTE])
    link = _Links()
    results = []
    for hit in kept:
        record = records[hit.kind].get(hit.object_id)
        if record is not None:  # gone between the two reads
            result = _present(hit, record, notes, link)
            result.tokens = tokens
            results.append(result)
    return results, complete


def search(user: User, query: str, kinds: Iterable[str] | None = None, limit: int = 20) -> list[SearchResult]:
    """The best `limit` records matching `query` that `user` may see, best first."""
    results, _complete = _search(user, query, list(kinds) if kinds else None, limit)
    return results


def search_page(user: User, query: str, kinds: Iterable[str] | None = None, limit: int = 200) -> SearchPage:
    """Results for the full page: up to `limit` in rank order, with their number per kind."""
    results, complete = _search(user, query, list(kinds) if kinds else None, limit)
    counts = {kind: 0 for kind in KINDS}
    for result in results:
        counts[result.kind] += 1
    return SearchPage(results=results, counts=counts, complete=complete)
