"""Contacts pages as a whole: who may open them, and lists whose query count does not grow with rows."""

import pytest
from django.urls import reverse

from apogee.contacts.models import Organization
from apogee.deals.services import add_participant
from tests.contacts.factories import make_organization, make_person
from tests.deals.factories import make_deal

pytestmark = pytest.mark.django_db

PAGES = [
    ("contacts:organizations", False),
    ("contacts:organization_new", False),
    ("contacts:organization", True),
    ("contacts:organization_edit", True),
    ("contacts:persons", False),
    ("contacts:person_new", False),
    ("contacts:person", True),
    ("contacts:person_edit", True),
]


@pytest.mark.parametrize(("url_name", "takes_pk"), PAGES)
def test_anonymous_visitors_are_sent_to_login(client, url_name, takes_pk):
    url = reverse(url_name, args=[1] if takes_pk else [])

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={url}"


def test_anonymous_post_creates_nothing(client):
    response = client.post(reverse("contacts:organization_new"), {"name": "Sneaky SA"})

    assert response.status_code == 302
    assert not Organization.objects.exists()


@pytest.mark.parametrize("url_name", ["contacts:organization", "contacts:organization_edit"])
def test_missing_organization_is_a_404(client_for, salesperson, url_name):
    response = client_for(salesperson).get(reverse(url_name, args=[999999]))

    assert response.status_code == 404


@pytest.mark.parametrize("url_name", ["contacts:person", "contacts:person_edit"])
def test_missing_person_is_a_404(client_for, salesperson, url_name):
    response = client_for(salesperson).get(reverse(url_name, args=[999999]))

    assert response.status_code == 404


# session, user, unread notifications, count, page of rows (annotated counts): the same for 3 rows and for 30.
ORGANIZATION_LIST_QUERIES = 5


@pytest.mark.parametrize("rows", [3, 30])
def test_organization_list_query_count_does_not_grow_with_rows(
    client_for, salesperson, django_assert_num_queries, rows
):
    for index in range(rows):
        organization = make_organization(f"Org {index:02d}", roles=["customer"], city="Bern")
        make_person(f"Person {index:02d}", organization=organization)
    client = client_for(salesperson)

    with django_assert_num_queries(ORGANIZATION_LIST_QUERIES):
        response = client.get(reverse("contacts:organizations"))

    assert response.status_code == 200
    assert len(response.context["page"].object_list) == rows


# session, user, count, page of rows (with organizations), their e-mails.
PERSON_LIST_QUERIES = 6


@pytest.mark.parametrize("rows", [3, 30])
def test_person_list_query_count_does_not_grow_with_rows(
    client_for, salesperson, django_assert_num_queries, rows
):
    organization = make_organization("Alpenmotion AG")
    for index in range(rows):
        make_person(
            f"Person {index:02d}",
            organization=organization,
            emails=[f"p{index}@alpenmotion.example", f"p{index}@home.example"],
            phones=["+41 52 555 00 00"],
        )
    client = client_for(salesperson)

    with django_assert_num_queries(PERSON_LIST_QUERIES):
        response = client.get(reverse("contacts:persons"))

    assert response.status_code == 200
    assert len(response.context["page"].object_list) == rows


def test_lists_answer_the_search_box_with_the_results_alone(client_for, salesperson):
    make_organization("Thales Alenia Space", city="Cannes")
    client = client_for(salesperson)

    response = client.get(reverse("contacts:organizations"), {"q": "cannes"}, headers={"HX-Request": "true"})

    assert response.status_code == 200
    assert [t.name for t in response.templates] == [
        "contacts/_organization_results.html",
        "contacts/_pagination.html",
    ]
    assert b"<html" not in response.content
    assert b"Thales Alenia Space" in response.content
    assert "HX-Request" in response["Vary"]


# session, user, organization, its owner, field definitions, persons, their e-mails, deals.
ORGANIZATION_PAGE_QUERIES = 9


@pytest.mark.parametrize("rows", [3, 30])
def test_organization_page_query_count_does_not_grow_with_persons_or_deals(
    client_for, sales_pipeline, salesperson, django_assert_num_queries, rows
):
    organization = make_organization("European Space Agency", owner=salesperson)
    for index in range(rows):
        make_person(f"Officer {index:02d}", organization=organization, emails=[f"o{index}@esa.int"])
        make_deal(pipeline=sales_pipeline, owner=salesperson, organization=organization)
    client = client_for(salesperson)

    with django_assert_num_queries(ORGANIZATION_PAGE_QUERIES):
        response = client.get(reverse("contacts:organization", args=[organization.pk]))

    assert len(response.context["deals"]) == rows


# session, user, person (with organization), e-mails, field definitions, participations with deals.
PERSON_PAGE_QUERIES = 7


@pytest.mark.parametrize("rows", [3, 30])
def test_person_page_query_count_does_not_grow_with_deals(
    client_for, sales_pipeline, salesperson, django_assert_num_queries, rows
):
    person = make_person("Anke de Vries", emails=["anke.devries@esa.int"])
    for _ in range(rows):
        deal = make_deal(pipeline=sales_pipeline, owner=salesperson)
        add_participant(deal=deal, person=person, role="contract_officer", actor=None)
    client = client_for(salesperson)

    with django_assert_num_queries(PERSON_PAGE_QUERIES):
        response = client.get(reverse("contacts:person", args=[person.pk]))

    assert len(response.context["participations"]) == rows
