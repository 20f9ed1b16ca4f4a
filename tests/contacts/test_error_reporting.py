"""Contacts report every invalid field at once, and duplicates on the field that matches."""

import pytest

from apogee.contacts.errors import DuplicateSuspected
from apogee.contacts.models import Person
from apogee.contacts.normalize import normalize_name
from apogee.contacts.services import create_person
from apogee.core.errors import ValidationFailed
from tests.contacts.factories import make_person

pytestmark = pytest.mark.django_db


def test_all_invalid_fields_of_a_person_are_reported_together(workspace):
    with pytest.raises(ValidationFailed) as refused:
        create_person(actor=None, name="Anke de Vries", emails=["not-an-address"], phones=["call me"])

    assert set(refused.value.fields) == {"emails", "phones"}
    assert not Person.objects.exists()


def test_same_email_duplicate_is_reported_on_the_emails_field(workspace):
    make_person("Anke de Vries", emails=["anke.devries@esa.int"])

    with pytest.raises(DuplicateSuspected) as duplicate:
        create_person(actor=None, name="A. de Vries", emails=["Anke.deVries@esa.int"])

    assert list(duplicate.value.fields) == ["emails"]


@pytest.mark.parametrize("name", ["OHB System SE", "Nordlys Microsystems AB", "Example Holding Limited"])
def test_more_legal_forms_are_ignored_when_comparing_names(name):
    assert normalize_name(name) == normalize_name(name.rsplit(" ", 1)[0])
