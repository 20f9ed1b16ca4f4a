"""Domain-event consumers: a won deal gets its contract, a new change notice its number.

Subscribed in ContractsConfig.ready(); apogee.core.events calls them after commit with
the event id. Each is idempotent (an event may be delivered twice) and reads the
deal afresh, since it may have changed since the event. A failure is logged, not
raised: the change that recorded the event is committed already, and the contract
page offers "Create contract" for a won deal left without one.
"""

import logging

from apogee.core.models import DomainEvent
from apogee.deals.models import Deal

from . import services

logger = logging.getLogger(__name__)


def _event(event_id: int) -> DomainEvent | None:
    return DomainEvent.objects.select_related("actor").filter(pk=event_id, subject_type="deal").first()


def create_contract_on_win(event_id: int) -> None:
    event = _event(event_id)
    if event is None:
        return
    try:
        services.create_contract_after_win(deal_id=event.subject_id, actor=event.actor)
    except Exception:
        logger.exception("Could not create the contract of deal %s (event %s)", event.subject_id, event_id)


def number_change_notice_on_create(event_id: int) -> None:
    event = _event(event_id)
    if event is None:
        return
    deal = Deal.objects.filter(pk=event.subject_id, parent_contract__isnull=False).first()
    if deal is None:
        return
    try:
        services.number_change_notice(deal=deal, actor=event.actor)
    except Exception:
        logger.exception("Could not number change notice %s (event %s)", event.subject_id, event_id)
