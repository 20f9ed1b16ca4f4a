"""Writes to organizations and persons, with duplicate detection on create."""

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apogee.core.errors import PermissionDenied, ValidationFailed
from apogee.core.events import jsonable, record_event
from apogee.customfields.services import clean_custom_values, merge_custom_values

from .errors import DuplicateSuspected
from .models import Organization, OrganizationRole, Person, PersonEmail
from .normalize import normalize_domain, normalize_email, normalize_name
from .queries import persons_with_emails, similar_organizations, similar_persons

ORGANIZATION_FIELDS = (
    "name",
    "street",
    "postal_code",
    "city",
    "country",
    "vat_number",
    "website",
    "email_domains",
    "roles",
    "owner",
)
PERSON_FIELDS = ("name", "organization", "job_title", "phones", "owner")
DOMAIN_RE = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$")
PHONE_RE = re.compile(r"^\+?[0-9 ()./-]{3,30}$")
# PostgreSQL refuses NUL in text columns (a 500 instead of a field error); forms refuse it, the API did not.
NUL_MESSAGE = gettext_lazy("Text may not contain NUL characters.")


def _ensure_active(actor) -> None:
    if actor is not None and not actor.is_active:
        raise PermissionDenied(_("Inactive users cannot change records."))


def _clean_organization(data: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {}
    for field in ("name", "street", "postal_code", "city", "vat_number"):
        if field in data:
            value = str(data[field] or "").strip()
            limit = Organization._meta.get_field(field).max_length
            if len(value) > limit:
                errors[field] = [_("At most %d characters.") % limit]
            elif "\x00" in value:
                errors[field] = [NUL_MESSAGE]
            cleaned[field] = value
    if "name" in cleaned and not cleaned["name"]:
        errors["name"] = [_("This field is required.")]
    if "country" in data:
        country = str(data["country"] or "").strip().upper()
        if country and not re.fullmatch(r"[A-Z]{2}", country):
            errors["country"] = [_("Use the two-letter ISO code, e.g. CH.")]
        cleaned["country"] = country
    if "website" in data:
        website = str(data["website"] or "").strip()
        if website and "://" not in website:
            website = "https://" + website
        limit = Organization._meta.get_field("website").max_length
        if website:
            try:
                URLValidator(schemes=["http", "https"])(website)
            except ValidationError:
                errors["website"] = [_("Enter a valid web address.")]
            else:
                # URLValidator allows 2048 characters and a NUL in the path; the column takes neither.
                if len(website) > limit:
                    errors["website"] = [_("At most %d characters.") % limit]
                elif "\x00" in website:
                    errors["website"] = [_("Enter a valid web address.")]
        cleaned["website"] = website
    if "email_domains" in data:
        raw = data["email_domains"]
        items = raw.split(",") if isinstance(raw, str) else list(raw or [])
        domains = [normalize_domain(str(d)) for d in items if str(d).strip()]
        bad = [d for d in domains if not DOMAIN_RE.match(d)]
        if bad:
            errors["email_domains"] = [_("Not a domain: %s") % ", ".join(bad)]
        cleaned["email_domains"] = list(dict.fromkeys(domains))
    if "roles" in data:
        roles = list(data["roles"] or [])
        bad = [r for r in roles if r not in OrganizationRole.values]
        if bad:
            errors["roles"] = [_("Unknown role: %s") % ", ".join(map(str, bad))]
        cleaned["roles"] = [r for r in OrganizationRole.values if r in roles]
    if "owner" in data:
        cleaned["owner"] = data["owner"]
    if errors:
        raise ValidationFailed(_("Some fields are invalid."), fields=errors)
    return cleaned


def _all_or_errors(*steps):
    """Run every validation step and report all their field errors at once, not the first group only."""
    results, fields = [], {}
    for step in steps:
        try:
            results.append(step())
        except ValidationFailed as error:
            fields.update(error.fields)
            results.append(None)
    if fields:
        raise ValidationFailed(_("Some fields are invalid."), fields=fields)
    return results


def _diff_and_set(obj, cleaned: dict[str, Any]) -> dict[str, list]:
    diff = {}
    for field, value in cleaned.items():
        old = getattr(obj, field)
        if old != value:
            diff[field] = [jsonable(old), jsonable(value)]
            setattr(obj, field, value)
    return diff


@transaction.atomic
def create_organization(
    *, actor, name: str, allow_duplicate: bool = False, custom_values: dict | None = None, **fields: Any
) -> Organization:
    """Create an organization; raises DuplicateSuspected when the normalized name exists,
    unless the user confirmed with allow_duplicate."""
    _ensure_active(actor)
    unknown = set(fields) - set(ORGANIZATION_FIELDS)
    if unknown:
        raise ValidationFailed(
            _("Unknown fields."), fields={k: [_("Unknown field.")] for k in sorted(unknown)}
        )
    cleaned, values = _all_or_errors(
        lambda: _clean_organization({"name": name, **fields}),
        lambda: merge_custom_values(
            {}, clean_custom_values(entity="organization", values=custom_values or {})
        ),
    )
    if not allow_duplicate:
        existing = similar_organizations(cleaned["name"])
        if existing:
            raise DuplicateSuspected(candidates=existing, reason=_("same name"))
    organization = Organization(normalized_name=normalize_name(cleaned["name"]), custom_values=values)
    _diff_and_set(organization, cleaned)
    organization.save()
    record_event("organization.created", subject=organization, actor=actor, data={"name": organization.name})
    return organization


@transaction.atomic
def update_organization(*, organization: Organization, actor, changes: dict[str, Any]) -> Organization:
    _ensure_active(actor)
    unknown = set(changes) - set(ORGANIZATION_FIELDS) - {"custom_values"}
    if unknown:
        raise ValidationFailed(
            _("Unknown fields."), fields={k: [_("Unknown field.")] for k in sorted(unknown)}
        )
    cleaned = _clean_organization({k: v for k, v in changes.items() if k != "custom_values"})
    organization = Organization.objects.select_for_update().get(pk=organization.pk)
    diff = _diff_and_set(organization, cleaned)
    if "custom_values" in changes:
        merged = merge_custom_values(
            organization.custom_values,
            clean_custom_values(entity="organization", values=changes["custom_values"]),
        )
        for key in sorted(set(merged) | set(organization.custom_values)):
            if merged.get(key) != organization.custom_values.get(key):
                diff[f"custom.{key}"] = [organization.custom_values.get(key), merged.get(key)]
        organization.custom_values = merged
    if diff:
        organization.normalized_name = normalize_name(organization.name)
        organization.save()
        record_event("organization.updated", subject=organization, actor=actor, data={"changes": diff})
    return organization


def _clean_person(data: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {}
    if "name" in data:
        name = " ".join(str(data["name"] or "").split())
        if not name:
            errors["name"] = [_("This field is required.")]
        elif len(name) > 200:
            errors["name"] = [_("At most 200 characters.")]
        elif "\x00" in name:
            errors["name"] = [NUL_MESSAGE]
        cleaned["name"] = name
    if "job_title" in data:
        title = str(data["job_title"] or "").strip()
        if len(title) > 150:
            errors["job_title"] = [_("At most 150 characters.")]
        elif "\x00" in title:
            errors["job_title"] = [NUL_MESSAGE]
        cleaned["job_title"] = title
    if "organization" in data:
        if data["organization"] is not None and not isinstance(data["organization"], Organization):
            errors["organization"] = [_("Choose an organization.")]
        cleaned["organization"] = data["organization"]
    if "phones" in data:
        raw = data["phones"]
        phones = [
            str(p).strip() for p in (raw.split(",") if isinstance(raw, str) else raw or []) if str(p).strip()
        ]
        bad = [p for p in phones if not PHONE_RE.match(p)]
        if bad:
            errors["phones"] = [_("Not a phone number: %s") % ", ".join(bad)]
        cleaned["phones"] = phones
    if "owner" in data:
        cleaned["owner"] = data["owner"]
    if errors:
        raise ValidationFailed(_("Some fields are invalid."), fields=errors)
    return cleaned


def _clean_emails(emails: Any) -> list[str]:
    items = emails.split(",") if isinstance(emails, str) else list(emails or [])
    addresses = [normalize_email(str(e)) for e in items if str(e).strip()]
    validator = EmailValidator()
    limit = PersonEmail._meta.get_field("address").max_length
    bad = []
    for address in addresses:
        try:
            validator(address)
        except ValidationError:
            bad.append(address)
        else:
            # EmailValidator allows 320 characters; the column (and RFC 5321) holds 254.
            if len(address) > limit:
                bad.append(address)
    if bad:
        raise ValidationFailed(
            _("Invalid e-mail."), fields={"emails": [_("Not an e-mail address: %s") % ", ".join(bad)]}
        )
    return list(dict.fromkeys(addresses))


def _set_emails(person: Person, addresses: list[str]) -> None:
    person.emails.exclude(address__in=addresses).delete()
    existing = set(person.emails.values_list("address", flat=True))
    for index, address in enumerate(addresses):
        if address not in existing:
            PersonEmail.objects.create(person=person, address=address, is_primary=False)
        PersonEmail.objects.filter(person=person, address=address).update(is_primary=index == 0)


@transaction.atomic
def create_person(
    *,
    actor,
    name: str,
    emails: Any = (),
    allow_duplicate: bool = False,
    custom_values: dict | None = None,
    **fields: Any,
) -> Person:
    """Create a person; raises DuplicateSuspected when an e-mail or the normalized name exists,
    unless the user confirmed with allow_duplicate."""
    _ensure_active(actor)
    unknown = set(fields) - set(PERSON_FIELDS)
    if unknown:
        raise ValidationFailed(
            _("Unknown fields."), fields={k: [_("Unknown field.")] for k in sorted(unknown)}
        )
    cleaned, addresses, values = _all_or_errors(
        lambda: _clean_person({"name": name, **fields}),
        lambda: _clean_emails(emails),
        lambda: merge_custom_values({}, clean_custom_values(entity="person", values=custom_values or {})),
    )
    if not allow_duplicate:
        same_email = persons_with_emails(addresses)
        if same_email:
            raise DuplicateSuspected(candidates=same_email, reason=_("same e-mail"), field="emails")
        same_name = similar_persons(cleaned["name"])
        if same_name:
            raise DuplicateSuspected(candidates=same_name, reason=_("same name"))
    person = Person(normalized_name=normalize_name(cleaned["name"]), custom_values=values)
    _diff_and_set(person, cleaned)
    person.save()
    _set_emails(person, addresses)
    record_event(
        "person.created", subject=person, actor=actor, data={"name": person.name, "emails": addresses}
    )
    return person


@transaction.atomic
def update_person(*, person: Person, actor, changes: dict[str, Any]) -> Person:
    _ensure_active(actor)
    unknown = set(changes) - set(PERSON_FIELDS) - {"custom_values", "emails"}
    if unknown:
        raise ValidationFailed(
            _("Unknown fields."), fields={k: [_("Unknown field.")] for k in sorted(unknown)}
        )
    cleaned = _clean_person({k: v for k, v in changes.items() if k not in ("custom_values", "emails")})
    person = Person.objects.select_for_update().get(pk=person.pk)
    diff = _diff_and_set(person, cleaned)
    if "emails" in changes:
        addresses = _clean_emails(changes["emails"])
        old = list(person.emails.values_list("address", flat=True))
        if addresses != old:
            diff["emails"] = [old, addresses]
            _set_emails(person, addresses)
    if "custom_values" in changes:
        merged = merge_custom_values(
            person.custom_values, clean_custom_values(entity="person", values=changes["custom_values"])
        )
        for key in sorted(set(merged) | set(person.custom_values)):
            if merged.get(key) != person.custom_values.get(key):
                diff[f"custom.{key}"] = [person.custom_values.get(key), merged.get(key)]
        person.custom_values = merged
    if diff:
        person.normalized_name = normalize_name(person.name)
        person.save()
        record_event("person.updated", subject=person, actor=actor, data={"changes": diff})
    return person


def _ensure_may_delete(actor, record) -> None:
    # Contacts are shared by everyone: deleting one is for its owner, managers and administrators.
    if actor is None:
        return
    if not (
        actor.is_workspace_admin or actor.is_manager or (record.owner_id and record.owner_id == actor.pk)
    ):
        raise PermissionDenied(_("Only the owner, a manager or an administrator deletes this record."))


@transaction.atomic
def delete_organization(*, organization: Organization, actor) -> Organization:
    """Take the organization out of lists and pickers; its deals and persons keep their link to it."""
    _ensure_may_delete(actor, organization)
    return _set_deleted(organization, actor, deleted=True, event="organization.deleted")


@transaction.atomic
def restore_organization(*, organization: Organization, actor) -> Organization:
    _ensure_may_delete(actor, organization)
    return _set_deleted(organization, actor, deleted=False, event="organization.restored")


@transaction.atomic
def delete_person(*, person: Person, actor) -> Person:
    _ensure_may_delete(actor, person)
    return _set_deleted(person, actor, deleted=True, event="person.deleted")


@transaction.atomic
def restore_person(*, person: Person, actor) -> Person:
    _ensure_may_delete(actor, person)
    return _set_deleted(person, actor, deleted=False, event="person.restored")


def _set_deleted(record, actor, *, deleted: bool, event: str):
    record = type(record).objects.select_for_update().get(pk=record.pk)
    if (record.deleted_at is not None) != deleted:
        record.deleted_at = timezone.now() if deleted else None
        record.save(update_fields=["deleted_at", "updated_at"])
        record_event(event, subject=record, actor=actor, data={"name": record.name})
    return record
