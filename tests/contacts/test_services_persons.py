"""Creating and editing persons, with duplicate detection and their e-mails (contacts/services.py)."""

import pytest

from apogee.contacts.errors import DuplicateSuspected
from apogee.contacts.models import Person, PersonEmail
from apogee.contacts.services import create_person, update_person
from apogee.core.errors import ValidationFailed
from apogee.core.models import DomainEvent
from tests.contacts.factories import make_organization, make_person

pytestmark = pytest.mark.django_db


def _emails(person):
    return list(PersonEmail.objects.filter(person=person).values_list("address", "is_primary"))


def test_create_person_with_emails_and_phones(salesperson):
    esa = make_organization("European Space Agency")

    person = create_person(
        actor=salesperson,
        name="  Anke   de Vries ",
        emails=" Anke.deVries@ESA.int, anke@esa.int, anke.devries@esa.int",
        phones=["+31 71 565 1234", 41215550000],
        organization=esa,
        job_title=" Contract officer ",
    )

    person.refresh_from_db()
    assert person.name == "Anke de Vries"
    assert person.normalized_name == "anke de vries"
    assert person.job_title == "Contract officer"
    assert person.phones == ["+31 71 565 1234", "41215550000"]
    assert person.organization == esa
    assert _emails(person) == [("anke.devries@esa.int", True), ("anke@esa.int", False)]
    assert person.primary_email == "anke.devries@esa.int"
    event = DomainEvent.objects.get(name="person.created")
    assert (event.subject_id, event.actor) == (person.pk, salesperson)
    assert event.data == {"name": "Anke de Vries", "emails": ["anke.devries@esa.int", "anke@esa.int"]}


def test_same_email_is_a_suspected_duplicate_whatever_the_name(salesperson):
    existing = make_person("Anke de Vries", emails=["anke.devries@esa.int"])
    events_before = DomainEvent.objects.count()

    with pytest.raises(DuplicateSuspected) as suspected:
        create_person(actor=salesperson, name="A. de Vries", emails=["ANKE.DEVRIES@esa.int"])

    assert suspected.value.candidates == [existing]
    assert "same e-mail" in suspected.value.message
    assert Person.objects.count() == 1
    assert PersonEmail.objects.count() == 1
    assert DomainEvent.objects.count() == events_before


def test_same_normalized_name_is_a_suspected_duplicate(salesperson):
    existing = make_person("Hélène Caron")
    events_before = DomainEvent.objects.count()

    with pytest.raises(DuplicateSuspected) as suspected:
        create_person(actor=salesperson, name="helene  CARON", emails=["h.caron@airbus.example"])

    assert suspected.value.candidates == [existing]
    assert "same name" in suspected.value.message
    assert Person.objects.count() == 1
    assert not PersonEmail.objects.exists()
    assert DomainEvent.objects.count() == events_before


def test_allow_duplicate_creates_the_person(salesperson):
    make_person("Hélène Caron", emails=["h.caron@airbus.example"])

    person = create_person(
        actor=salesperson, name="Helene Caron", emails=["h.caron@airbus.example"], allow_duplicate=True
    )

    assert Person.objects.count() == 2
    assert _emails(person) == [("h.caron@airbus.example", True)]


@pytest.mark.parametrize(
    ("_case", "fields", "errors"),
    [
        (
            "email",
            {"emails": ["anke@esa.int", "anke at esa"]},
            {"emails": ["Not an e-mail address: anke at esa"]},
        ),
        (
            "email longer than its column",
            {"emails": ["a" * 60 + "@" + ".".join(["b" * 60] * 4) + ".ch"]},
            {"emails": ["Not an e-mail address: " + "a" * 60 + "@" + ".".join(["b" * 60] * 4) + ".ch"]},
        ),
        ("phone", {"phones": ["+41 21 555", "call me"]}, {"phones": ["Not a phone number: call me"]}),
        ("name", {"name": "   "}, {"name": ["This field is required."]}),
        ("name too long", {"name": "x" * 201}, {"name": ["At most 200 characters."]}),
        ("NUL in the name", {"name": "Anke\x00"}, {"name": ["Text may not contain NUL characters."]}),
        (
            "NUL in the job title",
            {"job_title": "Officer\x00"},
            {"job_title": ["Text may not contain NUL characters."]},
        ),
        ("organization", {"organization": "ESA"}, {"organization": ["Choose an organization."]}),
        ("job title", {"job_title": "x" * 151}, {"job_title": ["At most 150 characters."]}),
        ("unknown field", {"birthday": "1970-01-01"}, {"birthday": ["Unknown field."]}),
        ("custom value", {"custom_values": {"colour": "red"}}, {"colour": ["Unknown field."]}),
    ],
)
def test_invalid_person_is_refused_and_nothing_is_written(salesperson, _case, fields, errors):
    events_before = DomainEvent.objects.count()

    with pytest.raises(ValidationFailed) as refused:
        create_person(actor=salesperson, **{"name": "Anke de Vries", **fields})

    assert refused.value.fields == errors
    assert not Person.objects.exists()
    assert not PersonEmail.objects.exists()
    assert DomainEvent.objects.count() == events_before


def test_update_replaces_the_emails_and_the_first_is_primary(salesperson):
    person = make_person("Anke de Vries", emails=["anke@esa.int", "old@esa.int"])

    update_person(person=person, actor=salesperson, changes={"emails": ["new@esa.int", "Anke@ESA.int"]})

    assert _emails(person) == [("new@esa.int", True), ("anke@esa.int", False)]
    person = Person.objects.get(pk=person.pk)
    assert person.primary_email == "new@esa.int"
    assert DomainEvent.objects.get(name="person.updated").data == {
        "changes": {"emails": [["anke@esa.int", "old@esa.int"], ["new@esa.int", "anke@esa.int"]]}
    }


def test_update_can_make_another_existing_email_primary(salesperson):
    person = make_person("Anke de Vries", emails=["anke@esa.int", "second@esa.int"])

    update_person(person=person, actor=salesperson, changes={"emails": ["second@esa.int", "anke@esa.int"]})

    assert sorted(_emails(person)) == [("anke@esa.int", False), ("second@esa.int", True)]
    assert Person.objects.get(pk=person.pk).primary_email == "second@esa.int"


def test_update_records_the_diff_of_each_field(salesperson, manager):
    ohb = make_organization("OHB System")
    person = make_person("Katrin Vogel", job_title="Buyer", phones=["+49 421 0000"])

    update_person(
        person=person,
        actor=manager,
        changes={"name": "Katrin  Vogel-Ahrens", "job_title": "Buyer", "organization": ohb, "phones": []},
    )

    person.refresh_from_db()
    assert (person.name, person.normalized_name) == ("Katrin Vogel-Ahrens", "katrin vogel ahrens")
    assert person.organization == ohb
    assert person.phones == []
    event = DomainEvent.objects.get(name="person.updated")
    assert event.actor == manager
    assert event.data == {
        "changes": {
            "name": ["Katrin Vogel", "Katrin Vogel-Ahrens"],
            "organization": [None, ohb.pk],
            "phones": [["+49 421 0000"], []],
        }
    }


def test_update_with_the_same_emails_records_nothing(salesperson):
    person = make_person("Anke de Vries", emails=["anke@esa.int", "second@esa.int"])
    events_before = DomainEvent.objects.count()

    update_person(person=person, actor=salesperson, changes={"emails": "ANKE@esa.int, second@esa.int"})

    assert DomainEvent.objects.count() == events_before


def test_invalid_update_writes_nothing(salesperson):
    person = make_person("Anke de Vries", emails=["anke@esa.int"], job_title="Officer")
    events_before = DomainEvent.objects.count()

    with pytest.raises(ValidationFailed) as refused:
        update_person(
            person=person,
            actor=salesperson,
            changes={"job_title": "Contract officer", "emails": ["new@esa.int", "broken@"]},
        )

    assert refused.value.fields == {"emails": ["Not an e-mail address: broken@"]}
    person.refresh_from_db()
    assert person.job_title == "Officer"
    assert _emails(person) == [("anke@esa.int", True)]
    assert DomainEvent.objects.count() == events_before
