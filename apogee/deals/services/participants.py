"""The people on a deal and their roles (contract officer, technical officer…)."""

from django.db import transaction
from django.utils.translation import gettext as _

from apogee.accounts.models import User
from apogee.contacts.models import Person
from apogee.core.errors import ValidationFailed
from apogee.core.events import record_event
from apogee.deals import events
from apogee.deals.models import Deal, DealParticipant, ParticipantRole

from .common import ensure_can_edit


@transaction.atomic
def add_participant(*, deal: Deal, person: Person, role: str, actor: User | None) -> DealParticipant:
    ensure_can_edit(actor, deal)
    if role not in ParticipantRole.values:
        raise ValidationFailed(_("Invalid role."), fields={"role": [_("Choose a valid role.")]})
    if DealParticipant.objects.filter(deal=deal, person=person, role=role).exists():
        raise ValidationFailed(
            _("Already a participant."),
            fields={"person": [_("This person already has this role on the deal.")]},
        )
    participant = DealParticipant.objects.create(deal=deal, person=person, role=role)
    record_event(
        events.DEAL_PARTICIPANT_ADDED,
        subject=deal,
        actor=actor,
        data={"person": person.pk, "person_name": person.name, "role": role},
    )
    return participant


@transaction.atomic
def remove_participant(*, participant: DealParticipant, actor: User | None) -> None:
    ensure_can_edit(actor, participant.deal)
    record_event(
        events.DEAL_PARTICIPANT_REMOVED,
        subject=participant.deal,
        actor=actor,
        data={
            "person": participant.person_id,
            "person_name": participant.person.name,
            "role": participant.role,
        },
    )
    participant.delete()
