"""Fixtures of the settings-page tests: an administrator's client, and htmx request headers."""

import pytest

HTMX = {"HX-Request": "true"}


@pytest.fixture
def admin_client(client_for, admin, workspace):
    return client_for(admin)
