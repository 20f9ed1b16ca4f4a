"""Note writes: add, edit, pin, unpin, delete (soft); move a converted lead's notes to its deal.

Each function checks the actor may act, sanitizes the body, writes inside one
transaction, records a domain event naming the target, and returns the note.
Nothing else saves a Note. `actor=None` is a system task (imports).
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apogee.accounts.models import User
from apogee.contacts.queries import organizations_visible_to, persons_visible_to
from apogee.core.errors import PermissionDenied, ValidationFailed
from apogee.core.events import record_event
from apogee.deals.models import Deal
from apogee.deals.queries import deals_visible_to
from apogee.leads.models import Lead
from apogee.leads.queries import leads_visible_to

from . import events
from .models import Note
from .queries import can_edit_note, can_see_note, target_kind_of
from .sanitize import sanitize_note_html, visible_text

MAX_BODY = 50_000

_VISIBLE = {
    "deal": deals_visible_to,
    "lead": leads_visible_to,
    "person": persons_visible_to,
    "organization": organizations_visible_to,
}


def _clean_body(body) -> str:
    body = str(body or "")
    if len(body) > MAX_BODY:
        raise ValidationFailed(
            _("Some fields are invalid."), fields={"body": [_("At most %d characters.") % MAX_BODY]}
        )
    sanitized = sanitize_note_html(body)
    if not visible_text(sanitized):
        raise ValidationFailed(_("Some fields are invalid."), fields={"body": [_("Write something.")]})
    return sanitized


def _data(note: Note, **extra) -> dict:
    return {"target_kind": note.target_kind, "target_id": note.target_id, **extra}


def _ensure_can_see(actor: User | None, note: Note) -> None:
    if actor is not None and not can_see_note(actor, note):
        raise PermissionDenied(_("You may not change this note."))


def _ensure_can_edit(actor: User | None, note: Note) -> None:
    _ensure_can_see(actor, note)
    if actor is not None and not can_edit_note(actor, note):
        raise PermissionDenied(_("Only the author, a manager or an administrator can change this note."))


@transaction.atomic
def add_note(*, target, body: str, actor: User | None, author: User | None = None) -> Note:
    """Attach a note to a deal, lead, person or organization the actor may see."""
    kind = target_kind_of(target)
    if actor is not None and not _VISIBLE[kind](actor).filter(pk=target.pk).exists():
        raise PermissionDenied(_("You may not add a note here."))
    author = author or actor
    if author is None:
        raise ValidationFailed(_("Some fields are invalid."), fields={"author": [_("Choose an author.")]})
    note = Note.objects.create(body_html=_clean_body(body), author=author, **{kind: target})
    record_event(events.NOTE_ADDED, subject=note, actor=actor, data=_data(note))
    return note


@transaction.atomic
def edit_note(*, note: Note, body: str, actor: User | None) -> Note:
    _ensure_can_edit(actor, note)
    body_html = _clean_body(body)
    if body_html == note.body_html:
        return note
    note.body_html = body_html
    note.save(update_fields=["body_html", "updated_at"])
    record_event(events.NOTE_EDITED, subject=note, actor=actor, data=_data(note))
    return note


def _set_pinned(note: Note, *, pinned: bool, actor: User | None) -> Note:
    _ensure_can_see(actor, note)
    if note.is_pinned == pinned:
        return note
    note.is_pinned = pinned
    note.save(update_fields=["is_pinned", "updated_at"])
    record_event(
        events.NOTE_PINNED if pinned else events.NOTE_UNPINNED, subject=note, actor=actor, data=_data(note)
    )
    return note


@transaction.atomic
def pin_note(*, note: Note, actor: User | None) -> Note:
    return _set_pinned(note, pinned=True, actor=actor)


@transaction.atomic
def unpin_note(*, note: Note, actor: User | None) -> Note:
    return _set_pinned(note, pinned=False, actor=actor)


@transaction.atomic
def delete_note(*, note: Note, actor: User | None) -> Note:
    _ensure_can_edit(actor, note)
    note.deleted_at = timezone.now()
    note.save(update_fields=["deleted_at", "updated_at"])
    record_event(events.NOTE_DELETED, subject=note, actor=actor, data=_data(note))
    return note


@transaction.atomic
def move_lead_notes_to_deal(*, lead: Lead, deal: Deal, actor: User | None) -> list[Note]:
    """Put the notes of `lead` on `deal`, the deal it was just converted into; return those moved.

    Only for leads.services.convert_lead_to_deal, inside its transaction, which checked the
    actor may convert the lead. A note has exactly one target, so it leaves the lead; its
    note.moved event keeps where it came from. Deleted notes stay with the lead.
    One UPDATE for all, one event each.
    """
    moved = list(
        Note.objects.select_for_update(of=("self",)).filter(lead=lead, deleted_at__isnull=True).order_by("pk")
    )
    if not moved:
        return []
    now = timezone.now()
    Note.objects.filter(pk__in=[n.pk for n in moved]).update(lead=None, deal=deal, updated_at=now)
    for note in moved:
        note.lead, note.deal, note.updated_at = None, deal, now
        record_event(
            events.NOTE_MOVED, subject=note, actor=actor, data=_data(note, from_kind="lead", from_id=lead.pk)
        )
    return moved
