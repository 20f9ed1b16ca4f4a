"""JSON API of contacts: organizations and persons, listed, read, created and edited.

Every active user sees every contact (queries.py); writes go through services.py,
which detects duplicates (409 duplicate_suspected unless allow_duplicate is true).
"""

from datetime import datetime
from typing import Annotated, Any

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from pydantic import ConfigDict

from apogee.accounts.models import User
from apogee.accounts.queries import active_users
from apogee.core.errors import ValidationFailed

from . import queries, services
from .models import Organization, OrganizationRole, Person

router = Router(tags=["contacts"])

MAX_LIMIT = 500
MAX_OFFSET = 2**31 - 1


class Input(Schema):
    # A misspelt field is refused (422), not silently dropped.
    model_config = ConfigDict(extra="forbid", use_enum_values=True)


class ListQuery(Schema):
    q: str = Field("", description="Name contains (persons: or an e-mail address).")
    limit: int = Field(100, ge=1, le=MAX_LIMIT)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)


class OrganizationOut(Schema):
    id: int
    name: str
    street: str
    postal_code: str
    city: str
    country: str
    vat_number: str
    website: str
    email_domains: list[str]
    roles: list[str]
    owner_id: int | None
    custom_fields: dict[str, Any]
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_custom_fields(organization: Organization) -> dict[str, Any]:
        return organization.custom_values


class OrganizationPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[OrganizationOut]


class OrganizationPatch(Input):
    name: str | None = None
    street: str | None = None
    postal_code: str | None = None
    city: str | None = None
    country: str | None = Field(None, description="ISO code, e.g. CH.")
    vat_number: str | None = None
    website: str | None = Field(None, max_length=200)
    email_domains: list[str] | None = None
    roles: list[OrganizationRole] | None = None
    owner_id: int | None = None
    custom_fields: dict[str, Any] | None = Field(None, description="Merged; an empty value clears a field.")


class OrganizationCreate(OrganizationPatch):
    name: str
    allow_duplicate: bool = Field(False, description="Create even if a similar organization exists.")


class PersonOut(Schema):
    id: int
    name: str
    organization_id: int | None
    job_title: str
    emails: list[str] = Field(..., description="The primary address first.")
    phones: list[str]
    owner_id: int | None
    custom_fields: dict[str, Any]
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_emails(person: Person) -> list[str]:
        return [email.address for email in person.emails.all()]

    @staticmethod
    def resolve_custom_fields(person: Person) -> dict[str, Any]:
        return person.custom_values


class PersonPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[PersonOut]


EmailAddress = Annotated[str, Field(max_length=254)]


class PersonPatch(Input):
    name: str | None = None
    organization_id: int | None = None
    job_title: str | None = None
    emails: list[EmailAddress] | None = Field(
        None, description="Replaces the addresses; the first is primary."
    )
    phones: list[str] | None = None
    owner_id: int | None = None
    custom_fields: dict[str, Any] | None = Field(None, description="Merged; an empty value clears a field.")


class PersonCreate(PersonPatch):
    name: str
    allow_duplicate: bool = Field(
        False, description="Create even if a person with this name or e-mail exists."
    )


def _page(queryset, params: ListQuery) -> dict:
    return {
        "count": queryset.count(),
        "limit": params.limit,
        "offset": params.offset,
        "items": list(queryset[params.offset : params.offset + params.limit]),
    }


def _owner(owner_id: int | None) -> User | None:
    if owner_id is None:
        return None
    owner = active_users().filter(pk=owner_id).first()
    if owner is None:
        raise ValidationFailed(_("No such user."), fields={"owner_id": [_("Choose an active user.")]})
    return owner


def _organization(request, organization_id: int | None) -> Organization | None:
    if organization_id is None:
        return None
    organization = queries.organizations_visible_to(request.auth).filter(pk=organization_id).first()
    if organization is None:
        raise ValidationFailed(
            _("No such organization."), fields={"organization_id": [_("Choose an existing organization.")]}
        )
    return organization


def _changes(request, data: dict[str, Any]) -> dict[str, Any]:
    """The API's field names (owner_id, custom_fields) as the services name them (owner, custom_values)."""
    changes = dict(data)
    if "owner_id" in changes:
        changes["owner"] = _owner(changes.pop("owner_id"))
    if "organization_id" in changes:
        changes["organization"] = _organization(request, changes.pop("organization_id"))
    if "custom_fields" in changes:
        changes["custom_values"] = changes.pop("custom_fields") or {}
    return changes


@router.get("/organizations", response=OrganizationPage)
def list_organizations(request, params: Query[ListQuery]):
    """Organizations by name; `q` searches name and city."""
    return _page(queries.organizations_list(request.auth, search=params.q), params)


@router.post("/organizations", response={201: OrganizationOut})
def create_organization(request, payload: OrganizationCreate):
    changes = _changes(request, payload.model_dump(exclude_unset=True))
    organization = services.create_organization(actor=request.auth, **changes)
    return Status(201, organization)


@router.get("/organizations/{organization_id}", response=OrganizationOut)
def get_organization(request, organization_id: int):
    return queries.get_organization_for_user_or_404(request.auth, organization_id)


@router.patch("/organizations/{organization_id}", response=OrganizationOut)
def update_organization(request, organization_id: int, payload: OrganizationPatch):
    organization = queries.get_organization_for_user_or_404(request.auth, organization_id)
    changes = _changes(request, payload.model_dump(exclude_unset=True))
    return services.update_organization(organization=organization, actor=request.auth, changes=changes)


@router.delete("/organizations/{organization_id}", response={204: None})
def delete_organization(request, organization_id: int):
    organization = queries.get_organization_for_user_or_404(request.auth, organization_id)
    services.delete_organization(organization=organization, actor=request.auth)
    return Status(204, None)


@router.get("/persons", response=PersonPage)
def list_persons(request, params: Query[ListQuery]):
    """Persons by name; `q` searches name and e-mail addresses."""
    return _page(queries.persons_list(request.auth, search=params.q), params)


@router.post("/persons", response={201: PersonOut})
def create_person(request, payload: PersonCreate):
    changes = _changes(request, payload.model_dump(exclude_unset=True))
    person = services.create_person(actor=request.auth, **changes)
    return Status(201, person)


@router.get("/persons/{person_id}", response=PersonOut)
def get_person(request, person_id: int):
    return queries.get_person_for_user_or_404(request.auth, person_id)


@router.patch("/persons/{person_id}", response=PersonOut)
def update_person(request, person_id: int, payload: PersonPatch):
    person = queries.get_person_for_user_or_404(request.auth, person_id)
    changes = _changes(request, payload.model_dump(exclude_unset=True))
    return services.update_person(person=person, actor=request.auth, changes=changes)


@router.delete("/persons/{person_id}", response={204: None})
def delete_person(request, person_id: int):
    person = queries.get_person_for_user_or_404(request.auth, person_id)
    services.delete_person(person=person, actor=request.auth)
    return Status(204, None)
