"""API authentication: personal tokens, the UI's session with CSRF, and the published schema."""

import pytest
from django.test import Client
from django.utils import timezone

from apogee.accounts.models import ApiToken
from apogee.accounts.services import create_api_token, revoke_api_token, update_user
from apogee.contacts.models import Organization
from apogee.core.models import DomainEvent
from tests.api.conftest import PREFIX, ApiClient
from tests.contacts.factories import make_person
from tests.deals.factories import make_deal

pytestmark = pytest.mark.django_db

UNAUTHORIZED = {"code": "unauthorized", "message": "Authentication required.", "fields": {}}


def test_token_authenticates_as_its_user(salesperson):
    _token, secret = create_api_token(user=salesperson, name="script", actor=salesperson)

    response = ApiClient(secret).get("/me")

    assert response.status_code == 200
    assert response.json() == {
        "id": salesperson.pk,
        "username": "salesperson",
        "email": "salesperson@apogee.test",
        "first_name": "Salesperson",
        "last_name": "Test",
        "full_name": "Salesperson Test",
        "role": "member",
        "team_id": salesperson.team_id,
        "is_admin": False,
        "language": "",
        "timezone": "",
    }


def test_token_use_is_recorded_on_the_token(salesperson):
    token, secret = create_api_token(user=salesperson, name="script", actor=salesperson)
    assert token.last_used_at is None

    ApiClient(secret).get("/me")

    token.refresh_from_db()
    assert token.last_used_at is not None
    assert (timezone.now() - token.last_used_at).total_seconds() < 60


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer"},
        {"Authorization": "Bearer apg_not-a-real-token"},
        {"Authorization": "Bearer not-even-our-prefix"},
        {"Authorization": "Basic c2FsZXM6cGFzcw=="},
    ],
    ids=["no header", "empty bearer", "unknown token", "foreign token", "basic auth"],
)
def test_requests_without_a_valid_token_get_401_json(headers, db):
    response = Client(headers=headers).get(PREFIX + "/me")

    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == UNAUTHORIZED


def test_revoked_token_is_refused(salesperson):
    token, secret = create_api_token(user=salesperson, name="script", actor=salesperson)
    client = ApiClient(secret)
    assert client.get("/me").status_code == 200

    revoke_api_token(token=token, actor=salesperson)

    response = client.get("/me")
    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED


def test_token_of_a_deactivated_user_is_refused(admin, salesperson):
    _token, secret = create_api_token(user=salesperson, name="script", actor=salesperson)

    update_user(user=salesperson, actor=admin, is_active=False)

    assert ApiClient(secret).get("/me").status_code == 401


def test_unauthenticated_write_is_401_and_creates_nothing(db):
    response = ApiClient().post("/organizations", {"name": "Stealth SA"})

    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED
    assert not Organization.objects.exists()


def test_session_reads_work_without_a_token(client, salesperson):
    client.force_login(salesperson)

    response = client.get(PREFIX + "/me")

    assert response.status_code == 200
    assert response.json()["id"] == salesperson.pk


@pytest.mark.parametrize("method", ["post", "patch", "delete"])
def test_session_writes_without_csrf_token_are_refused_and_change_nothing(
    salesperson, sales_pipeline, method
):
    deal = make_deal(
        pipeline=sales_pipeline,
        owner=salesperson,
        title="Original",
        participants=[(make_person("Anke de Vries"), "other")],
    )
    participant = deal.participants.get()
    requests = {
        "post": (f"/deals/{deal.pk}/won", {}),
        "patch": (f"/deals/{deal.pk}", {"version": 1, "title": "Forged"}),
        "delete": (f"/deals/{deal.pk}/participants/{participant.pk}", None),
    }
    path, body = requests[method]
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(salesperson)
    events_before = DomainEvent.objects.count()

    response = getattr(browser, method)(PREFIX + path, body, content_type="application/json")

    assert response.status_code == 403
    assert response.json() == {
        "code": "csrf_failed",
        "message": "Send the CSRF token (X-CSRFToken header) with session-authenticated writes.",
        "fields": {},
    }
    deal.refresh_from_db()
    assert (deal.title, deal.status, deal.version, deal.participants.count()) == ("Original", "open", 1, 1)
    assert DomainEvent.objects.count() == events_before


def test_session_write_with_csrf_token_is_accepted(salesperson):
    browser = Client(enforce_csrf_checks=True)
    browser.get("/accounts/login/")  # a page with a form, which sets the CSRF cookie
    browser.force_login(salesperson)
    csrf_token = browser.cookies["csrftoken"].value

    response = browser.post(
        PREFIX + "/organizations",
        {"name": "Legit SA"},
        content_type="application/json",
        headers={"X-CSRFToken": csrf_token},
    )

    assert response.status_code == 201
    assert Organization.objects.get().name == "Legit SA"


def test_token_write_needs_no_csrf_token(salesperson):
    _token, secret = create_api_token(user=salesperson, name="script", actor=salesperson)
    script = ApiClient(secret, enforce_csrf_checks=True)

    response = script.post("/organizations", {"name": "Scripted SA"})

    assert response.status_code == 201
    organization = Organization.objects.get()
    assert organization.name == "Scripted SA"
    event = DomainEvent.objects.get(name="organization.created")
    assert (event.actor, event.source) == (salesperson, "api")


def test_users_lists_the_active_users(api_as, salesperson, teammate, admin):
    update_user(user=teammate, actor=admin, is_active=False)

    response = api_as(salesperson).get("/users")

    assert response.status_code == 200
    assert [(u["username"], u["full_name"], u["is_admin"]) for u in response.json()] == [
        ("admin", "Admin Test", True),
        ("salesperson", "Salesperson Test", False),
    ]


def test_tokens_are_stored_hashed(salesperson):
    token, secret = create_api_token(user=salesperson, name="script", actor=salesperson)

    assert not ApiToken.objects.filter(key_hash=secret).exists()
    assert secret.startswith(token.prefix)


def test_openapi_schema_is_served_and_lists_the_endpoints(db):
    response = Client().get(PREFIX + "/openapi.json")

    assert response.status_code == 200
    schema = response.json()
    assert schema["info"]["title"] == "Apogee API"
    assert {
        "/api/v1/deals",
        "/api/v1/deals/{deal_id}",
        "/api/v1/deals/{deal_id}/move",
        "/api/v1/organizations",
        "/api/v1/persons",
        "/api/v1/pipelines",
        "/api/v1/stages/{stage_id}",
        "/api/v1/custom-fields",
        "/api/v1/lost-reasons",
        "/api/v1/me",
    } <= set(schema["paths"])
    patch_deal = schema["paths"]["/api/v1/deals/{deal_id}"]["patch"]
    assert sorted(patch_deal["responses"]) == ["200", "401", "403", "404", "409", "422"]
    assert schema["components"]["schemas"]["Error"]["required"] == ["code", "message", "fields"]


def test_interactive_docs_are_served(db):
    response = Client().get(PREFIX + "/docs")

    assert response.status_code == 200
    assert b"swagger" in response.content.lower()
