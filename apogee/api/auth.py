"""API authentication: a personal token (Authorization: Bearer apg_…) or the UI's session."""

from ninja.security import APIKeyCookie, HttpBearer

from apogee.accounts.queries import user_for_token


class TokenAuth(HttpBearer):
    def authenticate(self, request, token):
        user = user_for_token(token)
        if user is not None:
            request.user = user
        return user


class SessionAuth(APIKeyCookie):
    """The browser's session; CSRF-checked, as for any cookie-authenticated write."""

    param_name = "sessionid"

    def authenticate(self, request, key):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_active:
            return user
        return None
