"""Keeps the search index in step with deals, leads, persons, organizations and notes.

One document per record (kind, object_id): its title and body folded for matching, its
label and a short detail line as written. A soft-deleted record has no document; restoring
it writes one again. The receivers (receivers.py) call index_record/remove_record inside the
transaction of the change, so the index never shows a change that was rolled back.

Writes that bypass save() and delete() (bulk_create, QuerySet.update of an indexed field,
raw SQL) do not reach the receivers: such a path must call reindex_records() for the rows
it touched, or rebuild_index() (`manage.py reindex_search`) afterwards.
"""

import threading
from collections import defaultdict
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.db import connection, transaction
from django.db.models import Model, Q, QuerySet
from django.utils import timezone

from apogee.contacts.models import Organization, Person
from apogee.customfields.queries import definitions_for
from apogee.deals.models import Deal
from apogee.leads.models import Lead
from apogee.notes.models import Note
from apogee.notes.sanitize import visible_text

from .folding import compact, fold
from .models import Kind, SearchDocument

NOTE_MAX_CHARS = 20_000
DETAIL_MAX_CHARS = 200
BATCH_SIZE = 2000
TEXT_FIELD_TYPES = ("text", "long_text")


@dataclass(frozen=True)
class Document:
    kind: str
    object_id: int
    title: str
    body: str
    label: str
    detail: str

    def differs_from(self, row: dict[str, Any]) -> bool:
        return any(row[name] != getattr(self, name) for name in ("title", "body", "label", "detail"))


def _text(*parts: Any) -> str:
    return " ".join(str(p) for p in parts if p)


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= DETAIL_MAX_CHARS else text[: DETAIL_MAX_CHARS - 1].rstrip() + "…"


def custom_text_keys(entity: str) -> list[str]:
    """The keys of the active free-text custom fields of an entity: the custom values worth finding.
    (Options, numbers and references are codes, not words.)"""
    return list(definitions_for(entity).filter(field_type__in=TEXT_FIELD_TYPES).values_list("key", flat=True))


def _custom_text(values: dict, keys: Iterable[str]) -> str:
    return _text(*(values.get(key) for key in keys if isinstance(values.get(key), str)))


def _website_host(url: str) -> str:
    if not url:
        return ""
    return (urlsplit(url).hostname or "").removeprefix("www.")


def deal_document(deal: Deal, text_keys: Iterable[str]) -> Document:
    organization = deal.organization.name if deal.organization_id else ""
    end_customer = deal.end_customer.name if deal.end_customer_id else ""
    return Document(
        kind=Kind.DEAL,
        object_id=deal.pk,
        title=fold(deal.title),
        body=fold(
            _text(
                organization,
                end_customer,
                deal.tender_reference,
                _custom_text(deal.custom_values, text_keys),
            )
        ),
        label=deal.title,
        detail=_short(organization),
    )


def lead_document(lead: Lead, text_keys: Iterable[str]) -> Document:
    organization = lead.organization.name if lead.organization_id else ""
    person = lead.person.name if lead.person_id else ""
    # A converted lead is history: its title counts as body text, so the deal it became
    # (usually of the same title) ranks first.
    converted = lead.converted_deal_id is not None
    return Document(
        kind=Kind.LEAD,
        object_id=lead.pk,
        title="" if converted else fold(lead.title),
        body=fold(
            _text(
                lead.title if converted else "",
                organization,
                person,
                _custom_text(lead.custom_values, text_keys),
                lead.note,
            )
        ),
        label=lead.title,
        detail=_short(organization or person),
    )


def person_document(person: Person, text_keys: Iterable[str]) -> Document:
    organization = person.organization.name if person.organization_id else ""
    emails = [e.address for e in person.emails.all()]
    phones = [p for p in person.phones if isinstance(p, str)]
    return Document(
        kind=Kind.PERSON,
        object_id=person.pk,
        title=fold(person.name),
        body=fold(
            _text(
                person.job_title,
                organization,
                *emails,
                *phones,
                *(compact(p) for p in phones),
                _custom_text(person.custom_values, text_keys),
            )
        ),
        label=person.name,
        detail=_short(" · ".join(part for part in (person.job_title, organization) if part)),
    )


def organization_document(organization: Organization, text_keys: Iterable[str]) -> Document:
    domains = [d for d in organization.email_domains if isinstance(d, str)]
    vat = organization.vat_number
    return Document(
        kind=Kind.ORGANIZATION,
        object_id=organization.pk,
        title=fold(organization.name),
        body=fold(
            _text(
                vat,
                compact(vat) if vat else "",
                _website_host(organization.website),
                *domains,
                organization.street,
                organization.postal_code,
                organization.city,
                organization.country,
                _custom_text(organization.custom_values, text_keys),
            )
        ),
        label=organization.name,
        detail=_short(organization.city),
    )


def note_document(note: Note, text_keys: Iterable[str] = ()) -> Document:
    text = visible_text(note.body_html)[:NOTE_MAX_CHARS]
    return Document(
        kind=Kind.NOTE, object_id=note.pk, title="", body=fold(text), label="", detail=_short(text)
    )


@dataclass(frozen=True)
class _Spec:
    model: type[Model]
    build: Callable[[Any, Iterable[str]], Document]
    # The fields a document is made of: a save(update_fields=...) naming none of them changes nothing.
    fields: frozenset[str]
    related: tuple[str, ...] = ()
    prefetch: tuple[str, ...] = ()
    custom_entity: str = ""

    def queryset(self) -> QuerySet:
        return self.model.objects.select_related(*self.related).prefetch_related(*self.prefetch)


SPECS: dict[str, _Spec] = {
    Kind.DEAL: _Spec(
        Deal,
        deal_document,
        frozenset(
            {"title", "organization", "end_customer", "tender_reference", "custom_values", "deleted_at"}
        ),
        related=("organization", "end_customer"),
        custom_entity="deal",
    ),
    Kind.LEAD: _Spec(
        Lead,
        lead_document,
        frozenset(
            {"title", "organization", "person", "note", "custom_values", "converted_deal", "deleted_at"}
        ),
        related=("organization", "person"),
        custom_entity="lead",
    ),
    Kind.PERSON: _Spec(
        Person,
        person_document,
        frozenset({"name", "organization", "job_title", "phones", "custom_values", "deleted_at"}),
        related=("organization",),
        prefetch=("emails",),
        custom_entity="person",
    ),
    Kind.ORGANIZATION: _Spec(
        Organization,
        organization_document,
        frozenset(
            {
                "name",
                "vat_number",
                "website",
                "email_domains",
                "street",
                "postal_code",
                "city",
                "country",
                "custom_values",
                "deleted_at",
            }
        ),
        custom_entity="organization",
    ),
    Kind.NOTE: _Spec(Note, note_document, frozenset({"body_html", "deleted_at"})),
}
KIND_OF_MODEL: dict[type[Model], str] = {spec.model: kind for kind, spec in SPECS.items()}


def touches_index(model: type[Model], update_fields: Iterable[str] | None) -> bool:
    """Whether a save may change the model's document: a full save may; a partial one only if it
    names a field the document is made of."""
    return update_fields is None or not SPECS[KIND_OF_MODEL[model]].fields.isdisjoint(update_fields)


def _text_keys(spec: _Spec) -> list[str]:
    return custom_text_keys(spec.custom_entity) if spec.custom_entity else []


def _write(documents: list[Document]) -> None:
    now = timezone.now()
    SearchDocument.objects.bulk_create(
        [
            SearchDocument(
                kind=d.kind,
                object_id=d.object_id,
                title=d.title,
                body=d.body,
                label=d.label,
                detail=d.detail,
                updated_at=now,
            )
            for d in documents
        ],
        update_conflicts=True,
        unique_fields=["kind", "object_id"],
        update_fields=["title", "body", "label", "detail", "updated_at"],
    )


def remove_record(kind: str, object_id: int) -> None:
    SearchDocument.objects.filter(kind=kind, object_id=object_id).delete()


_pending = threading.local()


@contextmanager
def batched():
    """Within the block, saves only note which records changed; their documents are written on
    leaving it, a few queries per hundred records instead of a few per record.

    For bulk writers (the Pipedrive import) that wrap many records in one transaction: leave
    the block inside that transaction and the index stays in step with what is committed.
    Nested blocks join the outer one."""
    if getattr(_pending, "records", None) is not None:
        yield
        return
    _pending.records = defaultdict(set)
    try:
        yield
        pending, _pending.records = _pending.records, None
        for kind, ids in pending.items():
            reindex_records(kind, sorted(ids))
    finally:
        _pending.records = None


def defer(kind: str, object_id: int) -> bool:
    """Note a record for the batch in progress; False when there is none (index it now)."""
    records = getattr(_pending, "records", None)
    if records is None:
        return False
    records[kind].add(object_id)
    return True


def index_record(instance: Model) -> None:
    """Write (or remove, if it is deleted) the document of one record; no write if it is unchanged."""
    kind = KIND_OF_MODEL[type(instance)]
    if getattr(instance, "deleted_at", None) is not None:
        remove_record(kind, instance.pk)
        return
    spec = SPECS[kind]
    document = spec.build(instance, _text_keys(spec))
    current = (
        SearchDocument.objects.filter(kind=kind, object_id=instance.pk)
        .values("title", "body", "label", "detail")
        .first()
    )
    if current is not None and not document.differs_from(current):
        return
    if kind == Kind.ORGANIZATION and current is not None and current["label"] != document.label:
        _write([document])
        # Deals, leads and persons are found by their organization's name: follow a rename.
        reindex_records(
            Kind.DEAL,
            Deal.objects.filter(Q(organization_id=instance.pk) | Q(end_customer_id=instance.pk)).values("pk"),
        )
        reindex_records(Kind.LEAD, Lead.objects.filter(organization_id=instance.pk).values("pk"))
        reindex_records(Kind.PERSON, Person.objects.filter(organization_id=instance.pk).values("pk"))
        return
    if kind == Kind.PERSON and current is not None and current["label"] != document.label:
        reindex_records(Kind.LEAD, Lead.objects.filter(person_id=instance.pk).values("pk"))
    _write([document])


def reindex_records(kind: str, ids) -> int:
    """Rewrite the documents of the given records (ids: a list or a values("pk") queryset) from
    the database, in batches: written for the live ones, removed for the deleted or gone."""
    spec = SPECS[kind]
    if isinstance(ids, QuerySet):
        ids = list(ids.values_list("pk", flat=True))
    ids = list(ids)
    keys = _text_keys(spec)
    written = 0
    for start in range(0, len(ids), BATCH_SIZE):
        chunk = ids[start : start + BATCH_SIZE]
        live = list(spec.queryset().filter(pk__in=chunk, deleted_at__isnull=True))
        gone = set(chunk) - {record.pk for record in live}
        if gone:
            SearchDocument.objects.filter(kind=kind, object_id__in=gone).delete()
        if live:
            _write([spec.build(record, keys) for record in live])
            written += len(live)
    return written


def rebuild_index(
    *, kinds: Iterable[str] | None = None, batch_size: int = BATCH_SIZE, progress=None
) -> dict[str, int]:
    """Index every live record of the given kinds (all by default) from scratch, in batches.

    progress(kind, done, total) is called after each batch. One transaction per kind, so
    searches keep answering (from the old documents) while a kind is rebuilt.
    """
    counts: dict[str, int] = {}
    for kind in kinds or SPECS:
        spec = SPECS[kind]
        keys = _text_keys(spec)
        live = spec.queryset().filter(deleted_at__isnull=True).order_by("pk")
        total = live.count()
        done = 0
        with transaction.atomic():
            SearchDocument.objects.filter(kind=kind).delete()
            last = 0
            while True:
                batch = list(live.filter(pk__gt=last)[:batch_size])
                if not batch:
                    break
                SearchDocument.objects.bulk_create(
                    [
                        SearchDocument(updated_at=timezone.now(), **_fields(spec.build(record, keys)))
                        for record in batch
                    ]
                )
                last = batch[-1].pk
                done += len(batch)
                if progress:
                    progress(kind, done, total)
        counts[kind] = done
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            # Merges the index segments the batches left behind: fewer b-trees to read per query.
            cursor.execute("INSERT INTO search_fts(search_fts) VALUES ('optimize')")
        elif connection.vendor == "postgresql":
            # Fresh statistics, or the planner guesses at a table it has never seen filled.
            cursor.execute("ANALYZE search_document")
    return counts


def _fields(document: Document) -> dict[str, Any]:
    return {
        "kind": document.kind,
        "object_id": document.object_id,
        "title": document.title,
        "body": document.body,
        "label": document.label,
        "detail": document.detail,
    }
