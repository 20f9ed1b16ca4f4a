"""Offer tests share the API clients of tests/api and keep uploaded files in a temporary MEDIA_ROOT."""

import pytest

from tests.api.conftest import anonymous_api, api_as  # noqa: F401 - fixtures, re-exported for pytest


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT
