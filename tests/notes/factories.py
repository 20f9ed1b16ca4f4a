"""Notes for tests, added through the real service so events exist."""

from apogee.notes.models import Note
from apogee.notes.services import add_note


def make_note(*, target, author, body="A note", pinned=False) -> Note:
    note = add_note(target=target, body=body, actor=None, author=author)
    if pinned:
        note.is_pinned = True
        note.save(update_fields=["is_pinned"])
    return note
