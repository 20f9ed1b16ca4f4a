"""The user's own profile: language and time zone, personal API tokens (secret shown once)."""

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from apogee.accounts.models import ApiToken
from apogee.accounts.services import create_api_token
from apogee.accounts.tokens import hash_token
from apogee.core.models import DomainEvent

pytestmark = pytest.mark.django_db


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(reverse("accounts:profile"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_any_user_sees_their_profile(client_for, salesperson):
    response = client_for(salesperson).get(reverse("accounts:profile"))

    assert response.status_code == 200
    assertContains(response, "<dd>salesperson@apogee.test</dd>", html=True)
    assertContains(response, "No tokens yet")


def test_choosing_french_makes_the_next_page_french(client_for, salesperson):
    client = client_for(salesperson)
    assertContains(client.get(reverse("accounts:profile")), '<html lang="en">')

    response = client.post(reverse("accounts:profile"), {"language": "fr", "timezone": "America/Montreal"})

    assert response.status_code == 302
    salesperson.refresh_from_db()
    assert (salesperson.language, salesperson.timezone) == ("fr", "America/Montreal")
    assertContains(client.get(reverse("accounts:profile")), '<html lang="fr">')
    event = DomainEvent.objects.get(name="user.updated", subject_id=salesperson.pk)
    assert event.actor == salesperson
    assert event.data["changes"] == {"language": ["", "fr"], "timezone": ["", "America/Montreal"]}


def test_an_unknown_time_zone_or_language_is_refused(client_for, salesperson):
    response = client_for(salesperson).post(
        reverse("accounts:profile"), {"language": "de", "timezone": "Mars/Olympus"}
    )

    assert response.status_code == 422
    errors = response.context["preferences"].errors
    assert errors["language"] == ["Select a valid choice. de is not one of the available choices."]
    assert errors["timezone"] == ["Select a valid choice. Mars/Olympus is not one of the available choices."]
    salesperson.refresh_from_db()
    assert (salesperson.language, salesperson.timezone) == ("", "")


def test_a_new_token_shows_its_secret_once_and_stores_only_its_hash(client_for, salesperson):
    client = client_for(salesperson)

    response = client.post(reverse("accounts:token_create"), {"name": "Excel report"})

    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    secret = response.context["new_token"]["secret"]
    assert secret.startswith("apg_")
    assertContains(response, f'<code id="new-token-secret" class="secret">{secret}</code>')
    assertContains(response, "Copy it now: it is shown only this once.")
    token = ApiToken.objects.get(user=salesperson)
    assert token.name == "Excel report"
    assert token.key_hash == hash_token(secret)
    assert token.key_hash != secret
    assert token.prefix == secret[:12]
    assert secret not in str(ApiToken.objects.filter(pk=token.pk).values().get())

    again = client.get(reverse("accounts:profile"))
    assertNotContains(again, secret)
    assertContains(again, f"<code>{token.prefix}…</code>")


def test_a_token_needs_a_name(client_for, salesperson):
    response = client_for(salesperson).post(reverse("accounts:token_create"), {"name": " "})

    assert response.status_code == 422
    assert response.context["token_form"].errors["name"] == ["This field is required."]
    assert not ApiToken.objects.exists()


def test_revoking_asks_first_then_sets_revoked_at(client_for, salesperson):
    token, _secret = create_api_token(user=salesperson, name="Script", actor=salesperson)
    client = client_for(salesperson)
    url = reverse("accounts:token_revoke", args=[token.pk])

    question = client.get(url, headers={"HX-Request": "true"})
    assertContains(question, "Revoke “Script”")
    token.refresh_from_db()
    assert token.revoked_at is None

    response = client.post(url)

    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert DomainEvent.objects.get(name="api_token.revoked", subject_id=token.pk).actor == salesperson
    assertContains(client.get(reverse("accounts:profile")), "revoked")


def test_nobody_revokes_someone_elses_token(client_for, admin, salesperson):
    token, _secret = create_api_token(user=admin, name="Admin's", actor=admin)

    response = client_for(salesperson).post(reverse("accounts:token_revoke", args=[token.pk]))

    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_sidebar_language_switch_is_saved_on_the_user_and_refuses_outside_redirects(client_for, salesperson):
    client = client_for(salesperson)

    response = client.post(
        reverse("accounts:set_language"), {"language": "fr", "next": "https://evil.example/phish"}
    )

    assert response.status_code == 302
    assert response["Location"] == "/"
    salesperson.refresh_from_db()
    assert salesperson.language == "fr"
    assert '<html lang="fr">' in client.get(reverse("deals:board")).content.decode()

    client.post(reverse("accounts:set_language"), {"language": "en", "next": "/deals/"})
    salesperson.refresh_from_db()
    assert salesperson.language == "en"
