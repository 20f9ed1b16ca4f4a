"""The trash: deleted records listed for 30 days, restored from there, purged by administrators."""

import io
from datetime import UTC, datetime, timedelta
from unittest import mock

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse

from apogee.activities.models import Activity
from apogee.contacts.models import Organization, Person
from apogee.contacts.services import delete_organization, delete_person
from apogee.core.errors import PermissionDenied, ValidationFailed
from apogee.core.models import DomainEvent
from apogee.deals.models import Deal, DealParticipant, ParticipantRole, StageChange, Visibility
from apogee.deals.services import delete_deal
from apogee.leads.models import Lead
from apogee.leads.services import delete_lead
from apogee.workspace import trash
from apogee.workspace.tasks import purge_trash_daily
from tests.activities.factories import make_activity
from tests.contacts.factories import make_organization, make_person
from tests.deals.factories import make_deal
from tests.leads.factories import make_lead

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def _listed(response):
    return [(item.kind, item.pk) for item in response.context["items"]]


def test_the_trash_lists_exactly_the_deleted_records_the_user_may_see_newest_first(
    client_for, sales_pipeline, salesperson, other_salesperson
):
    with time_machine.travel(NOW - timedelta(days=3), tick=False):
        shared = make_deal(pipeline=sales_pipeline, owner=salesperson, title="Shared deal")
        private = make_deal(
            pipeline=sales_pipeline, owner=salesperson, title="Private deal", visibility=Visibility.OWNER
        )
        make_deal(pipeline=sales_pipeline, owner=salesperson, title="Still alive")
        delete_deal(deal=shared, actor=None)
    with time_machine.travel(NOW - timedelta(days=2), tick=False):
        delete_deal(deal=private, actor=None)
        private_lead = make_lead(owner=salesperson, title="Private lead", visibility=Visibility.OWNER)
        delete_lead(lead=private_lead, actor=None)
    with time_machine.travel(NOW - timedelta(days=1), tick=False):
        org = make_organization("Deleted Org")
        delete_organization(organization=org, actor=None)
        person = make_person("Deleted Person")
        delete_person(person=person, actor=None)
    make_organization("Living Org")

    with time_machine.travel(NOW, tick=False):
        outsider_page = client_for(other_salesperson).get(reverse("trash:index"))
        owner_page = client_for(salesperson).get(reverse("trash:index"))

    assert outsider_page.status_code == 200
    assert _listed(outsider_page) == [("person", person.pk), ("organization", org.pk), ("deal", shared.pk)]
    assert _listed(owner_page) == [
        ("person", person.pk),
        ("organization", org.pk),
        ("lead", private_lead.pk),
        ("deal", private.pk),
        ("deal", shared.pk),
    ]
    page = owner_page.content.decode()
    assert "Shared deal" in page and "Private deal" in page and "Still alive" not in page
    assert "Living Org" not in page
    assert [item.days_left for item in owner_page.context["items"]] == [29, 29, 28, 28, 27]
    # Members restore, but only administrators see permanent deletion.
    assert "Delete permanently" not in page
    assert f'action="{reverse("trash:restore", args=["deal", shared.pk])}"' in page
    assert reverse("trash:index") in page  # the sidebar link


def test_an_empty_trash_says_so(client_for, workspace, salesperson):
    response = client_for(salesperson).get(reverse("trash:index"))

    assert response.status_code == 200
    assert "The trash is empty" in response.content.decode()


def test_restore_from_the_trash(client_for, sales_pipeline, salesperson, other_salesperson):
    deal = make_deal(pipeline=sales_pipeline, owner=salesperson, title="Hinge", visibility=Visibility.OWNER)
    delete_deal(deal=deal, actor=None)

    assert (
        client_for(other_salesperson).post(reverse("trash:restore", args=["deal", deal.pk])).status_code
        == 404
    )
    response = client_for(salesperson).post(reverse("trash:restore", args=["deal", deal.pk]), follow=True)

    deal.refresh_from_db()
    assert deal.deleted_at is None
    assert "“Hinge” was restored." in response.content.decode()
    assert DomainEvent.objects.filter(name="deal.restored", subject_id=deal.pk).exists()
    assert _listed(response) == []


def test_restore_of_a_lead_and_a_person_from_the_trash(client_for, workspace, salesperson):
    lead = make_lead(owner=salesperson)
    delete_lead(lead=lead, actor=None)
    person = make_person("Ada", owner=salesperson)
    delete_person(person=person, actor=None)
    client = client_for(salesperson)

    client.post(reverse("trash:restore", args=["lead", lead.pk]))
    client.post(reverse("trash:restore", args=["person", person.pk]))

    assert Lead.objects.get(pk=lead.pk).deleted_at is None
    assert Person.objects.get(pk=person.pk).deleted_at is None


def test_restore_refused_for_a_contact_the_member_may_not_delete(client_for, workspace, salesperson):
    org = make_organization("Not mine")
    delete_organization(organization=org, actor=None)

    response = client_for(salesperson).post(
        reverse("trash:restore", args=["organization", org.pk]), follow=True
    )

    assert Organization.objects.get(pk=org.pk).deleted_at is not None
    assert response.context["items"][0].can_restore is False


def test_unknown_kind_is_404(client_for, workspace, admin):
    assert client_for(admin).post(reverse("trash:restore", args=["pipeline", 1])).status_code == 404
    assert client_for(admin).get(reverse("trash:purge", args=["pipeline", 1])).status_code == 404


def test_a_member_may_not_delete_permanently(client_for, sales_pipeline, salesperson):
    deal = make_deal(pipeline=sales_pipeline, owner=salesperson)
    delete_deal(deal=deal, actor=None)
    client = client_for(salesperson)

    assert client.get(reverse("trash:purge", args=["deal", deal.pk])).status_code == 403
    assert client.post(reverse("trash:purge", args=["deal", deal.pk])).status_code == 403
    assert Deal.objects.filter(pk=deal.pk).exists()
    with pytest.raises(PermissionDenied):
        trash.purge_deal(deal=deal, actor=salesperson)


def test_an_admin_deletes_a_deal_permanently_after_confirming(client_for, sales_pipeline, salesperson, admin):
    deal = make_deal(pipeline=sales_pipeline, owner=salesperson, title="Doomed")
    person = make_person("Participant")
    DealParticipant.objects.create(deal=deal, person=person, role=ParticipantRole.OTHER)
    make_activity(owner=salesperson, deal=deal)
    delete_deal(deal=deal, actor=None)
    client = client_for(admin)

    listing = client.get(reverse("trash:index")).content.decode()
    assert f'href="{reverse("trash:purge", args=["deal", deal.pk])}"' in listing
    confirm = client.get(reverse("trash:purge", args=["deal", deal.pk]))
    assert confirm.status_code == 200
    page = confirm.content.decode()
    assert "cannot be undone" in page
    assert "Its 1 activity is deleted with it." in page
    assert Deal.objects.filter(pk=deal.pk).exists()  # showing the confirmation deletes nothing

    response = client.post(reverse("trash:purge", args=["deal", deal.pk]), follow=True)

    assert "“Doomed” was deleted permanently." in response.content.decode()
    assert not Deal.objects.filter(pk=deal.pk).exists()
    assert not DealParticipant.objects.filter(deal_id=deal.pk).exists()
    assert not StageChange.objects.filter(deal_id=deal.pk).exists()
    assert not Activity.objects.filter(deal_id=deal.pk).exists()
    assert Person.objects.filter(pk=person.pk).exists()
    event = DomainEvent.objects.get(name="deal.purged")
    assert (event.subject_type, event.subject_id, event.actor) == ("deal", deal.pk, admin)
    assert event.data["title"] == "Doomed"


def test_only_records_in_the_trash_can_be_purged(client_for, sales_pipeline, salesperson, admin):
    deal = make_deal(pipeline=sales_pipeline, owner=salesperson)

    assert client_for(admin).post(reverse("trash:purge", args=["deal", deal.pk])).status_code == 404
    with pytest.raises(ValidationFailed):
        trash.purge_deal(deal=deal, actor=admin)
    assert Deal.objects.filter(pk=deal.pk).exists()


def test_an_admin_purges_a_lead_and_a_person(client_for, workspace, salesperson, admin):
    lead = make_lead(owner=salesperson)
    delete_lead(lead=lead, actor=None)
    person = make_person("Gone", emails=["gone@example.test"])
    delete_person(person=person, actor=None)
    client = client_for(admin)

    client.post(reverse("trash:purge", args=["lead", lead.pk]))
    client.post(reverse("trash:purge", args=["person", person.pk]))

    assert not Lead.objects.filter(pk=lead.pk).exists()
    assert not Person.objects.filter(pk=person.pk).exists()
    assert DomainEvent.objects.filter(name="lead.purged", subject_id=lead.pk).exists()
    assert DomainEvent.objects.filter(name="person.purged", subject_id=person.pk).exists()


def test_an_organization_with_deals_is_not_purged(client_for, sales_pipeline, salesperson, admin):
    org = make_organization("Busy Org")
    make_deal(pipeline=sales_pipeline, owner=salesperson, organization=org)
    gone = make_deal(pipeline=sales_pipeline, owner=salesperson, organization=org)
    delete_deal(deal=gone, actor=None)
    make_lead(owner=salesperson, organization=org)
    delete_organization(organization=org, actor=None)
    client = client_for(admin)

    confirm = client.get(reverse("trash:purge", args=["organization", org.pk]))
    assert "2 deals and 1 lead" in confirm.content.decode()
    response = client.post(reverse("trash:purge", args=["organization", org.pk]), follow=True)

    assert Organization.objects.filter(pk=org.pk).exists()
    assert "“Busy Org” cannot be deleted permanently: 2 deals and 1 lead still refer to it" in (
        response.content.decode()
    )
    assert not DomainEvent.objects.filter(name="organization.purged").exists()
    with pytest.raises(ValidationFailed, match="2 deals and 1 lead"):
        trash.purge_organization(organization=org, actor=admin)


def test_an_unreferenced_organization_is_purged(client_for, workspace, admin):
    org = make_organization("Lonely Org")
    member = make_person("Employee", organization=org)
    delete_organization(organization=org, actor=None)

    client_for(admin).post(reverse("trash:purge", args=["organization", org.pk]))

    assert not Organization.objects.filter(pk=org.pk).exists()
    assert Person.objects.get(pk=member.pk).organization is None
    assert DomainEvent.objects.filter(name="organization.purged", subject_id=org.pk).exists()


def test_purge_trash_deletes_only_what_is_older_than_30_days(sales_pipeline, salesperson):
    with time_machine.travel(NOW - timedelta(days=31), tick=False):
        old_org = make_organization("Old Org")
        old_deal = make_deal(pipeline=sales_pipeline, owner=salesperson, organization=old_org)
        old_lead = make_lead(owner=salesperson)
        old_person = make_person("Old Person")
        delete_deal(deal=old_deal, actor=None)
        delete_lead(lead=old_lead, actor=None)
        delete_person(person=old_person, actor=None)
        delete_organization(organization=old_org, actor=None)
    with time_machine.travel(NOW - timedelta(days=29), tick=False):
        recent = make_deal(pipeline=sales_pipeline, owner=salesperson)
        delete_deal(deal=recent, actor=None)
    alive = make_deal(pipeline=sales_pipeline, owner=salesperson)

    out = io.StringIO()
    with time_machine.travel(NOW, tick=False):
        call_command("purge_trash", stdout=out)

    assert not Deal.objects.filter(pk=old_deal.pk).exists()
    assert not Lead.objects.filter(pk=old_lead.pk).exists()
    assert not Person.objects.filter(pk=old_person.pk).exists()
    assert not Organization.objects.filter(pk=old_org.pk).exists()  # its only deal went first
    assert Deal.objects.filter(pk__in=[recent.pk, alive.pk]).count() == 2
    assert "deal: 1 purged" in out.getvalue()
    assert "Purged 4 record(s)" in out.getvalue()
    purged = DomainEvent.objects.filter(name__endswith=".purged")
    assert purged.count() == 4
    assert all(event.actor is None for event in purged)


def test_purge_trash_skips_an_organization_still_referenced(sales_pipeline, salesperson):
    with time_machine.travel(NOW - timedelta(days=40), tick=False):
        org = make_organization("Referenced")
        make_deal(pipeline=sales_pipeline, owner=salesperson, organization=org)
        delete_organization(organization=org, actor=None)
    out = io.StringIO()

    with time_machine.travel(NOW, tick=False):
        call_command("purge_trash", stdout=out)

    assert Organization.objects.filter(pk=org.pk).exists()
    assert "organization: 0 purged, 1 skipped" in out.getvalue()


def test_the_daily_task_runs_purge_trash(sales_pipeline, salesperson):
    with mock.patch("apogee.workspace.tasks.call_command") as command:
        purge_trash_daily.call_local()
    command.assert_called_once_with("purge_trash")

    with time_machine.travel(NOW - timedelta(days=31), tick=False):
        deal = make_deal(pipeline=sales_pipeline, owner=salesperson)
        delete_deal(deal=deal, actor=None)
    with time_machine.travel(NOW, tick=False):
        purge_trash_daily.call_local()
    assert not Deal.objects.filter(pk=deal.pk).exists()
