"""Per-request user preferences (language, time zone) and the audit source of changes."""

import zoneinfo

from django.conf import settings
from django.utils import timezone, translation

from .context import event_source


class UserPreferencesMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        zone = settings.DEFAULT_USER_TIMEZONE
        if user is not None and user.is_authenticated:
            if user.language and not request.path.startswith("/api/"):
                translation.activate(user.language)
                request.LANGUAGE_CODE = user.language
            zone = user.timezone or zone
        try:
            timezone.activate(zoneinfo.ZoneInfo(zone))
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            timezone.activate(zoneinfo.ZoneInfo(settings.DEFAULT_USER_TIMEZONE))
        source = "api" if request.path.startswith("/api/") else "ui"
        with event_source(source):
            response = self.get_response(request)
        timezone.deactivate()
        return response
