"""Users and teams through the settings pages."""

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains

from apogee.accounts.models import Role, Team, User
from apogee.core.models import DomainEvent

pytestmark = pytest.mark.django_db


def test_users_are_listed_with_role_team_and_status(admin_client, admin, salesperson, manager):
    response = admin_client.get(reverse("workspace:users"))

    rows = [(u.username, u.role, str(u.team or ""), u.is_active) for u in response.context["users"]]
    assert rows == [
        ("admin", "admin", "", True),
        ("manager", "manager", "Sales", True),
        ("salesperson", "member", "Sales", True),
    ]
    assertContains(response, "salesperson@apogee.test")
    assert [(t.name, t.member_count) for t in response.context["teams"]] == [("Sales", 2)]


def test_admin_creates_a_user_who_can_log_in(admin_client, admin, sales_team, client):
    response = admin_client.post(
        reverse("workspace:user_create"),
        {
            "first_name": "Nina",
            "last_name": "Favre",
            "username": "nina",
            "email": "Nina.Favre@Apogee.test",
            "password": "orbit-apogee-2026!",
            "role": "manager",
            "team": sales_team.pk,
            "language": "fr",
        },
    )

    assert response.status_code == 302
    nina = User.objects.get(username="nina")
    assert (nina.get_full_name(), nina.email, nina.role, nina.team, nina.language, nina.is_active) == (
        "Nina Favre",
        "nina.favre@apogee.test",
        Role.MANAGER,
        sales_team,
        "fr",
        True,
    )
    assert nina.check_password("orbit-apogee-2026!")
    assert DomainEvent.objects.get(name="user.created", subject_id=nina.pk).actor == admin


def test_a_user_with_a_taken_name_or_weak_password_is_refused(admin_client, salesperson):
    count = User.objects.count()

    response = admin_client.post(
        reverse("workspace:user_create"),
        {"username": "Salesperson", "email": "new@apogee.test", "password": "123", "role": "member"},
    )

    assert response.status_code == 422
    errors = response.context["form"].errors
    assert errors["username"] == ["This user name is taken."]
    assert errors["password"][0].startswith("This password is too short.")
    assert User.objects.count() == count


def test_admin_edits_role_team_status_and_name(admin_client, admin, salesperson, sales_team, other_team):
    response = admin_client.post(
        reverse("workspace:user_edit", args=[salesperson.pk]),
        {
            "first_name": "Sam",
            "last_name": "Seller",
            "email": "salesperson@apogee.test",
            "role": "manager",
            "team": other_team.pk,
            # an unticked checkbox is not sent: the user is deactivated
        },
    )

    assert response.status_code == 302
    salesperson.refresh_from_db()
    assert (salesperson.get_full_name(), salesperson.role, salesperson.team, salesperson.is_active) == (
        "Sam Seller",
        Role.MANAGER,
        other_team,
        False,
    )
    event = DomainEvent.objects.get(name="user.updated", subject_id=salesperson.pk)
    assert event.data["changes"] == {
        "first_name": ["Salesperson", "Sam"],
        "last_name": ["Test", "Seller"],
        "role": ["member", "manager"],
        "team": [sales_team.pk, other_team.pk],
        "is_active": [True, False],
    }


def test_the_last_administrator_cannot_demote_themselves(admin_client, admin):
    response = admin_client.post(
        reverse("workspace:user_edit", args=[admin.pk]),
        {"email": "admin@apogee.test", "role": "member", "is_active": "on"},
    )

    assert response.status_code == 422
    assert response.context["form"].errors["role"] == ["Appoint another administrator first."]
    admin.refresh_from_db()
    assert admin.role == Role.ADMIN


def test_admin_creates_a_team_and_a_duplicate_is_refused(admin_client):
    created = admin_client.post(reverse("workspace:team_create"), {"name": "Space mechanisms"})
    duplicate = admin_client.post(reverse("workspace:team_create"), {"name": "space MECHANISMS"})

    assert created.status_code == 302
    assert duplicate.status_code == 422
    assert duplicate.context["form"].errors["name"] == ["A team with this name exists."]
    assert list(Team.objects.values_list("name", flat=True)) == ["Space mechanisms"]
