"""Person pages: the list with search, the person page with their deals, and the create and edit forms."""

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from apogee.contacts.models import Person
from apogee.core.models import DomainEvent
from apogee.customfields.services import create_field_definition
from apogee.deals.services import add_participant
from tests.contacts.factories import make_organization, make_person
from tests.deals.factories import make_deal

pytestmark = pytest.mark.django_db


def _person_fields(**overrides):
    """A complete, valid submission of the person form."""
    return {
        "name": "Camille Fabre",
        "organization": "",
        "job_title": "Procurement manager",
        "emails": "Camille.Fabre@thalesaleniaspace.com, c.fabre@home.example",
        "phones": "+33 4 92 92 70 00, +33 6 12 34 56 78",
        "owner": "",
        **overrides,
    }


# ---------------------------------------------------------------- list


def test_list_shows_organization_title_primary_email_and_phones(client_for, salesperson):
    thales = make_organization("Thales Alenia Space")
    camille = make_person(
        "Camille Fabre",
        organization=thales,
        job_title="Procurement manager",
        emails=["camille.fabre@thalesaleniaspace.com", "c.fabre@home.example"],
        phones=["+33 4 92 92 70 00", "+33 6 12 34 56 78"],
    )
    make_person("Anke de Vries")

    response = client_for(salesperson).get(reverse("contacts:persons"))

    assert response.status_code == 200
    assertContains(
        response,
        f"""<tr>
          <td><a href="/contacts/persons/{camille.pk}/">Camille Fabre</a></td>
          <td><a href="/contacts/organizations/{thales.pk}/">Thales Alenia Space</a></td>
          <td>Procurement manager</td>
          <td>
            <a href="mailto:camille.fabre@thalesaleniaspace.com">camille.fabre@thalesaleniaspace.com</a>
          </td>
          <td>+33 4 92 92 70 00, +33 6 12 34 56 78</td>
        </tr>""",
        html=True,
    )
    assert [p.name for p in response.context["page"]] == ["Anke de Vries", "Camille Fabre"]
    assertContains(response, "1–2 of 2")


def test_empty_list_says_what_to_do(client_for, salesperson):
    response = client_for(salesperson).get(reverse("contacts:persons"))

    assertContains(response, "No persons yet — add the first one")
    assertContains(response, '<a class="btn primary" href="/contacts/persons/new/">', count=2)


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("fabre", ["Camille Fabre"]),
        ("@ESA.int", ["Anke de Vries"]),
        ("de vries", ["Anke de Vries"]),
        ("nobody", []),
    ],
)
def test_search_matches_name_or_email(client_for, salesperson, search, expected):
    make_person("Camille Fabre", emails=["camille.fabre@thalesaleniaspace.com"])
    make_person("Anke de Vries", emails=["anke.devries@esa.int", "anke@home.example"])

    response = client_for(salesperson).get(reverse("contacts:persons"), {"q": search})

    assert [p.name for p in response.context["page"]] == expected
    if not expected:
        assertContains(response, f"No person matches “{search}”.")


# ---------------------------------------------------------------- person page


def test_page_shows_contact_details_and_custom_values(client_for, salesperson):
    create_field_definition(
        entity="person",
        key="languages",
        label_en="Languages",
        label_fr="Langues",
        field_type="multiple_options",
        options=[{"key": "fr", "label_en": "French"}, {"key": "de", "label_en": "German"}],
        actor=None,
    )
    create_field_definition(
        entity="person", key="met_on", label_en="First met on", field_type="date", actor=None
    )
    esa = make_organization("European Space Agency")
    anke = make_person(
        "Anke de Vries",
        organization=esa,
        job_title="Contract officer",
        emails=["anke.devries@esa.int", "anke@home.example"],
        phones=["+31 71 565 0000"],
        owner=salesperson,
        custom_values={"languages": ["de", "fr"]},
    )

    response = client_for(salesperson).get(reverse("contacts:person", args=[anke.pk]))

    assert response.status_code == 200
    assertContains(response, "<h1>Anke de Vries</h1>", html=True)
    assertContains(
        response,
        f'<p class="subtitle">Contract officer · <a href="/contacts/organizations/{esa.pk}/">'
        "European Space Agency</a></p>",
        html=True,
    )
    for term, definition in [
        ("Organization", f'<a href="/contacts/organizations/{esa.pk}/">European Space Agency</a>'),
        ("Job title", "Contract officer"),
        (
            "E-mail",
            '<a href="mailto:anke.devries@esa.int">anke.devries@esa.int</a> '
            '<span class="badge">primary</span><br>'
            '<a href="mailto:anke@home.example">anke@home.example</a><br>',
        ),
        ("Phones", '<a href="tel:+31715650000">+31 71 565 0000</a><br>'),
        ("Owner", "Salesperson Test"),
        ("Languages", "French, German"),
        ("First met on", '<span class="muted">—</span>'),
    ]:
        assertContains(response, f"<dt>{term}</dt><dd>{definition}</dd>", html=True)
    assertContains(
        response, f'<a class="btn primary" href="/contacts/persons/{anke.pk}/edit/">Edit</a>', html=True
    )


def test_page_shows_the_deals_the_person_takes_part_in_with_their_role(
    client_for, sales_pipeline, salesperson, other_salesperson
):
    anke = make_person("Anke de Vries")
    visible = make_deal(
        pipeline=sales_pipeline, owner=salesperson, title="CHIME hinge", value=80000, currency="EUR"
    )
    private = make_deal(pipeline=sales_pipeline, owner=salesperson, title="CO2M baffle", visibility="owner")
    unrelated = make_deal(pipeline=sales_pipeline, owner=salesperson, title="Harmony bracket set")
    add_participant(deal=visible, person=anke, role="contract_officer", actor=None)
    add_participant(deal=visible, person=anke, role="decision_maker", actor=None)
    add_participant(deal=private, person=anke, role="technical_officer", actor=None)
    add_participant(deal=unrelated, person=make_person("Paolo Brenni"), role="other", actor=None)
    url = reverse("contacts:person", args=[anke.pk])

    as_owner = client_for(salesperson).get(url)
    as_outsider = client_for(other_salesperson).get(url)

    assertContains(
        as_owner,
        f"""<tr>
          <td><a href="/deals/{visible.pk}/">CHIME hinge</a></td>
          <td>Contract officer</td><td>Sales</td><td>{visible.stage.name}</td>
          <td><span class="badge open">Open</span></td><td class="num">EUR 80’000</td>
        </tr>""",
        html=True,
    )
    assert [(p.deal.title, p.get_role_display()) for p in as_owner.context["participations"]] == [
        ("CO2M baffle", "Technical officer"),
        ("CHIME hinge", "Contract officer"),
        ("CHIME hinge", "Decision maker"),
    ]
    assertNotContains(as_owner, "Harmony bracket set")
    assert [(p.deal.title, p.role) for p in as_outsider.context["participations"]] == [
        ("CHIME hinge", "contract_officer"),
        ("CHIME hinge", "decision_maker"),
    ]
    assertNotContains(as_outsider, "CO2M baffle")


def test_page_without_deals_says_so(client_for, salesperson):
    person = make_person("Reto Baumann")

    response = client_for(salesperson).get(reverse("contacts:person", args=[person.pk]))

    assertContains(response, "Not a participant in any deal you may see.")
    assertContains(response, '<dt>Organization</dt><dd><span class="muted">—</span></dd>', html=True)


# ---------------------------------------------------------------- create


def test_new_person_from_an_organization_page_has_it_chosen(client_for, salesperson):
    thales = make_organization("Thales Alenia Space")
    make_organization("OHB System")

    response = client_for(salesperson).get(reverse("contacts:person_new"), {"organization": thales.pk})

    assertContains(response, f'<option value="{thales.pk}" selected>Thales Alenia Space</option>', html=True)
    assertContains(
        response,
        '<input type="text" name="name" autofocus maxlength="200" required id="id_name">',
        html=True,
    )


def test_create_writes_emails_in_order_and_phones(client_for, salesperson):
    thales = make_organization("Thales Alenia Space")

    response = client_for(salesperson).post(
        reverse("contacts:person_new"), _person_fields(organization=thales.pk, owner=salesperson.pk)
    )

    person = Person.objects.get()
    assertRedirects(response, reverse("contacts:person", args=[person.pk]))
    assert person.name == "Camille Fabre"
    assert person.organization == thales
    assert person.job_title == "Procurement manager"
    assert person.phones == ["+33 4 92 92 70 00", "+33 6 12 34 56 78"]
    assert person.owner == salesperson
    assert [(e.address, e.is_primary) for e in person.emails.all()] == [
        ("camille.fabre@thalesaleniaspace.com", True),
        ("c.fabre@home.example", False),
    ]
    event = DomainEvent.objects.get(name="person.created")
    assert (event.subject_id, event.actor) == (person.pk, salesperson)


def test_same_email_warns_and_create_anyway_creates(client_for, salesperson):
    thales = make_organization("Thales Alenia Space")
    existing = make_person("C. Fabre", organization=thales, emails=["camille.fabre@thalesaleniaspace.com"])
    client = client_for(salesperson)

    warned = client.post(reverse("contacts:person_new"), _person_fields())

    assertContains(warned, "This looks like an existing record (same e-mail): C. Fabre.")
    assertContains(
        warned,
        f'<a href="/contacts/persons/{existing.pk}/" target="_blank" rel="noopener">'
        'C. Fabre<span class="visually-hidden"> (opens in a new tab)</span></a>',
        html=True,
    )
    assertContains(warned, "camille.fabre@thalesaleniaspace.com</span>")
    assertContains(warned, 'name="allow_duplicate" value="1"', count=1)
    assert Person.objects.get() == existing

    created = client.post(reverse("contacts:person_new"), {**_person_fields(), "allow_duplicate": "1"})

    duplicate = Person.objects.exclude(pk=existing.pk).get()
    assertRedirects(created, reverse("contacts:person", args=[duplicate.pk]))
    assert duplicate.name == "Camille Fabre"


def test_same_name_warns(client_for, salesperson):
    existing = make_person("Camille Fabre")

    response = client_for(salesperson).post(reverse("contacts:person_new"), _person_fields(emails=""))

    assertContains(response, "This looks like an existing record (same name): Camille Fabre.")
    assert Person.objects.get() == existing


def test_invalid_email_is_shown_on_its_field_and_nothing_is_written(client_for, salesperson):
    events_before = DomainEvent.objects.count()

    response = client_for(salesperson).post(
        reverse("contacts:person_new"), _person_fields(emails="camille@thales, not-an-address")
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "emails": ["Not an e-mail address: camille@thales, not-an-address"]
    }
    assertContains(
        response,
        '<ul class="field-errors" id="id_emails_error">'
        "<li>Not an e-mail address: camille@thales, not-an-address</li></ul>",
        html=True,
    )
    assert not Person.objects.exists()
    assert DomainEvent.objects.count() == events_before


def test_invalid_phone_is_shown_on_its_field(client_for, salesperson):
    response = client_for(salesperson).post(
        reverse("contacts:person_new"), _person_fields(phones="+41 21 555 00 00, call me")
    )

    assert response.context["form"].errors == {"phones": ["Not a phone number: call me"]}
    assert not Person.objects.exists()


# ---------------------------------------------------------------- edit


def test_edit_form_shows_the_current_values(client_for, salesperson):
    thales = make_organization("Thales Alenia Space")
    person = make_person(
        "Camille Fabre",
        organization=thales,
        emails=["camille.fabre@thalesaleniaspace.com", "c.fabre@home.example"],
        phones=["+33 4 92 92 70 00"],
    )

    response = client_for(salesperson).get(reverse("contacts:person_edit", args=[person.pk]))

    assertContains(response, "<h1>Edit Camille Fabre</h1>", html=True)
    assertContains(response, 'value="camille.fabre@thalesaleniaspace.com, c.fabre@home.example"')
    assertContains(response, 'value="+33 4 92 92 70 00"')
    assertContains(response, f'<option value="{thales.pk}" selected>Thales Alenia Space</option>', html=True)


def test_edit_changes_the_primary_email_and_organization(client_for, salesperson):
    thales = make_organization("Thales Alenia Space")
    ohb = make_organization("OHB System")
    person = make_person("Camille Fabre", organization=thales, emails=["camille.fabre@thalesaleniaspace.com"])

    response = client_for(salesperson).post(
        reverse("contacts:person_edit", args=[person.pk]),
        _person_fields(
            organization=ohb.pk, emails="camille.fabre@ohb.de, camille.fabre@thalesaleniaspace.com"
        ),
    )

    assertRedirects(response, reverse("contacts:person", args=[person.pk]))
    person.refresh_from_db()
    assert person.organization == ohb
    assert [(e.address, e.is_primary) for e in person.emails.all()] == [
        ("camille.fabre@ohb.de", True),
        ("camille.fabre@thalesaleniaspace.com", False),
    ]
    event = DomainEvent.objects.get(name="person.updated")
    assert event.data["changes"]["organization"] == [thales.pk, ohb.pk]


def test_invalid_edit_changes_nothing(client_for, salesperson):
    person = make_person("Camille Fabre", emails=["camille.fabre@thalesaleniaspace.com"])

    response = client_for(salesperson).post(
        reverse("contacts:person_edit", args=[person.pk]),
        _person_fields(job_title="Head of procurement", emails="broken@"),
    )

    assert response.context["form"].errors == {"emails": ["Not an e-mail address: broken@"]}
    person.refresh_from_db()
    assert person.job_title == ""
    assert list(person.emails.values_list("address", flat=True)) == ["camille.fabre@thalesaleniaspace.com"]
    assert not DomainEvent.objects.filter(name="person.updated").exists()
