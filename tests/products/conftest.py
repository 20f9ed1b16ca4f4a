"""Product tests share the API clients of tests/api."""

from tests.api.conftest import anonymous_api, api_as  # noqa: F401 - fixtures, re-exported for pytest
