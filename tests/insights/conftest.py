from tests.api.conftest import anonymous_api, api_as  # noqa: F401
