"""Organizations, persons and leads of the generated account (made at once, they are few)."""

from __future__ import annotations

import random
import unicodedata
import uuid
from datetime import timedelta
from decimal import Decimal
from functools import lru_cache

from . import catalogue as cat
from .model import (
    Contact,
    Lead,
    Organization,
    Person,
    record_rng,
)


@lru_cache(maxsize=4096)
def ascii_slug(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(c for c in folded.lower().replace(" ", ".") if c.isalnum() or c in ".-")


def phone_number(rng: random.Random, *, mobile: bool = False) -> str:
    area = f"7{rng.randint(6, 9)}" if mobile else str(rng.randint(21, 91))
    return f"+41 {area} {rng.randint(200, 999)} {rng.randint(10, 99)} {rng.randint(10, 99)}"


class ContactsMixin:
    # -- organizations and persons ------------------------------------------------------------

    def _address(self, street: str, locality: str, postal: str, country: str, rng: random.Random) -> dict:
        number = str(rng.randint(1, 120)) if street else ""
        route = street
        full = ", ".join(p for p in (f"{route} {number}".strip(), f"{postal} {locality}", country) if p)
        return {
            "value": full,
            "street_number": number,
            "route": route,
            "sublocality": "",
            "locality": locality,
            "admin_area_level_1": "",
            "admin_area_level_2": "",
            "country": country,
            "postal_code": postal,
            "formatted_address": full,
        }

    def _organizations(self) -> list[Organization]:
        count = max(len(cat.ANCHOR_ORGANIZATIONS) + 20, self.deal_count // 20)
        label_for = {"agency": 9, "prime": 8, "institution": 7, "commercial": 7, "research": 7}
        type_key = self.key("organization", "Customer type", "enum")
        sectors_key = self.key("organization", "Sectors", "set")
        erp_key = self.key("organization", "ERP customer number", "varchar")
        phone_key = self.key("organization", "Switchboard", "phone")
        self.org_kind: dict[int, str] = {}
        self.org_sector: dict[int, str] = {}
        orgs = []
        for org_id in range(1, count + 1):
            rng = record_rng(self.seed, "org", org_id)
            if org_id <= len(cat.ANCHOR_ORGANIZATIONS):
                name, kind, sector, country, locality, postal, street, site = cat.ANCHOR_ORGANIZATIONS[
                    org_id - 1
                ]
                added = self.start - timedelta(days=200 - org_id)
            else:
                serial = org_id - len(cat.ANCHOR_ORGANIZATIONS) - 1
                stems, suffixes = cat.ORG_STEMS, cat.ORG_SUFFIXES
                first = stems[serial % len(stems)]
                second = stems[(serial // len(stems)) % len(stems)]
                suffix = suffixes[(serial // len(stems) ** 2) % len(suffixes)]
                name = f"{first} {suffix}" if serial < len(stems) else f"{first} {second} {suffix}"
                if serial >= len(stems) ** 2 * len(suffixes):
                    name = f"{name} ({serial // (len(stems) ** 2 * len(suffixes)) + 1})"
                kind, sector = cat.GENERATED_KINDS[rng.randrange(len(cat.GENERATED_KINDS))]
                country, locality, postal = cat.CITIES[rng.randrange(len(cat.CITIES))]
                street = rng.choice(
                    ("Rue de la Gare", "Bahnhofstrasse", "Via Industria", "Route de Berne", "")
                )
                site = ascii_slug(name.split()[0]) + ".example"
                added = self.start + (self.as_of - self.start) * (serial / max(1, count))
            self.org_kind[org_id] = kind
            self.org_sector[org_id] = sector
            custom = {type_key: self.option_id("organization", "Customer type", kind.capitalize())}
            custom[sectors_key] = [self.option_id("organization", "Sectors", sector.capitalize(), "set")]
            if rng.random() < 0.4:
                custom[erp_key] = f"C{10000 + org_id}"
            if rng.random() < 0.5:
                custom[phone_key] = phone_number(rng)
            owner = self.users[rng.randrange(len(self.users))].id
            orgs.append(
                Organization(
                    id=org_id,
                    name=name,
                    owner_id=owner,
                    add_time=added,
                    update_time=self.moment(rng, added, self.as_of),
                    address=self._address(street, locality, postal, country, rng)
                    if rng.random() < 0.85
                    else None,
                    website=f"https://www.{site}",
                    label_ids=(label_for[kind],) if rng.random() < 0.7 else (),
                    visible_to=3,
                    is_deleted=org_id > len(cat.ANCHOR_ORGANIZATIONS) and rng.random() < 0.02,
                    custom=custom,
                )
            )
        self.orgs_by_kind: dict[str, list[int]] = {}
        for org in orgs:
            if not org.is_deleted:
                self.orgs_by_kind.setdefault(self.org_kind[org.id], []).append(org.id)
        return orgs

    def _persons(self) -> list[Person]:
        live_orgs = [org for org in self.organizations if not org.is_deleted]
        count = max(3 * len(live_orgs), self.deal_count // 4)
        role_key = self.key("person", "Role", "enum")
        linkedin_key = self.key("person", "LinkedIn", "varchar")
        postal_key = self.key("person", "Postal address", "address")
        self.persons_by_org: dict[int, list[int]] = {}
        persons = []
        combos = len(cat.FIRST_NAMES) * len(cat.LAST_NAMES)
        for person_id in range(1, count + 1):
            rng = record_rng(self.seed, "person", person_id)
            if person_id <= 2 * len(live_orgs):
                org = live_orgs[(person_id - 1) // 2]
                title = ("Contract officer", "Technical officer")[(person_id - 1) % 2]
            else:
                anchors = live_orgs[: len(cat.ANCHOR_ORGANIZATIONS)]
                org = rng.choice(anchors) if rng.random() < 0.4 else rng.choice(live_orgs)
                title = rng.choice(cat.JOB_TITLES)
            org_id = org.id if rng.random() > 0.03 else None
            first = cat.FIRST_NAMES[(person_id * 7) % len(cat.FIRST_NAMES)]
            last = cat.LAST_NAMES[(person_id * 13 + person_id // len(cat.FIRST_NAMES)) % len(cat.LAST_NAMES)]
            local = f"{ascii_slug(first)}.{ascii_slug(last)}" + (str(person_id) if person_id > combos else "")
            domain = org.website.removeprefix("https://www.")
            emails = [Contact(f"{local}@{domain}", "work", True)] if rng.random() > 0.05 else []
            if rng.random() < 0.3:
                emails.append(
                    Contact(
                        f"{local}@{rng.choice(('bluewin.ch', 'gmail.com', 'gmx.de'))}", "home", not emails
                    )
                )
            if rng.random() < 0.1:
                emails.append(Contact(f"{ascii_slug(first)[0]}{ascii_slug(last)}@{domain}", "other", False))
            phones = [Contact(phone_number(rng), "work", True)]
            if rng.random() < 0.4:
                phones.append(Contact(phone_number(rng, mobile=True), "mobile", False))
            custom = {}
            role = {
                "Contract officer": "Contract officer",
                "Technical officer": "Technical officer",
                "Programme manager": "Programme manager",
                "Procurement officer": "Procurement",
            }.get(title)
            if role and rng.random() < 0.7:
                custom[role_key] = self.option_id("person", "Role", role)
            if rng.random() < 0.3:
                custom[linkedin_key] = f"https://www.linkedin.com/in/{local.replace('.', '-')}"
            if rng.random() < 0.15 and org.address:
                custom[postal_key] = dict(org.address)
            added = self.moment(rng, max(org.add_time, self.start), self.as_of - timedelta(days=10))
            deleted = person_id > 2 * len(live_orgs) and rng.random() < 0.01
            persons.append(
                Person(
                    id=person_id,
                    name=f"{first} {last}",
                    first_name=first,
                    last_name=last,
                    org_id=org_id,
                    owner_id=self.users[rng.randrange(len(self.users))].id,
                    add_time=added,
                    update_time=self.moment(rng, added, self.as_of),
                    emails=tuple(emails),
                    phones=tuple(phones),
                    job_title=title,
                    label_ids=(5,) if rng.random() < 0.3 else (),
                    is_deleted=deleted,
                    marketing_status=rng.choice(("no_consent", "subscribed", "unsubscribed")),
                    custom=custom,
                )
            )
            if org_id is not None and not deleted:
                self.persons_by_org.setdefault(org_id, []).append(person_id)
        return persons

    # -- leads -------------------------------------------------------------------------------

    def _leads(self) -> list[Lead]:
        count = max(40, self.deal_count // 10)
        lead_start = self.as_of - timedelta(days=365 * 4)
        live_persons = [p for p in self.persons if not p.is_deleted]
        leads = []
        for index in range(count):
            rng = record_rng(self.seed, "lead", index + 1)
            added = lead_start + (self.as_of - lead_start) * ((index + rng.random()) / count)
            person = rng.choice(live_persons)
            shape = rng.random()
            person_id = person.id if shape < 0.85 else None
            org_id = person.org_id if shape < 0.6 or shape >= 0.85 else None
            if person_id is None and org_id is None:
                org_id = self.orgs_by_kind["prime"][index % len(self.orgs_by_kind["prime"])]
            org_name = self.organizations[org_id - 1].name if org_id else person.name
            mission = rng.choice(cat.MISSIONS)
            title = rng.choice(
                (
                    f"{mission} – {rng.choice(cat.SUBSYSTEMS)} opportunity (press)",
                    f"Contact at Space Tech Expo: {org_name}",
                    f"Web form: {org_name}",
                    f"Future mission {mission}, {rng.randint(50, 400)} M",
                )
            )
            archived = added < self.as_of - timedelta(days=365) and rng.random() < 0.3
            custom = {}
            if rng.random() < 0.4:
                custom[self.key("lead", "Opportunity type", "enum")] = self.option_id(
                    "deal", "Opportunity type", "ESA"
                )
            if rng.random() < 0.25:
                custom[self.key("lead", "Mission", "varchar")] = mission
            if rng.random() < 0.2:
                custom[self.key("lead", "Budget estimate", "monetary")] = (
                    Decimal(rng.randint(50, 900) * 1000),
                    "EUR",
                )
            if rng.random() < 0.1:
                begin = added.date() + timedelta(days=rng.randint(30, 200))
                custom[self.key("lead", "Tender period", "daterange")] = (begin, begin + timedelta(days=90))
            labels = tuple(label.id for label in rng.sample(self.lead_labels, rng.randint(0, 2)))
            owner = rng.choice(self.active_user_ids())
            leads.append(
                Lead(
                    id=str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                    title=title,
                    owner_id=owner,
                    creator_id=owner,
                    person_id=person_id,
                    organization_id=org_id,
                    add_time=added,
                    update_time=self.moment(rng, added, self.as_of),
                    label_ids=labels,
                    value=(Decimal(rng.randint(20, 2000) * 1000), rng.choice(("CHF", "EUR")))
                    if rng.random() < 0.5
                    else None,
                    expected_close_date=added.date() + timedelta(days=rng.randint(90, 700))
                    if rng.random() < 0.3
                    else None,
                    source_name=rng.choice(cat.LEAD_SOURCES),
                    origin="ManuallyCreated",
                    is_archived=archived,
                    archive_time=self.moment(rng, added, self.as_of) if archived else None,
                    was_seen=rng.random() < 0.8,
                    custom=custom,
                )
            )
        return leads
