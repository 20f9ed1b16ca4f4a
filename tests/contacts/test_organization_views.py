"""Organization pages: the list with search, the organization page, and the create and edit forms."""

import pytest
from django.conf import settings
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from apogee.contacts.models import Organization
from apogee.core.models import DomainEvent
from apogee.customfields.services import create_field_definition
from apogee.deals.services import mark_deal_won
from tests.contacts.factories import make_organization, make_person
from tests.deals.factories import make_deal

pytestmark = pytest.mark.django_db


def _organization_fields(**overrides):
    """A complete, valid submission of the organization form."""
    return {
        "name": "Nordlys Microsystems AB",
        "roles": ["partner", "supplier"],
        "street": "Kungsgatan 1",
        "postal_code": "753 21",
        "city": "Uppsala",
        "country": "se",
        "vat_number": "SE556677889901",
        "website": "nordlys-micro.example",
        "email_domains": "nordlys-micro.example, @NORDLYS.se",
        "owner": "",
        **overrides,
    }


# ---------------------------------------------------------------- list


def test_list_shows_name_roles_location_and_counts(client_for, sales_pipeline, salesperson):
    thales = make_organization(
        "Thales Alenia Space", roles=["customer", "prime"], country="FR", city="Cannes"
    )
    make_person("Camille Fabre", organization=thales)
    make_deal(pipeline=sales_pipeline, owner=salesperson, organization=thales)
    make_deal(pipeline=sales_pipeline, owner=salesperson, organization=thales)
    make_organization("Alpenmotion AG", country="CH", city="Winterthur")

    response = client_for(salesperson).get(reverse("contacts:organizations"))

    assert response.status_code == 200
    assertContains(
        response,
        f"""<tr>
          <td><a href="/contacts/organizations/{thales.pk}/">Thales Alenia Space</a></td>
          <td><span class="badge">Prime contractor</span> <span class="badge">Customer</span></td>
          <td>FR</td><td>Cannes</td><td class="num">2</td><td class="num">1</td>
        </tr>""",
        html=True,
    )
    assertContains(response, "1–2 of 2")
    assertContains(response, '<a class="btn primary" href="/contacts/organizations/new/">', count=1)
    assert [o.name for o in response.context["page"]] == ["Alpenmotion AG", "Thales Alenia Space"]


def test_empty_list_says_what_to_do(client_for, salesperson):
    response = client_for(salesperson).get(reverse("contacts:organizations"))

    assertContains(response, "No organizations yet — add the first one")
    assertContains(response, '<a class="btn primary" href="/contacts/organizations/new/">', count=2)
    assertNotContains(response, "<table")


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("alenia", ["Thales Alenia Space"]),
        ("BREMEN", ["OHB System"]),
        ("  winter ", ["Alpenmotion AG"]),
        ("", ["Alpenmotion AG", "OHB System", "Thales Alenia Space"]),
    ],
)
def test_search_matches_name_or_city(client_for, salesperson, search, expected):
    make_organization("Thales Alenia Space", city="Cannes")
    make_organization("OHB System", city="Bremen")
    make_organization("Alpenmotion AG", city="Winterthur")

    response = client_for(salesperson).get(reverse("contacts:organizations"), {"q": search})

    assert [o.name for o in response.context["page"]] == expected


def test_search_without_match_offers_the_whole_list(client_for, salesperson):
    make_organization("OHB System", city="Bremen")

    response = client_for(salesperson).get(reverse("contacts:organizations"), {"q": "Zürich"})

    assertContains(response, "No organization matches “Zürich”.")
    assertContains(response, '<a href="/contacts/organizations/">Show all organizations</a>', html=True)
    assertNotContains(response, "No organizations yet")


def test_list_pages_by_fifty_and_keeps_the_search(client_for, salesperson):
    for index in range(51):
        make_organization(f"Supplier {index:02d}", city="Bern")
    client = client_for(salesperson)

    first = client.get(reverse("contacts:organizations"), {"q": "supplier"})
    second = client.get(reverse("contacts:organizations"), {"q": "supplier", "page": 2})

    assert len(first.context["page"].object_list) == 50
    assertContains(first, "Page 1 of 2")
    assertContains(first, "1–50 of 51")
    assertContains(first, 'href="?q=supplier&amp;page=2"')
    assert [o.name for o in second.context["page"]] == ["Supplier 50"]
    assertContains(second, 'href="?q=supplier&amp;page=1"')


# ---------------------------------------------------------------- organization page


@pytest.fixture
def organization_fields(db):
    """Custom fields of organizations, one per kind of display."""
    create_field_definition(
        entity="organization",
        key="sector",
        label_en="Sector",
        label_fr="Secteur",
        field_type="single_option",
        options=[{"key": "space", "label_en": "Space", "label_fr": "Spatial"}],
        actor=None,
    )
    create_field_definition(
        entity="organization", key="headcount", label_en="Headcount", field_type="number", actor=None
    )
    create_field_definition(
        entity="organization", key="portal", label_en="Supplier portal", field_type="url", actor=None
    )
    create_field_definition(
        entity="organization", key="main_contact", label_en="Main contact", field_type="person", actor=None
    )
    create_field_definition(
        entity="organization", key="audited", label_en="Audited", field_type="boolean", actor=None
    )


def test_page_shows_every_field(client_for, salesperson, organization_fields):
    contact = make_person("Julien Martel")
    thales = make_organization(
        "Thales Alenia Space",
        roles=["prime", "customer"],
        street="5 allée des Gabians",
        postal_code="06150",
        city="Cannes",
        country="FR",
        vat_number="FR12345678901",
        website="https://www.thalesaleniaspace.com",
        email_domains=["thalesaleniaspace.com", "thalesgroup.com"],
        owner=salesperson,
        custom_values={
            "sector": "space",
            "headcount": 7700,
            "portal": "https://suppliers.thalesaleniaspace.com",
            "main_contact": contact.pk,
            "audited": False,
        },
    )

    response = client_for(salesperson).get(reverse("contacts:organization", args=[thales.pk]))

    assert response.status_code == 200
    assertContains(response, "<h1>Thales Alenia Space</h1>", html=True)
    assertContains(
        response,
        f'<a class="btn primary" href="/contacts/organizations/{thales.pk}/edit/">Edit</a>',
        html=True,
    )
    for term, definition in [
        ("Address", "<address>5 allée des Gabians<br>06150 Cannes</address>"),
        ("Country", "FR"),
        ("VAT / UID", "FR12345678901"),
        (
            "Website",
            '<a href="https://www.thalesaleniaspace.com" rel="noopener noreferrer" target="_blank">'
            "www.thalesaleniaspace.com</a>",
        ),
        ("E-mail domains", "thalesaleniaspace.com, thalesgroup.com"),
        ("Roles", '<span class="badge">Prime contractor</span> <span class="badge">Customer</span>'),
        ("Owner", "Salesperson Test"),
        ("Sector", "Space"),
        ("Headcount", "7’700"),
        (
            "Supplier portal",
            '<a href="https://suppliers.thalesaleniaspace.com" rel="noopener noreferrer" target="_blank">'
            "https://suppliers.thalesaleniaspace.com</a>",
        ),
        ("Main contact", f'<a href="/contacts/persons/{contact.pk}/">Julien Martel</a>'),
        ("Audited", "No"),
    ]:
        assertContains(response, f"<dt>{term}</dt><dd>{definition}</dd>", html=True)


def test_custom_field_labels_follow_the_language(client, client_for, salesperson, organization_fields):
    organization = make_organization("European Space Agency", custom_values={"sector": "space"})
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"

    response = client_for(salesperson).get(reverse("contacts:organization", args=[organization.pk]))

    assertContains(response, "<dt>Secteur</dt><dd>Spatial</dd>", html=True)


def test_a_stored_script_url_never_becomes_a_link(client_for, salesperson):
    organization = make_organization("Legacy import SA")
    # Rows imported before validation existed may hold anything; the page must not trust them.
    Organization.objects.filter(pk=organization.pk).update(website="javascript:alert(1)")

    response = client_for(salesperson).get(reverse("contacts:organization", args=[organization.pk]))

    assertContains(response, "<dt>Website</dt><dd>javascript:alert(1)</dd>", html=True)
    assertNotContains(response, 'href="javascript:')


def test_page_lists_persons_with_primary_email(client_for, salesperson):
    organization = make_organization("OHB System")
    katrin = make_person(
        "Katrin Vogel",
        organization=organization,
        job_title="Subcontracts manager",
        emails=["katrin.vogel@ohb.de", "k.vogel@home.example"],
        phones=["+49 421 2020 0", "+49 170 000 00 00"],
    )
    make_person("Somebody Elsewhere")

    response = client_for(salesperson).get(reverse("contacts:organization", args=[organization.pk]))

    assertContains(
        response,
        f"""<tr>
          <td><a href="/contacts/persons/{katrin.pk}/">Katrin Vogel</a></td>
          <td>Subcontracts manager</td>
          <td><a href="mailto:katrin.vogel@ohb.de">katrin.vogel@ohb.de</a></td>
          <td>+49 421 2020 0, +49 170 000 00 00</td>
        </tr>""",
        html=True,
    )
    assertNotContains(response, "Somebody Elsewhere")
    assertContains(response, f'href="/contacts/persons/new/?organization={organization.pk}"', count=1)


def test_page_shows_deals_with_pipeline_stage_status_and_value(client_for, sales_pipeline, salesperson):
    organization = make_organization("Swiss Space Office")
    deal = make_deal(
        pipeline=sales_pipeline,
        owner=salesperson,
        organization=organization,
        title="Solar array drive for CHIME",
        value=125000,
        currency="EUR",
    )
    make_deal(pipeline=sales_pipeline, owner=salesperson, title="Somebody else's deal")

    response = client_for(salesperson).get(reverse("contacts:organization", args=[organization.pk]))

    assertContains(
        response,
        f"""<tr>
          <td><a href="/deals/{deal.pk}/">Solar array drive for CHIME</a></td>
          <td>Sales</td><td>{deal.stage.name}</td>
          <td><span class="badge open">Open</span></td>
          <td class="num">EUR 125’000</td>
        </tr>""",
        html=True,
    )
    assertNotContains(response, "Somebody else&#x27;s deal")


def test_page_lists_open_deals_first_then_the_newest(client_for, sales_pipeline, salesperson):
    organization = make_organization("Swiss Space Office")
    older_open = make_deal(pipeline=sales_pipeline, owner=salesperson, organization=organization, title="A")
    won = make_deal(pipeline=sales_pipeline, owner=salesperson, organization=organization, title="B")
    newer_open = make_deal(pipeline=sales_pipeline, owner=salesperson, organization=organization, title="C")
    mark_deal_won(deal=won, actor=None)

    response = client_for(salesperson).get(reverse("contacts:organization", args=[organization.pk]))

    assert list(response.context["deals"]) == [newer_open, older_open, won]
    assertContains(response, '<span class="badge won">Won</span>', html=True)


def test_page_hides_deals_the_viewer_may_not_see(client_for, sales_pipeline, salesperson, other_salesperson):
    organization = make_organization("Airbus Defence and Space")
    make_deal(
        pipeline=sales_pipeline,
        owner=salesperson,
        organization=organization,
        title="Private hinge bid",
        visibility="owner",
    )
    make_deal(
        pipeline=sales_pipeline, owner=salesperson, organization=organization, title="Public bracket bid"
    )
    url = reverse("contacts:organization", args=[organization.pk])

    as_outsider = client_for(other_salesperson).get(url)
    as_owner = client_for(salesperson).get(url)

    assertNotContains(as_outsider, "Private hinge bid")
    assertContains(as_outsider, "Public bracket bid")
    assert [d.title for d in as_outsider.context["deals"]] == ["Public bracket bid"]
    assertContains(as_owner, "Private hinge bid")
    assertContains(as_owner, "Public bracket bid")


# ---------------------------------------------------------------- create


def test_new_form_offers_every_field_with_the_name_focused(client_for, salesperson):
    response = client_for(salesperson).get(reverse("contacts:organization_new"))

    assert response.status_code == 200
    assertContains(
        response,
        '<input type="text" name="name" autofocus maxlength="200" required id="id_name">',
        html=True,
    )
    for index, (value, label) in enumerate(
        [
            ("agency", "Agency"),
            ("prime", "Prime contractor"),
            ("customer", "Customer"),
            ("partner", "Partner"),
            ("supplier", "Supplier"),
        ]
    ):
        assertContains(
            response,
            f'<label for="id_roles_{index}"><input type="checkbox" name="roles" value="{value}" '
            f'id="id_roles_{index}"> {label}</label>',
            html=True,
        )
    for name in ("street", "postal_code", "city", "country", "vat_number", "website", "email_domains"):
        assertContains(response, f'name="{name}"', count=1)
    # The creator owns the new organization unless they choose someone else.
    assertContains(
        response, f'<option value="{salesperson.pk}" selected>Salesperson Test</option>', html=True
    )


def test_create_writes_every_field_and_opens_the_new_page(client_for, salesperson):
    response = client_for(salesperson).post(
        reverse("contacts:organization_new"), _organization_fields(owner=salesperson.pk)
    )

    organization = Organization.objects.get()
    assertRedirects(response, reverse("contacts:organization", args=[organization.pk]))
    assert organization.name == "Nordlys Microsystems AB"
    assert organization.roles == ["partner", "supplier"]
    assert organization.street == "Kungsgatan 1"
    assert organization.postal_code == "753 21"
    assert organization.city == "Uppsala"
    assert organization.country == "SE"
    assert organization.vat_number == "SE556677889901"
    assert organization.website == "https://nordlys-micro.example"
    assert organization.email_domains == ["nordlys-micro.example", "nordlys.se"]
    assert organization.owner == salesperson
    assert organization.custom_values == {}
    event = DomainEvent.objects.get(name="organization.created")
    assert (event.subject_id, event.actor, event.source) == (organization.pk, salesperson, "ui")


def test_duplicate_name_warns_and_create_anyway_creates(client_for, salesperson):
    existing = make_organization("Thales Alenia Space", city="Cannes", country="FR")
    client = client_for(salesperson)
    fields = _organization_fields(name="Thales Alenia Space S.A.", city="Toulouse", country="FR")

    warned = client.post(reverse("contacts:organization_new"), fields)

    assert warned.status_code == 200
    assertContains(warned, "This looks like an existing record (same name): Thales Alenia Space.")
    assertContains(
        warned,
        f'<a href="/contacts/organizations/{existing.pk}/" target="_blank" rel="noopener">'
        'Thales Alenia Space<span class="visually-hidden"> (opens in a new tab)</span></a>',
        html=True,
    )
    assertContains(warned, "Cannes, FR")
    assertContains(
        warned,
        '<button type="submit" name="allow_duplicate" value="1" class="btn">Create anyway</button>',
        html=True,
    )
    assertContains(warned, 'value="Thales Alenia Space S.A."')
    assert Organization.objects.get() == existing
    assert not DomainEvent.objects.filter(name="organization.created", actor=salesperson).exists()

    created = client.post(reverse("contacts:organization_new"), {**fields, "allow_duplicate": "1"})

    duplicate = Organization.objects.exclude(pk=existing.pk).get()
    assertRedirects(created, reverse("contacts:organization", args=[duplicate.pk]))
    assert (duplicate.name, duplicate.city) == ("Thales Alenia Space S.A.", "Toulouse")


def test_invalid_fields_are_shown_on_their_fields_and_nothing_is_written(client_for, salesperson):
    events_before = DomainEvent.objects.count()

    response = client_for(salesperson).post(
        reverse("contacts:organization_new"),
        _organization_fields(
            country="Switzerland", website="not a web address", email_domains="ok.ch, bad domain"
        ),
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "country": ["Use the two-letter ISO code, e.g. CH."],
        "website": ["Enter a valid web address."],
        "email_domains": ["Not a domain: bad domain"],
    }
    assertContains(
        response,
        '<ul class="field-errors" id="id_country_error"><li>Use the two-letter ISO code, e.g. CH.</li></ul>',
        html=True,
    )
    assertContains(response, "Nothing was saved. Please correct the fields marked below.")
    assertContains(response, 'aria-invalid="true"', count=3)
    # The first field to correct takes the focus, not the name.
    assertContains(response, 'name="country" value="Switzerland" autocomplete="country" size="4" autofocus')
    assert not Organization.objects.exists()
    assert DomainEvent.objects.count() == events_before


def test_missing_name_is_refused_without_writing(client_for, salesperson):
    response = client_for(salesperson).post(
        reverse("contacts:organization_new"), _organization_fields(name=" ")
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {"name": ["This field is required."]}
    assert not Organization.objects.exists()


def test_unknown_role_is_refused(client_for, salesperson):
    response = client_for(salesperson).post(
        reverse("contacts:organization_new"), _organization_fields(roles=["agency", "pirate"])
    )

    assert response.context["form"].errors == {
        "roles": ["Select a valid choice. pirate is not one of the available choices."]
    }
    assert not Organization.objects.exists()


# ---------------------------------------------------------------- edit


def test_edit_form_shows_the_current_values(client_for, salesperson):
    organization = make_organization(
        "OHB System",
        roles=["prime"],
        city="Bremen",
        email_domains=["ohb.de", "ohb-system.de"],
        owner=salesperson,
    )

    response = client_for(salesperson).get(reverse("contacts:organization_edit", args=[organization.pk]))

    assert response.status_code == 200
    assertContains(response, "<h1>Edit OHB System</h1>", html=True)
    assertContains(response, 'value="OHB System"')
    assertContains(
        response, '<input type="checkbox" name="roles" value="prime" id="id_roles_1" checked>', html=True
    )
    assertContains(response, 'value="ohb.de, ohb-system.de"')
    assertContains(
        response, f'<option value="{salesperson.pk}" selected>Salesperson Test</option>', html=True
    )
    assertContains(
        response, f'<a class="btn" href="/contacts/organizations/{organization.pk}/">Cancel</a>', html=True
    )


def test_edit_saves_changes_and_records_them(client_for, salesperson, other_salesperson):
    organization = make_organization("OHB System", roles=["prime"], city="Bremen", country="DE")

    response = client_for(salesperson).post(
        reverse("contacts:organization_edit", args=[organization.pk]),
        _organization_fields(
            name="OHB System AG",
            roles=["prime", "customer"],
            street="",
            postal_code="",
            city="Oberpfaffenhofen",
            country="DE",
            vat_number="",
            website="",
            email_domains="ohb.de",
            owner=other_salesperson.pk,
        ),
    )

    assertRedirects(response, reverse("contacts:organization", args=[organization.pk]))
    organization.refresh_from_db()
    assert organization.name == "OHB System AG"
    assert organization.normalized_name == "ohb system"
    assert organization.roles == ["prime", "customer"]
    assert organization.city == "Oberpfaffenhofen"
    assert organization.email_domains == ["ohb.de"]
    assert organization.owner == other_salesperson
    event = DomainEvent.objects.get(name="organization.updated")
    assert event.data["changes"]["city"] == ["Bremen", "Oberpfaffenhofen"]
    assert event.data["changes"]["roles"] == [["prime"], ["prime", "customer"]]


def test_invalid_edit_changes_nothing(client_for, salesperson):
    organization = make_organization("OHB System", city="Bremen", country="DE")

    response = client_for(salesperson).post(
        reverse("contacts:organization_edit", args=[organization.pk]),
        _organization_fields(name="OHB System", city="Munich", country="DEU"),
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {"country": ["Use the two-letter ISO code, e.g. CH."]}
    organization.refresh_from_db()
    assert (organization.city, organization.country) == ("Bremen", "DE")
    assert not DomainEvent.objects.filter(name="organization.updated").exists()
