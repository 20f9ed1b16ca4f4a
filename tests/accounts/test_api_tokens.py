"""Personal API tokens: the secret is shown once, only its SHA-256 is stored."""

import hashlib
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from apogee.accounts.models import ApiToken
from apogee.accounts.queries import user_for_token
from apogee.accounts.services import create_api_token, revoke_api_token, update_user
from apogee.core.errors import PermissionDenied, ValidationFailed
from apogee.core.models import DomainEvent

pytestmark = pytest.mark.django_db


def test_the_secret_is_returned_once_and_only_its_hash_is_stored(salesperson):
    token, secret = create_api_token(user=salesperson, name=" Laptop script ", actor=salesperson)

    token.refresh_from_db()
    assert secret.startswith("apg_")
    assert len(secret) == 47
    assert token.name == "Laptop script"
    assert token.prefix == secret[:12]
    assert token.key_hash == hashlib.sha256(secret.encode()).hexdigest()
    stored = list(ApiToken.objects.values_list("name", "prefix", "key_hash"))
    assert all(secret not in str(value) for row in stored for value in row)
    event = DomainEvent.objects.get(name="api_token.created")
    assert event.data == {"name": "Laptop script", "prefix": secret[:12]}
    assert secret not in str(event.data)


def test_two_tokens_have_different_secrets(salesperson):
    _first, one = create_api_token(user=salesperson, name="One", actor=salesperson)
    _second, two = create_api_token(user=salesperson, name="Two", actor=salesperson)

    assert one != two


def test_a_token_needs_a_name(salesperson):
    with pytest.raises(ValidationFailed) as refused:
        create_api_token(user=salesperson, name="  ", actor=salesperson)

    assert refused.value.fields == {"name": ["This field is required."]}
    assert not ApiToken.objects.exists()


def test_only_the_user_or_an_administrator_creates_a_users_token(salesperson, teammate, admin):
    events_before = DomainEvent.objects.count()

    with pytest.raises(PermissionDenied):
        create_api_token(user=salesperson, name="Sneaky", actor=teammate)

    assert not ApiToken.objects.exists()
    assert DomainEvent.objects.count() == events_before
    token, _secret = create_api_token(user=salesperson, name="For the import", actor=admin)
    assert token.user == salesperson


def test_user_for_token_finds_the_owner_of_an_active_token(salesperson):
    _token, secret = create_api_token(user=salesperson, name="Script", actor=salesperson)

    assert user_for_token(secret) == salesperson


@pytest.mark.parametrize("secret", ["", None, "apg_not-a-token", "Bearer apg_x", "xyz"])
def test_unknown_secrets_find_nobody(salesperson, secret):
    create_api_token(user=salesperson, name="Script", actor=salesperson)

    assert user_for_token(secret) is None


def test_a_revoked_token_finds_nobody(salesperson):
    token, secret = create_api_token(user=salesperson, name="Script", actor=salesperson)

    revoke_api_token(token=token, actor=salesperson)

    assert user_for_token(secret) is None
    token.refresh_from_db()
    assert token.revoked_at is not None
    revoke_api_token(token=token, actor=salesperson)  # again: nothing more happens
    assert DomainEvent.objects.filter(name="api_token.revoked").count() == 1


def test_another_member_cannot_revoke_a_token(salesperson, teammate):
    token, secret = create_api_token(user=salesperson, name="Script", actor=salesperson)

    with pytest.raises(PermissionDenied):
        revoke_api_token(token=token, actor=teammate)

    token.refresh_from_db()
    assert token.revoked_at is None
    assert user_for_token(secret) == salesperson


def test_the_token_of_an_inactive_user_finds_nobody(salesperson, admin):
    _token, secret = create_api_token(user=salesperson, name="Script", actor=salesperson)

    update_user(user=salesperson, actor=admin, is_active=False)

    assert user_for_token(secret) is None


def test_last_use_is_noted_at_most_once_a_minute(salesperson):
    token, secret = create_api_token(user=salesperson, name="Script", actor=salesperson)
    start = timezone.now()

    with time_machine.travel(start, tick=False):
        user_for_token(secret)
    token.refresh_from_db()
    assert token.last_used_at == start

    with time_machine.travel(start + timedelta(seconds=30), tick=False):
        user_for_token(secret)
    token.refresh_from_db()
    assert token.last_used_at == start

    with time_machine.travel(start + timedelta(seconds=61), tick=False):
        user_for_token(secret)
    token.refresh_from_db()
    assert token.last_used_at == start + timedelta(seconds=61)
