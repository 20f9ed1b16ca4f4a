"""JSON API of notes: list the notes of one record, add, edit, pin, unpin, delete.

The same rules as the pages: a note on a deal or a lead the user may not see (or on
a record that does not exist) answers 404 on every verb; editing or deleting a note
one may see but did not write answers 403 unless one is a manager or an administrator.
Bodies are HTML (or plain text) and are stored sanitized: the response shows what was kept.
"""

from datetime import datetime
from typing import Annotated

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from pydantic import ConfigDict

from apogee.core.errors import ValidationFailed

from . import queries, services
from .models import TARGET_KINDS, Note

router = Router(tags=["notes"])

Id = Annotated[int, Field(ge=1, le=2**63 - 1)]


class Input(Schema):
    model_config = ConfigDict(extra="forbid")


class NoteOut(Schema):
    id: int
    body_html: str = Field(..., description="Sanitized HTML.")
    author_id: int
    deal_id: int | None
    lead_id: int | None
    person_id: int | None
    organization_id: int | None
    is_pinned: bool
    created_at: datetime
    updated_at: datetime


class NoteTargetQuery(Schema):
    deal_id: Id | None = None
    lead_id: Id | None = None
    person_id: Id | None = None
    organization_id: Id | None = None


class NoteCreate(Input):
    body: str = Field(..., description="HTML or plain text; sanitized before it is stored.")
    deal_id: Id | None = None
    lead_id: Id | None = None
    person_id: Id | None = None
    organization_id: Id | None = None


class NotePatch(Input):
    body: str


def _target(user, ids: dict):
    """The one record named by exactly one of deal_id, lead_id, person_id, organization_id."""
    given = {kind: ids.get(f"{kind}_id") for kind in TARGET_KINDS if ids.get(f"{kind}_id") is not None}
    if len(given) != 1:
        message = _("Give exactly one of deal_id, lead_id, person_id, organization_id.")
        raise ValidationFailed(
            _("Some fields are invalid."), fields={f"{kind}_id": [message] for kind in TARGET_KINDS}
        )
    ((kind, pk),) = given.items()
    return queries.get_target_for_user_or_404(user, kind, pk)


@router.get("/notes", response=list[NoteOut])
def list_notes(request, params: Query[NoteTargetQuery]):
    """The notes of one record, pinned first, then the newest."""
    target = _target(request.auth, params.model_dump())
    return queries.notes_on(request.auth, target)


@router.post("/notes", response={201: NoteOut})
def create_note(request, payload: NoteCreate):
    target = _target(request.auth, payload.model_dump())
    note = services.add_note(target=target, body=payload.body, actor=request.auth)
    return Status(201, note)


@router.get("/notes/{note_id}", response=NoteOut)
def get_note(request, note_id: int):
    return queries.get_note_for_user_or_404(request.auth, note_id)


@router.patch("/notes/{note_id}", response=NoteOut)
def update_note(request, note_id: int, payload: NotePatch):
    note = queries.get_note_for_user_or_404(request.auth, note_id)
    return services.edit_note(note=note, body=payload.body, actor=request.auth)


@router.post("/notes/{note_id}/pin", response=NoteOut)
def pin_note(request, note_id: int):
    note = queries.get_note_for_user_or_404(request.auth, note_id)
    return services.pin_note(note=note, actor=request.auth)


@router.post("/notes/{note_id}/unpin", response=NoteOut)
def unpin_note(request, note_id: int):
    note = queries.get_note_for_user_or_404(request.auth, note_id)
    return services.unpin_note(note=note, actor=request.auth)


@router.delete("/notes/{note_id}", response={204: None})
def delete_note(request, note_id: int):
    note: Note = queries.get_note_for_user_or_404(request.auth, note_id)
    services.delete_note(note=note, actor=request.auth)
    return Status(204, None)
