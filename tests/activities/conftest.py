"""Fixtures of the activities tests: the API clients of tests/api, shared here."""

from tests.api.conftest import anonymous_api, api_as  # noqa: F401 - pytest finds fixtures by name
