"""Custom field definitions through the API (the admin-only refusals are in test_pipelines.py)."""

import pytest

from apogee.customfields.models import FieldDefinition

pytestmark = pytest.mark.django_db


def test_definitions_are_listed_per_entity_in_order(api_as, salesperson, workspace):
    response = api_as(salesperson).get("/custom-fields", {"entity": "deal"})

    assert response.status_code == 200
    assert [d["key"] for d in response.json()] == [
        "opportunity_type",
        "programme",
        "market_sector",
        "product_line",
        "origin",
        "mission",
        "offer_type",
    ]
    offer_type = response.json()[6]
    assert offer_type == {
        "id": FieldDefinition.objects.get(key="offer_type").pk,
        "entity": "deal",
        "key": "offer_type",
        "label": "Offer type",
        "label_en": "Offer type",
        "label_fr": "Type d'offre",
        "field_type": "single_option",
        "options": [
            {"key": "firm", "label_en": "Firm offer", "label_fr": "Offre ferme", "archived": False},
            {"key": "rom", "label_en": "ROM (budgetary)", "label_fr": "ROM (budgétaire)", "archived": False},
        ],
        "position": 7,
        "is_archived": False,
    }


def test_unknown_entity_is_422(api_as, salesperson, workspace):
    response = api_as(salesperson).get("/custom-fields", {"entity": "spaceship"})

    assert response.status_code == 422
    assert list(response.json()["fields"]) == ["entity"]


def test_admin_creates_a_definition_with_options(api_as, admin, workspace):
    response = api_as(admin).post(
        "/custom-fields",
        {
            "entity": "person",
            "label_en": "Preferred language",
            "label_fr": "Langue préférée",
            "field_type": "single_option",
            "options": [{"label_en": "French"}, {"key": "de", "label_en": "German"}],
        },
    )

    assert response.status_code == 201
    definition = FieldDefinition.objects.get(entity="person")
    assert response.json()["id"] == definition.pk
    assert (definition.key, definition.field_type) == ("preferred_language", "single_option")
    assert definition.options == [
        {"key": "french", "label_en": "French", "label_fr": "", "archived": False},
        {"key": "de", "label_en": "German", "label_fr": "", "archived": False},
    ]


def test_reserved_or_taken_keys_are_422_on_key(api_as, admin, workspace):
    api = api_as(admin)

    reserved = api.post(
        "/custom-fields", {"entity": "deal", "key": "owner", "label_en": "Owner", "field_type": "text"}
    )
    taken = api.post(
        "/custom-fields", {"entity": "deal", "key": "mission", "label_en": "Mission", "field_type": "text"}
    )

    assert reserved.status_code == 422
    assert reserved.json()["fields"] == {"key": ["This key is reserved for a built-in field."]}
    assert taken.status_code == 422
    assert taken.json()["fields"] == {"key": ["A field with this key exists."]}
    assert FieldDefinition.objects.filter(entity="deal").count() == 7


def test_option_left_out_is_archived_not_deleted(api_as, admin, workspace):
    definition = FieldDefinition.objects.get(key="offer_type")

    response = api_as(admin).patch(
        f"/custom-fields/{definition.pk}",
        {"label_fr": "Genre d'offre", "options": [{"key": "firm", "label_en": "Firm offer"}]},
    )

    assert response.status_code == 200
    definition.refresh_from_db()
    assert definition.label_fr == "Genre d'offre"
    assert [(o["key"], o["archived"]) for o in definition.options] == [("firm", False), ("rom", True)]


def test_archived_definitions_are_listed_only_on_request(api_as, admin, workspace):
    api = api_as(admin)
    mission = FieldDefinition.objects.get(key="mission")
    api.patch(f"/custom-fields/{mission.pk}", {"is_archived": True})

    default = api.get("/custom-fields", {"entity": "deal"})
    everything = api.get("/custom-fields", {"entity": "deal", "include_archived": "true"})

    assert "mission" not in [d["key"] for d in default.json()]
    assert "mission" in [d["key"] for d in everything.json()]


def test_missing_definition_is_404(api_as, admin, workspace):
    response = api_as(admin).patch("/custom-fields/99999", {"label_en": "Ghost"})

    assert response.status_code == 404
