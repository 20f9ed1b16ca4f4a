"""Capturing a lead in two lines, with new contacts on the fly (PRODUCT.md, target structure §1)."""

from decimal import Decimal

import pytest

from apogee.contacts.errors import DuplicateSuspected
from apogee.contacts.models import Organization, Person
from apogee.contacts.services import create_organization
from apogee.core.errors import PermissionDenied, ValidationFailed
from apogee.core.models import DomainEvent
from apogee.leads.models import Lead, LeadKind, LeadSource, LeadStatus
from apogee.leads.services import create_lead, save_lead_label
from tests.leads.factories import make_label

pytestmark = pytest.mark.django_db


def test_lead_with_a_new_organization_and_person_creates_all_three(workspace, salesperson):
    label = make_label("Conference")
    last_event = DomainEvent.objects.order_by("-id").values_list("id", flat=True).first()

    lead = create_lead(
        title="Future mission, 250 M",
        actor=salesperson,
        new_organization_name="Nordlys Microsystems AB",
        new_person_name="Sara Lindqvist",
        source=LeadSource.EVENT,
        kind=LeadKind.MISSION,
        labels=[label],
        expected_value="250000000",
        currency="EUR",
        note="Met at the ESA industry days.",
    )

    lead.refresh_from_db()
    organization = Organization.objects.get()
    person = Person.objects.get()
    assert (organization.name, person.name, person.organization) == (
        "Nordlys Microsystems AB",
        "Sara Lindqvist",
        organization,
    )
    assert (lead.organization, lead.person, lead.owner) == (organization, person, salesperson)
    assert (lead.source, lead.kind, lead.status) == ("event", "mission", LeadStatus.OPEN)
    assert (lead.expected_value, lead.currency) == (Decimal("250000000.00"), "EUR")
    assert list(lead.labels.all()) == [label]
    assert list(DomainEvent.objects.filter(id__gt=last_event).values_list("name", flat=True)) == [
        "organization.created",
        "person.created",
        "lead.created",
    ]
    event = DomainEvent.objects.get(name="lead.created")
    assert event.data["labels"] == [label.pk]
    assert event.actor == salesperson


def test_a_new_organization_like_an_existing_one_is_suggested_and_nothing_is_written(workspace, salesperson):
    existing = create_organization(actor=None, name="OHB System")
    events_before = DomainEvent.objects.count()

    with pytest.raises(DuplicateSuspected) as suspected:
        create_lead(
            title="Bracket set",
            actor=salesperson,
            new_organization_name="ohb  system",
            new_person_name="Katrin",
        )

    assert suspected.value.candidates == [existing]
    assert list(suspected.value.fields) == ["new_organization"]
    assert Organization.objects.count() == 1
    assert not Person.objects.exists()
    assert not Lead.objects.exists()
    assert DomainEvent.objects.count() == events_before

    lead = create_lead(
        title="Bracket set",
        actor=salesperson,
        new_organization_name="ohb  system",
        allow_duplicate_organization=True,
    )
    assert lead.organization.name == "ohb  system"
    assert Organization.objects.count() == 2


def test_invalid_fields_are_all_reported_and_nothing_is_written(workspace, salesperson):
    with pytest.raises(ValidationFailed) as failed:
        create_lead(
            title="  ",
            actor=salesperson,
            new_organization_name="Brand new organization",
            expected_value="-5",
            currency="XYZ",
            note="x" * 5001,
            source="fax",
            custom_values={"unknown_field": 1},
        )

    assert set(failed.value.fields) == {
        "title",
        "expected_value",
        "currency",
        "note",
        "source",
        "unknown_field",
    }
    assert not Organization.objects.exists()
    assert not Lead.objects.exists()
    assert not DomainEvent.objects.filter(name__startswith="lead.").exists()


def test_members_capture_leads_for_themselves_only(workspace, salesperson, teammate, manager):
    with pytest.raises(PermissionDenied):
        create_lead(title="For a colleague", actor=salesperson, owner=teammate)
    assert not Lead.objects.exists()

    lead = create_lead(title="For a colleague", actor=manager, owner=teammate)
    assert lead.owner == teammate


def test_an_archived_label_is_refused(workspace, salesperson, admin):
    label = make_label("Old")
    save_lead_label(actor=admin, label=label, name=label.name, colour=label.colour, is_archived=True)

    with pytest.raises(ValidationFailed) as failed:
        create_lead(title="Labelled", actor=salesperson, labels=[label])
    assert list(failed.value.fields) == ["labels"]
