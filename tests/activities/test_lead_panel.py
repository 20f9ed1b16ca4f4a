"""The activities panel of the lead page: planned and done activities, quick scheduling, the done prompt."""

import json
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apogee.activities.models import Activity
from apogee.activities.services import mark_activity_done
from apogee.deals.models import Visibility
from apogee.leads.services import convert_lead_to_deal
from tests.activities.factories import activity_type, make_activity
from tests.contacts.factories import make_organization, make_person
from tests.leads.factories import make_lead

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def test_the_lead_page_loads_the_lead_panel(client_for, workspace, salesperson):
    lead = make_lead(owner=salesperson)

    response = client_for(salesperson).get(reverse("leads:detail", args=[lead.pk]))

    assert response.status_code == 200
    assert f'hx-get="{reverse("activities:for_lead", args=[lead.pk])}"' in response.content.decode()


def test_the_panel_lists_planned_then_done_activities_and_offers_to_schedule_on_the_lead(
    client_for, workspace, salesperson
):
    lead = make_lead(owner=salesperson, title="Hinge for CHIME")
    later = make_activity(owner=salesperson, lead=lead, subject="Send the quote", due=date(2026, 5, 8))
    sooner = make_activity(owner=salesperson, lead=lead, subject="Call Camille", due=date(2026, 5, 4))
    done = mark_activity_done(activity=make_activity(owner=salesperson, lead=lead), actor=salesperson)
    make_activity(owner=salesperson, subject="Not on this lead")

    response = client_for(salesperson).get(reverse("activities:for_lead", args=[lead.pk]))

    assert response.status_code == 200
    assert [a.pk for a in response.context["planned"]] == [sooner.pk, later.pk]
    assert [a.pk for a in response.context["finished"]] == [done.pk]
    content = response.content.decode()
    assert f'hx-get="{reverse("activities:create")}?lead={lead.pk}"' in content
    assert "Not on this lead" not in content
    # The lead page's frame around the panel reloads it when an activity changes.
    page = client_for(salesperson).get(reverse("leads:detail", args=[lead.pk])).content.decode()
    assert 'class="activities-frame" hx-get="' in page and 'hx-trigger="activities-changed from:body"' in page


def test_an_empty_panel_asks_for_a_next_activity(client_for, workspace, salesperson):
    lead = make_lead(owner=salesperson)

    response = client_for(salesperson).get(reverse("activities:for_lead", args=[lead.pk]))

    assert (
        "No next activity planned. Schedule one so this lead does not go cold." in response.content.decode()
    )


@pytest.mark.parametrize(
    ("_case", "user_fixture", "expected_status"),
    [
        ("another team's member", "other_salesperson", 404),
        ("a teammate, the lead being the owner's only", "teammate", 404),
        ("the owner", "salesperson", 200),
        ("the owner's manager", "manager", 200),
        ("an administrator", "admin", 200),
    ],
)
def test_only_people_who_may_see_the_lead_see_its_panel(
    request, client_for, workspace, salesperson, _case, user_fixture, expected_status
):
    lead = make_lead(owner=salesperson, visibility=Visibility.OWNER)
    make_activity(owner=salesperson, lead=lead, subject="Call about the secret lead")

    response = client_for(request.getfixturevalue(user_fixture)).get(
        reverse("activities:for_lead", args=[lead.pk])
    )

    assert response.status_code == expected_status


def test_lead_page_and_panel_queries_do_not_grow_with_the_activities(
    client_for, workspace, salesperson, teammate, django_assert_max_num_queries
):
    organization = make_organization("ESA ESTEC")
    person = make_person("Anke de Vries")
    lead = make_lead(owner=salesperson, organization=organization, person=person)
    client = client_for(salesperson)
    page_url = reverse("leads:detail", args=[lead.pk])
    panel_url = reverse("activities:for_lead", args=[lead.pk])

    def fill(count):
        for index in range(count):
            activity = make_activity(
                owner=salesperson,
                lead=lead,
                person=person,
                organization=organization,
                attendee_users=[teammate],
                attendee_persons=[person],
                subject=f"Step {index}",
            )
            if index % 2:
                mark_activity_done(activity=activity, actor=salesperson)

    fill(2)
    client.get(page_url)
    client.get(panel_url)
    with CaptureQueriesContext(connection) as page_few:
        client.get(page_url)
    with CaptureQueriesContext(connection) as panel_few:
        client.get(panel_url)
    fill(20)

    with django_assert_max_num_queries(len(page_few.captured_queries)):
        client.get(page_url)
    with django_assert_max_num_queries(len(panel_few.captured_queries)):
        response = client.get(panel_url)
    assert len(response.context["planned"]) + len(response.context["finished"]) == 21
    # A small fixed number, whatever the activities: session, user, lead, labels, the lists, their prefetches.
    assert len(panel_few.captured_queries) <= 12


def test_scheduling_from_the_lead_panel_links_the_lead_and_its_contacts(client_for, workspace, salesperson):
    organization = make_organization("Thales Alenia Space")
    person = make_person("Camille Fabre")
    lead = make_lead(owner=salesperson, title="Hinge for CHIME", organization=organization, person=person)
    client = client_for(salesperson)
    url = reverse("activities:create") + f"?lead={lead.pk}"

    dialog = client.get(url, headers=HTMX)
    saved = client.post(
        url,
        {
            "type": activity_type("call").pk,
            "subject": "Call Camille",
            "due_date": "2026-05-04",
            "owner": salesperson.pk,
            "lead": lead.pk,
            "person": person.pk,
            "organization": organization.pk,
        },
        headers=HTMX,
    )

    content = dialog.content.decode()
    assert f'<option value="{lead.pk}" selected>Hinge for CHIME</option>' in content
    assert f'<option value="{person.pk}" selected>Camille Fabre</option>' in content
    assert f'<option value="{organization.pk}" selected>Thales Alenia Space</option>' in content
    assert saved.status_code == 204
    activity = Activity.objects.get()
    assert (activity.lead, activity.deal, activity.person, activity.organization) == (
        lead,
        None,
        person,
        organization,
    )


def test_marking_a_lead_activity_done_prompts_for_the_next_one_on_the_same_lead(
    client_for, workspace, salesperson
):
    lead = make_lead(owner=salesperson, title="Hinge for CHIME")
    first = make_activity(owner=salesperson, lead=lead, subject="First call")

    prompt = client_for(salesperson).post(reverse("activities:done", args=[first.pk]), headers=HTMX)

    assert prompt.status_code == 200
    assert "activities-changed" in json.loads(prompt["HX-Trigger"])
    content = prompt.content.decode()
    assert "Schedule the next activity" in content
    assert f'<option value="{lead.pk}" selected>Hinge for CHIME</option>' in content
    assert f'action="{reverse("activities:create")}?lead={lead.pk}"' in content


def test_a_converted_leads_panel_lists_what_moved_and_sends_new_activities_to_the_deal(
    client_for, sales_pipeline, salesperson
):
    lead = make_lead(owner=salesperson, title="Hinge for CHIME")
    moved = make_activity(owner=salesperson, lead=lead, subject="Call Camille")
    deal = convert_lead_to_deal(lead=lead, actor=salesperson)
    client = client_for(salesperson)

    panel = client.get(reverse("activities:for_lead", args=[lead.pk]))
    prompt = client.post(reverse("activities:done", args=[moved.pk]), headers=HTMX)

    assert [a.pk for a in panel.context["planned"]] == [moved.pk]
    content = panel.content.decode()
    assert f'href="{reverse("deals:detail", args=[deal.pk])}"' in content
    assert f"{reverse('activities:create')}?lead=" not in content
    assert "No next activity planned" not in content
    # The next step after a moved activity belongs to the deal only.
    assert f'action="{reverse("activities:create")}?deal={deal.pk}"' in prompt.content.decode()
