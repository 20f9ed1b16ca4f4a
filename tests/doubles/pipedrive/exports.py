"""The generated account as the export files a Pipedrive user downloads: CSV or XLSX, English or Swiss French.

    files = export_dataset(dataset, dialect="fr-ch", fmt="csv")   # {"deal": b"...", "person": ...}
    export = open_export_file(files["deal"], entity="deal", field_types=field_types(dataset)["deal"])

so that the file importer can be tested, and benchmarked, on exactly the data the API double
serves. `python -m tests.doubles.pipedrive.exports --deals 100000 --out DIR` writes one file per
entity (deals.csv, persons.csv, …) and prints the row counts.

What the files hold (what a user exporting "all" of each list sees; research/integrations.md §2.10)
    Every listed (not deleted) organization, person, activity, note and product; every deal that
    is not deleted, archived ones included, with the "Deal - Archive status" column real exports
    carry; every lead, archived ones included, with "Lead - Archive status". The research does not
    document lead exports; it says exports mirror the list view and its filter and that real deal
    exports carry an archive status, so an "all" export of leads is taken to include the archived
    ones the same way. `archived_leads=False` renders the Leads Inbox alone (no archived leads).
    Deleted deals, recently deleted ones included, are in no export: only the API's
    `?status=deleted` shows those, for 30 days.

Columns
    "<Entity> - <Field>" headers: English, or the French labels the reader's vocabulary knows
    ("Affaire - Titre"). Every file has the entity's "ID" column (real deal exports do, §2.10;
    the others follow the same convention), so the reader gives records the real Pipedrive id and
    file and API imports land on the same records. References are shown as names (owner,
    organization, person, pipeline, stage, deal, lead, user), with the referenced record's id in
    "<Entity> - Organization ID" / "Contact person ID" / "Deal ID" / "Lead ID" columns as real
    deal exports show them ("Deal - Organization ID", "Deal - Contact person ID"); owners, users,
    pipelines and stages are names only. E-mails and phones are split by label ("Person - Email -
    Work", several values of one label joined by ", "). Custom fields appear by display name (the
    duplicate "Mission" twice), option fields as labels (a deleted option's too), monetary ones
    with a "Currency of <name>" column, addresses with "<part> of <name>" columns, date ranges as
    "<start> - <until>", user / organization / person fields as names. Times are the exporting
    user's local time in Europe/Zurich, without offset.

Dialects and formats
    "en": comma-separated, UTF-8 with BOM, numbers 1250000.50, dates 2024-12-31, times
    2024-12-31 14:05:00. "fr-ch": semicolon-separated, UTF-8 without BOM, French headers and words
    (Gagné, Fait, Oui, Archivée), numbers 1'250'000.50, dates 31.12.2024. fmt "xlsx" (either
    dialect) writes typed cells: real numbers, dates and times (formatted in the dialect's
    patterns), with the dialect's headers and words. The workbook is streamed by hand (one sheet,
    inline strings, a minimal style sheet; openpyxl opens it): openpyxl's write-only mode costs
    about 20 µs a cell, some six minutes for the 100k-deal account, this about a quarter of that.
    The deals file also carries "Deal - Weighted value", a computed column the reader must ignore.
    Cell formats, prefixes and address columns reuse tests/integrations/pipedrive/exportfixtures.

What an export loses compared with the API
    Deal stage history (the flow) and deal products; deleted deals; custom field keys (hashes) and
    option ids (only display names and labels: the two "Mission" fields are told apart by column
    position alone, read back as "Mission" and "Mission (2)"); the ids of owners, users,
    pipelines, stages, labels, activity types and of the references held in custom fields; the
    time zone of a time field and the offset of every moment (a local time in the repeated hour of
    the autumn DST change reads back one hour early); a product's prices other than its first
    (CHF) one and its cost; a deal's creator, origin, archive time and first won time; a person's
    marketing status and which e-mail is primary (the reader takes the first one shown); the ids
    of activity participants (names only); an activity's location, busy flag and public
    description; which parent a note is pinned to (one "Pinned" column); visibility as a label
    (3 and 7 both read "Entire company").

Memory: rows are generated and written one at a time into the output stream (a BytesIO for
`export_dataset`, the file itself for the CLI); only name lookups (users, organizations,
persons, leads, deal titles) are held.
"""

from __future__ import annotations

import argparse
import csv
import io
import itertools
import re
import sys
import time as timer
import zipfile
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from typing import Any, BinaryIO

from openpyxl.utils import get_column_letter

from tests.integrations.pipedrive.exportfixtures import (
    _STATUS_WORDS,
    _STATUS_WORDS_FR,
    PREFIXES,
    ZURICH,
    Dialect,
    _address_columns,
    _grouped,
)

from .dataset import Dataset
from .model import Activity, Deal, Field, Note

ENTITIES = ("organization", "person", "deal", "activity", "lead", "note", "product")
FILENAMES = {
    "organization": "organizations",
    "person": "persons",
    "deal": "deals",
    "activity": "activities",
    "lead": "leads",
    "note": "notes",
    "product": "products",
}
FORMATS = ("csv", "xlsx")
DIALECTS = {
    "en": Dialect(
        "en",
        encoding="utf-8-sig",
        delimiter=",",
        number=lambda amount: f"{amount:.2f}",
        date_format="%Y-%m-%d",
        datetime_format="%Y-%m-%d %H:%M:%S",
    ),
    "fr-ch": Dialect(
        "fr-ch",
        encoding="utf-8",
        delimiter=";",
        number=lambda amount: _grouped(amount, "'", "."),
        date_format="%d.%m.%Y",
        datetime_format="%d.%m.%Y %H:%M:%S",
        french=True,
    ),
}
_PREFIXES = {**PREFIXES, "product": ("Product", "Produit")}
_SHEETS = {entity: name.capitalize() for entity, name in FILENAMES.items()}
# (English, French) words of the flag-like columns.
_WORDS = {
    "done": (("Done", "To do"), ("Fait", "À faire")),
    "archived": (("Archived", "Not archived"), ("Archivée", "Non archivée")),
    "bool": (("Yes", "No"), ("Oui", "Non")),
}
# Pipedrive's visibility labels; with visibility groups 7 is the entire company, as 3 is without.
_VISIBILITY = {
    1: ("Owner & followers", "Propriétaire et abonnés"),
    3: ("Entire company", "Toute l'entreprise"),
    5: ("Owner's visibility group and sub-groups", "Groupe de visibilité du propriétaire et sous-groupes"),
    7: ("Entire company", "Toute l'entreprise"),
}
_CONTACT_LABELS = {
    "emails": (("work", "Travail"), ("home", "Domicile"), ("other", "Autre")),
    "phones": (("work", "Travail"), ("home", "Domicile"), ("mobile", "Portable"), ("other", "Autre")),
}

# A column: (English label, French label, value getter, kind); the shape exportfixtures uses.
Column = tuple[str, str, Callable[[Any], Any], str]


# --- what is exported --------------------------------------------------------------------------


def exported_records(dataset: Dataset, entity: str, *, archived_leads: bool = True) -> Iterator[Any]:
    """The records an "all" export of `entity` holds, in id order, made as they are read."""
    if entity == "deal":
        return (deal for deal in dataset.deals if not deal.is_deleted)
    if entity == "lead":
        return (lead for lead in dataset.leads if archived_leads or not lead.is_archived)
    table = {
        "organization": dataset.organizations,
        "person": dataset.persons,
        "activity": dataset.activities,
        "note": dataset.notes,
        "product": dataset.products,
    }[entity]
    return (record for record in table if not record.is_deleted)


def field_types(dataset: Dataset) -> dict[str, dict[str, str]]:
    """Each entity's custom fields as `open_export_file` takes them: {display name: Pipedrive type}.

    A second field of the same display name is "<name> (2)", as the reader names its column;
    leads carry the deal custom fields; activities and notes have none.
    """
    types: dict[str, dict[str, str]] = {"activity": {}, "note": {}}
    for entity in ("deal", "person", "organization", "product", "lead"):
        named: dict[str, str] = {}
        for f in dataset.custom_fields_of("deal" if entity == "lead" else entity):
            name, number = f.name, 1
            while name in named:
                number += 1
                name = f"{f.name} ({number})"
            named[name] = f.field_type
        types[entity] = named
    return types


# --- names of referenced records -----------------------------------------------------------------


class _Names:
    """Names of what records refer to, looked up once per export."""

    def __init__(self, dataset: Dataset) -> None:
        self.dataset = dataset
        self.users = {user.id: user.name for user in dataset.users}
        self.pipelines = {pipeline.id: pipeline.name for pipeline in dataset.pipelines}
        self.stages = {stage.id: stage.name for stage in dataset.stages}
        self.stage_probability = {stage.id: stage.deal_probability for stage in dataset.stages}
        self.organizations = {org.id: org.name for org in dataset.organizations}
        self.persons = {person.id: person.name for person in dataset.persons}
        self.leads = {lead.id: lead.title for lead in dataset.leads}
        self.lead_labels = {label.id: label.name for label in dataset.lead_labels}
        self.activity_types = {kind.key_string: kind.name for kind in dataset.activity_types}
        self.labels = {
            f.entity: {option.id: option.label for option in f.options or ()}
            for f in dataset.fields
            if f.key == "label_ids" and not f.is_custom
        }
        self._deal_titles: dict[int, str] = {}

    def remember_deal(self, deal: Deal) -> Deal:
        self._deal_titles[deal.id] = deal.title
        return deal

    def deal_title(self, deal_id: int | None) -> str | None:
        if deal_id is None:
            return None
        title = self._deal_titles.get(deal_id)
        if title is None:
            deal = self.dataset.deals.get(deal_id)
            title = self._deal_titles[deal_id] = deal.title if deal else ""
        return title or None

    def label_names(self, entity: str, ids: Iterable) -> list[str]:
        labels = self.labels.get(entity, {})
        return [labels[label_id] for label_id in ids if label_id in labels]


# --- columns of each entity ----------------------------------------------------------------------


def _custom_columns(names: _Names, entity: str) -> list[Column]:
    columns: list[Column] = []
    for f in names.dataset.custom_fields_of(entity):
        columns.extend(_field_columns(names, f))
    return columns


def _field_columns(names: _Names, f: Field) -> list[Column]:
    key, name, kind = f.key, f.name, f.field_type
    options = {option.id: option.label for option in f.options or ()}

    def value(record):
        return record.custom.get(key)

    if kind == "monetary":
        return [
            (name, name, lambda r: (v := value(r)) and v[0], "number"),
            (f"Currency of {name}", f"Devise de {name}", lambda r: (v := value(r)) and v[1], "text"),
        ]
    if kind == "address":
        return _address_columns(lambda r: (v := value(r)) and SimpleNamespace(**v), name, name)
    getters: dict[str, tuple[Callable[[Any], Any], str]] = {
        "enum": (lambda r: options.get(value(r)), "text"),
        "set": (lambda r: (v := value(r)) and [options[i] for i in v], "labels"),
        "user": (lambda r: names.users.get(value(r)), "text"),
        "org": (lambda r: names.organizations.get(value(r)), "text"),
        "people": (lambda r: names.persons.get(value(r)), "text"),
        "date": (value, "date"),
        "daterange": (value, "daterange"),
        "time": (lambda r: (v := value(r)) and v[0][:5], "text"),  # ("12:00:00", zone): the zone is lost
        "double": (value, "double"),
        "int": (value, "double"),
    }
    get, column_kind = getters.get(kind, (value, "text"))
    return [(name, name, get, column_kind)]


def _contact_columns(kind: str, english: str, french: str) -> list[Column]:
    def getter(label):
        return lambda r: [c.value for c in getattr(r, kind) if c.label == label] or None

    return [
        (f"{english} - {label.capitalize()}", f"{french} - {label_fr}", getter(label), "labels")
        for label, label_fr in _CONTACT_LABELS[kind]
    ]


def _organization_columns(names: _Names) -> list[Column]:
    return [
        ("ID", "ID", lambda o: o.id, "id"),
        ("Name", "Nom", lambda o: o.name, "text"),
        ("Owner", "Propriétaire", lambda o: names.users.get(o.owner_id), "text"),
        *_address_columns(
            lambda o: o.address and SimpleNamespace(**o.address), "Address", "l'adresse", "Adresse"
        ),
        ("Website", "Site web", lambda o: o.website, "text"),
        ("Labels", "Étiquettes", lambda o: names.label_names("organization", o.label_ids), "labels"),
        ("Organization created", "Organisation créée", lambda o: o.add_time, "datetime"),
        ("Update time", "Dernière mise à jour", lambda o: o.update_time, "datetime"),
        *_custom_columns(names, "organization"),
    ]


def _person_columns(names: _Names) -> list[Column]:
    return [
        ("ID", "ID", lambda p: p.id, "id"),
        ("Name", "Nom", lambda p: p.name, "text"),
        ("First name", "Prénom", lambda p: p.first_name, "text"),
        ("Last name", "Nom de famille", lambda p: p.last_name, "text"),
        ("Organization", "Organisation", lambda p: names.organizations.get(p.org_id), "text"),
        ("Organization ID", "ID de l'organisation", lambda p: p.org_id, "id"),
        *_contact_columns("emails", "Email", "E-mail"),
        *_contact_columns("phones", "Phone", "Téléphone"),
        ("Job title", "Poste", lambda p: p.job_title, "text"),
        ("Labels", "Étiquettes", lambda p: names.label_names("person", p.label_ids), "labels"),
        ("Owner", "Propriétaire", lambda p: names.users.get(p.owner_id), "text"),
        ("Person created", "Personne créée", lambda p: p.add_time, "datetime"),
        ("Update time", "Dernière mise à jour", lambda p: p.update_time, "datetime"),
        *_custom_columns(names, "person"),
    ]


def _weighted_value(names: _Names, deal: Deal) -> Decimal:
    probability = deal.probability if deal.probability is not None else names.stage_probability[deal.stage_id]
    return (deal.value * probability / 100).quantize(Decimal("0.01"))


def _deal_columns(names: _Names) -> list[Column]:
    return [
        ("ID", "ID", lambda d: names.remember_deal(d).id, "id"),
        ("Title", "Titre", lambda d: d.title, "text"),
        ("Value", "Valeur", lambda d: d.value, "number"),
        ("Currency of Value", "Devise de Valeur", lambda d: d.currency, "text"),
        # Computed by Pipedrive: shown in exports, ignored by the reader.
        ("Weighted value", "Valeur pondérée", lambda d: _weighted_value(names, d), "number"),
        ("Currency of Weighted value", "Devise de Valeur pondérée", lambda d: d.currency, "text"),
        ("Pipeline", "Pipeline", lambda d: names.pipelines.get(d.pipeline_id), "text"),
        ("Stage", "Étape", lambda d: names.stages.get(d.stage_id), "text"),
        ("Status", "Statut", lambda d: d.status, "status"),
        ("Owner", "Propriétaire", lambda d: names.users.get(d.owner_id), "text"),
        ("Organization", "Organisation", lambda d: names.organizations.get(d.org_id), "text"),
        ("Organization ID", "ID de l'organisation", lambda d: d.org_id, "id"),
        ("Contact person", "Personne de contact", lambda d: names.persons.get(d.person_id), "text"),
        ("Contact person ID", "ID de la personne de contact", lambda d: d.person_id, "id"),
        ("Label", "Étiquette", lambda d: names.label_names("deal", d.label_ids), "labels"),
        ("Probability", "Probabilité", lambda d: d.probability, "int"),
        ("Expected close date", "Date de clôture prévue", lambda d: d.expected_close_date, "date"),
        ("Deal created", "Affaire créée", lambda d: d.add_time, "datetime"),
        ("Update time", "Dernière mise à jour", lambda d: d.update_time, "datetime"),
        ("Last stage change", "Dernier changement d'étape", lambda d: d.stage_change_time, "datetime"),
        ("Won time", "Date de gain", lambda d: d.won_time, "datetime"),
        ("Lost time", "Date de perte", lambda d: d.lost_time, "datetime"),
        ("Deal closed on", "Affaire clôturée le", lambda d: d.close_time, "datetime"),
        ("Lost reason", "Raison de la perte", lambda d: d.lost_reason, "text"),
        ("Visible to", "Visible par", lambda d: d.visible_to, "visibility"),
        ("Archive status", "Statut d'archivage", lambda d: d.is_archived, "archived"),
        *_custom_columns(names, "deal"),
    ]


def _local_due(activity: Activity) -> tuple[date, time | None]:
    """The due date and time the exporting user sees (the record holds them in UTC)."""
    if activity.due_time is None:
        return activity.due_date, None
    moment = datetime.combine(activity.due_date, time.fromisoformat(activity.due_time), tzinfo=UTC)
    local = moment.astimezone(ZURICH)
    return local.date(), local.time()


def _minutes(duration: str | None) -> int | None:
    if not duration:
        return None
    hours, minutes, _seconds = duration.split(":")
    return int(hours) * 60 + int(minutes)


def _activity_columns(names: _Names) -> list[Column]:
    return [
        ("ID", "ID", lambda a: a.id, "id"),
        ("Subject", "Sujet", lambda a: a.subject, "text"),
        ("Type", "Type", lambda a: names.activity_types.get(a.type, a.type), "text"),
        ("Due date", "Date d'échéance", lambda a: _local_due(a)[0], "date"),
        ("Due time", "Heure d'échéance", lambda a: _local_due(a)[1], "time"),
        ("Duration", "Durée", lambda a: _minutes(a.duration), "duration"),
        ("Assigned to user", "Attribué à l'utilisateur", lambda a: names.users.get(a.owner_id), "text"),
        ("Deal", "Affaire", lambda a: names.deal_title(a.deal_id), "text"),
        ("Deal ID", "ID de l'affaire", lambda a: a.deal_id, "id"),
        ("Lead", "Prospect", lambda a: names.leads.get(a.lead_id), "text"),
        ("Lead ID", "ID du prospect", lambda a: a.lead_id, "id"),
        ("Contact person", "Personne de contact", lambda a: names.persons.get(a.person_id), "text"),
        ("Contact person ID", "ID de la personne de contact", lambda a: a.person_id, "id"),
        ("Organization", "Organisation", lambda a: names.organizations.get(a.org_id), "text"),
        ("Organization ID", "ID de l'organisation", lambda a: a.org_id, "id"),
        (
            "Participants",
            "Participants",
            lambda a: [names.persons[person_id] for person_id, _primary in a.participants],
            "labels",
        ),
        ("Done", "Fait", lambda a: a.done, "done"),
        ("Marked as done time", "Marquée comme faite", lambda a: a.marked_as_done_time, "datetime"),
        ("Note", "Note", lambda a: a.note, "text"),
        ("Activity created", "Activité créée", lambda a: a.add_time, "datetime"),
        ("Update time", "Dernière mise à jour", lambda a: a.update_time, "datetime"),
    ]


def _lead_columns(names: _Names) -> list[Column]:
    return [
        ("ID", "ID", lambda lead: lead.id, "id"),
        ("Title", "Titre", lambda lead: lead.title, "text"),
        ("Owner", "Propriétaire", lambda lead: names.users.get(lead.owner_id), "text"),
        ("Contact person", "Personne de contact", lambda lead: names.persons.get(lead.person_id), "text"),
        ("Contact person ID", "ID de la personne de contact", lambda lead: lead.person_id, "id"),
        ("Organization", "Organisation", lambda lead: names.organizations.get(lead.organization_id), "text"),
        ("Organization ID", "ID de l'organisation", lambda lead: lead.organization_id, "id"),
        ("Labels", "Étiquettes", lambda lead: [names.lead_labels[i] for i in lead.label_ids], "labels"),
        ("Value", "Valeur", lambda lead: lead.value and lead.value[0], "number"),
        ("Currency of Value", "Devise de Valeur", lambda lead: lead.value and lead.value[1], "text"),
        ("Expected close date", "Date de clôture prévue", lambda lead: lead.expected_close_date, "date"),
        ("Source", "Source", lambda lead: lead.source_name, "text"),
        ("Lead created", "Prospect créé", lambda lead: lead.add_time, "datetime"),
        ("Update time", "Dernière mise à jour", lambda lead: lead.update_time, "datetime"),
        ("Archive status", "Statut d'archivage", lambda lead: lead.is_archived, "archived"),
        *_custom_columns(names, "lead"),
    ]


def _pinned(note: Note) -> bool:
    return note.pinned_to_deal or note.pinned_to_lead or note.pinned_to_person or note.pinned_to_organization


def _note_columns(names: _Names) -> list[Column]:
    return [
        ("ID", "ID", lambda n: n.id, "id"),
        ("Content", "Contenu", lambda n: n.content, "text"),
        ("User", "Utilisateur", lambda n: names.users.get(n.user_id), "text"),
        ("Deal", "Affaire", lambda n: names.deal_title(n.deal_id), "text"),
        ("Deal ID", "ID de l'affaire", lambda n: n.deal_id, "id"),
        ("Lead", "Prospect", lambda n: names.leads.get(n.lead_id), "text"),
        ("Lead ID", "ID du prospect", lambda n: n.lead_id, "id"),
        ("Contact person", "Personne de contact", lambda n: names.persons.get(n.person_id), "text"),
        ("Contact person ID", "ID de la personne de contact", lambda n: n.person_id, "id"),
        ("Organization", "Organisation", lambda n: names.organizations.get(n.org_id), "text"),
        ("Organization ID", "ID de l'organisation", lambda n: n.org_id, "id"),
        ("Pinned", "Épinglée", _pinned, "bool"),
        ("Note created", "Note créée", lambda n: n.add_time, "datetime"),
        ("Update time", "Dernière mise à jour", lambda n: n.update_time, "datetime"),
    ]


def _product_columns(names: _Names) -> list[Column]:
    return [
        ("ID", "ID", lambda p: p.id, "id"),
        ("Name", "Nom", lambda p: p.name, "text"),
        ("Product code", "Code produit", lambda p: p.code, "text"),
        ("Unit", "Unité", lambda p: p.unit, "text"),
        ("Price", "Prix", lambda p: p.prices[0].price if p.prices else None, "number"),
        ("Currency of Price", "Devise du prix", lambda p: p.prices[0].currency if p.prices else None, "text"),
        ("Active", "Actif", lambda p: not p.is_deleted, "bool"),
        *_custom_columns(names, "product"),
    ]


_COLUMNS: dict[str, Callable[[_Names], list[Column]]] = {
    "organization": _organization_columns,
    "person": _person_columns,
    "deal": _deal_columns,
    "activity": _activity_columns,
    "lead": _lead_columns,
    "note": _note_columns,
    "product": _product_columns,
}


# --- cells ---------------------------------------------------------------------------------------


def _formatter(kind: str, dialect: Dialect, typed: bool) -> Callable[[Any], Any]:
    """How one column's values are written: text for CSV; for XLSX real numbers, dates and times."""
    empty = None if typed else ""
    french = int(dialect.french)
    if kind in ("text", "zip"):
        return lambda v: empty if v is None or v == "" else str(v)
    if kind == "id":
        return lambda v: empty if v is None else v if typed else str(v)
    if kind in ("number", "double", "int"):
        if typed:
            return lambda v: v
        if kind == "number":
            return lambda v: empty if v is None else dialect.number(v)
        if kind == "double":
            return lambda v: empty if v is None else format(v.normalize(), "f")
        return lambda v: empty if v is None else str(v)
    if kind in ("date", "datetime", "time"):
        pattern = {"date": dialect.date_format, "datetime": dialect.datetime_format, "time": "%H:%M"}[kind]
        local = kind == "datetime"

        def moment(v):
            if v is None:
                return empty
            if local:  # the exporting user's wall clock, to the second
                v = v.astimezone(ZURICH).replace(tzinfo=None, microsecond=0)
            return v if typed else v.strftime(pattern)

        return moment
    if kind == "duration":
        return lambda v: (
            empty if v is None else time(*divmod(v, 60)) if typed else f"{v // 60:02d}:{v % 60:02d}"
        )
    if kind == "daterange":
        pattern = dialect.date_format
        return lambda v: empty if v is None else f"{v[0].strftime(pattern)} - {v[1].strftime(pattern)}"
    if kind == "labels":
        return lambda v: ", ".join(v) if v else empty
    if kind == "status":
        words = _STATUS_WORDS_FR if french else _STATUS_WORDS
        return lambda v: empty if v is None else words[v]
    if kind == "visibility":
        return lambda v: empty if v is None else _VISIBILITY[v][french] if v in _VISIBILITY else str(v)
    if kind in _WORDS:
        yes, no = _WORDS[kind][french]
        return lambda v: empty if v is None else yes if v else no
    raise ValueError(f"no cell format for {kind!r}")


def _header(entity: str, columns: list[Column], dialect: Dialect) -> list[str]:
    prefix = _PREFIXES[entity][1 if dialect.french else 0]
    return [f"{prefix} - {french if dialect.french else english}" for english, french, _, _ in columns]


def _table(
    dataset: Dataset, entity: str, dialect: Dialect, *, typed: bool, names: _Names, archived_leads: bool
) -> tuple[list[str], Iterator[list]]:
    columns = _COLUMNS[entity](names)
    plan = [(get, _formatter(kind, dialect, typed)) for _, _, get, kind in columns]
    records = exported_records(dataset, entity, archived_leads=archived_leads)
    rows = ([cell(get(record)) for get, cell in plan] for record in records)
    return _header(entity, columns, dialect), rows


# --- files ---------------------------------------------------------------------------------------


def write_export(
    dataset: Dataset,
    entity: str,
    out: BinaryIO,
    *,
    dialect: str = "en",
    fmt: str = "csv",
    archived_leads: bool = True,
    names: _Names | None = None,
) -> int:
    """Write the `entity` export into the binary stream `out`, row by row; returns the data rows."""
    if entity not in ENTITIES:
        raise ValueError(f"entity must be one of {', '.join(ENTITIES)}, not {entity!r}")
    if fmt not in FORMATS:
        raise ValueError(f"fmt must be csv or xlsx, not {fmt!r}")
    chosen = DIALECTS[dialect]
    header, rows = _table(
        dataset,
        entity,
        chosen,
        typed=fmt == "xlsx",
        names=names or _Names(dataset),
        archived_leads=archived_leads,
    )
    if fmt == "xlsx":
        return _write_xlsx(out, _SHEETS[entity], header, rows, chosen)
    return _write_csv(out, header, rows, chosen)


def _write_csv(out: BinaryIO, header: list[str], rows: Iterable[list], dialect: Dialect) -> int:
    text = io.TextIOWrapper(out, encoding=dialect.encoding, newline="")
    writer = csv.writer(text, delimiter=dialect.delimiter, lineterminator="\r\n")
    writer.writerow(header)
    count = 0
    for row in rows:
        writer.writerow(row)
        count += 1
    text.flush()
    text.detach()  # leave `out` open for the caller
    return count


# A minimal SpreadsheetML package: one worksheet, inline strings, typed numbers, dates and times.
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_PACKAGE = "http://schemas.openxmlformats.org/package/2006"
_OFFICE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_SHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml"
_PARTS = {
    "[Content_Types].xml": f'{_XML}<Types xmlns="{_PACKAGE}/content-types">'
    f'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    f'<Override PartName="/xl/workbook.xml" ContentType="{_SHEET_TYPE}.sheet.main+xml"/>'
    f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{_SHEET_TYPE}.worksheet+xml"/>'
    f'<Override PartName="/xl/styles.xml" ContentType="{_SHEET_TYPE}.styles+xml"/></Types>',
    "_rels/.rels": f'{_XML}<Relationships xmlns="{_PACKAGE}/relationships">'
    f'<Relationship Id="rId1" Type="{_OFFICE}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
    "xl/_rels/workbook.xml.rels": f'{_XML}<Relationships xmlns="{_PACKAGE}/relationships">'
    f'<Relationship Id="rId1" Type="{_OFFICE}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{_OFFICE}/styles" Target="styles.xml"/></Relationships>',
}
_STYLES = (
    _XML + f'<styleSheet xmlns="{_MAIN}"><numFmts count="3">'
    '<numFmt numFmtId="164" formatCode="{datetime}"/><numFmt numFmtId="165" formatCode="{date}"/>'
    '<numFmt numFmtId="166" formatCode="hh:mm"/></numFmts>'
    '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="166" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>'
)
_EXCEL_FORMATS = {"%Y": "yyyy", "%m": "mm", "%d": "dd", "%H": "hh", "%M": "mm", "%S": "ss", ".": "\\."}
_EPOCH = datetime(1899, 12, 30)
_DAY = timedelta(days=1)
_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
_ROWS_PER_WRITE = 500


def _excel_format(pattern: str) -> str:
    for directive, code in _EXCEL_FORMATS.items():
        pattern = pattern.replace(directive, code)
    return pattern


def _xml_text(text: str) -> str:
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    if _ILLEGAL_XML.search(text):
        text = _ILLEGAL_XML.sub(lambda match: f"_x{ord(match.group()):04X}_", text)
    return text


def _xml_cell(reference: str, value: Any) -> str:
    kind = type(value)
    if kind is str:
        return f'<c r="{reference}" t="inlineStr"><is><t xml:space="preserve">{_xml_text(value)}</t></is></c>'
    if kind is datetime:
        return f'<c r="{reference}" s="1"><v>{(value - _EPOCH) / _DAY!r}</v></c>'
    if kind is date:
        return f'<c r="{reference}" s="2"><v>{(value - _EPOCH.date()).days}</v></c>'
    if kind is time:
        seconds = value.hour * 3600 + value.minute * 60 + value.second
        return f'<c r="{reference}" s="3"><v>{seconds / 86400!r}</v></c>'
    if kind is bool:
        return f'<c r="{reference}" t="b"><v>{int(value)}</v></c>'
    if kind is Decimal:
        return f'<c r="{reference}"><v>{value:f}</v></c>'
    return f'<c r="{reference}"><v>{value}</v></c>'  # int


def _write_xlsx(out: BinaryIO, title: str, header: list[str], rows: Iterable[list], dialect: Dialect) -> int:
    """A workbook of one sheet, its rows streamed into the zip member as they come."""
    letters = [get_column_letter(index + 1) for index in range(len(header))]
    count = 0
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for name, xml in _PARTS.items():
            archive.writestr(name, xml)
        archive.writestr(
            "xl/workbook.xml",
            f'{_XML}<workbook xmlns="{_MAIN}" xmlns:r="{_OFFICE}"><sheets>'
            f'<sheet name="{_xml_text(title)}" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        archive.writestr(
            "xl/styles.xml",
            _STYLES.format(
                datetime=_excel_format(dialect.datetime_format), date=_excel_format(dialect.date_format)
            ),
        )
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(f'{_XML}<worksheet xmlns="{_MAIN}"><sheetData>'.encode())
            chunk: list[str] = []
            for number, row in enumerate(itertools.chain([header], rows), start=1):
                cells = "".join(
                    _xml_cell(f"{letter}{number}", value)
                    for letter, value in zip(letters, row, strict=True)
                    if value is not None
                )
                chunk.append(f'<row r="{number}">{cells}</row>')
                if len(chunk) >= _ROWS_PER_WRITE:
                    sheet.write("".join(chunk).encode())
                    chunk.clear()
                count = number - 1
            sheet.write(("".join(chunk) + "</sheetData></worksheet>").encode())
    return count


def export_dataset(
    dataset: Dataset, *, dialect: str = "en", fmt: str = "csv", archived_leads: bool = True
) -> dict[str, bytes]:
    """Every entity's export file: {"organization": bytes, "person": …, "deal": …, "activity": …,
    "lead": …, "note": …, "product": …}."""
    names = _Names(dataset)
    files = {}
    for entity in ENTITIES:
        buffer = io.BytesIO()
        write_export(
            dataset, entity, buffer, dialect=dialect, fmt=fmt, archived_leads=archived_leads, names=names
        )
        files[entity] = buffer.getvalue()
        buffer.close()
    return files


# --- command line --------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> None:
    from . import generate_dataset

    parser = argparse.ArgumentParser(
        prog="python -m tests.doubles.pipedrive.exports",
        description="Write the generated account as Pipedrive export files, one per entity.",
    )
    parser.add_argument("--deals", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--dialect", choices=sorted(DIALECTS), default="en")
    parser.add_argument("--fmt", choices=FORMATS, default="csv")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--inbox-leads-only", action="store_true", help="leave archived leads out")
    arguments = parser.parse_args(argv)
    arguments.out.mkdir(parents=True, exist_ok=True)
    started = timer.perf_counter()
    dataset = generate_dataset(seed=arguments.seed, deals=arguments.deals)
    names = _Names(dataset)
    for entity in ENTITIES:
        path = arguments.out / f"{FILENAMES[entity]}.{arguments.fmt}"
        began = timer.perf_counter()
        with path.open("wb") as out:
            count = write_export(
                dataset,
                entity,
                out,
                dialect=arguments.dialect,
                fmt=arguments.fmt,
                archived_leads=not arguments.inbox_leads_only,
                names=names,
            )
        size = path.stat().st_size / 1e6
        seconds = timer.perf_counter() - began
        sys.stdout.write(f"{path.name:20} {count:>9} rows {size:>9.1f} MB {seconds:>7.1f} s\n")
    sys.stdout.write(f"{'total':20} {timer.perf_counter() - started:>35.1f} s\n")


if __name__ == "__main__":
    main()
