"""Notification writes: send one to a user, mark one read, mark all of a user's read.

Generic on purpose: any app calls notify() inside its own transaction, so a change
rolled back sends nothing. In-app only for now; e-mail and Teams channels will
consume the notification.sent events.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from apogee.accounts.models import User
from apogee.core.errors import PermissionDenied, ValidationFailed
from apogee.core.events import record_event

from . import events
from .models import Notification

MAX_TEXT = 300
MAX_URL = 500


def _clean(text: str, url: str) -> tuple[str, str]:
    text = " ".join(str(text or "").split())
    url = str(url or "").strip()
    errors: dict[str, list[str]] = {}
    if not text:
        errors["text"] = [_("This field is required.")]
    elif "\x00" in text:
        errors["text"] = [_("Text may not contain NUL characters.")]
    # Only links inside Apogee: a notification must never send someone to another site.
    if url and (
        len(url) > MAX_URL or not url.startswith("/") or not url_has_allowed_host_and_scheme(url, None)
    ):
        errors["url"] = [_("Give a path inside Apogee, starting with /.")]
    if errors:
        raise ValidationFailed(_("Some fields are invalid."), fields=errors)
    if len(text) > MAX_TEXT:
        text = text[: MAX_TEXT - 1] + "…"
    return text, url


@transaction.atomic
def notify(*, user: User, text: str, url: str = "", actor: User | None = None) -> Notification | None:
    """Tell `user` something in the app; a deactivated user is told nothing (returns None)."""
    text, url = _clean(text, url)
    if not user.is_active:
        return None
    notification = Notification.objects.create(user=user, text=text, url=url)
    record_event(
        events.NOTIFICATION_SENT,
        subject=notification,
        actor=actor,
        data={"user": user.pk, "text": text, "url": url},
    )
    return notification


@transaction.atomic
def mark_read(*, notification: Notification, actor: User) -> Notification:
    if notification.user_id != actor.pk:
        raise PermissionDenied(_("This notification is someone else's."))
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
        record_event(events.NOTIFICATION_READ, subject=notification, actor=actor, data={"user": actor.pk})
    return notification


@transaction.atomic
def mark_all_read(*, actor: User) -> int:
    """Mark every unread notification of the actor read; returns how many were."""
    count = Notification.objects.filter(user=actor, read_at__isnull=True).update(read_at=timezone.now())
    if count:
        record_event(events.NOTIFICATIONS_ALL_READ, subject=actor, actor=actor, data={"count": count})
    return count
