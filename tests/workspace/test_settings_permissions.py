"""Every settings URL is for administrators only: anyone else gets 403 and changes nothing."""

import pytest
from django.urls import reverse

from apogee.accounts.models import Team, User
from apogee.core.models import Currency, DomainEvent, ExchangeRate
from apogee.customfields.models import FieldDefinition
from apogee.deals.models import LostReason
from apogee.pipelines.models import Pipeline, Stage

pytestmark = pytest.mark.django_db

# name, how to build its arguments from the objects of the `targets` fixture
SETTINGS_URLS = [
    ("workspace:index", lambda t: []),
    ("workspace:pipelines", lambda t: []),
    ("workspace:pipeline_create", lambda t: []),
    ("workspace:pipelines_reorder", lambda t: []),
    ("workspace:pipeline_edit", lambda t: [t["pipeline"].pk]),
    ("workspace:pipeline_archive", lambda t: [t["pipeline"].pk]),
    ("workspace:pipeline_restore", lambda t: [t["archived_pipeline"].pk]),
    ("workspace:stage_add", lambda t: [t["pipeline"].pk]),
    ("workspace:stages_reorder", lambda t: [t["pipeline"].pk]),
    ("workspace:stage_edit", lambda t: [t["stage"].pk]),
    ("workspace:stage_delete", lambda t: [t["stage"].pk]),
    ("workspace:fields_index", lambda t: []),
    ("workspace:fields", lambda t: ["deal"]),
    ("workspace:field_create", lambda t: ["deal"]),
    ("workspace:fields_reorder", lambda t: ["deal"]),
    ("workspace:field_edit", lambda t: [t["field"].pk]),
    ("workspace:field_archive", lambda t: [t["field"].pk]),
    ("workspace:field_restore", lambda t: [t["field"].pk]),
    ("workspace:lost_reasons", lambda t: []),
    ("workspace:lost_reason_edit", lambda t: [t["reason"].pk]),
    ("workspace:lost_reason_archive", lambda t: [t["reason"].pk]),
    ("workspace:lost_reason_restore", lambda t: [t["reason"].pk]),
    ("workspace:currencies", lambda t: []),
    ("workspace:currency_add", lambda t: []),
    ("workspace:rate_set", lambda t: []),
    ("workspace:users", lambda t: []),
    ("workspace:user_create", lambda t: []),
    ("workspace:user_edit", lambda t: [t["admin"].pk]),
    ("workspace:team_create", lambda t: []),
]

# Valid input for every form at once: were a check missing, the POST would change something.
PAYLOAD = {
    "name": "Intruder",
    "label": "Intruder",
    "label_en": "Intruder",
    "field_type": "text",
    "code": "GBP",
    "currency": "EUR",
    "valid_from": "2026-03-01",
    "rate_to_base": "1.5",
    "probability": "10",
    "username": "intruder",
    "email": "intruder@apogee.test",
    "password": "a-long-enough-password-42",
    "role": "admin",
    "is_active": "on",
    "order": "",
    "move_deals_to": "",
}


@pytest.fixture
def targets(workspace, admin):
    pipeline = workspace["Sales"]
    archived = Pipeline.objects.create(name="Old", is_archived=True, position=99)
    return {
        "pipeline": pipeline,
        "archived_pipeline": archived,
        "stage": pipeline.stages.get(name="First contact"),
        "field": FieldDefinition.objects.get(entity="deal", key="mission"),
        "reason": LostReason.objects.get(label="Schedule"),
        "admin": admin,
    }


def _snapshot():
    return {
        "events": DomainEvent.objects.count(),
        "pipelines": list(Pipeline.objects.values_list("pk", "name", "position", "is_archived")),
        "stages": list(Stage.objects.values_list("pk", "name", "position", "probability", "gate_field_keys")),
        "fields": list(FieldDefinition.objects.values_list("pk", "label_en", "position", "is_archived")),
        "reasons": list(LostReason.objects.values_list("pk", "label", "is_archived")),
        "currencies": Currency.objects.count(),
        "rates": ExchangeRate.objects.count(),
        "users": list(User.objects.values_list("pk", "role", "is_active")),
        "teams": Team.objects.count(),
    }


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize(("url_name", "args"), SETTINGS_URLS, ids=[name for name, _ in SETTINGS_URLS])
def test_non_admin_gets_403_and_nothing_changes(
    client_for, targets, manager, salesperson, url_name, args, method
):
    url = reverse(url_name, args=args(targets))
    before = _snapshot()

    for user in (manager, salesperson):
        client = client_for(user)
        response = client.post(url, PAYLOAD) if method == "post" else client.get(url)
        assert (user.username, response.status_code) == (user.username, 403)

    assert _snapshot() == before


@pytest.mark.parametrize(("url_name", "args"), SETTINGS_URLS, ids=[name for name, _ in SETTINGS_URLS])
def test_anonymous_is_sent_to_the_login_page(client, targets, url_name, args):
    url = reverse(url_name, args=args(targets))
    before = _snapshot()

    response = client.post(url, PAYLOAD)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert _snapshot() == before


@pytest.mark.parametrize(("url_name", "args"), SETTINGS_URLS, ids=[name for name, _ in SETTINGS_URLS])
def test_admin_can_open_every_settings_page(admin_client, targets, url_name, args):
    url = reverse(url_name, args=args(targets))

    response = admin_client.get(url)

    # Pages answer 200; the POST-only endpoints say so with 405, and the field index redirects.
    expected = {
        "workspace:pipelines_reorder": 405,
        "workspace:pipeline_restore": 405,
        "workspace:stages_reorder": 405,
        "workspace:fields_reorder": 405,
        "workspace:field_restore": 405,
        "workspace:lost_reason_restore": 405,
        "workspace:currency_add": 405,
        "workspace:fields_index": 302,
    }.get(url_name, 200)
    assert response.status_code == expected


def test_settings_link_shows_only_for_administrators(client_for, admin, manager, workspace):
    settings_url = reverse("workspace:index")
    assert f'href="{settings_url}"' in client_for(admin).get(reverse("accounts:profile")).content.decode()
    assert (
        f'href="{settings_url}"' not in client_for(manager).get(reverse("accounts:profile")).content.decode()
    )
