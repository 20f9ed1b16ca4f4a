"""Global fixtures: the demo workspace structure, users by role, a logged-in client per role.

The workspace fixture is built by the same code that seeds the demo workspace,
so tests and demo share one source of truth for pipelines, stages and gates.
"""

import os

os.environ.setdefault("APOGEE_TESTING", "1")

import pytest

from apogee.accounts.models import Role
from apogee.accounts.services import create_team, create_user
from apogee.workspace.demo import ensure_structure

PASSWORD = "correct-horse-battery-9"


@pytest.fixture
def workspace(db):
    """Missions, RFI, Sales and CCN pipelines with the demo's stages, gates, fields and currencies."""
    return ensure_structure()


@pytest.fixture
def sales_pipeline(workspace):
    return workspace["Sales"]


@pytest.fixture
def sales_team(db):
    return create_team(name="Sales", actor=None)


@pytest.fixture
def other_team(db):
    return create_team(name="Engineering", actor=None)


def _user(username, role, team=None, **extra):
    return create_user(
        username=username,
        email=f"{username}@apogee.test",
        password=PASSWORD,
        actor=None,
        first_name=username.capitalize(),
        last_name="Test",
        role=role,
        team=team,
        **extra,
    )


@pytest.fixture
def admin(db):
    return _user("admin", Role.ADMIN)


@pytest.fixture
def manager(sales_team):
    return _user("manager", Role.MANAGER, sales_team)


@pytest.fixture
def salesperson(sales_team):
    return _user("salesperson", Role.MEMBER, sales_team)


@pytest.fixture
def teammate(sales_team):
    return _user("teammate", Role.MEMBER, sales_team)


@pytest.fixture
def other_salesperson(other_team):
    return _user("outsider", Role.MEMBER, other_team)


@pytest.fixture
def client_for(client):
    """client_for(user) logs the test client in as that user and returns it."""

    def login(user):
        client.force_login(user)
        return client

    return login
