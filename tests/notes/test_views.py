"""The notes panel: add, edit inline, pin, delete; 404 for notes one may not see, 403 to edit another's."""

import pytest
from django.urls import reverse

from apogee.core.models import DomainEvent
from apogee.deals.models import Visibility
from apogee.notes.models import Note
from tests.contacts.factories import make_organization, make_person
from tests.deals.factories import make_deal
from tests.leads.factories import make_lead
from tests.notes.factories import make_note

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


@pytest.fixture
def private_deal(sales_pipeline, salesperson):
    return make_deal(pipeline=sales_pipeline, owner=salesperson, visibility=Visibility.OWNER, title="Secret")


def test_add_a_plain_text_note_from_the_panel(client_for, private_deal, salesperson):
    client = client_for(salesperson)

    response = client.post(
        reverse("notes:add", args=["deal", private_deal.pk]),
        {"body": "Called Anke & Co.\nShe agrees."},
        headers=HTMX,
    )

    assert response.status_code == 200
    note = Note.objects.get()
    assert note.body_html == "Called Anke &amp; Co.<br>She agrees."
    assert (note.deal_id, note.author_id) == (private_deal.pk, salesperson.pk)
    assert "Called Anke &amp; Co.<br>She agrees." in response.content.decode()


def test_the_panel_never_renders_a_script(client_for, salesperson):
    person = make_person("Anke")
    client = client_for(salesperson)

    client.post(
        reverse("notes:add", args=["person", person.pk]),
        {"body": '<p>Hi</p><script>alert("x")</script><img src=x onerror=alert(1)>'},
        headers=HTMX,
    )
    page = client.get(reverse("notes:panel", args=["person", person.pk])).content.decode()

    assert "<p>Hi</p>" in page
    assert "alert" not in page and "onerror" not in page


def test_an_empty_note_shows_the_error_and_saves_nothing(client_for, private_deal, salesperson):
    response = client_for(salesperson).post(
        reverse("notes:add", args=["deal", private_deal.pk]), {"body": "<script>x</script>"}
    )

    assert response.status_code == 422
    assert "Write something." in response.content.decode()
    assert not Note.objects.exists()


def test_pinned_notes_are_shown_first(client_for, private_deal, salesperson):
    older = make_note(target=private_deal, author=salesperson, body="older note")
    make_note(target=private_deal, author=salesperson, body="newer note")
    client = client_for(salesperson)

    page = client.post(reverse("notes:pin", args=[older.pk]), headers=HTMX).content.decode()

    assert page.index("older note") < page.index("newer note")
    page = client.post(reverse("notes:unpin", args=[older.pk]), headers=HTMX).content.decode()
    assert page.index("newer note") < page.index("older note")


def test_another_team_gets_404_for_notes_on_a_private_deal_and_nothing_changes(
    client_for, private_deal, salesperson, other_salesperson
):
    note = make_note(target=private_deal, author=salesperson, body="Secret")
    client = client_for(other_salesperson)

    statuses = [
        client.get(reverse("notes:panel", args=["deal", private_deal.pk])).status_code,
        client.post(reverse("notes:add", args=["deal", private_deal.pk]), {"body": "x"}).status_code,
        client.get(reverse("notes:edit", args=[note.pk])).status_code,
        client.post(reverse("notes:edit", args=[note.pk]), {"body": "x"}).status_code,
        client.post(reverse("notes:pin", args=[note.pk])).status_code,
        client.post(reverse("notes:delete", args=[note.pk])).status_code,
    ]

    assert statuses == [404] * 6
    note.refresh_from_db()
    assert (note.body_html, note.is_pinned, note.deleted_at) == ("Secret", False, None)
    assert Note.objects.count() == 1
    assert list(DomainEvent.objects.filter(subject_type="note").values_list("name", flat=True)) == [
        "note.added"
    ]


def test_a_non_author_may_pin_but_not_edit_or_delete(client_for, salesperson, teammate):
    organization = make_organization("Acme")
    note = make_note(target=organization, author=salesperson, body="Mine")
    client = client_for(teammate)

    panel = client.get(reverse("notes:panel", args=["organization", organization.pk])).content.decode()
    edit = client.post(reverse("notes:edit", args=[note.pk]), {"body": "Theirs"})
    delete = client.post(reverse("notes:delete", args=[note.pk]))
    pin = client.post(reverse("notes:pin", args=[note.pk]), headers=HTMX)

    assert reverse("notes:edit", args=[note.pk]) not in panel
    assert (edit.status_code, delete.status_code, pin.status_code) == (403, 403, 200)
    note.refresh_from_db()
    assert (note.body_html, note.deleted_at, note.is_pinned) == ("Mine", None, True)


@pytest.mark.parametrize("editor_fixture", ["salesperson", "manager", "admin"])
def test_the_author_a_manager_or_an_admin_edits_inline_and_deletes(
    request, client_for, private_deal, salesperson, editor_fixture
):
    note = make_note(target=private_deal, author=salesperson, body="Original")
    client = client_for(request.getfixturevalue(editor_fixture))

    form = client.get(reverse("notes:edit", args=[note.pk]), headers=HTMX)
    saved = client.post(reverse("notes:edit", args=[note.pk]), {"body": "<b>New</b>"}, headers=HTMX)
    deleted = client.post(reverse("notes:delete", args=[note.pk]), headers=HTMX)

    assert form.status_code == 200 and "Original" in form.content.decode()
    assert saved.status_code == 200 and "<b>New</b>" in saved.content.decode()
    assert deleted.status_code == 200 and "<b>New</b>" not in deleted.content.decode()
    assert 'hx-confirm="Delete this note?"' in saved.content.decode()
    note.refresh_from_db()
    assert note.body_html == "<b>New</b>" and note.deleted_at is not None


@pytest.mark.parametrize(
    ("kind", "url_name"),
    [
        ("deal", "deals:detail"),
        ("lead", "leads:detail"),
        ("person", "contacts:person"),
        ("organization", "contacts:organization"),
    ],
)
def test_each_record_page_loads_its_notes_panel(client_for, sales_pipeline, salesperson, kind, url_name):
    target = {
        "deal": lambda: make_deal(pipeline=sales_pipeline, owner=salesperson),
        "lead": lambda: make_lead(owner=salesperson),
        "person": lambda: make_person("Anke"),
        "organization": lambda: make_organization("Acme"),
    }[kind]()

    page = client_for(salesperson).get(reverse(url_name, args=[target.pk]))

    assert page.status_code == 200
    assert f'hx-get="{reverse("notes:panel", args=[kind, target.pk])}"' in page.content.decode()
