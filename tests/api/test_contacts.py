"""Organizations and persons through the API: list, read, create (with duplicate check), edit."""

import pytest

from apogee.contacts.models import Organization, Person
from apogee.core.models import DomainEvent
from apogee.customfields.services import create_field_definition
from tests.contacts.factories import make_organization, make_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(api_as, salesperson):
    return api_as(salesperson)


def test_organizations_are_listed_by_name_in_pages(api):
    for name in ("Gamma GmbH", "Alpha AG", "Beta SA"):
        make_organization(name)

    first = api.get("/organizations", {"limit": 2})
    rest = api.get("/organizations", {"limit": 2, "offset": 2})

    assert first.status_code == 200
    assert [o["name"] for o in first.json()["items"]] == ["Alpha AG", "Beta SA"]
    assert (first.json()["count"], first.json()["limit"], first.json()["offset"]) == (3, 2, 0)
    assert [o["name"] for o in rest.json()["items"]] == ["Gamma GmbH"]
    assert rest.json()["count"] == 3


def test_organization_search_matches_name_or_city(api):
    make_organization("Alpenmotion AG", city="Winterthur")
    make_organization("Thales Alenia Space", city="Cannes")

    by_city = api.get("/organizations", {"q": "winter"})
    by_name = api.get("/organizations", {"q": "thales"})

    assert [o["name"] for o in by_city.json()["items"]] == ["Alpenmotion AG"]
    assert [o["name"] for o in by_name.json()["items"]] == ["Thales Alenia Space"]


def test_create_organization_returns_it_and_records_the_event(api, salesperson):
    response = api.post(
        "/organizations",
        {
            "name": "OHB System",
            "city": "Bremen",
            "country": "de",
            "website": "ohb.de",
            "email_domains": ["@OHB.de"],
            "roles": ["customer", "prime"],
            "owner_id": salesperson.pk,
        },
    )

    assert response.status_code == 201
    organization = Organization.objects.get()
    body = response.json()
    assert body == {
        "id": organization.pk,
        "name": "OHB System",
        "street": "",
        "postal_code": "",
        "city": "Bremen",
        "country": "DE",
        "vat_number": "",
        "website": "https://ohb.de",
        "email_domains": ["ohb.de"],
        "roles": ["prime", "customer"],
        "owner_id": salesperson.pk,
        "custom_fields": {},
        "created_at": body["created_at"],
        "updated_at": body["updated_at"],
    }
    event = DomainEvent.objects.get(name="organization.created")
    assert (event.subject_id, event.actor, event.source) == (organization.pk, salesperson, "api")


def test_suspected_duplicate_organization_is_409_until_confirmed(api):
    existing = make_organization("Thales Alenia Space")

    refused = api.post("/organizations", {"name": "Thales Alenia Space S.A."})

    assert refused.status_code == 409
    body = refused.json()
    assert (body["code"], body["duplicates"]) == ("duplicate_suspected", [existing.pk])
    assert body["fields"] == {"name": ["Possible duplicate of Thales Alenia Space."]}
    assert Organization.objects.count() == 1

    confirmed = api.post("/organizations", {"name": "Thales Alenia Space S.A.", "allow_duplicate": True})

    assert confirmed.status_code == 201
    assert Organization.objects.count() == 2


def test_invalid_organization_fields_are_422_per_field_and_nothing_is_created(api):
    response = api.post(
        "/organizations", {"name": "  ", "country": "Switzerland", "roles": ["customer", "friend"]}
    )

    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation_failed"
    assert set(body["fields"]) == {"roles.1"}  # the schema refuses an unknown role first
    assert not Organization.objects.exists()

    response = api.post("/organizations", {"name": "  ", "country": "Switzerland"})

    assert response.status_code == 422
    assert response.json()["fields"] == {
        "name": ["This field is required."],
        "country": ["Use the two-letter ISO code, e.g. CH."],
    }
    assert not Organization.objects.exists()


def test_unknown_owner_is_422_on_owner_id(api):
    response = api.post("/organizations", {"name": "Nobody's AG", "owner_id": 987654})

    assert response.status_code == 422
    assert response.json()["fields"] == {"owner_id": ["Choose an active user."]}
    assert not Organization.objects.exists()


def test_organization_is_read_and_patched(api, salesperson):
    organization = make_organization("Alpenmotion AG", city="Winterthur")
    create_field_definition(
        entity="organization", key="segment", label_en="Segment", field_type="text", actor=None
    )

    read = api.get(f"/organizations/{organization.pk}")
    patched = api.patch(
        f"/organizations/{organization.pk}",
        {"city": "Zürich", "custom_fields": {"segment": "Robotics"}, "owner_id": salesperson.pk},
    )

    assert read.status_code == 200
    assert (read.json()["name"], read.json()["city"]) == ("Alpenmotion AG", "Winterthur")
    assert patched.status_code == 200
    assert (patched.json()["city"], patched.json()["custom_fields"]) == ("Zürich", {"segment": "Robotics"})
    organization.refresh_from_db()
    assert (organization.city, organization.custom_values, organization.owner) == (
        "Zürich",
        {"segment": "Robotics"},
        salesperson,
    )
    event = DomainEvent.objects.get(name="organization.updated")
    assert event.data["changes"]["city"] == ["Winterthur", "Zürich"]


def test_patch_with_a_misspelt_field_is_refused_and_changes_nothing(api):
    organization = make_organization("Alpenmotion AG", city="Winterthur")

    response = api.patch(f"/organizations/{organization.pk}", {"cty": "Zürich"})

    assert response.status_code == 422
    assert response.json()["fields"] == {"cty": ["Extra inputs are not permitted"]}
    organization.refresh_from_db()
    assert organization.city == "Winterthur"


def test_missing_organization_is_404_json(api):
    response = api.get("/organizations/999999")

    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "message": "Not found.", "fields": {}}


def test_create_person_with_emails_and_organization(api):
    organization = make_organization("European Space Agency")

    response = api.post(
        "/persons",
        {
            "name": "Anke  de Vries",
            "organization_id": organization.pk,
            "job_title": "Contract officer",
            "emails": ["Anke.deVries@esa.int", "anke@example.org"],
            "phones": ["+31 71 565 1234"],
        },
    )

    assert response.status_code == 201
    person = Person.objects.get()
    body = response.json()
    assert body == {
        "id": person.pk,
        "name": "Anke de Vries",
        "organization_id": organization.pk,
        "job_title": "Contract officer",
        "emails": ["anke.devries@esa.int", "anke@example.org"],
        "phones": ["+31 71 565 1234"],
        "owner_id": None,
        "custom_fields": {},
        "created_at": body["created_at"],
        "updated_at": body["updated_at"],
    }
    assert person.primary_email == "anke.devries@esa.int"


def test_person_with_a_known_email_is_a_suspected_duplicate(api):
    existing = make_person("Paolo Brenni", emails=["paolo@esa.int"])

    response = api.post("/persons", {"name": "P. Brenni", "emails": ["PAOLO@esa.int"]})

    assert response.status_code == 409
    assert (response.json()["code"], response.json()["duplicates"]) == ("duplicate_suspected", [existing.pk])
    assert Person.objects.count() == 1


def test_invalid_email_and_unknown_organization_are_422(api):
    bad_email = api.post("/persons", {"name": "Ingrid Solberg", "emails": ["ingrid(at)esa.int"]})
    bad_organization = api.post("/persons", {"name": "Ingrid Solberg", "organization_id": 424242})

    assert bad_email.status_code == 422
    assert bad_email.json()["fields"] == {"emails": ["Not an e-mail address: ingrid(at)esa.int"]}
    assert bad_organization.status_code == 422
    assert bad_organization.json()["fields"] == {"organization_id": ["Choose an existing organization."]}
    assert not Person.objects.exists()


def test_persons_are_searched_by_email_and_paged(api):
    make_person("Anke de Vries", emails=["anke@esa.int"])
    make_person("Paolo Brenni", emails=["paolo@esa.int"])
    make_person("Ingrid Solberg", emails=["ingrid@nordlys.example"])

    by_email = api.get("/persons", {"q": "esa.int"})
    second_page = api.get("/persons", {"limit": 1, "offset": 1})

    assert [p["name"] for p in by_email.json()["items"]] == ["Anke de Vries", "Paolo Brenni"]
    assert by_email.json()["count"] == 2
    assert [p["name"] for p in second_page.json()["items"]] == ["Ingrid Solberg"]
    assert second_page.json()["count"] == 3


def test_patch_person_replaces_emails_and_detaches_organization(api):
    organization = make_organization("OHB System")
    person = make_person("Jan Meier", emails=["jan@ohb.de"], organization=organization)

    response = api.patch(
        f"/persons/{person.pk}", {"emails": ["meier@ohb.de", "jan@ohb.de"], "organization_id": None}
    )

    assert response.status_code == 200
    assert response.json()["emails"] == ["meier@ohb.de", "jan@ohb.de"]
    assert response.json()["organization_id"] is None
    person.refresh_from_db()
    assert person.organization is None
    assert person.primary_email == "meier@ohb.de"


def test_person_detail_and_404(api):
    person = make_person("Léa Rochat", emails=["lea@apogee.example"])

    found = api.get(f"/persons/{person.pk}")
    missing = api.get("/persons/0")

    assert (found.status_code, found.json()["emails"]) == (200, ["lea@apogee.example"])
    assert missing.status_code == 404
