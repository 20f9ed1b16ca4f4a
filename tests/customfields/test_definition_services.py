"""Creating, changing and ordering custom field definitions (customfields/services.py)."""

import pytest

from apogee.core.errors import PermissionDenied, ValidationFailed
from apogee.core.models import DomainEvent
from apogee.customfields.models import FieldDefinition
from apogee.customfields.services import (
    create_field_definition,
    reorder_field_definitions,
    update_field_definition,
)

pytestmark = pytest.mark.django_db


def _options(definition):
    return [(o["key"], o["label_en"], o["label_fr"], o["archived"]) for o in definition.options]


def test_key_is_derived_from_the_english_label(admin):
    definition = create_field_definition(
        entity="deal", label_en="Délai de livraison", label_fr="Délai", field_type="date", actor=admin
    )

    assert definition.key == "delai_de_livraison"
    assert definition.label_en == "Délai de livraison"
    assert definition.label_fr == "Délai"
    assert definition.options == []
    event = DomainEvent.objects.get(name="custom_field.created")
    assert event.subject_id == definition.pk
    assert event.actor == admin
    assert event.data == {"entity": "deal", "key": "delai_de_livraison", "field_type": "date"}


def test_new_definitions_go_last_in_their_entity(admin):
    first = create_field_definition(entity="person", label_en="Nickname", field_type="text", actor=admin)
    second = create_field_definition(entity="person", label_en="Birthday", field_type="date", actor=admin)
    other_entity = create_field_definition(
        entity="organization", label_en="Rating", field_type="number", actor=admin
    )

    assert (first.position, second.position, other_entity.position) == (1, 2, 1)


def test_option_labels_become_option_keys(admin):
    definition = create_field_definition(
        entity="deal",
        label_en="Tender kind",
        field_type="single_option",
        options=["Open tender", {"key": "direct", "label_en": "Direct award", "label_fr": "Gré à gré"}],
        actor=admin,
    )

    assert _options(definition) == [
        ("open_tender", "Open tender", "", False),
        ("direct", "Direct award", "Gré à gré", False),
    ]


def test_options_given_to_a_type_without_options_are_dropped(admin):
    definition = create_field_definition(
        entity="deal", label_en="Notes", field_type="long_text", options=["a"], actor=admin
    )

    assert definition.options == []


@pytest.mark.parametrize(
    ("_case", "arguments", "fields"),
    [
        (
            "reserved key from the label",
            {"label_en": "Title", "field_type": "text"},
            {"key": ["This key is reserved for a built-in field."]},
        ),
        (
            "reserved key given",
            {"label_en": "Account manager", "key": "owner", "field_type": "user"},
            {"key": ["This key is reserved for a built-in field."]},
        ),
        (
            "key taken on the same entity",
            {"label_en": "Opportunity type", "field_type": "text"},
            {"key": ["A field with this key exists."]},
        ),
        (
            "key not a slug",
            {"label_en": "Budget", "key": "Budget-2026", "field_type": "number"},
            {"key": ["Use lower-case letters, digits and underscores, starting with a letter."]},
        ),
        (
            "label starting with a digit",
            {"label_en": "2026 budget", "field_type": "number"},
            {"key": ["Use lower-case letters, digits and underscores, starting with a letter."]},
        ),
        (
            "no label, unknown type",
            {"label_en": "  ", "key": "budget", "field_type": "float"},
            {"label_en": ["This field is required."], "field_type": ["Choose a valid type."]},
        ),
        (
            "option type without options",
            {"label_en": "Tender kind", "field_type": "multiple_options", "options": []},
            {"options": ["Add at least one option."]},
        ),
        (
            "two options with one key",
            {"label_en": "Tender kind", "field_type": "single_option", "options": ["Open", "open"]},
            {"options": ["Two options have the key “open”."]},
        ),
        (
            "option key not a slug",
            {
                "label_en": "Tender kind",
                "field_type": "single_option",
                "options": [{"key": 'a"b', "label_en": "A"}],
            },
            {"options": ["Option 1: the key may hold only lower-case letters, digits and underscores."]},
        ),
        (
            "NUL in an option label",
            {"label_en": "Tender kind", "field_type": "single_option", "options": ["Open\x00"]},
            {"options": ["Option 1: text may not contain NUL."]},
        ),
        (
            "NUL in the label",
            {"label_en": "Budget\x00", "key": "budget", "field_type": "number"},
            {"label_en": ["Text may not contain NUL characters."]},
        ),
        (
            "option without a label",
            {"label_en": "Tender kind", "field_type": "single_option", "options": [{"key": "x"}]},
            {"options": ["Option 1 needs an English label."]},
        ),
    ],
)
def test_invalid_definition_is_refused_and_nothing_is_written(workspace, admin, _case, arguments, fields):
    definitions_before = FieldDefinition.objects.count()
    events_before = DomainEvent.objects.count()

    with pytest.raises(ValidationFailed) as refused:
        create_field_definition(entity="deal", actor=admin, **arguments)

    assert refused.value.fields == fields
    assert FieldDefinition.objects.count() == definitions_before
    assert DomainEvent.objects.count() == events_before


def test_unknown_entity_is_refused(admin):
    with pytest.raises(ValidationFailed) as refused:
        create_field_definition(entity="invoice", label_en="Number", field_type="text", actor=admin)

    assert refused.value.fields == {"entity": ["Choose deal, person, organization or lead."]}
    assert not FieldDefinition.objects.exists()


def test_the_same_key_may_exist_on_another_entity(workspace, admin):
    definition = create_field_definition(
        entity="organization", label_en="Opportunity type", field_type="text", actor=admin
    )

    assert definition.key == "opportunity_type"


@pytest.mark.parametrize("user", ["manager", "salesperson"])
def test_only_an_administrator_creates_definitions(request, user):
    actor = request.getfixturevalue(user)
    events_before = DomainEvent.objects.count()

    with pytest.raises(PermissionDenied):
        create_field_definition(entity="deal", label_en="Budget", field_type="number", actor=actor)

    assert not FieldDefinition.objects.exists()
    assert DomainEvent.objects.count() == events_before


# update


@pytest.fixture
def tender_kind(admin):
    return create_field_definition(
        entity="deal",
        label_en="Tender kind",
        field_type="single_option",
        options=[
            {"key": "open", "label_en": "Open"},
            {"key": "restricted", "label_en": "Restricted"},
            {"key": "direct", "label_en": "Direct"},
        ],
        actor=admin,
    )


def test_removing_an_option_archives_it_and_labels_change(tender_kind, admin):
    update_field_definition(
        definition=tender_kind,
        actor=admin,
        label_en="Procedure",
        label_fr="Procédure",
        options=[
            {"key": "direct", "label_en": "Direct award", "label_fr": "Gré à gré"},
            {"key": "open", "label_en": "Open"},
        ],
    )

    tender_kind.refresh_from_db()
    assert tender_kind.label_en == "Procedure"
    assert tender_kind.label_fr == "Procédure"
    assert tender_kind.key == "tender_kind"
    assert _options(tender_kind) == [
        ("direct", "Direct award", "Gré à gré", False),
        ("open", "Open", "", False),
        ("restricted", "Restricted", "", True),
    ]
    assert [o["key"] for o in tender_kind.active_options()] == ["direct", "open"]
    # values already stored keep a valid, labelled option
    assert tender_kind.spec().option_keys == ("direct", "open", "restricted")
    assert tender_kind.option_label("restricted") == "Restricted"
    event = DomainEvent.objects.get(name="custom_field.updated")
    assert set(event.data["changes"]) == {"label_en", "label_fr", "options"}
    assert event.data["changes"]["label_en"] == ["Tender kind", "Procedure"]


def test_an_update_that_changes_nothing_records_nothing(tender_kind, admin):
    events_before = DomainEvent.objects.count()

    update_field_definition(definition=tender_kind, actor=admin, label_en="Tender kind")

    assert DomainEvent.objects.count() == events_before


def test_archiving_every_option_is_refused(tender_kind, admin):
    events_before = DomainEvent.objects.count()

    with pytest.raises(ValidationFailed) as refused:
        update_field_definition(definition=tender_kind, actor=admin, label_en="Procedure", options=[])

    assert refused.value.fields == {"options": ["Keep at least one option."]}
    tender_kind.refresh_from_db()
    assert tender_kind.label_en == "Tender kind"
    assert [o["archived"] for o in tender_kind.options] == [False, False, False]
    assert DomainEvent.objects.count() == events_before


def test_empty_label_is_refused_on_update(tender_kind, admin):
    with pytest.raises(ValidationFailed) as refused:
        update_field_definition(definition=tender_kind, actor=admin, label_en=" ")

    assert refused.value.fields == {"label_en": ["This field is required."]}
    tender_kind.refresh_from_db()
    assert tender_kind.label_en == "Tender kind"


def test_archiving_a_definition(tender_kind, admin):
    update_field_definition(definition=tender_kind, actor=admin, is_archived=True)

    tender_kind.refresh_from_db()
    assert tender_kind.is_archived is True
    assert DomainEvent.objects.filter(name="custom_field.updated").get().data == {
        "changes": {"is_archived": [False, True]}
    }


def test_only_an_administrator_changes_a_definition(tender_kind, manager):
    events_before = DomainEvent.objects.count()

    with pytest.raises(PermissionDenied):
        update_field_definition(definition=tender_kind, actor=manager, label_en="Procedure")

    tender_kind.refresh_from_db()
    assert tender_kind.label_en == "Tender kind"
    assert DomainEvent.objects.count() == events_before


# reorder


def test_reorder_sets_positions_in_the_given_order(admin):
    a, b, c = (
        create_field_definition(entity="person", label_en=label, field_type="text", actor=admin)
        for label in ("Alpha", "Beta", "Gamma")
    )

    reorder_field_definitions(entity="person", ordered_ids=[c.pk, a.pk, b.pk], actor=admin)

    assert list(FieldDefinition.objects.filter(entity="person").values_list("key", "position")) == [
        ("gamma", 1),
        ("alpha", 2),
        ("beta", 3),
    ]
    assert DomainEvent.objects.get(name="custom_field.reordered").data == {"order": [c.pk, a.pk, b.pk]}


@pytest.mark.parametrize(
    ("_case", "order"), [("one missing", [0, 1]), ("one twice", [0, 1, 1, 2]), ("a stranger", [0, 1, 2, 999])]
)
def test_reorder_needs_every_definition_exactly_once(admin, _case, order):
    definitions = [
        create_field_definition(entity="person", label_en=label, field_type="text", actor=admin)
        for label in ("Alpha", "Beta", "Gamma")
    ]
    ids = [definitions[i].pk if i < 3 else i for i in order]
    events_before = DomainEvent.objects.count()

    with pytest.raises(ValidationFailed) as refused:
        reorder_field_definitions(entity="person", ordered_ids=ids, actor=admin)

    assert refused.value.fields == {"order": ["Give every field exactly once."]}
    assert list(FieldDefinition.objects.filter(entity="person").values_list("position", flat=True)) == [
        1,
        2,
        3,
    ]
    assert DomainEvent.objects.count() == events_before


def test_reordering_an_entity_without_fields_does_nothing(admin):
    reorder_field_definitions(entity="lead", ordered_ids=[], actor=admin)

    assert not DomainEvent.objects.filter(name="custom_field.reordered").exists()
