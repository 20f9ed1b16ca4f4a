"""Creating and editing organizations, with duplicate detection (contacts/services.py)."""

import pytest

from apogee.contacts.errors import DuplicateSuspected
from apogee.contacts.models import Organization
from apogee.contacts.services import create_organization, update_organization
from apogee.core.errors import PermissionDenied, ValidationFailed
from apogee.core.models import DomainEvent
from apogee.customfields.services import create_field_definition
from tests.contacts.factories import make_organization

pytestmark = pytest.mark.django_db


def test_create_organization_cleans_every_field(salesperson):
    organization = create_organization(
        actor=salesperson,
        name="  Thales Alenia Space S.A. ",
        street="5 allée des Gabians",
        city="Cannes",
        country="fr",
        website="www.thalesaleniaspace.com",
        email_domains="@ThalesAleniaSpace.com, www.thales.fr, thalesaleniaspace.com",
        roles=["customer", "prime"],
        vat_number="FR12345678901",
        owner=salesperson,
    )

    organization.refresh_from_db()
    assert organization.name == "Thales Alenia Space S.A."
    assert organization.normalized_name == "thales alenia space"
    assert organization.country == "FR"
    assert organization.website == "https://www.thalesaleniaspace.com"
    assert organization.email_domains == ["thalesaleniaspace.com", "thales.fr"]
    assert organization.roles == ["prime", "customer"]  # in the roles' defined order
    assert organization.owner == salesperson
    event = DomainEvent.objects.get(name="organization.created")
    assert (event.subject_id, event.actor, event.data) == (
        organization.pk,
        salesperson,
        {"name": "Thales Alenia Space S.A."},
    )


def test_same_normalized_name_is_a_suspected_duplicate(salesperson):
    existing = make_organization("Thales Alenia Space S.A.")
    events_before = DomainEvent.objects.count()

    with pytest.raises(DuplicateSuspected) as suspected:
        create_organization(actor=salesperson, name="thales-alenia  space")

    assert suspected.value.candidates == [existing]
    assert suspected.value.as_payload()["duplicates"] == [existing.pk]
    assert suspected.value.fields == {"name": ["Possible duplicate of Thales Alenia Space S.A.."]}
    assert Organization.objects.count() == 1
    assert DomainEvent.objects.count() == events_before

    confirmed = create_organization(actor=salesperson, name="thales-alenia  space", allow_duplicate=True)

    assert Organization.objects.count() == 2
    assert confirmed.normalized_name == existing.normalized_name


def test_names_in_different_scripts_are_not_duplicates(salesperson):
    make_organization("Роскосмос")

    create_organization(actor=salesperson, name="中国航天")

    assert Organization.objects.count() == 2


@pytest.mark.parametrize(
    ("_case", "fields", "errors"),
    [
        ("country not ISO", {"country": "Suisse"}, {"country": ["Use the two-letter ISO code, e.g. CH."]}),
        ("website not a web address", {"website": "not a site"}, {"website": ["Enter a valid web address."]}),
        ("website script", {"website": "javascript:alert(1)"}, {"website": ["Enter a valid web address."]}),
        (
            "website longer than its column",
            {"website": "https://example.com/" + "a" * 190},
            {"website": ["At most 200 characters."]},
        ),
        (
            "domain",
            {"email_domains": ["esa.int", "not a domain"]},
            {"email_domains": ["Not a domain: not a domain"]},
        ),
        ("role", {"roles": ["prime", "friend"]}, {"roles": ["Unknown role: friend"]}),
        ("city too long", {"city": "x" * 101}, {"city": ["At most 100 characters."]}),
        ("NUL in the name", {"name": "OHB\x00"}, {"name": ["Text may not contain NUL characters."]}),
        (
            "NUL in the website",
            {"website": "https://ohb.de/\x00"},
            {"website": ["Enter a valid web address."]},
        ),
        ("empty name", {"name": "  "}, {"name": ["This field is required."]}),
        ("unknown field", {"colour": "red"}, {"colour": ["Unknown field."]}),
    ],
)
def test_invalid_organization_is_refused_and_nothing_is_written(salesperson, _case, fields, errors):
    events_before = DomainEvent.objects.count()

    with pytest.raises(ValidationFailed) as refused:
        create_organization(actor=salesperson, **{"name": "OHB System", **fields})

    assert refused.value.fields == errors
    assert not Organization.objects.exists()
    assert DomainEvent.objects.count() == events_before


def test_several_invalid_fields_are_reported_together(salesperson):
    with pytest.raises(ValidationFailed) as refused:
        create_organization(actor=salesperson, name="OHB", country="DEU", website="x y", roles=["friend"])

    assert set(refused.value.fields) == {"country", "website", "roles"}


def test_custom_values_are_validated_and_stored(admin, salesperson):
    create_field_definition(entity="organization", label_en="Headcount", field_type="number", actor=admin)

    organization = create_organization(
        actor=salesperson, name="OHB System", custom_values={"headcount": "3’000"}
    )

    assert organization.custom_values == {"headcount": 3000}
    with pytest.raises(ValidationFailed) as refused:
        create_organization(actor=salesperson, name="Airbus", custom_values={"headcount": "many"})
    assert refused.value.fields == {"headcount": ["Enter a number."]}
    assert Organization.objects.count() == 1


def test_an_inactive_user_cannot_create(salesperson):
    salesperson.is_active = False

    with pytest.raises(PermissionDenied):
        create_organization(actor=salesperson, name="OHB System")

    assert not Organization.objects.exists()


def test_update_records_the_diff_and_renormalizes_the_name(salesperson):
    organization = make_organization("OHB System", city="Bremen", country="DE")

    update_organization(
        organization=organization,
        actor=salesperson,
        changes={"name": "OHB System AG", "city": "Bremen", "country": "de", "roles": ["prime"]},
    )

    organization.refresh_from_db()
    assert organization.name == "OHB System AG"
    assert organization.normalized_name == "ohb system"
    event = DomainEvent.objects.get(name="organization.updated")
    assert event.actor == salesperson
    assert event.data == {"changes": {"name": ["OHB System", "OHB System AG"], "roles": [[], ["prime"]]}}


def test_update_that_changes_nothing_records_nothing(salesperson):
    organization = make_organization("OHB System", city="Bremen")
    events_before = DomainEvent.objects.count()

    update_organization(organization=organization, actor=salesperson, changes={"city": " Bremen "})

    assert DomainEvent.objects.count() == events_before


def test_invalid_update_writes_nothing(salesperson):
    organization = make_organization("OHB System", country="DE")
    events_before = DomainEvent.objects.count()

    with pytest.raises(ValidationFailed) as refused:
        update_organization(
            organization=organization, actor=salesperson, changes={"name": "OHB SE", "country": "Germany"}
        )

    assert refused.value.fields == {"country": ["Use the two-letter ISO code, e.g. CH."]}
    organization.refresh_from_db()
    assert (organization.name, organization.country) == ("OHB System", "DE")
    assert DomainEvent.objects.count() == events_before


def test_update_custom_values_records_each_key(admin, salesperson):
    create_field_definition(entity="organization", label_en="Headcount", field_type="number", actor=admin)
    create_field_definition(entity="organization", label_en="Listed", field_type="boolean", actor=admin)
    organization = make_organization("OHB System", custom_values={"headcount": 3000, "listed": True})

    update_organization(
        organization=organization,
        actor=salesperson,
        changes={"custom_values": {"headcount": "", "listed": "non"}},
    )

    organization.refresh_from_db()
    assert organization.custom_values == {"listed": False}
    assert DomainEvent.objects.get(name="organization.updated").data == {
        "changes": {"custom.headcount": [3000, None], "custom.listed": [True, False]}
    }
