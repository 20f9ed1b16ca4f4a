"""Pipedrive export files generated from one small dataset, in the dialects real exports come in.

`DATASET` holds the records a reader must produce (times in UTC); `export_file(entity, dialect)`
renders them as Pipedrive would export them for a user of that locale: "Entity - Field"
headers (French ones for the French dialect), names instead of ids, split e-mail and phone
columns, custom fields by display name with a duplicate header, a monetary and an address
custom field, local times in Europe/Zurich, and the dialect's numbers, dates and encoding.
"""

import csv
import io
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time
from decimal import Decimal
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

import openpyxl

from apogee.integrations.pipedrive.records import (
    Activity,
    Address,
    Contact,
    Deal,
    Lead,
    Money,
    Note,
    OptionRef,
    Organization,
    Person,
    Ref,
)

ZURICH = ZoneInfo("Europe/Zurich")


def at(year, month, day, hour=0, minute=0) -> datetime:
    """A Zurich wall-clock time, as the UTC moment a record holds."""
    return datetime(year, month, day, hour, minute, tzinfo=ZURICH).astimezone(UTC)


DEAL_FIELD_TYPES = {
    "Budget": "monetary",
    "Reference": "varchar",
    "Submission date": "date",
    "Opportunity type": "enum",
    "Delivery site": "address",
}
FIELD_TYPES = {
    "deal": DEAL_FIELD_TYPES,
    "lead": DEAL_FIELD_TYPES,  # leads carry the deal custom fields
    "person": {"Language": "varchar"},
    "organization": {"Sector": "enum", "VAT number": "varchar"},
    "activity": {},
    "note": {},
}

THALES, AIRBUS, BUHLER, UNIGE, RUAG = (
    "Thales Alenia Space",
    "Airbus Defence & Space",
    "Bühler AG",
    "Université de Genève",
    "RUAG Space",
)
SENTINEL = "Sentinel-6 ground segment study, phase A"
CO2M = 'Copernicus CO2M calibration; lot 2 "B"'
AIT = "Satellite AIT support – Bühler"
ROME = Address(
    value="Via Saccomuro 24, 00131 Roma, Italy",
    route="Via Saccomuro",
    street_number="24",
    locality="Roma",
    postal_code="00131",
    country="Italy",
)

DATASET = {
    "deal": [
        Deal(
            "101",
            row=1,
            title=SENTINEL,
            pipeline=Ref(name="ESA Sales"),
            stage=Ref(name="Proposal made"),
            status="won",
            value=Decimal("1250000.50"),
            currency="CHF",
            owner=Ref(name="Marc Dubois"),
            organization=Ref(id="201", name=THALES),
            person=Ref(name="Jean Martin"),
            labels=["Hot", "Strategic"],
            probability=100,
            expected_close_date=date(2024, 12, 31),
            add_time=at(2024, 3, 15, 9, 30),
            update_time=at(2024, 12, 31, 14, 5),
            won_time=at(2024, 12, 20, 16, 45),
            custom={
                "Budget": Money(Decimal("980000"), "EUR"),
                "Reference": "ESA-AO-11862",
                "Reference (2)": "INT-2024-017",
                "Submission date": date(2024, 6, 28),
                "Opportunity type": OptionRef(label="ESA"),
                "Delivery site": ROME,
            },
        ),
        Deal(
            "102",
            row=2,
            title=CO2M,
            pipeline=Ref(name="ESA Sales"),
            stage=Ref(name="Qualified"),
            status="open",
            value=Decimal("84000"),
            currency="EUR",
            owner=Ref(name="Sophie Müller"),
            organization=Ref(id="202", name=AIRBUS),
            person=Ref(name="Anna Schmid"),
            probability=40,
            expected_close_date=date(2025, 3, 14),
            add_time=at(2024, 7, 1, 8, 0),
            update_time=at(2024, 7, 1, 8, 0),
            custom={"Budget": Money(Decimal("84000.00"), "EUR"), "Opportunity type": OptionRef(label="ESA")},
        ),
        Deal(
            "103",
            row=3,
            title=AIT,
            pipeline=Ref(name="Non-ESA"),
            stage=Ref(name="Negotiation"),
            status="lost",
            value=Decimal("1250.75"),
            currency="CHF",
            owner=Ref(name="Élodie Rochat"),
            organization=Ref(id="203", name=BUHLER),
            add_time=at(2024, 2, 14, 10, 0),
            update_time=at(2024, 11, 5, 17, 20),
            lost_time=at(2024, 11, 5, 17, 20),
            lost_reason='Price too high.\nCustomer chose "in-house".',
            custom={"Reference": "NE-7", "Opportunity type": OptionRef(label="Commercial")},
        ),
        Deal(
            "104",
            row=4,
            title="RFI: thermal vacuum facility",
            pipeline=Ref(name="RFI"),
            stage=Ref(name="RFI received"),
            status="open",
            value=Decimal("-5000"),
            currency="CHF",
            owner=Ref(name="Marc Dubois"),
            organization=Ref(id="204", name=UNIGE),
            person=Ref(name="Claire Favre"),
            labels=["Academic"],
            add_time=at(2024, 10, 21, 13, 15),
            update_time=at(2024, 10, 21, 13, 15),
            custom={"Submission date": date(2024, 11, 29)},
        ),
        Deal(
            "105",
            row=5,
            title="Ground station maintenance 2025",
            pipeline=Ref(name="Non-ESA"),
            stage=Ref(name="Proposal made"),
            status="deleted",
            is_deleted=True,
            value=Decimal("12500000"),
            currency="CHF",
            owner=Ref(name="Sophie Müller"),
            organization=Ref(id="205", name=RUAG),
            add_time=at(2023, 12, 18, 11, 0),
            update_time=at(2024, 1, 8, 9, 0),
            custom={"Budget": Money(Decimal("12500000"), "CHF")},
        ),
    ],
    "person": [
        Person(
            "301",
            row=1,
            name="Jean Martin",
            first_name="Jean",
            last_name="Martin",
            organization=Ref(name=THALES),
            owner=Ref(name="Marc Dubois"),
            emails=[
                Contact("jean.martin@thalesaleniaspace.com", "work", primary=True),
                Contact("jmartin@gmail.com", "home"),
            ],
            phones=[Contact("+39 06 4151 1", "work", primary=True), Contact("+39 333 123 4567", "mobile")],
            job_title="Programme manager",
            labels=["Decision maker"],
            add_time=at(2024, 3, 15, 9, 0),
            custom={"Language": "French"},
        ),
        Person(
            "302",
            row=2,
            name="Anna Schmid",
            first_name="Anna",
            last_name="Schmid",
            organization=Ref(name=AIRBUS),
            owner=Ref(name="Sophie Müller"),
            emails=[
                Contact("anna.schmid@airbus.com", "work", primary=True),
                Contact("a.schmid@airbus.com", "work"),
            ],
            add_time=at(2024, 7, 1, 7, 45),
            custom={"Language": "German"},
        ),
        Person(
            "303",
            row=3,
            name="Claire Favre",
            first_name="Claire",
            last_name="Favre",
            organization=Ref(name=UNIGE),
            owner=Ref(name="Marc Dubois"),
            phones=[Contact("+41 22 379 71 11", "work", primary=True)],
            job_title="Professeure",
            add_time=at(2024, 10, 21, 13, 0),
        ),
        Person(
            "304",
            row=4,
            name="Ueli Brönnimann",
            first_name="Ueli",
            last_name="Brönnimann",
            organization=Ref(name=RUAG),
            owner=Ref(name="Sophie Müller"),
            add_time=at(2023, 12, 18, 10, 30),
        ),
        Person(
            "305",
            row=5,
            name="Zoë Dupont",
            first_name="Zoë",
            last_name="Dupont",
            owner=Ref(name="Élodie Rochat"),
            emails=[Contact("zoe.dupont@example.ch", "other", primary=True)],
            add_time=at(2024, 12, 24, 9, 0),
        ),
    ],
    "organization": [
        Organization(
            "201",
            row=1,
            name=THALES,
            owner=Ref(name="Marc Dubois"),
            address=ROME,
            website="https://www.thalesaleniaspace.com",
            labels=["Customer"],
            add_time=at(2019, 5, 13, 8, 0),
            custom={"Sector": OptionRef(label="Space"), "VAT number": "IT 0123456789"},
        ),
        Organization(
            "202",
            row=2,
            name=AIRBUS,
            owner=Ref(name="Sophie Müller"),
            labels=["Customer", "Prime"],
            add_time=at(2020, 1, 20, 9, 0),
            custom={"Sector": OptionRef(label="Space")},
        ),
        Organization(
            "203",
            row=3,
            name=BUHLER,
            owner=Ref(name="Élodie Rochat"),
            address=Address(
                value="Gupfenstrasse 5, 9240 Uzwil, Switzerland",
                route="Gupfenstrasse",
                street_number="5",
                locality="Uzwil",
                postal_code="9240",
                country="Switzerland",
            ),
            add_time=at(2021, 6, 30, 14, 0),
            custom={"Sector": OptionRef(label="Industry")},
        ),
        Organization(
            "204",
            row=4,
            name=UNIGE,
            owner=Ref(name="Marc Dubois"),
            address=Address(
                value="24 rue du Général-Dufour, 1204 Genève, Switzerland",
                route="rue du Général-Dufour",
                street_number="24",
                locality="Genève",
                postal_code="1204",
                country="Switzerland",
            ),
            labels=["Academic"],
            add_time=at(2022, 11, 17, 16, 30),
            custom={"VAT number": "CHE-116.281.710"},
        ),
        Organization("205", row=5, name=RUAG, add_time=at(2023, 12, 18, 10, 15)),
    ],
    "activity": [
        Activity(
            "401",
            row=1,
            subject="Kick-off call",
            type=Ref(name="Call"),
            due_date=date(2024, 3, 18),
            due_time="09:00",
            duration_minutes=60,
            owner=Ref(name="Marc Dubois"),
            deal=Ref(id="101", name=SENTINEL),
            person=Ref(name="Jean Martin"),
            organization=Ref(name=THALES),
            done=True,
            done_time=at(2024, 3, 18, 11, 5),
            note="<p>Agenda sent</p>",
            add_time=at(2024, 3, 15, 9, 45),
        ),
        Activity(
            "402",
            row=2,
            subject="Site visit",
            type=Ref(name="Meeting"),
            due_date=date(2024, 7, 15),
            owner=Ref(name="Sophie Müller"),
            deal=Ref(id="102", name=CO2M),
            add_time=at(2024, 7, 1, 8, 5),
        ),
        # 00:30 in Zurich on 5 November is 23:30 UTC on the 4th.
        Activity(
            "403",
            row=3,
            subject="Late-evening check",
            type=Ref(name="Task"),
            due_date=date(2024, 11, 4),
            due_time="23:30",
            duration_minutes=15,
            owner=Ref(name="Élodie Rochat"),
            deal=Ref(id="103", name=AIT),
            organization=Ref(name=BUHLER),
            add_time=at(2024, 11, 1, 10, 0),
        ),
        Activity(
            "404",
            row=4,
            subject="Send offer",
            type=Ref(name="Task"),
            due_date=date(2024, 12, 13),
            due_time="15:00",
            duration_minutes=90,
            owner=Ref(name="Marc Dubois"),
            deal=Ref(id="101", name=SENTINEL),
            done=True,
            done_time=at(2024, 12, 13, 15, 30),
            add_time=at(2024, 12, 2, 8, 0),
        ),
        Activity(
            "405",
            row=5,
            subject="Follow-up RFI",
            type=Ref(name="Call"),
            due_date=date(2025, 1, 7),
            due_time="08:15",
            duration_minutes=30,
            owner=Ref(name="Marc Dubois"),
            deal=Ref(id="104", name="RFI: thermal vacuum facility"),
            person=Ref(name="Claire Favre"),
            organization=Ref(name=UNIGE),
            add_time=at(2024, 12, 19, 17, 0),
        ),
        Activity(
            "406",
            row=6,
            subject="Lunch with Ueli",
            type=Ref(name="Lunch"),
            due_date=date(2024, 2, 29),
            due_time="11:30",
            duration_minutes=90,
            owner=Ref(name="Sophie Müller"),
            person=Ref(name="Ueli Brönnimann"),
            organization=Ref(name=RUAG),
            done=True,
            done_time=at(2024, 2, 29, 14, 0),
            add_time=at(2024, 2, 20, 9, 0),
        ),
    ],
    "lead": [
        Lead(
            "adf21080-0e10-11eb-879b-05d71fb426ec",
            row=1,
            title="Hyperspectral payload study",
            owner=Ref(name="Marc Dubois"),
            person=Ref(name="Jean Martin"),
            organization=Ref(name=THALES),
            labels=[Ref(name="Warm")],
            value=Money(Decimal("250000"), "EUR"),
            expected_close_date=date(2025, 6, 30),
            source_name="Web form",
            add_time=at(2024, 9, 16, 14, 0),
            custom={"Opportunity type": OptionRef(label="ESA")},
        ),
        Lead(
            "b1c2d3e4-1111-4222-8333-944455556666",
            row=2,
            title="Cleanroom rental",
            owner=Ref(name="Élodie Rochat"),
            organization=Ref(name=BUHLER),
            labels=[Ref(name="Cold"), Ref(name="Inbound")],
            source_name="Manually created",
            add_time=at(2024, 10, 1, 8, 30),
        ),
        Lead(
            "c3d4e5f6-7777-4888-9999-000011112222",
            row=3,
            title="Training course",
            owner=Ref(name="Sophie Müller"),
            person=Ref(name="Zoë Dupont"),
            value=Money(Decimal("12000"), "CHF"),
            add_time=at(2024, 12, 24, 10, 0),
        ),
    ],
    "note": [
        Note(
            "501",
            row=1,
            content='<p>Call with <b>Jean</b>; budget "confirmed"</p>\n<p>Next: offer</p>',
            user=Ref(name="Marc Dubois"),
            deal=Ref(name=SENTINEL),
            person=Ref(name="Jean Martin"),
            organization=Ref(name=THALES),
            pinned=True,
            add_time=at(2024, 3, 18, 11, 10),
        ),
        Note(
            "502",
            row=2,
            content="<p>Prix jugé trop élevé — à revoir</p>",
            user=Ref(name="Élodie Rochat"),
            deal=Ref(name=AIT),
            organization=Ref(name=BUHLER),
            pinned=False,
            add_time=at(2024, 11, 5, 17, 30),
        ),
        Note(
            "503",
            row=3,
            content="<ul><li>Visit planned</li></ul>",
            user=Ref(name="Sophie Müller"),
            person=Ref(name="Anna Schmid"),
            pinned=False,
            add_time=at(2024, 7, 2, 9, 0),
        ),
    ],
}


# --- how each entity is exported: (English label, French label, value getter, format) -------


def _custom(key, attribute=None):
    def get(record):
        found = record.custom.get(key)
        if found is None or attribute is None:
            return found
        return getattr(found, attribute)

    return get


def _ref(name, part):
    return lambda record: getattr(getattr(record, name), part)


def _local_due(record, part):
    if not record.due_time:
        return record.due_date if part == "date" else None
    moment = datetime.combine(record.due_date, time.fromisoformat(record.due_time), tzinfo=UTC).astimezone(
        ZURICH
    )
    return moment.date() if part == "date" else moment.time()


def _contacts(kind, label):
    return lambda record: [c.value for c in getattr(record, kind) if c.label == label] or None


def _attr(name):
    return lambda record: getattr(record, name)


_ADDRESS_PARTS = [
    ("Street number of {}", "Numéro de rue de {}", "street_number"),
    ("Street/road name of {}", "Nom de la rue de {}", "route"),
    ("City/town/village/locality of {}", "Ville de {}", "locality"),
    ("ZIP/Postal code of {}", "Code postal de {}", "postal_code"),
    ("Country of {}", "Pays de {}", "country"),
]


def _address_columns(get_address, english, french, french_whole=None):
    whole = (english, french_whole or french, lambda r: get_address(r) and get_address(r).value, "text")
    columns = [whole]
    for label, label_fr, part in _ADDRESS_PARTS:
        kind = "zip" if part == "postal_code" else "text"
        getter = lambda r, part=part: get_address(r) and getattr(get_address(r), part)  # noqa: E731
        columns.append((label.format(english), label_fr.format(french), getter, kind))
    return columns


COLUMNS = {
    "deal": [
        ("ID", "ID", _attr("source_id"), "id"),
        ("Title", "Titre", _attr("title"), "text"),
        ("Value", "Valeur", _attr("value"), "number"),
        ("Currency of Value", "Devise de Valeur", _attr("currency"), "text"),
        ("Pipeline", "Pipeline", _ref("pipeline", "name"), "text"),
        ("Stage", "Étape", _ref("stage", "name"), "text"),
        ("Status", "Statut", _attr("status"), "status"),
        ("Owner", "Propriétaire", _ref("owner", "name"), "text"),
        ("Organization", "Organisation", _ref("organization", "name"), "text"),
        ("Organization ID", "ID de l'organisation", _ref("organization", "id"), "id"),
        ("Contact person", "Personne de contact", _ref("person", "name"), "text"),
        ("Label", "Étiquette", _attr("labels"), "labels"),
        ("Probability", "Probabilité", _attr("probability"), "int"),
        ("Weighted value", "Valeur pondérée", lambda r: r.value, "number"),
        ("Expected close date", "Date de clôture prévue", _attr("expected_close_date"), "date"),
        ("Deal created", "Affaire créée", _attr("add_time"), "datetime"),
        ("Update time", "Dernière mise à jour", _attr("update_time"), "datetime"),
        ("Won time", "Date de gain", _attr("won_time"), "datetime"),
        ("Lost time", "Date de perte", _attr("lost_time"), "datetime"),
        ("Lost reason", "Raison de la perte", _attr("lost_reason"), "text"),
        ("Budget", "Budget", _custom("Budget", "amount"), "number"),
        ("Currency of Budget", "Devise de Budget", _custom("Budget", "currency"), "text"),
        ("Reference", "Reference", _custom("Reference"), "text"),
        ("Reference", "Reference", _custom("Reference (2)"), "text"),
        ("Submission date", "Submission date", _custom("Submission date"), "date"),
        ("Opportunity type", "Opportunity type", _custom("Opportunity type", "label"), "text"),
        *_address_columns(_custom("Delivery site"), "Delivery site", "Delivery site"),
        ("Person - Email - Work", "Personne - E-mail - Travail", lambda r: None, "text"),
    ],
    "person": [
        ("ID", "ID", _attr("source_id"), "id"),
        ("Name", "Nom", _attr("name"), "text"),
        ("First name", "Prénom", _attr("first_name"), "text"),
        ("Last name", "Nom de famille", _attr("last_name"), "text"),
        ("Organization", "Organisation", _ref("organization", "name"), "text"),
        ("Email - Work", "E-mail - Travail", _contacts("emails", "work"), "labels"),
        ("Email - Home", "E-mail - Domicile", _contacts("emails", "home"), "labels"),
        ("Email - Other", "E-mail - Autre", _contacts("emails", "other"), "labels"),
        ("Phone - Work", "Téléphone - Travail", _contacts("phones", "work"), "labels"),
        ("Phone - Mobile", "Téléphone - Mobile", _contacts("phones", "mobile"), "labels"),
        ("Job title", "Poste", _attr("job_title"), "text"),
        ("Label", "Étiquette", _attr("labels"), "labels"),
        ("Owner", "Propriétaire", _ref("owner", "name"), "text"),
        ("Person created", "Personne créée", _attr("add_time"), "datetime"),
        ("Open deals", "Affaires ouvertes", lambda r: 1, "int"),
        ("Language", "Language", _custom("Language"), "text"),
    ],
    "organization": [
        ("ID", "ID", _attr("source_id"), "id"),
        ("Name", "Nom", _attr("name"), "text"),
        ("Owner", "Propriétaire", _ref("owner", "name"), "text"),
        *_address_columns(_attr("address"), "Address", "l'adresse", "Adresse"),
        ("Website", "Site web", _attr("website"), "text"),
        ("Label", "Étiquette", _attr("labels"), "labels"),
        ("Organization created", "Organisation créée", _attr("add_time"), "datetime"),
        ("Sector", "Sector", _custom("Sector", "label"), "text"),
        ("VAT number", "VAT number", _custom("VAT number"), "text"),
    ],
    "activity": [
        ("ID", "ID", _attr("source_id"), "id"),
        ("Subject", "Sujet", _attr("subject"), "text"),
        ("Type", "Type", _ref("type", "name"), "text"),
        ("Due date", "Date d'échéance", lambda r: _local_due(r, "date"), "date"),
        ("Due time", "Heure d'échéance", lambda r: _local_due(r, "time"), "time"),
        ("Duration", "Durée", _attr("duration_minutes"), "duration"),
        ("Assigned to user", "Attribué à l'utilisateur", _ref("owner", "name"), "text"),
        ("Deal", "Affaire", _ref("deal", "name"), "text"),
        ("Deal - ID", "Affaire - ID", _ref("deal", "id"), "id"),
        ("Contact person", "Personne de contact", _ref("person", "name"), "text"),
        ("Organization", "Organisation", _ref("organization", "name"), "text"),
        ("Done", "Fait", _attr("done"), "done"),
        ("Marked as done time", "Marquée comme faite", _attr("done_time"), "datetime"),
        ("Note", "Note", _attr("note"), "text"),
        ("Add time", "Date d'ajout", _attr("add_time"), "datetime"),
    ],
    "lead": [
        ("ID", "ID", _attr("source_id"), "text"),
        ("Title", "Titre", _attr("title"), "text"),
        ("Owner", "Propriétaire", _ref("owner", "name"), "text"),
        ("Contact person", "Personne de contact", _ref("person", "name"), "text"),
        ("Organization", "Organisation", _ref("organization", "name"), "text"),
        ("Labels", "Étiquettes", lambda r: [label.name for label in r.labels], "labels"),
        ("Value", "Valeur", lambda r: r.value and r.value.amount, "number"),
        ("Currency of Value", "Devise de Valeur", lambda r: r.value and r.value.currency, "text"),
        ("Expected close date", "Date de clôture prévue", _attr("expected_close_date"), "date"),
        ("Source", "Source", _attr("source_name"), "text"),
        ("Lead created", "Prospect créé", _attr("add_time"), "datetime"),
        ("Opportunity type", "Opportunity type", _custom("Opportunity type", "label"), "text"),
    ],
    "note": [
        ("ID", "ID", _attr("source_id"), "id"),
        ("Content", "Contenu", _attr("content"), "text"),
        ("User", "Utilisateur", _ref("user", "name"), "text"),
        ("Deal", "Affaire", _ref("deal", "name"), "text"),
        ("Contact person", "Personne de contact", _ref("person", "name"), "text"),
        ("Organization", "Organisation", _ref("organization", "name"), "text"),
        ("Pinned to deal", "Épinglée à l'affaire", _attr("pinned"), "bool"),
        ("Add time", "Date d'ajout", _attr("add_time"), "datetime"),
    ],
}

PREFIXES = {
    "deal": ("Deal", "Affaire"),
    "person": ("Person", "Personne"),
    "organization": ("Organization", "Organisation"),
    "activity": ("Activity", "Activité"),
    "lead": ("Lead", "Prospect"),
    "note": ("Note", "Note"),
}
FILENAMES = {
    "deal": "deals",
    "person": "people",
    "organization": "organizations",
    "activity": "activities",
    "lead": "leads",
    "note": "notes",
}


# --- dialects ----------------------------------------------------------------------------


def _grouped(amount: Decimal, thousands: str, decimal: str) -> str:
    return f"{amount:,.2f}".replace(",", "\0").replace(".", decimal).replace("\0", thousands)


@dataclass(frozen=True)
class Dialect:
    name: str
    container: str = "csv"  # csv, xlsx (openpyxl, typed or text cells), excel (shared strings, hand-made)
    encoding: str = "utf-8"
    delimiter: str = ","
    number: Callable[[Decimal], str] = lambda amount: _grouped(amount, ",", ".")
    date_format: str = "%Y-%m-%d"
    datetime_format: str = "%Y-%m-%d %H:%M:%S"
    time_format: str = "%H:%M"
    typed: bool = False  # XLSX: real number and date cells
    french: bool = False


DIALECTS = {
    "swiss_csv": Dialect(
        "swiss_csv",
        encoding="utf-8-sig",
        delimiter=";",
        number=lambda a: _grouped(a, "'", "."),
        date_format="%d.%m.%Y",
        datetime_format="%d.%m.%Y %H:%M",
    ),
    "us_csv": Dialect("us_csv"),
    "windows_csv": Dialect(
        "windows_csv",
        encoding="cp1252",
        delimiter=";",
        number=lambda a: _grouped(a, ".", ","),
        date_format="%d/%m/%Y",
        datetime_format="%d/%m/%Y %H:%M",
    ),
    "french_csv": Dialect(
        "french_csv",
        delimiter=",",
        number=lambda a: _grouped(a, "\u202f", ","),
        date_format="%d/%m/%Y",
        datetime_format="%d/%m/%Y %H:%M",
        french=True,
    ),
    "nbsp_csv": Dialect(
        "nbsp_csv",
        encoding="cp1252",
        delimiter=";",
        number=lambda a: _grouped(a, "\u00a0", ","),
        date_format="%d.%m.%Y",
        datetime_format="%d.%m.%Y %H:%M",
    ),
    "unicode_text": Dialect(
        "unicode_text",
        encoding="utf-16",
        delimiter="\t",
        date_format="%m/%d/%Y",
        datetime_format="%m/%d/%Y %I:%M %p",
        time_format="%I:%M %p",
    ),
    "xlsx_typed": Dialect("xlsx_typed", container="xlsx", typed=True),
    "xlsx_text": Dialect(
        "xlsx_text",
        container="xlsx",
        number=lambda a: _grouped(a, "\u2019", "."),
        date_format="%d.%m.%Y",
        datetime_format="%d.%m.%Y %H:%M",
    ),
    "excel_shared_strings": Dialect("excel_shared_strings", container="excel", typed=True),
}

_STATUS_WORDS = {"open": "Open", "won": "Won", "lost": "Lost", "deleted": "Deleted"}
_STATUS_WORDS_FR = {"open": "Ouvert", "won": "Gagné", "lost": "Perdu", "deleted": "Supprimé"}


def _cell(value, kind: str, dialect: Dialect):
    """The value as the dialect's file shows it: text, or for typed XLSX a real number or date."""
    if value is None or value == "" or value == []:
        return None if dialect.container != "csv" else ""
    if kind == "datetime":
        value = value.astimezone(ZURICH).replace(tzinfo=None)
    if dialect.typed:
        return _typed_cell(value, kind)
    if kind in ("number", "int"):
        return dialect.number(value) if kind == "number" else str(value)
    if kind == "date":
        return value.strftime(dialect.date_format)
    if kind == "datetime":
        return value.strftime(dialect.datetime_format)
    if kind == "time":
        return value.strftime(dialect.time_format)
    if kind == "duration":
        return f"{value // 60:02d}:{value % 60:02d}"
    if kind == "status":
        return (_STATUS_WORDS_FR if dialect.french else _STATUS_WORDS)[value]
    if kind == "done":
        return ("Fait" if value else "À faire") if dialect.french else ("Done" if value else "To do")
    if kind == "bool":
        return ("Oui" if value else "Non") if dialect.french else ("Yes" if value else "No")
    if kind == "labels":
        return ", ".join(value)
    return str(value)


def _typed_cell(value, kind: str):
    if kind in ("id", "zip") and str(value).isdigit() and not str(value).startswith("0"):
        return int(value)
    if kind == "duration":
        return time(value // 60, value % 60)
    if kind == "status":
        return _STATUS_WORDS[value]
    if kind == "done":
        return "Done" if value else "To do"
    if kind == "labels":
        return ", ".join(value)
    return value


def table(entity: str, dialect: Dialect, rows: Iterable | None = None) -> list[list]:
    """The header and rows of an export of `entity`, as the dialect's cells."""
    columns = COLUMNS[entity]
    prefix = PREFIXES[entity][1 if dialect.french else 0]
    header = []
    for english, french, _, _ in columns:
        label = french if dialect.french else english
        header.append(label if " - " in label else f"{prefix} - {label}")
    body = [
        [_cell(get(record), kind, dialect) for _, _, get, kind in columns]
        for record in rows or DATASET[entity]
    ]
    return [header, *body]


def export_file(entity: str, dialect: str | Dialect) -> tuple[str, bytes]:
    """(file name, bytes) of the `entity` export in `dialect`."""
    chosen = DIALECTS[dialect] if isinstance(dialect, str) else dialect
    return render(table(entity, chosen), chosen, FILENAMES[entity])


def render(rows: Sequence[Sequence], dialect: Dialect, name: str = "export") -> tuple[str, bytes]:
    if dialect.container == "csv":
        return f"{name}.csv", csv_bytes(rows, encoding=dialect.encoding, delimiter=dialect.delimiter)
    if dialect.container == "excel":
        return f"{name}.xlsx", excel_bytes(rows)
    return f"{name}.xlsx", xlsx_bytes(rows)


def csv_bytes(rows: Sequence[Sequence], *, encoding: str = "utf-8", delimiter: str = ",") -> bytes:
    text = io.StringIO(newline="")
    csv.writer(text, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return text.getvalue().encode(encoding)


def xlsx_bytes(rows: Sequence[Sequence]) -> bytes:
    """An XLSX file as openpyxl writes it (inline strings, real dates and numbers where given)."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Export"
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def _serial(value) -> float:
    if isinstance(value, time):
        return (value.hour * 3600 + value.minute * 60 + value.second) / 86400
    if not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day)
    return (value - datetime(1899, 12, 30)).total_seconds() / 86400


def excel_bytes(rows: Sequence[Sequence]) -> bytes:
    """An XLSX file shaped like Excel's own: shared strings (one with rich-text runs), custom date
    formats, an escaped carriage return, and a namespace prefix on every element (as .NET writers do).
    """
    strings: dict[str, int] = {}  # Excel stores each distinct string once
    cells_xml = []
    for row_number, row in enumerate(rows, start=1):
        cells = []
        for column, value in enumerate(row):
            reference = f"{_letters(column)}{row_number}"
            if value is None:
                continue
            if isinstance(value, bool):
                cells.append(f'<x:c r="{reference}" t="b"><x:v>{int(value)}</x:v></x:c>')
            elif isinstance(value, datetime | date | time):
                style = 3 if isinstance(value, time) else 1 if isinstance(value, datetime) else 2
                cells.append(f'<x:c r="{reference}" s="{style}"><x:v>{_serial(value)!r}</x:v></x:c>')
            elif isinstance(value, int | Decimal):
                cells.append(f'<x:c r="{reference}"><x:v>{value}</x:v></x:c>')
            else:
                index = strings.setdefault(str(value), len(strings))
                cells.append(f'<x:c r="{reference}" t="s"><x:v>{index}</x:v></x:c>')
        cells_xml.append(f'<x:row r="{row_number}">{"".join(cells)}</x:row>')
    shared = "".join(_shared_string(text, first=index == 0) for text, index in strings.items())
    last_cell = f"{_letters(len(rows[0]) - 1)}{len(rows)}"
    parts = {
        "[Content_Types].xml": '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
        'content-types"><Default Extension="xml" ContentType="application/xml"/></Types>',
        "xl/workbook.xml": f'<x:workbook xmlns:x="{_MAIN}" xmlns:r="{_RELS}"><x:workbookPr/><x:sheets>'
        '<x:sheet name="Deals" sheetId="1" r:id="rId7"/></x:sheets></x:workbook>',
        "xl/_rels/workbook.xml.rels": '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
        'relationships"><Relationship Id="rId7" Type="worksheet" Target="worksheets/data.xml"/>'
        "</Relationships>",
        "xl/styles.xml": f'<x:styleSheet xmlns:x="{_MAIN}"><x:numFmts><x:numFmt numFmtId="164" '
        'formatCode="dd\\.mm\\.yyyy\\ hh:mm"/><x:numFmt numFmtId="165" formatCode="dd/mm/yyyy"/></x:numFmts>'
        '<x:cellXfs><x:xf numFmtId="0"/><x:xf numFmtId="164"/><x:xf numFmtId="165"/><x:xf numFmtId="20"/>'
        "</x:cellXfs></x:styleSheet>",
        "xl/sharedStrings.xml": f'<x:sst xmlns:x="{_MAIN}" count="{len(strings)}">{shared}</x:sst>',
        "xl/worksheets/data.xml": f'<x:worksheet xmlns:x="{_MAIN}"><x:dimension ref="A1:{last_cell}"/>'
        f"<x:sheetData>{''.join(cells_xml)}</x:sheetData></x:worksheet>",
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, xml in parts.items():
            archive.writestr(name, xml)
    return out.getvalue()


def _shared_string(text: str, *, first: bool) -> str:
    escaped = escape(text).replace("\r", "_x000D_")
    if ", " in text and "\n" not in text:
        # Excel splits formatted text into runs; the reader must join them.
        head, tail = escaped.split(", ", 1)
        return f"<x:si><x:r><x:rPr><x:b/></x:rPr><x:t>{head}, </x:t></x:r><x:r><x:t>{tail}</x:t></x:r></x:si>"
    # A phonetic reading (Japanese Excel) is not part of the text.
    phonetic = '<x:rPh sb="0" eb="1"><x:t>ヨミ</x:t></x:rPh>' if first else ""
    return f'<x:si><x:t xml:space="preserve">{escaped}</x:t>{phonetic}</x:si>'


def _letters(column: int) -> str:
    letters = ""
    column += 1
    while column:
        column, remainder = divmod(column - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


# --- volume ------------------------------------------------------------------------------


def many(entity: str, count: int) -> list:
    """`count` records of `entity`, the dataset's over and over with fresh ids and titles."""
    base = DATASET[entity]
    made = []
    for number in range(count):
        record = base[number % len(base)]
        changes = {"source_id": str(100000 + number), "row": number + 1}
        if entity == "deal":
            changes["title"] = f"{record.title} #{number}"
        if entity == "activity":
            changes["subject"] = f"{record.subject} #{number}"
        made.append(replace(record, **changes))
    return made


def many_rows_file(entity: str, count: int, dialect: str) -> tuple[str, bytes, list]:
    chosen = DIALECTS[dialect]
    records = many(entity, count)
    name, data = render(table(entity, chosen, records), chosen, FILENAMES[entity])
    return name, data, records
