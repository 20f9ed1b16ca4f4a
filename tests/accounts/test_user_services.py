"""Creating and changing users and teams (accounts/services.py)."""

import pytest

from apogee.accounts.models import Role, Team, User
from apogee.accounts.services import create_team, create_user, update_user
from apogee.core.errors import PermissionDenied, ValidationFailed
from apogee.core.models import DomainEvent

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery-9"


def test_create_user(admin, sales_team):
    user = create_user(
        username=" lea ",
        email=" Lea.Rochat@Apogee.TEST ",
        password=PASSWORD,
        actor=admin,
        first_name=" Léa ",
        last_name="Rochat",
        role=Role.MANAGER,
        team=sales_team,
        language="fr",
    )

    user.refresh_from_db()
    assert (user.username, user.email, user.first_name, user.role) == (
        "lea",
        "lea.rochat@apogee.test",
        "Léa",
        "manager",
    )
    assert (user.team, user.language, user.is_manager, user.is_workspace_admin) == (
        sales_team,
        "fr",
        True,
        False,
    )
    assert user.check_password(PASSWORD)
    assert PASSWORD not in user.password
    event = DomainEvent.objects.get(name="user.created", subject_id=user.pk)
    assert (event.actor, event.data) == (admin, {"username": "lea", "role": "manager"})


@pytest.mark.parametrize(
    ("_case", "arguments", "fields"),
    [
        ("user name taken, other case", {"username": "ADMIN"}, {"username": ["This user name is taken."]}),
        ("no user name", {"username": "  "}, {"username": ["This field is required."]}),
        (
            "user name with a space",
            {"username": "lea rochat"},
            {"username": ["At most 150 letters, digits and @ . + - _ characters."]},
        ),
        (
            "user name too long",
            {"username": "l" * 151},
            {"username": ["At most 150 letters, digits and @ . + - _ characters."]},
        ),
        (
            "first name too long",
            {"first_name": "L" * 151},
            {"first_name": ["At most 150 characters, no NUL."]},
        ),
        ("NUL in the last name", {"last_name": "R\x00"}, {"last_name": ["At most 150 characters, no NUL."]}),
        (
            "e-mail taken, other case",
            {"email": "Admin@Apogee.test"},
            {"email": ["A user with this e-mail exists."]},
        ),
        ("not an e-mail", {"email": "lea"}, {"email": ["Enter a valid e-mail address."]}),
        ("unknown role", {"role": "owner"}, {"role": ["Choose a valid role."]}),
        (
            "short password",
            {"password": "s3cr!t"},
            {"password": ["This password is too short. It must contain at least 8 characters."]},
        ),
        ("common password", {"password": "password123"}, {"password": ["This password is too common."]}),
    ],
)
def test_invalid_user_is_refused_and_nothing_is_written(admin, _case, arguments, fields):
    users_before = User.objects.count()
    events_before = DomainEvent.objects.count()

    with pytest.raises(ValidationFailed) as refused:
        create_user(
            **{
                "username": "lea",
                "email": "lea@apogee.test",
                "password": PASSWORD,
                "actor": admin,
                **arguments,
            }
        )

    assert refused.value.fields == fields
    assert User.objects.count() == users_before
    assert DomainEvent.objects.count() == events_before


def test_every_invalid_field_is_reported_at_once(admin):
    with pytest.raises(ValidationFailed) as refused:
        create_user(username="admin", email="x", password="1", role="boss", actor=admin)

    assert set(refused.value.fields) == {"username", "email", "role", "password"}


@pytest.mark.parametrize("user", ["manager", "salesperson"])
def test_only_an_administrator_creates_users_and_teams(request, user):
    actor = request.getfixturevalue(user)
    users_before = User.objects.count()
    events_before = DomainEvent.objects.count()

    with pytest.raises(PermissionDenied):
        create_user(username="lea", email="lea@apogee.test", password=PASSWORD, actor=actor)
    with pytest.raises(PermissionDenied):
        create_team(name="Engineering", actor=actor)

    assert User.objects.count() == users_before
    assert not Team.objects.filter(name="Engineering").exists()
    assert DomainEvent.objects.count() == events_before


@pytest.mark.parametrize("name", ["x" * 101, "Sales\x00"])
def test_team_name_must_fit_its_column(admin, name):
    with pytest.raises(ValidationFailed) as refused:
        create_team(name=name, actor=admin)

    assert refused.value.fields == {"name": ["At most 100 characters, no NUL."]}
    assert not Team.objects.exists()


def test_team_names_are_unique_whatever_the_case(admin, sales_team):
    with pytest.raises(ValidationFailed) as refused:
        create_team(name=" sales ", actor=admin)

    assert refused.value.fields == {"name": ["A team with this name exists."]}
    assert Team.objects.count() == 1


def test_update_user_records_the_diff(admin, salesperson, sales_team, other_team):
    update_user(user=salesperson, actor=admin, role=Role.MANAGER, team=other_team, first_name="Sal")

    salesperson.refresh_from_db()
    assert (salesperson.role, salesperson.team, salesperson.first_name) == ("manager", other_team, "Sal")
    event = DomainEvent.objects.get(name="user.updated")
    assert event.data == {
        "changes": {
            "role": ["member", "manager"],
            "team": [sales_team.pk, other_team.pk],
            "first_name": ["Salesperson", "Sal"],
        }
    }


def test_users_change_their_own_preferences_but_not_their_role(salesperson):
    update_user(user=salesperson, actor=salesperson, language="fr", timezone="Europe/Paris")

    salesperson.refresh_from_db()
    assert (salesperson.language, salesperson.timezone) == ("fr", "Europe/Paris")
    with pytest.raises(PermissionDenied):
        update_user(user=salesperson, actor=salesperson, role=Role.ADMIN)
    salesperson.refresh_from_db()
    assert salesperson.role == "member"


@pytest.mark.parametrize(
    ("_case", "changes", "fields"),
    [
        ("unknown field", {"is_superuser": True}, {"is_superuser": ["Unknown field."]}),
        ("unknown role", {"role": "boss"}, {"role": ["Choose a valid role."]}),
        ("unknown language", {"language": "de"}, {"language": ["Choose English or French."]}),
        ("not an e-mail", {"email": "sal"}, {"email": ["Enter a valid e-mail address."]}),
        (
            "e-mail of another user",
            {"email": "Teammate@apogee.test"},
            {"email": ["A user with this e-mail exists."]},
        ),
    ],
)
def test_invalid_update_is_refused_and_nothing_is_written(
    admin, salesperson, teammate, _case, changes, fields
):
    events_before = DomainEvent.objects.count()

    with pytest.raises(ValidationFailed) as refused:
        update_user(user=salesperson, actor=admin, **changes)

    assert refused.value.fields == fields
    salesperson.refresh_from_db()
    assert (salesperson.email, salesperson.role, salesperson.language) == (
        "salesperson@apogee.test",
        "member",
        "",
    )
    assert DomainEvent.objects.count() == events_before


def test_update_email_is_stored_lower_case(admin, salesperson):
    update_user(user=salesperson, actor=admin, email=" Sal@Apogee.TEST ")

    salesperson.refresh_from_db()
    assert salesperson.email == "sal@apogee.test"


@pytest.mark.parametrize(
    ("_case", "changes"), [("demote", {"role": Role.MEMBER}), ("deactivate", {"is_active": False})]
)
def test_the_last_administrator_cannot_remove_their_own_rights(admin, _case, changes):
    events_before = DomainEvent.objects.count()

    with pytest.raises(ValidationFailed) as refused:
        update_user(user=admin, actor=admin, **changes)

    assert refused.value.fields == {"role": ["Appoint another administrator first."]}
    admin.refresh_from_db()
    assert (admin.role, admin.is_active) == ("admin", True)
    assert DomainEvent.objects.count() == events_before


def test_an_administrator_may_step_down_once_another_exists(admin, manager):
    update_user(user=manager, actor=admin, role=Role.ADMIN)

    update_user(user=admin, actor=admin, role=Role.MEMBER)

    admin.refresh_from_db()
    assert admin.role == "member"
