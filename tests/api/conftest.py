"""API fixtures: a JSON client per user, authenticated with a real personal token."""

import pytest
from django.test import Client

from apogee.accounts.services import create_api_token

PREFIX = "/api/v1"


class ApiClient:
    """The Django test client speaking JSON to /api/v1 (paths are given without the prefix)."""

    def __init__(self, secret: str | None = None, **client_options):
        headers = {"Authorization": f"Bearer {secret}"} if secret else {}
        self.http = Client(headers=headers, **client_options)

    def get(self, path, params=None):
        return self.http.get(PREFIX + path, params or {})

    def post(self, path, body=None):
        return self.http.post(
            PREFIX + path, body if body is not None else {}, content_type="application/json"
        )

    def patch(self, path, body=None):
        return self.http.patch(
            PREFIX + path, body if body is not None else {}, content_type="application/json"
        )

    def delete(self, path, params=None):
        query = "?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else ""
        return self.http.delete(PREFIX + path + query)


@pytest.fixture
def api_as():
    """api_as(user) is an ApiClient carrying a fresh personal token of that user."""

    def client_for(user, **client_options):
        _token, secret = create_api_token(user=user, name="tests", actor=user)
        return ApiClient(secret, **client_options)

    return client_for


@pytest.fixture
def anonymous_api():
    return ApiClient()
