"""The inbox, quick add, the lead page, conversion and bulk actions, over HTTP as the browser uses them."""

import json
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apogee.contacts.services import create_organization
from apogee.core.models import DomainEvent
from apogee.deals.models import Deal, Visibility
from apogee.leads.models import Lead, LeadSource, LeadStatus
from tests.deals.factories import stage
from tests.leads.factories import make_label, make_lead

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


def _titles(response) -> list[str]:
    return [lead.title for lead in response.context["leads"]]


def test_quick_add_from_the_dialog_creates_the_lead(client_for, workspace, salesperson):
    client = client_for(salesperson)

    form = client.get(reverse("leads:quick_add"), headers=HTMX)
    assert form.status_code == 200
    assert 'hx-post="/leads/new/"' in form.content.decode()

    response = client.post(
        reverse("leads:quick_add"),
        {
            "title": "Future mission, 250 M",
            "new_organization": "OHB System",
            "source": "event",
            "kind": "mission",
            "owner": salesperson.pk,
            "currency": "EUR",
            "expected_value": "250000000",
            "visibility": "everyone",
            "note": "Heard at the conference.",
        },
        headers=HTMX,
    )

    assert response.status_code == 204
    assert json.loads(response["HX-Trigger"])["close-dialog"] is True
    lead = Lead.objects.get()
    assert (lead.title, lead.organization.name, lead.source, lead.kind, lead.owner) == (
        "Future mission, 250 M",
        "OHB System",
        "event",
        "mission",
        salesperson,
    )


def test_quick_add_offers_the_existing_organization_then_uses_it(client_for, workspace, salesperson):
    existing = create_organization(actor=None, name="OHB System")
    client = client_for(salesperson)
    data = {"title": "Bracket set", "new_organization": "OHB system", "source": "manual", "kind": "other"}
    data |= {"owner": salesperson.pk, "currency": "CHF", "visibility": "everyone"}

    offered = client.post(reverse("leads:quick_add"), data, headers=HTMX)

    assert offered.status_code == 200
    assert f'name="use_organization" value="{existing.pk}"' in offered.content.decode()
    assert not Lead.objects.exists()

    client.post(reverse("leads:quick_add"), data | {"use_organization": existing.pk}, headers=HTMX)
    assert Lead.objects.get().organization == existing


def test_quick_add_with_errors_keeps_the_dialog_open_and_writes_nothing(client_for, workspace, salesperson):
    response = client_for(salesperson).post(
        reverse("leads:quick_add"),
        {"title": "", "source": "manual", "kind": "other", "owner": salesperson.pk, "currency": "CHF"},
        headers=HTMX,
    )
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert not Lead.objects.exists()


def test_inbox_filters_give_exact_results(client_for, workspace, salesperson, teammate):
    hot = make_label("Hot")
    old = make_lead(owner=salesperson, title="Old web lead", source=LeadSource.WEB_FORM)
    Lead.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=45))
    make_lead(owner=salesperson, title="Hot event lead", source=LeadSource.EVENT, labels=[hot])
    make_lead(owner=teammate, title="Teammate's event lead", source=LeadSource.EVENT)
    archived = make_lead(owner=salesperson, title="Archived lead")
    Lead.objects.filter(pk=archived.pk).update(status=LeadStatus.ARCHIVED)
    client = client_for(salesperson)
    url = reverse("leads:inbox")

    assert _titles(client.get(url)) == ["Teammate's event lead", "Hot event lead", "Old web lead"]
    assert _titles(client.get(url, {"owner": teammate.pk})) == ["Teammate's event lead"]
    assert _titles(client.get(url, {"label": hot.pk})) == ["Hot event lead"]
    assert _titles(client.get(url, {"source": "event", "owner": salesperson.pk})) == ["Hot event lead"]
    assert _titles(client.get(url, {"age": "lt7", "source": "web_form"})) == []
    assert _titles(client.get(url, {"age": "older"})) == ["Old web lead"]
    assert _titles(client.get(url, {"status": "archived"})) == ["Archived lead"]


def test_inbox_hides_leads_the_user_may_not_see(client_for, workspace, salesperson, other_salesperson):
    make_lead(owner=salesperson, title="Private signal", visibility=Visibility.OWNER)

    response = client_for(other_salesperson).get(reverse("leads:inbox"))

    assert _titles(response) == []
    assert "Private signal" not in response.content.decode()


def test_inbox_query_count_does_not_grow_with_leads(
    client_for, workspace, salesperson, django_assert_num_queries
):
    labels = [make_label("Hot"), make_label("Conference")]
    for _ in range(3):
        make_lead(owner=salesperson, labels=labels, new_organization_name=None)
    client = client_for(salesperson)
    url = reverse("leads:inbox")
    client.get(url)  # warm the session

    with CaptureQueriesContext(connection) as few:
        assert len(client.get(url).context["leads"]) == 3
    for index in range(27):
        make_lead(
            owner=salesperson, labels=labels, new_person_name=f"Person {index}", allow_duplicate_person=True
        )
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert len(response.context["leads"]) == 30


@pytest.mark.parametrize(
    ("method", "name"),
    [
        ("get", "detail"),
        ("get", "edit"),
        ("get", "convert"),
        ("post", "convert"),
        ("post", "archive"),
        ("post", "delete"),
    ],
)
def test_a_lead_the_user_may_not_see_is_a_404(
    client_for, workspace, salesperson, other_salesperson, method, name
):
    lead = make_lead(owner=salesperson, visibility=Visibility.OWNER)

    response = getattr(client_for(other_salesperson), method)(reverse(f"leads:{name}", args=[lead.pk]))

    assert response.status_code == 404
    lead.refresh_from_db()
    assert (lead.status, lead.deleted_at, lead.converted_deal) == (LeadStatus.OPEN, None, None)


def test_bulk_action_naming_an_invisible_lead_is_a_404_and_changes_nothing(
    client_for, workspace, salesperson, other_salesperson
):
    private = make_lead(owner=salesperson, visibility=Visibility.OWNER)
    shared = make_lead(owner=other_salesperson)

    response = client_for(other_salesperson).post(
        reverse("leads:bulk"), {"action": "archive", "ids": [shared.pk, private.pk]}
    )

    assert response.status_code == 404
    assert set(Lead.objects.values_list("status", flat=True)) == {LeadStatus.OPEN}


def test_bulk_archive_moves_leads_to_the_archived_view(client_for, workspace, salesperson):
    first, second = make_lead(owner=salesperson), make_lead(owner=salesperson)
    client = client_for(salesperson)

    response = client.post(reverse("leads:bulk"), {"action": "archive", "ids": [first.pk, second.pk]})

    assert response.status_code == 302
    assert _titles(client.get(reverse("leads:inbox"))) == []
    assert sorted(_titles(client.get(reverse("leads:inbox"), {"status": "archived"}))) == sorted(
        [first.title, second.title]
    )


def test_convert_asks_for_the_gate_fields_then_converts(client_for, sales_pipeline, salesperson):
    lead = make_lead(owner=salesperson, title="Solar array drive")
    evaluation = stage(sales_pipeline, "Opportunity in evaluation")
    client = client_for(salesperson)
    url = reverse("leads:convert", args=[lead.pk])
    choice = {"pipeline": sales_pipeline.pk, "stage": evaluation.pk}

    asked = client.post(url, choice, headers=HTMX)

    assert asked.status_code == 200
    page = asked.content.decode()
    assert 'name="cf_opportunity_type"' in page and 'name="gate_keys" value="opportunity_type"' in page
    assert "This field is required." not in page  # asked for, not yet an error
    assert not Deal.objects.exists()

    still_missing = client.post(url, choice | {"gate_keys": "opportunity_type"}, headers=HTMX)
    assert "This field is required." in still_missing.content.decode()
    assert not Deal.objects.exists()

    done = client.post(
        url, choice | {"gate_keys": "opportunity_type", "cf_opportunity_type": "esa"}, headers=HTMX
    )

    deal = Deal.objects.get()
    assert done["HX-Redirect"] == reverse("deals:detail", args=[deal.pk])
    assert (deal.stage, deal.custom_values) == (evaluation, {"opportunity_type": "esa"})
    lead.refresh_from_db()
    assert (lead.status, lead.converted_deal) == (LeadStatus.ARCHIVED, deal)
    page = client.get(reverse("leads:detail", args=[lead.pk])).content.decode()
    assert reverse("deals:detail", args=[deal.pk]) in page


def test_delete_offers_undo_and_restore_brings_the_lead_back(client_for, workspace, salesperson):
    lead = make_lead(owner=salesperson, title="Deleted by mistake")
    client = client_for(salesperson)

    client.post(reverse("leads:delete", args=[lead.pk]))
    inbox = client.get(reverse("leads:inbox"))
    assert _titles(inbox) == []
    assert reverse("leads:restore", args=[lead.pk]) in inbox.content.decode()

    client.post(reverse("leads:restore", args=[lead.pk]))
    assert _titles(client.get(reverse("leads:inbox"))) == ["Deleted by mistake"]
    assert [e.name for e in DomainEvent.objects.filter(subject_type="lead")] == [
        "lead.created",
        "lead.deleted",
        "lead.restored",
    ]


def test_lead_labels_settings_are_for_administrators(client_for, workspace, admin, salesperson):
    assert client_for(salesperson).get(reverse("workspace:lead_labels")).status_code == 403

    client = client_for(admin)
    response = client.post(reverse("workspace:lead_labels"), {"name": "Conference", "colour": "#B86E00"})

    assert response.status_code == 302
    label = client.get(reverse("workspace:lead_labels")).context["active"][0]
    assert (label.name, label.colour) == ("Conference", "#b86e00")
    client.post(reverse("workspace:lead_label_archive", args=[label.pk]))
    assert [lbl.name for lbl in client.get(reverse("workspace:lead_labels")).context["archived"]] == [
        "Conference"
    ]


def test_sidebar_offers_quick_add_on_every_page(client_for, workspace, salesperson):
    page = client_for(salesperson).get(reverse("deals:list")).content.decode()
    assert f'hx-get="{reverse("leads:quick_add")}" hx-target="#dialog"' in page
