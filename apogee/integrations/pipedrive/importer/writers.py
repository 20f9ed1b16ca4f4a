"""One Pipedrive record → Apogee service calls, in two steps.

`prepare(record)` decides everything: it resolves references, reads what else the source
holds about the record (a deal's flow and products, over the network), builds the plan and
creates the structure the plan needs (fields, options, lost reasons). It raises Refused with
the reason when the record cannot be written. `write(prepared, existing_id)` then calls the
services only, inside the runner's transaction, so a record is written whole or not at all.
Dry runs stop after `prepare`.

Migrated records keep their original moments: services stamp "now", so `backdate` sets
created_at (and done_at for activities) afterwards — the one write here that bypasses a
service, because no service offers to rewrite when something happened, and none should.
"""

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, time
from typing import Any

from django.core.exceptions import ObjectDoesNotExist

from apogee.activities.models import Activity
from apogee.activities.services import (
    create_activity,
    mark_activity_done,
    mark_activity_undone,
    update_activity,
)
from apogee.contacts.models import Organization, Person, PersonEmail
from apogee.contacts.normalize import normalize_name
from apogee.contacts.services import (
    create_organization,
    create_person,
    delete_person,
    update_organization,
    update_person,
)
from apogee.core.errors import ValidationFailed
from apogee.deals.models import Deal, DealParticipant, ParticipantRole
from apogee.deals.services import add_participant, delete_deal, import_deal
from apogee.integrations.pipedrive import records as r
from apogee.integrations.pipedrive.exportfiles.rows import normal_name
from apogee.integrations.pipedrive.importer.links import Links
from apogee.integrations.pipedrive.importer.workspace import Workspace
from apogee.integrations.pipedrive.mapping import CustomValues, Issue, Legacy, custom_values, deal_plan
from apogee.integrations.pipedrive.restructuring import RestructuringMap
from apogee.leads.models import Lead, LeadSource, LeadStatus
from apogee.leads.services import archive_leads, create_lead, update_lead
from apogee.notes.models import Note
from apogee.notes.sanitize import sanitize_note_html
from apogee.notes.services import add_note, edit_note, pin_note

COUNTRIES = {
    "switzerland": "CH", "schweiz": "CH", "suisse": "CH", "svizzera": "CH",
    "france": "FR", "germany": "DE", "deutschland": "DE", "allemagne": "DE",
    "italy": "IT", "italia": "IT", "italie": "IT", "spain": "ES", "espana": "ES", "espagne": "ES",
    "netherlands": "NL", "the netherlands": "NL", "pays-bas": "NL", "belgium": "BE", "belgique": "BE",
    "austria": "AT", "osterreich": "AT", "autriche": "AT", "united kingdom": "GB", "uk": "GB",
    "royaume-uni": "GB", "sweden": "SE", "suede": "SE", "norway": "NO", "norvege": "NO",
    "denmark": "DK", "finland": "FI", "portugal": "PT", "poland": "PL", "pologne": "PL",
    "luxembourg": "LU", "ireland": "IE", "czech republic": "CZ", "czechia": "CZ",
    "united states": "US", "usa": "US", "etats-unis": "US", "canada": "CA", "japan": "JP",
}  # fmt: skip
PHONE_OK = re.compile(r"^\+?[0-9 ()./-]{3,30}$")
TAGS = re.compile(r"<[^>]+>")


class Refused(Exception):
    """The record cannot be written; `level` is error or unmapped."""

    def __init__(self, message: str, level: str = "error"):
        super().__init__(message)
        self.message = message
        self.level = level


@dataclass
class Prepared:
    values: dict[str, Any]
    issues: list[Issue] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)


def _moment(value: datetime | None) -> datetime | None:
    return value.astimezone(UTC) if value else None


def backdate(model, pk: int, **moments: datetime | None) -> None:
    moments = {name: value for name, value in moments.items() if value is not None}
    if moments:
        model.objects.filter(pk=pk).update(**moments)


def _country(name: str) -> str:
    text = " ".join((name or "").strip().casefold().split())
    if re.fullmatch(r"[a-z]{2}", text):
        return text.upper()
    return COUNTRIES.get(text, "")


class Writers:
    def __init__(
        self, *, ws: Workspace, links: Links, the_map: RestructuringMap, legacy: Legacy, source, run_id: int
    ):
        self.ws = ws
        self.links = links
        self.the_map = the_map
        self.legacy = legacy
        self.source = source
        self.run_id = run_id
        self._by_name: dict[tuple[str, str], int | None] = {}
        self.legacy_lead_labels: dict[str, str] = {}  # Pipedrive label id → name
        self._references: dict[tuple[type, int], Any] = {}

    # -- references -----------------------------------------------------------------------------

    def owner(self, ref: r.Ref, issues: list[Issue]):
        legacy_user = self.legacy.users.get(ref.id) if ref.id else None
        username = self.the_map.user_for(
            legacy_user.name if legacy_user else ref.name, legacy_user.email if legacy_user else None
        )
        user = self.ws.user(username)
        if user is None:
            raise Refused(f"No Apogee user for the legacy owner “{ref.name or ref.id or '—'}”.", "unmapped")
        return user

    def resolve(self, entity: str, ref: r.Ref, issues: list[Issue] | None = None) -> int | None:
        """The local id of a referenced record: by Pipedrive id, else by name; 0 = planned in a dry run."""
        if not ref:
            return None
        for source_id in (ref.id, f"name:{normal_name(ref.name)}" if ref.name else None):
            local = self.links.get(entity, source_id)
            if local is not None:
                return local
            if self.ws.dry_run and self.links.knows(entity, source_id):
                return 0
        if ref.name and entity in ("organization", "person"):
            found = self._by_normalized_name(entity, ref.name)
            if found is not None:
                return found
        if issues is not None:
            issues.append(Issue("warning", f"{entity} “{ref.name or ref.id}” not found: link left out"))
        return None

    def _by_normalized_name(self, entity: str, name: str) -> int | None:
        key = (entity, normalize_name(name))
        if key not in self._by_name:
            model = Organization if entity == "organization" else Person
            self._by_name[key] = (
                model.objects.filter(normalized_name=key[1], deleted_at__isnull=True)
                .order_by("id")
                .values_list("id", flat=True)
                .first()
            )
        return self._by_name[key]

    def _object(self, model, pk: int | None):
        if not pk:
            return None
        try:
            return model.objects.get(pk=pk)
        except ObjectDoesNotExist:
            return None

    def _referenced(self, model, pk: int | None):
        """A record another one points to (an activity's deal): read once, kept for the next ones.

        Only its id and trash state matter to the services that take it; a bounded cache keeps a
        100k-deal import from holding every deal in memory."""
        if not pk:
            return None
        key = (model, pk)
        if key not in self._references:
            if len(self._references) > 20_000:
                self._references.clear()
            self._references[key] = self._object(model, pk)
        return self._references[key]

    def _custom(self, entity: str, record, issues: list[Issue]) -> CustomValues:
        out = custom_values(
            entity,
            record.custom,
            legacy_fields=self.legacy.fields.get(entity, {}),
            targets=self.ws.targets.setdefault(entity, {}),
            the_map=self.the_map,
            reserved=self.ws.reserved,
        )
        if out.refused:
            raise Refused(out.issues[-1].message, "unmapped")
        self._settle(entity, out, issues)
        return out

    def _settle(self, entity: str, out: CustomValues, issues: list[Issue]) -> None:
        """Resolve reference values, create the fields and options the values need."""
        for key, value in list(out.values.items()):
            if isinstance(value, r.Ref):
                kind = self.ws.targets[entity][key].field_type
                if kind == "user":
                    user = self.ws.user(self.the_map.user_for(value.name))
                    out.values[key] = user.pk if user else None
                elif kind in ("organization", "person"):
                    out.values[key] = self.resolve(kind, value, issues)
                else:
                    out.values[key] = value.name or value.id
                if out.values[key] in (None, 0):
                    out.values.pop(key)
        if entity not in ("deal", "person", "organization", "lead"):
            return
        self.ws.ensure_fields(entity, list(out.values), out.new_options)
        issues.extend(out.issues)

    # -- organizations and persons ----------------------------------------------------------------

    def merge_target(self, entity: str, record) -> int | None:
        """An Apogee record this new Pipedrive record is taken to be: an organization of the same
        name, a person with one of its e-mails — that no Pipedrive record stands for already (two
        Pipedrive records of one name stay two). The import then links to it and fills in only
        what it lacks, rather than creating a duplicate."""
        if entity == "organization":
            candidates = Organization.objects.filter(normalized_name=normalize_name(record.name))
        elif entity == "person":
            addresses = [c.value.strip().lower() for c in record.emails if c.value]
            if not addresses:
                return None
            candidates = Person.objects.filter(emails__address__in=addresses)
        else:
            return None
        linked = self.links.linked_ids(entity)
        for pk in candidates.filter(deleted_at__isnull=True).order_by("id").values_list("pk", flat=True)[:20]:
            if pk not in linked:
                return pk
        return None

    def prepare_organization(self, record: r.Organization) -> Prepared:
        issues: list[Issue] = []
        custom = self._custom("organization", record, issues)
        values: dict[str, Any] = {"name": record.name, "owner": self.owner(record.owner, issues)}
        if record.address:
            address = record.address
            street = " ".join(p for p in (address.route, address.street_number) if p)
            values.update(
                street=street[:200], postal_code=address.postal_code[:20], city=address.locality[:100]
            )
            country = _country(address.country)
            if address.country and not country:
                issues.append(Issue("warning", f"country “{address.country}” not recognised: left empty"))
            values["country"] = country
            if not street and address.value and not address.locality:
                values["street"] = address.value[:200]
        if record.website:
            values["website"] = record.website
        for name, value in custom.builtins.items():
            values[name] = _country(str(value)) if name == "country" else str(value)
        return Prepared(values, issues, {"custom": custom.values, "add_time": _moment(record.add_time)})

    def write_organization(
        self, prepared: Prepared, existing: int | None, *, merge: bool = False
    ) -> Organization:
        values, custom = dict(prepared.values), prepared.extra["custom"]
        organization = self._object(Organization, existing)
        if merge and organization is not None:
            # Fill in what the Apogee record lacks; what it has stays as the team entered it.
            values = {k: v for k, v in values.items() if k != "name" and not getattr(organization, k)}
            custom = {k: v for k, v in custom.items() if k not in organization.custom_values}
        try:
            if organization is None:
                organization = create_organization(
                    actor=None, allow_duplicate=True, custom_values=custom, **values
                )
                backdate(Organization, organization.pk, created_at=prepared.extra["add_time"])
                return organization
            return update_organization(
                organization=organization, actor=None, changes={**values, "custom_values": custom}
            )
        except ValidationFailed as error:
            if "website" in error.fields and values.pop("website", None) is not None:
                prepared.issues.append(Issue("warning", f"website left out: {error.fields_text()}"))
                prepared.values = {k: v for k, v in prepared.values.items() if k != "website"}
                return self.write_organization(prepared, existing, merge=merge)
            raise

    def prepare_person(self, record: r.Person) -> Prepared:
        issues: list[Issue] = []
        custom = self._custom("person", record, issues)
        emails = [c.value.strip() for c in sorted(record.emails, key=lambda c: not c.primary) if c.value]
        phones = []
        for phone in sorted(record.phones, key=lambda c: not c.primary):
            if phone.value and PHONE_OK.match(phone.value.strip()):
                phones.append(phone.value.strip())
            elif phone.value:
                issues.append(Issue("warning", f"phone “{phone.value}” is not a phone number: left out"))
        organization_id = self.resolve("organization", record.organization, issues)
        values = {
            "name": record.name or " ".join(p for p in (record.first_name, record.last_name) if p),
            "emails": emails,
            "phones": phones,
            "job_title": (record.job_title or str(custom.builtins.get("job_title", "")))[:150],
            "owner": self.owner(record.owner, issues),
        }
        labels = {c.value.strip().lower(): c.label for c in record.emails if c.value and c.label}
        return Prepared(
            values,
            issues,
            {
                "custom": custom.values,
                "organization": organization_id,
                "labels": labels,
                "add_time": _moment(record.add_time),
                "deleted": record.is_deleted,
            },
        )

    def write_person(self, prepared: Prepared, existing: int | None, *, merge: bool = False) -> Person:
        values = dict(prepared.values)
        values["organization"] = self._referenced(Organization, prepared.extra["organization"])
        custom = prepared.extra["custom"]
        person = self._object(Person, existing)
        if merge and person is not None:
            current_emails = list(person.emails.values_list("address", flat=True))
            merged = {
                "emails": list(dict.fromkeys(current_emails + [e.lower() for e in values["emails"]])),
                "phones": list(dict.fromkeys(person.phones + values["phones"])),
            }
            for name in ("job_title", "organization", "owner"):
                if not getattr(person, name):
                    merged[name] = values[name]
            values = merged
            custom = {k: v for k, v in custom.items() if k not in person.custom_values}
        try:
            if person is None:
                emails = values.pop("emails")
                person = create_person(
                    actor=None,
                    allow_duplicate=True,
                    emails=emails,
                    custom_values=prepared.extra["custom"],
                    **values,
                )
                backdate(Person, person.pk, created_at=prepared.extra["add_time"])
            else:
                person = update_person(person=person, actor=None, changes={**values, "custom_values": custom})
        except ValidationFailed as error:
            if "emails" in error.fields and prepared.values["emails"]:
                prepared.issues.append(Issue("warning", f"e-mails left out: {error.fields_text()}"))
                prepared.values = {**prepared.values, "emails": []}
                return self.write_person(prepared, existing, merge=merge)
            raise
        for address, label in prepared.extra["labels"].items():
            PersonEmail.objects.filter(person=person, address=address).exclude(label=label[:20]).update(
                label=label[:20]
            )
        if prepared.extra["deleted"] and person.deleted_at is None:
            delete_person(person=person, actor=None)
        return person

    # -- deals ---------------------------------------------------------------------------------------

    def prepare_deal(self, record: r.Deal) -> Prepared:
        issues: list[Issue] = []
        flow = self.source.flow(record) if not self.ws.dry_run and hasattr(self.source, "flow") else []
        plan = deal_plan(
            record,
            flow=flow,
            legacy=self.legacy,
            targets=self.ws.targets.setdefault("deal", {}),
            the_map=self.the_map,
            reserved=self.ws.reserved,
        )
        if isinstance(plan, Issue):
            raise Refused(plan.message, plan.level)
        currency = (plan.currency or "").upper()
        if currency not in self.ws.currencies:
            raise Refused(
                f"currency “{plan.currency}” is not one of the workspace's currencies "
                f"({', '.join(sorted(self.ws.currencies))})"
            )
        issues.extend(plan.issues)
        custom = plan.custom
        self._settle("deal", custom, [])
        history = [(self.ws.stage(plan.pipeline, name), at) for name, at in plan.history]
        values = {
            "title": plan.title,
            "pipeline": self.ws.pipelines[plan.pipeline],
            "history": history,
            "owner": self.owner(record.owner, issues),
            "status": plan.status,
            "value": plan.value,
            "currency": currency,
            "expected_close_date": plan.expected_close_date,
            "won_at": plan.won_at,
            "lost_at": plan.lost_at,
            "lost_reason": self.ws.lost_reason(plan.lost_reason or "Other")
            if plan.status == "lost"
            else None,
            "tender_reference": str(custom.builtins.get("tender_reference", ""))[:80],
            "change_notice": self.ws.pipelines[plan.pipeline] == self.ws.change_notice_pipeline,
            "custom_values": custom.values,
        }
        products = []
        if not self.ws.dry_run and hasattr(self.source, "deal_products"):
            products = self.source.deal_products(record)
        return Prepared(
            values,
            issues,
            {
                "organization": self.resolve("organization", record.organization, issues),
                "person": self.resolve("person", record.person, issues),
                "deleted": plan.deleted,
                "products": products,
                "legacy_pipeline": self.legacy.pipeline_name(record.pipeline) or "",
            },
        )

    def write_deal(self, prepared: Prepared, existing: int | None) -> Deal:
        values = dict(prepared.values)
        values["organization"] = self._referenced(Organization, prepared.extra["organization"])
        deal = self._object(Deal, existing)
        if deal is not None and deal.pipeline_id != values["pipeline"].pk:
            raise Refused(
                f"already imported into “{deal.pipeline}”; the map now sends it to “{values['pipeline']}”"
            )
        deal = import_deal(deal=deal, **values)
        person = self._referenced(Person, prepared.extra["person"])
        if person is not None and not DealParticipant.objects.filter(deal=deal, person=person).exists():
            add_participant(deal=deal, person=person, role=ParticipantRole.OTHER, actor=None)
        if prepared.extra["products"]:
            self._write_deal_products(deal, prepared.extra["products"], prepared.issues)
        if prepared.extra["deleted"] and deal.deleted_at is None:
            delete_deal(deal=deal, actor=None)
        return deal

    def _write_deal_products(self, deal: Deal, lines: list[r.DealProduct], issues: list[Issue]) -> None:
        from apogee.products.models import Product
        from apogee.products.services import add_deal_product

        for line in lines:
            if self.links.get("deal_product", line.source_id):
                continue
            product = self._object(Product, self.resolve("product", line.product))
            if product is None:
                issues.append(Issue("warning", f"product “{line.product.name or line.product.id}” not found"))
                continue
            added = add_deal_product(
                actor=None,
                deal=deal,
                product=product,
                quantity=line.quantity,
                item_price=line.item_price,
                currency=line.currency or deal.currency,
                discount_percent=line.discount,
            )
            self.links.save("deal_product", line.source_id, added.pk, "", self.run_id)

    # -- products ------------------------------------------------------------------------------------

    def prepare_product(self, record: r.Product) -> Prepared:
        issues: list[Issue] = []
        if record.custom:
            issues.append(Issue("unmapped", "custom fields of products are not imported (Apogee has none)"))
        prices = [{"amount": p.amount, "currency": p.currency.upper()} for p in record.prices if p.currency]
        seen, unique = set(), []
        for price in prices:
            if price["currency"] not in seen:
                seen.add(price["currency"])
                unique.append(price)
        return Prepared(
            {
                "name": record.name,
                "code": record.code[:60],
                "unit": record.unit[:30],
                "prices": unique,
                "is_active": not record.is_deleted,
            },
            issues,
        )

    def write_product(self, prepared: Prepared, existing: int | None):
        from apogee.products.models import Product
        from apogee.products.services import create_product, update_product

        product = self._object(Product, existing)
        values = dict(prepared.values)
        if product is None:
            if values["code"] and Product.objects.filter(code=values["code"]).exists():
                prepared.issues.append(Issue("warning", f"code “{values['code']}” already used: left out"))
                values["code"] = ""
            return create_product(actor=None, **values)
        return update_product(actor=None, product=product, changes=values)

    # -- leads ---------------------------------------------------------------------------------------

    def prepare_lead(self, record: r.Lead) -> Prepared:
        issues: list[Issue] = []
        custom = self._custom("lead", record, issues)
        labels = []
        for ref in record.labels:
            name = ref.name or self.legacy_lead_labels.get(ref.id or "", "")
            if name:
                label = self.ws.lead_label(name)
                if label is not None:
                    labels.append(label)
            else:
                issues.append(Issue("warning", f"lead label {ref.id} unknown: left out"))
        value = record.value
        if value is not None and value.currency.upper() not in self.ws.currencies:
            issues.append(Issue("warning", f"currency “{value.currency}” unknown: expected value left out"))
            value = None
        return Prepared(
            {
                "title": record.title,
                "owner": self.owner(record.owner, issues),
                "expected_value": value.amount if value else None,
                "currency": value.currency.upper() if value else "CHF",
                "custom_values": custom.values,
                "labels": labels,
            },
            issues,
            {
                "organization": self.resolve("organization", record.organization, issues),
                "person": self.resolve("person", record.person, issues),
                "archived": record.is_archived,
                "converted_deal": self.resolve("deal", record.converted_deal)
                if record.converted_deal
                else None,
                "add_time": _moment(record.add_time),
            },
        )

    def write_lead(self, prepared: Prepared, existing: int | None) -> Lead:
        values = dict(prepared.values)
        organization = self._referenced(Organization, prepared.extra["organization"])
        person = self._referenced(Person, prepared.extra["person"])
        lead = self._object(Lead, existing)
        if lead is None:
            lead = create_lead(
                actor=None, organization=organization, person=person, source=LeadSource.IMPORT, **values
            )
            backdate(Lead, lead.pk, created_at=prepared.extra["add_time"])
        else:
            lead = update_lead(
                lead=lead, actor=None, changes={**values, "organization": organization, "person": person}
            )
        if prepared.extra["archived"] and lead.status == LeadStatus.OPEN:
            archive_leads(lead_ids=[lead.pk], actor=None)
        return lead

    # -- activities and notes ------------------------------------------------------------------------

    def _targets(self, record, issues: list[Issue]) -> dict[str, Any]:
        found = {
            "deal": self._referenced(Deal, self.resolve("deal", record.deal, issues)),
            "lead": self._referenced(Lead, self.resolve("lead", record.lead, issues)),
            "person": self._referenced(Person, self.resolve("person", record.person, issues)),
            "organization": self._referenced(
                Organization, self.resolve("organization", record.organization, issues)
            ),
        }
        if found["deal"] is not None and found["deal"].deleted_at is not None:
            raise Refused("its deal is in the trash (deleted in Pipedrive)", "warning")
        return found

    def prepare_activity(self, record: r.Activity) -> Prepared:
        issues: list[Issue] = []
        kind = self.ws.activity_type(record.type.id or "", record.type.name or "")
        if kind is None and not self.ws.dry_run:
            raise Refused(f"activity type “{record.type.name or record.type.id}” unknown")
        if record.due_date is None:
            raise Refused("the activity has no due date")
        due: Any = record.due_date
        if record.due_time:
            hours, minutes = (int(part) for part in record.due_time.split(":")[:2])
            due = datetime.combine(record.due_date, time(hours, minutes), tzinfo=UTC)
        note = " ".join(TAGS.sub(" ", sanitize_note_html(record.note or "")).split())
        participants = [p for p in (self.resolve("person", ref) for ref in record.participants) if p]
        return Prepared(
            {
                "type": kind,
                "subject": record.subject or (kind.label_en if kind else "—"),
                "due": due,
                "owner": self.owner(record.owner, issues),
                "duration_minutes": record.duration_minutes or None,
                "note": note[:5000],
            },
            issues,
            {
                "record": record,
                "participants": participants,
                "done": record.done,
                "done_at": _moment(record.done_time or record.update_time),
                "add_time": _moment(record.add_time),
            },
        )

    def write_activity(self, prepared: Prepared, existing: int | None) -> Activity:
        targets = self._targets(prepared.extra["record"], prepared.issues)
        persons = [p for p in (self._referenced(Person, pk) for pk in prepared.extra["participants"]) if p]
        activity = self._object(Activity, existing)
        done_at = (
            (prepared.extra["done_at"] or prepared.extra["add_time"]) if prepared.extra["done"] else None
        )
        if activity is None:
            activity = create_activity(
                actor=None, attendee_persons=persons, done_at=done_at, **prepared.values, **targets
            )
            backdate(Activity, activity.pk, created_at=prepared.extra["add_time"])
            return activity
        activity = update_activity(activity=activity, actor=None, changes={**prepared.values, **targets})
        if done_at is not None and not activity.is_done:
            activity = mark_activity_done(activity=activity, actor=None)
            backdate(Activity, activity.pk, done_at=done_at)
        elif done_at is None and activity.is_done:
            activity = mark_activity_undone(activity=activity, actor=None)
        return activity

    def prepare_note(self, record: r.Note) -> Prepared:
        issues: list[Issue] = []
        body = sanitize_note_html(record.content or "")
        if not TAGS.sub("", body).strip():
            raise Refused("the note is empty", "warning")
        return Prepared(
            {"body": body},
            issues,
            {
                "record": record,
                "author": self.owner(record.user, issues),
                "pinned": record.pinned,
                "add_time": _moment(record.add_time),
            },
        )

    def write_note(self, prepared: Prepared, existing: int | None) -> Note:
        note = self._object(Note, existing)
        if note is not None:
            return edit_note(note=note, body=prepared.values["body"], actor=None)
        targets = self._targets(prepared.extra["record"], prepared.issues)
        target = next((t for t in targets.values() if t is not None), None)
        if target is None:
            raise Refused("the note is attached to nothing Apogee holds", "warning")
        note = add_note(
            target=target, body=prepared.values["body"], actor=None, author=prepared.extra["author"]
        )
        backdate(Note, note.pk, created_at=prepared.extra["add_time"])
        if prepared.extra["pinned"]:
            note = pin_note(note=note, actor=None)
        return note


def writer_for(writers: Writers, entity: str):
    """The (prepare, write) pair of an entity."""
    return getattr(writers, f"prepare_{entity}"), getattr(writers, f"write_{entity}")
