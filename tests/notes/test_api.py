"""The notes API: list a record's notes, add, edit, pin, delete; 422 names the field, 404 hides the unseen."""

import pytest

from apogee.core.models import DomainEvent
from apogee.deals.models import Visibility
from apogee.notes.models import Note
from tests.contacts.factories import make_organization, make_person
from tests.deals.factories import make_deal
from tests.leads.factories import make_lead
from tests.notes.factories import make_note

pytestmark = pytest.mark.django_db

NOT_FOUND = {"code": "not_found", "message": "Not found.", "fields": {}}


@pytest.fixture
def private_deal(sales_pipeline, salesperson):
    return make_deal(pipeline=sales_pipeline, owner=salesperson, visibility=Visibility.OWNER, title="Secret")


def test_add_a_note_to_a_deal_stores_it_sanitized(api_as, private_deal, salesperson):
    response = api_as(salesperson).post(
        "/notes",
        {
            "deal_id": private_deal.pk,
            "body": '<p>Offer <a href="javascript:x()">sent</a><script>x</script></p>',
        },
    )

    assert response.status_code == 201, response.json()
    note = Note.objects.get()
    body = response.json()
    assert body["id"] == note.pk
    assert body["body_html"] == note.body_html == '<p>Offer <a rel="noopener noreferrer">sent</a></p>'
    assert (body["deal_id"], body["lead_id"], body["person_id"], body["organization_id"]) == (
        private_deal.pk,
        None,
        None,
        None,
    )
    assert (body["author_id"], body["is_pinned"]) == (salesperson.pk, False)
    assert DomainEvent.objects.filter(name="note.added", subject_id=note.pk).exists()


def test_list_the_notes_of_each_kind_of_record_pinned_first(api_as, sales_pipeline, salesperson):
    client = api_as(salesperson)
    targets = {
        "deal_id": make_deal(pipeline=sales_pipeline, owner=salesperson),
        "lead_id": make_lead(owner=salesperson),
        "person_id": make_person("Anke"),
        "organization_id": make_organization("Acme"),
    }
    for field, target in targets.items():
        older = make_note(target=target, author=salesperson, body="older")
        newer = make_note(target=target, author=salesperson, body="newer")
        assert [n["id"] for n in client.get("/notes", {field: target.pk}).json()] == [newer.pk, older.pk]

        assert client.post(f"/notes/{older.pk}/pin").json()["is_pinned"] is True

        assert [n["id"] for n in client.get("/notes", {field: target.pk}).json()] == [older.pk, newer.pk]
        assert client.post(f"/notes/{older.pk}/unpin").json()["is_pinned"] is False


@pytest.mark.parametrize(
    ("_case", "params"),
    [("no target", {}), ("two targets", {"deal_id": 1, "person_id": 1})],
)
def test_list_needs_exactly_one_target(api_as, salesperson, _case, params):
    response = api_as(salesperson).get("/notes", params)

    assert response.status_code == 422
    assert response.json()["code"] == "validation_failed"
    assert set(response.json()["fields"]) == {"deal_id", "lead_id", "person_id", "organization_id"}


@pytest.mark.parametrize(
    ("_case", "body", "fields"),
    [
        ("an empty body", {"body": "  "}, ["body"]),
        ("a body empty after sanitizing", {"body": "<script>alert(1)</script>"}, ["body"]),
        ("no body", {}, ["body"]),
        ("an unknown field", {"body": "x", "title": "x"}, ["title"]),
        ("a body that is not text", {"body": ["x"]}, ["body"]),
    ],
)
def test_bad_input_is_refused_with_field_errors_and_nothing_is_saved(
    api_as, private_deal, salesperson, _case, body, fields
):
    response = api_as(salesperson).post("/notes", {"deal_id": private_deal.pk, **body})

    assert response.status_code == 422, response.json()
    assert sorted(response.json()["fields"]) == fields
    assert not Note.objects.exists()


def test_another_team_gets_404_for_notes_on_a_private_deal_and_nothing_changes(
    api_as, private_deal, salesperson, other_salesperson
):
    note = make_note(target=private_deal, author=salesperson, body="Secret")
    client = api_as(other_salesperson)

    responses = [
        client.get("/notes", {"deal_id": private_deal.pk}),
        client.post("/notes", {"deal_id": private_deal.pk, "body": "x"}),
        client.get(f"/notes/{note.pk}"),
        client.patch(f"/notes/{note.pk}", {"body": "x"}),
        client.post(f"/notes/{note.pk}/pin"),
        client.delete(f"/notes/{note.pk}"),
    ]

    assert [(r.status_code, r.json()) for r in responses] == [(404, NOT_FOUND)] * 6
    note.refresh_from_db()
    assert (note.body_html, note.is_pinned, note.deleted_at) == ("Secret", False, None)
    assert Note.objects.count() == 1
    assert list(DomainEvent.objects.filter(subject_type="note").values_list("name", flat=True)) == [
        "note.added"
    ]


def test_a_non_author_may_not_edit_or_delete(api_as, salesperson, teammate):
    note = make_note(target=make_person("Anke"), author=salesperson, body="Mine")
    client = api_as(teammate)

    edit = client.patch(f"/notes/{note.pk}", {"body": "Theirs"})
    delete = client.delete(f"/notes/{note.pk}")

    assert (edit.status_code, delete.status_code) == (403, 403)
    assert edit.json()["code"] == "permission_denied"
    note.refresh_from_db()
    assert (note.body_html, note.deleted_at) == ("Mine", None)


@pytest.mark.parametrize("editor_fixture", ["salesperson", "manager", "admin"])
def test_the_author_a_manager_or_an_admin_edits_and_deletes(
    request, api_as, private_deal, salesperson, editor_fixture
):
    note = make_note(target=private_deal, author=salesperson, body="Original")
    client = api_as(request.getfixturevalue(editor_fixture))

    edited = client.patch(f"/notes/{note.pk}", {"body": "Line one\nline two"})
    deleted = client.delete(f"/notes/{note.pk}")

    assert edited.status_code == 200
    assert edited.json()["body_html"] == "Line one<br>line two"
    assert deleted.status_code == 204
    assert client.get(f"/notes/{note.pk}").status_code == 404
    assert list(
        DomainEvent.objects.filter(subject_type="note", subject_id=note.pk)
        .order_by("id")
        .values_list("name", flat=True)
    ) == ["note.added", "note.edited", "note.deleted"]


def test_edit_to_an_empty_body_is_422_and_keeps_the_old_one(api_as, private_deal, salesperson):
    note = make_note(target=private_deal, author=salesperson, body="Original")

    response = api_as(salesperson).patch(f"/notes/{note.pk}", {"body": "<p></p>"})

    assert response.status_code == 422
    assert list(response.json()["fields"]) == ["body"]
    note.refresh_from_db()
    assert note.body_html == "Original"
