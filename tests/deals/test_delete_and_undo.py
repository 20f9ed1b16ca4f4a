"""Deleting deals and contacts: gone from every list, one click to undo, permission-checked."""

import pytest
from django.urls import reverse

from apogee.contacts.models import Organization, Person
from apogee.core.models import DomainEvent
from apogee.deals.models import Deal, Visibility
from tests.contacts.factories import make_organization, make_person
from tests.deals.factories import make_deal

pytestmark = pytest.mark.django_db


def test_deleted_deal_leaves_board_and_list_and_undo_brings_it_back(client_for, sales_pipeline, salesperson):
    deal = make_deal(pipeline=sales_pipeline, owner=salesperson, title="Hinge for CHIME")
    client = client_for(salesperson)

    response = client.post(reverse("deals:delete", args=[deal.pk]), follow=True)

    page = response.content.decode()
    assert "“Hinge for CHIME” was deleted." in page
    assert f'action="{reverse("deals:restore", args=[deal.pk])}"' in page
    assert response.context["board"].count == 0
    assert client.get(reverse("deals:detail", args=[deal.pk])).status_code == 404
    assert client.get(reverse("deals:list")).context["page"].paginator.count == 0
    assert DomainEvent.objects.filter(name="deal.deleted", subject_id=deal.pk).count() == 1

    client.post(reverse("deals:restore", args=[deal.pk]))

    deal.refresh_from_db()
    assert deal.deleted_at is None
    assert client.get(reverse("deals:detail", args=[deal.pk])).status_code == 200


def test_someone_who_cannot_see_a_deal_can_neither_delete_nor_restore_it(
    client_for, sales_pipeline, salesperson, other_salesperson
):
    deal = make_deal(pipeline=sales_pipeline, owner=salesperson, visibility=Visibility.OWNER)
    client = client_for(other_salesperson)

    assert client.post(reverse("deals:delete", args=[deal.pk])).status_code == 404
    deal.refresh_from_db()
    assert deal.deleted_at is None
    Deal.objects.filter(pk=deal.pk).update(deleted_at="2026-11-01T00:00:00Z")
    assert client.post(reverse("deals:restore", args=[deal.pk])).status_code == 404


def test_members_may_not_delete_an_organization_they_do_not_own(client_for, workspace, salesperson, manager):
    org = make_organization("OHB System")

    client_for(salesperson).post(reverse("contacts:organization_delete", args=[org.pk]))
    assert Organization.objects.get(pk=org.pk).deleted_at is None

    client_for(manager).post(reverse("contacts:organization_delete", args=[org.pk]))
    assert Organization.objects.get(pk=org.pk).deleted_at is not None
    assert client_for(manager).get(reverse("contacts:organizations")).context["page"].paginator.count == 0


def test_a_deleted_person_comes_back_with_undo(client_for, workspace, manager):
    person = make_person("Katrin Vogel")
    client = client_for(manager)

    page = client.post(reverse("contacts:person_delete", args=[person.pk]), follow=True).content.decode()
    assert "“Katrin Vogel” was deleted." in page
    assert Person.objects.get(pk=person.pk).deleted_at is not None

    response = client.post(reverse("contacts:person_restore", args=[person.pk]))

    assert response["Location"] == reverse("contacts:person", args=[person.pk])
    assert Person.objects.get(pk=person.pk).deleted_at is None
