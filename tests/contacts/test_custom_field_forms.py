"""Custom fields on the organization and person forms: one input per type, values stored as typed."""

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains

from apogee.contacts.models import Organization, Person
from apogee.core.models import DomainEvent
from apogee.customfields.services import create_field_definition, update_field_definition
from tests.contacts.factories import make_organization, make_person

pytestmark = pytest.mark.django_db

ORGANIZATION_BASICS = {
    "name": "Alpenmotion AG",
    "street": "",
    "postal_code": "",
    "city": "Winterthur",
    "country": "CH",
    "vat_number": "",
    "website": "",
    "email_domains": "",
    "owner": "",
}


def _define(entity, key, field_type, **extra):
    return create_field_definition(
        entity=entity,
        key=key,
        label_en=key.replace("_", " ").capitalize(),
        field_type=field_type,
        actor=None,
        **extra,
    )


@pytest.fixture
def every_type(db):
    """One organization field of each type."""
    options = [{"key": "space", "label_en": "Space"}, {"key": "watchmaking", "label_en": "Watchmaking"}]
    lines = [{"key": "mechanisms", "label_en": "Mechanisms"}, {"key": "motor", "label_en": "Motor"}]
    return {
        d.key: d
        for d in [
            _define("organization", "mission", "text"),
            _define("organization", "history", "long_text"),
            _define("organization", "headcount", "number"),
            _define("organization", "credit_limit", "monetary"),
            _define("organization", "partner_since", "date"),
            _define("organization", "sector", "single_option", options=options),
            _define("organization", "product_lines", "multiple_options", options=lines),
            _define("organization", "audited", "boolean"),
            _define("organization", "portal", "url"),
            _define("organization", "account_manager", "user"),
            _define("organization", "main_contact", "person"),
            _define("organization", "parent_company", "organization"),
        ]
    }


def test_each_type_gets_its_own_input(client_for, salesperson, every_type):
    contact = make_person("Julien Martel")
    parent = make_organization("Alpenholding AG")

    response = client_for(salesperson).get(reverse("contacts:organization_new"))

    assertContains(response, "<legend>More fields</legend>", html=True)
    for html in [
        '<input type="text" name="custom_mission" id="id_custom_mission">',
        '<textarea name="custom_history" cols="40" rows="4" id="id_custom_history"></textarea>',
        '<input type="number" name="custom_headcount" step="any" id="id_custom_headcount">',
        '<input type="text" name="custom_credit_limit" placeholder="CHF 0" '
        'aria-describedby="id_custom_credit_limit_helptext" id="id_custom_credit_limit">',
        '<input type="date" name="custom_partner_since" id="id_custom_partner_since">',
        '<option value="watchmaking">Watchmaking</option>',
        '<input type="checkbox" name="custom_product_lines" value="motor" id="id_custom_product_lines_1">',
        '<select name="custom_audited" id="id_custom_audited"><option value="" selected>—</option>'
        '<option value="true">Yes</option><option value="false">No</option></select>',
        '<input type="url" name="custom_portal" placeholder="https://" maxlength="2000" '
        'id="id_custom_portal">',
        f'<option value="{salesperson.pk}">Salesperson Test</option>',
        f'<option value="{contact.pk}">Julien Martel</option>',
        f'<option value="{parent.pk}">Alpenholding AG</option>',
    ]:
        assertContains(response, html, html=True)
    assertContains(response, '<label for="id_custom_partner_since">Partner since</label>', html=True)
    assertContains(response, "<legend>Product lines</legend>", html=True)


def test_values_of_each_type_are_stored_as_typed(client_for, salesperson, every_type):
    contact = make_person("Julien Martel")
    parent = make_organization("Alpenholding AG")

    response = client_for(salesperson).post(
        reverse("contacts:organization_new"),
        {
            **ORGANIZATION_BASICS,
            "custom_mission": "  Harmony  ",
            "custom_history": "Met at ILA.\nFirst order 2024.",
            "custom_headcount": "1250.5",
            "custom_credit_limit": "EUR 12000",
            "custom_partner_since": "2021-04-01",
            "custom_sector": "watchmaking",
            "custom_product_lines": ["motor", "mechanisms"],
            "custom_audited": "false",
            "custom_portal": "https://portal.alpenmotion.example/suppliers",
            "custom_account_manager": salesperson.pk,
            "custom_main_contact": contact.pk,
            "custom_parent_company": parent.pk,
        },
    )

    organization = Organization.objects.get(name="Alpenmotion AG")
    assert response.status_code == 302
    assert organization.custom_values == {
        "mission": "Harmony",
        "history": "Met at ILA.\nFirst order 2024.",
        "headcount": 1250.5,
        "credit_limit": {"amount": 12000, "currency": "EUR"},
        "partner_since": "2021-04-01",
        "sector": "watchmaking",
        "product_lines": ["mechanisms", "motor"],
        "audited": False,
        "portal": "https://portal.alpenmotion.example/suppliers",
        "account_manager": salesperson.pk,
        "main_contact": contact.pk,
        "parent_company": parent.pk,
    }


def test_saving_an_unchanged_edit_form_changes_nothing(client_for, salesperson, every_type):
    """The form shows each stored value in a shape it reads back unchanged."""
    contact = make_person("Julien Martel")
    parent = make_organization("Alpenholding AG")
    organization = make_organization(
        "Alpenmotion AG",
        city="Winterthur",
        country="CH",
        custom_values={
            "mission": "Harmony",
            "history": "Met at ILA.\nFirst order 2024.",
            "headcount": 1250.5,
            "credit_limit": {"amount": 12000, "currency": "EUR"},
            "partner_since": "2021-04-01",
            "sector": "watchmaking",
            "product_lines": ["mechanisms", "motor"],
            "audited": False,
            "portal": "https://portal.alpenmotion.example/suppliers",
            "account_manager": salesperson.pk,
            "main_contact": contact.pk,
            "parent_company": parent.pk,
        },
    )
    stored = dict(organization.custom_values)
    client = client_for(salesperson)
    form = client.get(reverse("contacts:organization_edit", args=[organization.pk])).context["form"]
    resubmitted = {}
    for name in form.fields:
        value = form[name].value()
        if value is None:
            continue
        resubmitted[name] = [str(v) for v in value] if isinstance(value, list) else str(value)

    response = client.post(reverse("contacts:organization_edit", args=[organization.pk]), resubmitted)

    assert response.status_code == 302
    organization.refresh_from_db()
    assert organization.custom_values == stored
    assert not DomainEvent.objects.filter(name="organization.updated").exists()


def test_clearing_a_custom_field_removes_the_value(client_for, salesperson, every_type):
    organization = make_organization(
        "Alpenmotion AG",
        city="Winterthur",
        country="CH",
        custom_values={"mission": "Harmony", "audited": True},
    )

    client_for(salesperson).post(
        reverse("contacts:organization_edit", args=[organization.pk]),
        {**ORGANIZATION_BASICS, "custom_mission": "", "custom_audited": "true"},
    )

    organization.refresh_from_db()
    assert organization.custom_values == {"audited": True}


def test_a_refused_custom_value_is_shown_on_its_field(client_for, salesperson, every_type):
    response = client_for(salesperson).post(
        reverse("contacts:organization_new"),
        {
            **ORGANIZATION_BASICS,
            "custom_portal": "ftp://files.alpenmotion.example",
            "custom_credit_limit": "12000",
        },
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "custom_credit_limit": ["Choose a currency (three-letter code)."],
        "custom_portal": ["Enter a web address starting with http:// or https://."],
    }
    assert not Organization.objects.exists()


def test_an_archived_option_still_stored_survives_an_edit(client_for, salesperson, every_type):
    sector = every_type["sector"]
    organization = make_organization(
        "Alpenmotion AG", city="Winterthur", country="CH", custom_values={"sector": "watchmaking"}
    )
    update_field_definition(definition=sector, options=[{"key": "space", "label_en": "Space"}], actor=None)
    client = client_for(salesperson)

    edit = client.get(reverse("contacts:organization_edit", args=[organization.pk]))
    fresh = client.get(reverse("contacts:organization_new"))

    assertContains(edit, '<option value="watchmaking" selected>Watchmaking</option>', html=True)
    assert "watchmaking" not in dict(fresh.context["form"].fields["custom_sector"].choices)

    client.post(
        reverse("contacts:organization_edit", args=[organization.pk]),
        {**ORGANIZATION_BASICS, "custom_sector": "watchmaking", "custom_mission": "Harmony"},
    )

    organization.refresh_from_db()
    assert organization.custom_values == {"sector": "watchmaking", "mission": "Harmony"}


def test_archived_fields_are_neither_asked_nor_erased(client_for, salesperson):
    legacy = _define("person", "legacy_code", "text")
    person = make_person("Urs Meier", custom_values={"legacy_code": "PD-4411"})
    update_field_definition(definition=legacy, is_archived=True, actor=None)
    client = client_for(salesperson)

    form = client.get(reverse("contacts:person_edit", args=[person.pk]))
    client.post(
        reverse("contacts:person_edit", args=[person.pk]),
        {
            "name": "Urs Meier",
            "organization": "",
            "job_title": "Purchasing",
            "emails": "",
            "phones": "",
            "owner": "",
        },
    )

    assert "custom_legacy_code" not in form.context["form"].fields
    person = Person.objects.get(pk=person.pk)
    assert person.job_title == "Purchasing"
    assert person.custom_values == {"legacy_code": "PD-4411"}
