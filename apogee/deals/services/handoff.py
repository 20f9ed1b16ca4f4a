"""Hand-off from the last stage of Missions or RFI into Sales (a linked deal, or the deal itself)."""

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from apogee.accounts.models import User
from apogee.core.events import record_event
from apogee.deals import events
from apogee.deals.errors import DealClosed, HandoffNotPossible
from apogee.deals.guards import check_stage_entry
from apogee.deals.models import Deal, DealStatus
from apogee.pipelines.models import HandoffMode

from .common import _check_gates, _lock, _record_move, ensure_can_edit
from .lifecycle import _insert_deal


@transaction.atomic
def hand_off_deal(*, deal: Deal, actor: User | None) -> Deal:
    """From the last stage of a pipeline with a hand-off target (Missions, RFI), go on in Sales.

    Per the pipeline's setting, either create a linked deal in the target's first
    stage (the origin stays where it is, linked both ways) or move the deal itself.
    Returns the deal that is now in the target pipeline.
    """
    ensure_can_edit(actor, deal)
    deal = _lock(deal)
    source = deal.pipeline
    target = source.handoff_target
    if target is None or target.is_archived:
        raise HandoffNotPossible(
            _("“%s” has no hand-off target.") % source.name,
            fields={"pipeline": [_("Set one in the settings.")]},
        )
    last = source.stages.aggregate(m=Max("position"))["m"]
    if deal.stage.position != last:
        raise HandoffNotPossible(
            _("A deal is handed off from the last stage of its pipeline."),
            fields={"stage": [_("Move the deal to the last stage first.")]},
        )
    if deal.status != DealStatus.OPEN:
        raise DealClosed()
    first = target.stages.order_by("position", "id").first()
    _check_gates(first, deal.custom_values)
    moving = source.handoff_mode == HandoffMode.MOVE
    check_stage_entry(deal=deal if moving else None, stage=first, actor=actor)
    if source.handoff_mode == HandoffMode.MOVE:
        deal.pipeline = target
        deal.version += 1
        _record_move(deal, first, actor)
        deal.save()
        result = deal
    else:
        # The new deal keeps the origin's owner: whoever may edit the origin may hand it off.
        # A mission yields one Sales deal per subsystem opportunity, so handing off twice is allowed.
        result = _insert_deal(
            title=deal.title,
            pipeline=target,
            stage=first,
            actor=actor,
            owner=deal.owner,
            organization=deal.organization,
            value=deal.value,
            currency=deal.currency,
            expected_close_date=deal.expected_close_date,
            visibility=deal.visibility,
            custom_values=deal.custom_values,
            participants=[(p.person, p.role) for p in deal.participants.select_related("person")],
            origin_deal=deal,
            parent_contract=None,
            occurred_at=None,
            # The end customer stays; the tender, its deadlines and our offer are the next phase's own.
            details={"end_customer": deal.end_customer},
        )
    record_event(
        events.DEAL_HANDED_OFF,
        subject=deal,
        actor=actor,
        data={
            "mode": source.handoff_mode,
            "from_pipeline": source.pk,
            "to_pipeline": target.pk,
            "to_deal": result.pk,
        },
    )
    return result
