"""Note services: sanitized bodies, who may change a note, pin order, events; refusals change nothing."""

import pytest

from apogee.core.errors import PermissionDenied, ValidationFailed
from apogee.core.models import DomainEvent
from apogee.deals.models import Visibility
from apogee.notes import services
from apogee.notes.models import Note
from apogee.notes.queries import notes_on, notes_visible_to
from tests.contacts.factories import make_organization, make_person
from tests.deals.factories import make_deal
from tests.leads.factories import make_lead
from tests.notes.factories import make_note

pytestmark = pytest.mark.django_db


@pytest.fixture
def deal(sales_pipeline, salesperson):
    return make_deal(pipeline=sales_pipeline, owner=salesperson, visibility=Visibility.OWNER, title="Secret")


def _events(note):
    return list(
        DomainEvent.objects.filter(subject_type="note", subject_id=note.pk)
        .order_by("id")
        .values_list("name", "actor_id", "data")
    )


def test_add_note_stores_sanitized_html_and_records_the_target(deal, salesperson):
    note = services.add_note(target=deal, body="<p>Hi<script>alert(1)</script></p>", actor=salesperson)

    note.refresh_from_db()
    assert note.body_html == "<p>Hi</p>"
    assert (note.deal_id, note.author_id, note.is_pinned) == (deal.pk, salesperson.pk, False)
    assert _events(note) == [("note.added", salesperson.pk, {"target_kind": "deal", "target_id": deal.pk})]


@pytest.mark.parametrize("body", ["", "   ", "<p> </p>", "<script>alert(1)</script>", "<img src=x>"])
def test_a_body_empty_after_sanitizing_is_refused(deal, salesperson, body):
    with pytest.raises(ValidationFailed) as caught:
        services.add_note(target=deal, body=body, actor=salesperson)

    assert list(caught.value.fields) == ["body"]
    assert not Note.objects.exists()


def test_a_note_on_an_unseen_deal_is_refused(deal, other_salesperson):
    with pytest.raises(PermissionDenied):
        services.add_note(target=deal, body="Hi", actor=other_salesperson)

    assert not Note.objects.exists()


def test_every_kind_of_target_takes_a_note(sales_pipeline, salesperson):
    targets = [
        make_deal(pipeline=sales_pipeline, owner=salesperson),
        make_lead(owner=salesperson),
        make_person("Anke de Vries"),
        make_organization("Acme"),
    ]

    notes = [services.add_note(target=t, body="x", actor=salesperson) for t in targets]

    assert [(n.target_kind, n.target_id) for n in notes] == [
        ("deal", targets[0].pk),
        ("lead", targets[1].pk),
        ("person", targets[2].pk),
        ("organization", targets[3].pk),
    ]


def test_notes_on_contacts_are_seen_by_everyone_notes_on_private_deals_only_by_those_who_see_them(
    deal, salesperson, other_salesperson
):
    on_person = make_note(target=make_person("Anke"), author=salesperson)
    on_deal = make_note(target=deal, author=salesperson)

    assert set(notes_visible_to(other_salesperson)) == {on_person}
    assert set(notes_visible_to(salesperson)) == {on_person, on_deal}


def test_pinned_notes_come_first_then_the_newest(deal, salesperson):
    first = make_note(target=deal, author=salesperson, body="first")
    second = make_note(target=deal, author=salesperson, body="second")
    third = make_note(target=deal, author=salesperson, body="third")

    services.pin_note(note=first, actor=salesperson)

    assert notes_on(salesperson, deal) == [first, third, second]
    services.unpin_note(note=first, actor=salesperson)
    assert notes_on(salesperson, deal) == [third, second, first]
    assert [e[0] for e in _events(first)] == ["note.added", "note.pinned", "note.unpinned"]


def test_pinning_twice_records_one_event(deal, salesperson):
    note = make_note(target=deal, author=salesperson)

    services.pin_note(note=note, actor=salesperson)
    services.pin_note(note=note, actor=salesperson)

    assert [e[0] for e in _events(note)] == ["note.added", "note.pinned"]


def test_anyone_who_sees_a_contact_note_may_pin_it(salesperson, other_salesperson):
    note = make_note(target=make_organization("Acme"), author=salesperson)

    services.pin_note(note=note, actor=other_salesperson)

    note.refresh_from_db()
    assert note.is_pinned is True


def test_a_non_author_may_not_edit_or_delete_and_nothing_changes(salesperson, other_salesperson):
    note = make_note(target=make_person("Anke"), author=salesperson, body="Original")

    with pytest.raises(PermissionDenied):
        services.edit_note(note=note, body="Changed", actor=other_salesperson)
    with pytest.raises(PermissionDenied):
        services.delete_note(note=note, actor=other_salesperson)

    note.refresh_from_db()
    assert (note.body_html, note.deleted_at) == ("Original", None)
    assert [e[0] for e in _events(note)] == ["note.added"]


@pytest.mark.parametrize("editor_fixture", ["salesperson", "manager", "admin"])
def test_the_author_a_manager_or_an_admin_may_edit_and_delete(request, deal, salesperson, editor_fixture):
    editor = request.getfixturevalue(editor_fixture)
    note = make_note(target=deal, author=salesperson, body="Original")

    services.edit_note(note=note, body="<em>Changed</em><script>x</script>", actor=editor)
    services.delete_note(note=note, actor=editor)

    note.refresh_from_db()
    assert note.body_html == "<em>Changed</em>"
    assert note.deleted_at is not None
    assert not notes_visible_to(salesperson).filter(pk=note.pk).exists()
    expected = {"target_kind": "deal", "target_id": deal.pk}
    assert _events(note)[1:] == [("note.edited", editor.pk, expected), ("note.deleted", editor.pk, expected)]


def test_editing_to_an_empty_body_is_refused_and_keeps_the_old_one(deal, salesperson):
    note = make_note(target=deal, author=salesperson, body="Original")

    with pytest.raises(ValidationFailed) as caught:
        services.edit_note(note=note, body="<script>x</script>", actor=salesperson)

    assert list(caught.value.fields) == ["body"]
    note.refresh_from_db()
    assert note.body_html == "Original"


def test_a_note_has_exactly_one_target(deal, salesperson):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Note.objects.create(body_html="x", author=salesperson, deal=deal, person=make_person("Anke"))
    with pytest.raises(IntegrityError), transaction.atomic():
        Note.objects.create(body_html="x", author=salesperson)
