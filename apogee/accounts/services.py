"""Writes to users, teams and API tokens."""

import re
import zoneinfo

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apogee.core.errors import PermissionDenied, ValidationFailed
from apogee.core.events import record_event

from .models import ApiToken, Role, Team, User
from .tokens import hash_token, new_token_secret, token_prefix


def ensure_admin(actor: User | None) -> None:
    """actor None is a system task (seeding, the CLI), which may always write."""
    if actor is not None and not actor.is_workspace_admin:
        raise PermissionDenied(_("Only an administrator can do this."))


@transaction.atomic
def create_team(*, name: str, actor: User | None) -> Team:
    ensure_admin(actor)
    name = (name or "").strip()
    if not name:
        raise ValidationFailed(_("A team needs a name."), fields={"name": [_("This field is required.")]})
    if len(name) > 100 or "\x00" in name:  # the column's limit; PostgreSQL refuses NUL
        raise ValidationFailed(_("Invalid name."), fields={"name": [_("At most 100 characters, no NUL.")]})
    if Team.objects.filter(name__iexact=name).exists():
        raise ValidationFailed(_("Team exists."), fields={"name": [_("A team with this name exists.")]})
    team = Team.objects.create(name=name)
    record_event("team.created", subject=team, actor=actor, data={"name": name})
    return team


@transaction.atomic
def create_user(
    *,
    username: str,
    email: str,
    password: str,
    actor: User | None,
    first_name: str = "",
    last_name: str = "",
    role: str = Role.MEMBER,
    team: Team | None = None,
    language: str = "",
) -> User:
    ensure_admin(actor)
    errors: dict[str, list[str]] = {}
    username = (username or "").strip()
    email = (email or "").strip().lower()
    if not username:
        errors["username"] = [_("This field is required.")]
    elif len(username) > 150 or not re.fullmatch(r"[\w.@+-]+", username):
        # Django's username rule; model validators do not run on save, so the service applies it.
        errors["username"] = [_("At most 150 letters, digits and @ . + - _ characters.")]
    elif User.objects.filter(username__iexact=username).exists():
        errors["username"] = [_("This user name is taken.")]
    if not email or "@" not in email or len(email) > 254 or "\x00" in email:
        errors["email"] = [_("Enter a valid e-mail address.")]
    elif User.objects.filter(email__iexact=email).exists():
        errors["email"] = [_("A user with this e-mail exists.")]
    if role not in Role.values:
        errors["role"] = [_("Choose a valid role.")]
    for field, text in (("first_name", first_name), ("last_name", last_name)):
        if len(text.strip()) > 150 or "\x00" in text:
            errors[field] = [_("At most 150 characters, no NUL.")]
    try:
        validate_password(password)
    except ValidationError as error:
        errors["password"] = list(error.messages)
    if errors:
        raise ValidationFailed(_("The user could not be created."), fields=errors)
    user = User(
        username=username,
        email=email,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        role=role,
        team=team,
        language=language,
    )
    user.set_password(password)
    user.save()
    record_event("user.created", subject=user, actor=actor, data={"username": username, "role": role})
    return user


@transaction.atomic
def update_user(*, user: User, actor: User | None, **changes) -> User:
    """Change role, team, names, active flag or preferences; users may change their own preferences."""
    own_preferences = {"language", "timezone"}
    if actor is None or actor.pk != user.pk or not set(changes) <= own_preferences:
        ensure_admin(actor)
    allowed = {"first_name", "last_name", "email", "role", "team", "is_active", "language", "timezone"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationFailed(_("Unknown fields."), fields={k: [_("Unknown field.")] for k in unknown})
    if "role" in changes and changes["role"] not in Role.values:
        raise ValidationFailed(_("Invalid role."), fields={"role": [_("Choose a valid role.")]})
    if "timezone" in changes and changes["timezone"] not in ("", *zoneinfo.available_timezones()):
        raise ValidationFailed(
            _("Invalid time zone."), fields={"timezone": [_("Choose a time zone from the list.")]}
        )
    if "language" in changes and changes["language"] not in ("", "en", "fr"):
        raise ValidationFailed(_("Invalid language."), fields={"language": [_("Choose English or French.")]})
    if "email" in changes:
        # The same rules as create_user: people log in by e-mail, so it must be valid and unique.
        changes["email"] = email = (changes["email"] or "").strip().lower()
        if not email or "@" not in email or len(email) > 254 or "\x00" in email:
            raise ValidationFailed(
                _("Invalid e-mail."), fields={"email": [_("Enter a valid e-mail address.")]}
            )
        if User.objects.filter(email__iexact=email).exclude(pk=user.pk).exists():
            raise ValidationFailed(
                _("E-mail taken."), fields={"email": [_("A user with this e-mail exists.")]}
            )
    if (
        actor is not None
        and actor.pk == user.pk
        and (changes.get("is_active") is False or changes.get("role", Role.ADMIN) != Role.ADMIN)
        and user.is_workspace_admin
        and not User.objects.filter(role=Role.ADMIN, is_active=True).exclude(pk=user.pk).exists()
    ):
        raise ValidationFailed(
            _("The last administrator cannot remove their own rights."),
            fields={"role": [_("Appoint another administrator first.")]},
        )
    diff = {}
    for field, value in changes.items():
        old = getattr(user, field)
        if old != value:
            diff[field] = [getattr(old, "pk", old), getattr(value, "pk", value)]
            setattr(user, field, value)
    if diff:
        user.save()
        record_event("user.updated", subject=user, actor=actor, data={"changes": diff})
    return user


@transaction.atomic
def create_api_token(*, user: User, name: str, actor: User) -> tuple[ApiToken, str]:
    """Returns the token row and its secret; the secret is never retrievable again."""
    if actor.pk != user.pk:
        ensure_admin(actor)
    name = (name or "").strip()
    if not name:
        raise ValidationFailed(_("A token needs a name."), fields={"name": [_("This field is required.")]})
    secret = new_token_secret()
    token = ApiToken.objects.create(
        user=user, name=name, prefix=token_prefix(secret), key_hash=hash_token(secret)
    )
    record_event("api_token.created", subject=token, actor=actor, data={"name": name, "prefix": token.prefix})
    return token, secret


@transaction.atomic
def revoke_api_token(*, token: ApiToken, actor: User) -> ApiToken:
    if actor.pk != token.user_id:
        ensure_admin(actor)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        record_event("api_token.revoked", subject=token, actor=actor, data={"prefix": token.prefix})
    return token
