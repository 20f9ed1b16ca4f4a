"""The activity types settings page: administrators add, edit, archive and restore; others get 403."""

import pytest
from django.urls import reverse

from apogee.activities.models import ActivityType
from apogee.core.models import DomainEvent

pytestmark = pytest.mark.django_db


def test_the_six_types_are_there_from_the_start(workspace):
    assert [(t.key, t.icon) for t in ActivityType.objects.all()] == [
        ("call", "☎"),
        ("meeting", "⚇"),
        ("task", "✔"),
        ("deadline", "⚑"),
        ("email", "✉"),
        ("linkedin", "in"),
    ]


def test_an_administrator_adds_edits_archives_and_restores_a_type(client_for, workspace, admin):
    client = client_for(admin)

    added = client.post(
        reverse("workspace:activity_types"), {"label_en": "Site visit", "label_fr": "Visite", "icon": "🏭"}
    )
    assert added.status_code == 302
    visit = ActivityType.objects.get(key="site-visit")
    assert (visit.label_fr, visit.icon, visit.position) == ("Visite", "🏭", 7)

    client.post(
        reverse("workspace:activity_type_edit", args=[visit.pk]),
        {"label_en": "Site visit", "label_fr": "Visite de site", "icon": "🏗"},
    )
    client.post(reverse("workspace:activity_type_archive", args=[visit.pk]))
    visit.refresh_from_db()
    assert (visit.label_fr, visit.icon, visit.is_archived) == ("Visite de site", "🏗", True)

    client.post(reverse("workspace:activity_type_restore", args=[visit.pk]))
    visit.refresh_from_db()
    assert visit.is_archived is False
    assert DomainEvent.objects.filter(name="activity_type.changed").count() == 4


def test_a_duplicate_name_is_refused_with_a_field_error(client_for, workspace, admin):
    response = client_for(admin).post(reverse("workspace:activity_types"), {"label_en": "Call"})

    assert response.status_code == 422
    assert response.context["form"].errors["label_en"] == ["A type with this name exists already."]
    assert ActivityType.objects.count() == 6


@pytest.mark.parametrize("user_fixture", ["manager", "salesperson"])
def test_only_administrators_reach_the_page(request, client_for, workspace, user_fixture):
    client = client_for(request.getfixturevalue(user_fixture))

    assert client.get(reverse("workspace:activity_types")).status_code == 403
    assert client.post(reverse("workspace:activity_types"), {"label_en": "Visit"}).status_code == 403
    assert ActivityType.objects.count() == 6


def test_the_workspace_structure_puts_back_missing_default_types_and_keeps_edited_ones(db):
    from apogee.activities.models import Activity, ActivityType
    from apogee.workspace.demo import ensure_structure

    Activity.objects.all().delete()
    ActivityType.objects.exclude(key="call").delete()
    ActivityType.objects.filter(key="call").update(label_en="Phone call")
    ensure_structure()
    assert sorted(ActivityType.objects.values_list("key", flat=True)) == sorted(
        ["call", "meeting", "task", "deadline", "email", "linkedin"]
    )
    assert ActivityType.objects.get(key="call").label_en == "Phone call"
