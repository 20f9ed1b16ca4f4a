"""Custom field settings through the pages: tabs per record type, create, edit, archive, order."""

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains

from apogee.core.models import DomainEvent
from apogee.customfields.models import FieldDefinition, FieldTypeChoice
from apogee.customfields.services import create_field_definition, update_field_definition
from tests.workspace.conftest import HTMX

pytestmark = pytest.mark.django_db


def deal_field_keys():
    return list(
        FieldDefinition.objects.filter(entity="deal", is_archived=False)
        .order_by("position")
        .values_list("key", flat=True)
    )


def test_each_record_type_has_its_tab(admin_client):
    deal_tab = admin_client.get(reverse("workspace:fields", args=["deal"]))
    person_tab = admin_client.get(reverse("workspace:fields", args=["person"]))

    assert [d.key for d in deal_tab.context["active"]] == [
        "opportunity_type",
        "programme",
        "market_sector",
        "product_line",
        "origin",
        "mission",
        "offer_type",
    ]
    assertContains(deal_tab, "<td>Type d&#x27;opportunité</td>", html=False)
    assert person_tab.context["active"] == []
    assertContains(person_tab, "No person fields yet")
    assert admin_client.get(reverse("workspace:fields", args=["invoice"])).status_code == 404


def test_the_type_list_offers_all_twelve_types(admin_client):
    response = admin_client.get(reverse("workspace:field_create", args=["deal"]))

    assert [value for value, _label in response.context["form"].fields["field_type"].choices] == list(
        FieldTypeChoice.values
    )
    assert len(FieldTypeChoice.values) == 12


def test_admin_creates_an_option_field_with_french_labels(admin_client, admin):
    response = admin_client.post(
        reverse("workspace:field_create", args=["person"]),
        {
            "label_en": "Preferred language",
            "label_fr": "Langue préférée",
            "key": "",
            "field_type": "single_option",
            "options": "German | Allemand\n\nFrench|Français\nItalian\n",
        },
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("workspace:fields", args=["person"])
    definition = FieldDefinition.objects.get(entity="person")
    assert (definition.key, definition.label_en, definition.label_fr, definition.field_type) == (
        "preferred_language",
        "Preferred language",
        "Langue préférée",
        "single_option",
    )
    assert definition.options == [
        {"key": "german", "label_en": "German", "label_fr": "Allemand", "archived": False},
        {"key": "french", "label_en": "French", "label_fr": "Français", "archived": False},
        {"key": "italian", "label_en": "Italian", "label_fr": "", "archived": False},
    ]
    assert DomainEvent.objects.get(name="custom_field.created", subject_id=definition.pk).actor == admin


def test_options_given_to_a_text_field_are_ignored(admin_client):
    admin_client.post(
        reverse("workspace:field_create", args=["lead"]),
        {"label_en": "Source detail", "field_type": "text", "options": "A\nB"},
    )

    assert FieldDefinition.objects.get(entity="lead", key="source_detail").options == []


@pytest.mark.parametrize(
    ("data", "field", "errors"),
    [
        (
            {"label_en": "Mission", "field_type": "text"},
            "key",
            ["A field with this key exists."],
        ),
        (
            {"label_en": "Budget", "field_type": "text", "key": "Budget line"},
            "key",
            ["Use lower-case letters, digits and underscores, starting with a letter."],
        ),
        (
            {"label_en": "Tier", "field_type": "single_option", "options": ""},
            "options",
            ["Add at least one option."],
        ),
        ({"label_en": "", "field_type": "text"}, "label_en", ["This field is required."]),
    ],
)
def test_an_invalid_field_is_refused_with_the_reason_and_nothing_is_created(
    admin_client, data, field, errors
):
    count, events = FieldDefinition.objects.count(), DomainEvent.objects.count()

    response = admin_client.post(reverse("workspace:field_create", args=["deal"]), data)

    assert response.status_code == 422
    assert response.context["form"].errors[field] == errors
    assert FieldDefinition.objects.count() == count
    assert DomainEvent.objects.count() == events


def test_editing_options_keeps_keys_of_relabelled_options_and_archives_removed_ones(admin_client):
    definition = FieldDefinition.objects.get(entity="deal", key="offer_type")
    url = reverse("workspace:field_edit", args=[definition.pk])
    assert admin_client.get(url).context["form"]["options"].initial == (
        "Firm offer | Offre ferme\nROM (budgetary) | ROM (budgétaire)"
    )

    response = admin_client.post(
        url,
        {
            "label_en": "Offer type",
            "label_fr": "Type de l'offre",
            # "Firm offer" is renamed (its French label is unchanged), ROM removed, one added.
            "options": "Binding offer | Offre ferme\nFramework | Contrat-cadre",
        },
    )

    assert response.status_code == 302
    definition.refresh_from_db()
    assert definition.label_fr == "Type de l'offre"
    assert definition.options == [
        {"key": "firm", "label_en": "Binding offer", "label_fr": "Offre ferme", "archived": False},
        {"key": "framework", "label_en": "Framework", "label_fr": "Contrat-cadre", "archived": False},
        {"key": "rom", "label_en": "ROM (budgetary)", "label_fr": "ROM (budgétaire)", "archived": True},
    ]
    # The archived option is listed, and writing its label again restores it.
    assertContains(admin_client.get(url), "Archived options:")
    admin_client.post(
        url,
        {
            "label_en": "Offer type",
            "label_fr": "",
            "options": "Binding offer\nFramework\nROM (budgetary)",
        },
    )
    definition.refresh_from_db()
    assert [(o["key"], o["archived"]) for o in definition.options] == [
        ("firm", False),
        ("framework", False),
        ("rom", False),
    ]


def test_the_last_option_cannot_be_removed(admin_client):
    definition = FieldDefinition.objects.get(entity="deal", key="offer_type")
    before = definition.options

    response = admin_client.post(
        reverse("workspace:field_edit", args=[definition.pk]), {"label_en": "Offer type", "options": ""}
    )

    assert response.status_code == 422
    assert response.context["form"].errors["options"] == ["This field is required."]
    definition.refresh_from_db()
    assert definition.options == before


def test_text_fields_have_no_options_box(admin_client):
    mission = FieldDefinition.objects.get(entity="deal", key="mission")

    response = admin_client.get(reverse("workspace:field_edit", args=[mission.pk]))

    assert list(response.context["form"].fields) == ["label_en", "label_fr"]


def test_archive_asks_first_then_hides_the_field_and_restore_brings_it_back(admin_client):
    mission = FieldDefinition.objects.get(entity="deal", key="mission")
    url = reverse("workspace:field_archive", args=[mission.pk])

    assertContains(admin_client.get(url, headers=HTMX), "Archive “Mission”?")
    mission.refresh_from_db()
    assert mission.is_archived is False

    response = admin_client.post(url, headers=HTMX)
    assert response["HX-Redirect"] == reverse("workspace:fields", args=["deal"])
    mission.refresh_from_db()
    assert mission.is_archived is True
    assert "mission" not in deal_field_keys()
    assert [
        d.key for d in admin_client.get(reverse("workspace:fields", args=["deal"])).context["archived"]
    ] == ["mission"]

    admin_client.post(reverse("workspace:field_restore", args=[mission.pk]))
    mission.refresh_from_db()
    assert mission.is_archived is False


def test_reorder_fields_by_drag_and_drop_and_by_buttons(admin_client):
    definitions = {d.key: d.pk for d in FieldDefinition.objects.filter(entity="deal")}
    order = [
        "mission",
        "offer_type",
        "origin",
        "product_line",
        "market_sector",
        "programme",
        "opportunity_type",
    ]
    url = reverse("workspace:fields_reorder", args=["deal"])

    response = admin_client.post(url, {"order": ",".join(str(definitions[k]) for k in order)}, headers=HTMX)

    assert response.status_code == 200
    assert deal_field_keys() == order
    assertContains(response, 'id="fields-table"')

    admin_client.post(url, {"move": definitions["mission"], "direction": "down"})
    assert deal_field_keys()[:2] == ["offer_type", "mission"]


def test_reorder_keeps_archived_fields_after_the_active_ones(admin_client, admin):
    for label in ("A", "B", "C"):
        create_field_definition(entity="lead", label_en=label, field_type="text", actor=admin)
    update_field_definition(definition=FieldDefinition.objects.get(key="a"), is_archived=True, actor=admin)
    ids = dict(FieldDefinition.objects.filter(entity="lead").values_list("key", "pk"))

    admin_client.post(reverse("workspace:fields_reorder", args=["lead"]), {"order": f"{ids['c']},{ids['b']}"})

    ordered = FieldDefinition.objects.filter(entity="lead").order_by("position").values_list("key", flat=True)
    assert list(ordered) == ["c", "b", "a"]
