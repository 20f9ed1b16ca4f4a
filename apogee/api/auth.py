"""API authentication: a personal token (Authorization: Bearer apg_…) or the UI's session.

A token request is never CSRF-checked: browsers do not attach the header on their
own, so a forged cross-site request cannot carry it. A session request is, on
every unsafe method, like any cookie-authenticated write in Django.
"""

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from apogee.accounts.queries import user_for_token
from apogee.core.errors import DomainError


class CsrfFailed(DomainError):
    code = "csrf_failed"
    http_status = 403

    def __init__(self):
        super().__init__(_("Send the CSRF token (X-CSRFToken header) with session-authenticated writes."))


class TokenAuth(HttpBearer):
    def authenticate(self, request, token):
        user = user_for_token(token)
        if user is not None:
            request.user = user
        return user


class SessionAuth(APIKeyCookie):
    """The browser's session; CSRF-checked, as for any cookie-authenticated write."""

    param_name = settings.SESSION_COOKIE_NAME

    def _get_key(self, request):
        # The CSRF check moves to authenticate(): an anonymous request must get 401, not a CSRF 403.
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request, key):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.is_active:
            return None
        exempt = getattr(request, "_ninja_csrf_exempt", False)
        # check_csrf returns a response only when the check fails; safe methods always pass.
        if self.csrf and not exempt and check_csrf(request) is not None:
            raise CsrfFailed()
        return user
