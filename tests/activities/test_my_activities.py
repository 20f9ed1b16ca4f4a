"""My activities: the five buckets in the user's time zone, filters, the team view, and the done prompt."""

import json
from datetime import UTC, date, datetime

import pytest
import time_machine
from django.urls import reverse

from apogee.activities.models import Activity
from apogee.activities.services import mark_activity_done
from tests.activities.factories import activity_type, make_activity
from tests.contacts.factories import make_person
from tests.deals.factories import make_deal

pytestmark = pytest.mark.django_db

# Wednesday 6 May 2026, 10:00 in Zurich (the users' default zone, UTC+2 in summer).
NOW = datetime(2026, 5, 6, 8, 0, tzinfo=UTC)


def _subjects(response) -> dict[str, list[str]]:
    return {key: [a.subject for a in rows] for key, rows in response.context["buckets"]}


@time_machine.travel(NOW, tick=False)
def test_buckets_follow_the_users_day_and_week(client_for, workspace, salesperson, teammate):
    def at(hour, minute=0, day=6):
        return datetime(2026, 5, day, hour, minute, tzinfo=UTC)

    make_activity(owner=salesperson, subject="Yesterday, all day", due=date(2026, 5, 5))
    make_activity(owner=salesperson, subject="This morning at 9", due=at(7))
    make_activity(owner=salesperson, subject="Today, all day", due=date(2026, 5, 6))
    make_activity(owner=salesperson, subject="Today at 17", due=at(15))
    make_activity(owner=salesperson, subject="Today at 23:30", due=at(21, 30))
    make_activity(owner=salesperson, subject="Thursday at 00:30", due=at(22, 30))
    make_activity(owner=salesperson, subject="Sunday, all day", due=date(2026, 5, 10))
    make_activity(owner=salesperson, subject="Next Monday", due=date(2026, 5, 11))
    finished = make_activity(owner=salesperson, subject="Sent the offer", due=date(2026, 5, 4))
    mark_activity_done(activity=finished, actor=salesperson)
    make_activity(owner=teammate, subject="Not mine", due=date(2026, 5, 6))

    response = client_for(salesperson).get(reverse("activities:mine"))

    assert response.status_code == 200
    assert _subjects(response) == {
        "overdue": ["Yesterday, all day", "This morning at 9"],
        "today": ["Today, all day", "Today at 17", "Today at 23:30"],
        "this_week": ["Thursday at 00:30", "Sunday, all day"],
        "later": ["Next Monday"],
        "done": ["Sent the offer"],
    }


@time_machine.travel(NOW, tick=False)
def test_filter_by_type(client_for, workspace, salesperson):
    make_activity(owner=salesperson, subject="Call", kind="call", due=date(2026, 5, 6))
    make_activity(owner=salesperson, subject="Meeting", kind="meeting", due=date(2026, 5, 6))

    response = client_for(salesperson).get(reverse("activities:mine"), {"type": activity_type("meeting").pk})

    assert _subjects(response)["today"] == ["Meeting"]


@time_machine.travel(NOW, tick=False)
def test_a_manager_looks_at_a_team_members_list_and_a_member_cannot(
    client_for, workspace, manager, salesperson, teammate
):
    make_activity(owner=teammate, subject="Teammate's call", due=date(2026, 5, 6))

    as_manager = client_for(manager).get(reverse("activities:mine"), {"owner": teammate.pk})
    assert as_manager.context["person"] == teammate
    assert _subjects(as_manager)["today"] == ["Teammate's call"]

    as_member = client_for(salesperson).get(reverse("activities:mine"), {"owner": teammate.pk})
    assert as_member.context["person"] == salesperson
    assert _subjects(as_member)["today"] == []


@time_machine.travel(NOW, tick=False)
def test_team_view_counts_per_person(
    client_for, workspace, manager, salesperson, teammate, other_salesperson
):
    make_activity(owner=salesperson, due=date(2026, 5, 1))
    make_activity(owner=salesperson, due=date(2026, 5, 6))
    make_activity(owner=teammate, due=date(2026, 6, 1))
    make_activity(owner=other_salesperson, due=date(2026, 5, 1))

    response = client_for(manager).get(reverse("activities:team"))

    table = {str(person): dict(counts) for person, counts in response.context["table"]}
    assert set(table) == {"Manager Test", "Salesperson Test", "Teammate Test"}
    assert {k: table["Salesperson Test"][k] for k in ("overdue", "today", "later")} == {
        "overdue": 1,
        "today": 1,
        "later": 0,
    }
    assert table["Teammate Test"]["later"] == 1


def test_a_member_has_no_team_view_of_others(client_for, workspace, salesperson, teammate):
    response = client_for(salesperson).get(reverse("activities:team"))

    assert [str(p) for p, _counts in response.context["table"]] == ["Salesperson Test"]


@time_machine.travel(NOW, tick=False)
def test_mark_done_inline_prompts_for_the_next_activity_on_the_same_deal(
    client_for, sales_pipeline, salesperson
):
    deal = make_deal(pipeline=sales_pipeline, owner=salesperson, title="Baffle for CHIME")
    person = make_person("Anke de Vries")
    first = make_activity(owner=salesperson, subject="First call", deal=deal, person=person)
    client = client_for(salesperson)

    prompt = client.post(reverse("activities:done", args=[first.pk]), headers={"HX-Request": "true"})

    assert prompt.status_code == 200
    assert prompt["HX-Retarget"] == "#dialog"
    assert "activities-changed" in json.loads(prompt["HX-Trigger"])
    content = prompt.content.decode()
    assert "Schedule the next activity" in content
    assert f'<option value="{deal.pk}" selected>Baffle for CHIME</option>' in content
    assert f'<option value="{person.pk}" selected>Anke de Vries</option>' in content
    first.refresh_from_db()
    assert first.is_done

    saved = client.post(
        reverse("activities:create") + f"?deal={deal.pk}&person={person.pk}",
        {
            "type": activity_type("meeting").pk,
            "subject": "Follow-up meeting",
            "due_date": "2026-05-12",
            "due_time": "14:00",
            "duration_minutes": "60",
            "owner": salesperson.pk,
            "deal": deal.pk,
            "person": person.pk,
        },
        headers={"HX-Request": "true"},
    )

    assert saved.status_code == 204
    assert set(json.loads(saved["HX-Trigger"])) == {"activities-changed", "close-dialog", "toast"}
    follow_up = Activity.objects.get(subject="Follow-up meeting")
    assert (follow_up.deal, follow_up.person, follow_up.duration_minutes) == (deal, person, 60)
    # 14:00 in Zurich (summer time) is 12:00 UTC.
    assert follow_up.due_at == datetime(2026, 5, 12, 12, 0, tzinfo=UTC)


def test_an_invalid_form_shows_the_errors_and_writes_nothing(client_for, workspace, salesperson):
    response = client_for(salesperson).post(
        reverse("activities:create"),
        {"type": activity_type("call").pk, "subject": "", "due_date": "", "owner": salesperson.pk},
    )

    assert response.status_code == 422
    assert response.context["form"].errors.keys() == {"subject", "due_date"}
    assert not Activity.objects.exists()


@time_machine.travel(NOW, tick=False)
def test_week_view_places_activities_on_their_local_day(client_for, workspace, salesperson):
    make_activity(owner=salesperson, subject="Late call", due=datetime(2026, 5, 6, 22, 30, tzinfo=UTC))
    make_activity(owner=salesperson, subject="Offsite", due=date(2026, 5, 4))
    make_activity(owner=salesperson, subject="Next week", due=date(2026, 5, 11))

    response = client_for(salesperson).get(reverse("activities:week"), {"start": "2026-05-06"})

    assert response.status_code == 200
    days = {day.isoformat(): [a.subject for a in items] for day, items in response.context["days"]}
    assert days == {
        "2026-05-04": ["Offsite"],
        "2026-05-05": [],
        "2026-05-06": [],
        "2026-05-07": ["Late call"],
        "2026-05-08": [],
        "2026-05-09": [],
        "2026-05-10": [],
    }
    assert (response.context["previous"], response.context["next"]) == ("2026-04-27", "2026-05-11")
    assert "00:30" in response.content.decode()
