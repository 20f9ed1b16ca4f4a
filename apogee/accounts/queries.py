"""Reads of users and tokens: the active users a deal may be assigned to, token lookup."""

from django.db.models import QuerySet
from django.utils import timezone

from .models import ApiToken, Team, User
from .tokens import hash_token


def active_users() -> QuerySet[User]:
    return User.objects.filter(is_active=True).select_related("team")


def teams() -> QuerySet[Team]:
    return Team.objects.all()


def user_for_token(secret: str) -> User | None:
    """The active user owning an unrevoked token, touching its last-used time."""
    if not secret or not secret.startswith("apg_"):
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=hash_token(secret), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        # A read path: bookkeeping only, throttled so it is not a write per request.
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
