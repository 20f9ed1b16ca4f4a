"""Reads of notifications: each user sees their own, and nobody else's."""

from django.db.models import QuerySet
from django.http import Http404

from apogee.accounts.models import User

from .models import Notification

PAGE_SIZE = 50


def notifications_for(user: User) -> QuerySet[Notification]:
    if not user.is_authenticated or not user.is_active:
        return Notification.objects.none()
    return Notification.objects.filter(user=user)


def unread_count(user: User) -> int:
    """One COUNT over the (user, read_at) index: the sidebar runs it on every page."""
    return notifications_for(user).filter(read_at__isnull=True).count()


def get_notification_for_user_or_404(user: User, notification_id) -> Notification:
    # Someone else's notification does not exist for this user.
    try:
        return notifications_for(user).get(pk=int(notification_id))
    except (Notification.DoesNotExist, ValueError, TypeError):
        raise Http404("No such notification") from None
