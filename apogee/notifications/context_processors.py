"""The unread-notifications count of the sidebar: one COUNT query, only when a page shows it."""

from django.utils.functional import SimpleLazyObject

from .queries import unread_count


def unread_notifications(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    # Lazy: a page that never shows the sidebar (a fragment) runs no query.
    return {"unread_notifications": SimpleLazyObject(lambda: unread_count(user))}
