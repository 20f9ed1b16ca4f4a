"""Permission-scoped reads of notes: the one door for the panels and the API.

Visibility: a note on a deal or a lead is seen by whoever may see that deal or lead
(deals_visible_to, leads_visible_to); a note on a person or an organization by every
active user, as contacts are. Whoever sees a note may pin it; only its author, a
manager or an administrator may edit or delete it.
"""

from django.db.models import Q, QuerySet
from django.http import Http404

from apogee.accounts.models import User
from apogee.contacts.queries import get_organization_for_user_or_404, get_person_for_user_or_404
from apogee.deals.queries import deals_visible_to, get_deal_for_user_or_404
from apogee.leads.queries import get_lead_for_user_or_404, leads_visible_to

from .models import TARGET_KINDS, Note

_TARGET_GETTERS = {
    "deal": get_deal_for_user_or_404,
    "lead": get_lead_for_user_or_404,
    "person": get_person_for_user_or_404,
    "organization": get_organization_for_user_or_404,
}


def notes_visible_to(user: User) -> QuerySet[Note]:
    if not user.is_authenticated or not user.is_active:
        return Note.objects.none()
    return Note.objects.filter(
        Q(deal__in=deals_visible_to(user).values("pk"))
        | Q(lead__in=leads_visible_to(user).values("pk"))
        | Q(person__isnull=False, person__deleted_at__isnull=True)
        | Q(organization__isnull=False, organization__deleted_at__isnull=True),
        deleted_at__isnull=True,
    )


def can_see_note(user: User, note: Note) -> bool:
    return notes_visible_to(user).filter(pk=note.pk).exists()


def can_edit_note(user: User, note: Note) -> bool:
    return user.is_workspace_admin or user.is_manager or note.author_id == user.pk


def get_note_for_user_or_404(user: User, note_id) -> Note:
    # 404 rather than 403: a note on a record the user may not see does not exist for them.
    try:
        return notes_visible_to(user).select_related("author").get(pk=int(note_id))
    except (Note.DoesNotExist, ValueError, TypeError):
        raise Http404("No such note") from None


def get_target_for_user_or_404(user: User, kind: str, target_id):
    """The deal, lead, person or organization a note is (to be) attached to, if the user may see it."""
    if kind not in _TARGET_GETTERS:
        raise Http404("No such record")
    return _TARGET_GETTERS[kind](user, target_id)


def target_kind_of(target) -> str:
    kind = target._meta.model_name
    if kind not in TARGET_KINDS:
        raise ValueError(f"Notes cannot be attached to a {kind}")
    return kind


def notes_on(user: User, target) -> list[Note]:
    """The notes on one record the user may see: pinned first, then the newest."""
    kind = target_kind_of(target)
    return list(
        notes_visible_to(user)
        .filter(**{kind: target})
        .select_related("author")
        .order_by("-is_pinned", "-created_at", "-id")
    )
