"""Deals brought in from another CRM with their past: stage history, outcome, original dates.

A migrated deal lands as it was, so the funnel over past years stays meaningful: it is
created in the first stage of its history at its original time, moved through the rest at
the original times, then won or lost when it was. Gates and stage-entry guards are not
applied to that past — a 2021 deal was never asked for a bid decision — they apply from the
next move a user makes. Everything else is validated as for any deal (title, value,
currency, custom values), and a refused deal writes nothing.

Importing again the same deal (`deal=` given) updates what changed, appends the moves newer
than the last one recorded, and records the new outcome; it never rewrites recorded history.
"""

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from apogee.accounts.models import User
from apogee.contacts.models import Organization
from apogee.core.errors import ValidationFailed
from apogee.core.events import jsonable, record_event
from apogee.customfields.services import clean_custom_values, merge_custom_values
from apogee.deals import events
from apogee.deals.errors import StageNotInPipeline
from apogee.deals.models import Deal, DealStatus, LostReason, StageChange, Visibility
from apogee.pipelines.models import Pipeline, Stage

from .common import _clean_core_fields, _record_move

IMPORTED_FIELDS = (
    "title",
    "value",
    "currency",
    "expected_close_date",
    "owner",
    "organization",
    "visibility",
    "tender_reference",
)


def _check_history(pipeline: Pipeline, history: list[tuple[Stage, datetime]]) -> None:
    if not history:
        raise ValidationFailed(_("A deal needs at least one stage."), fields={"stage": [_("Give a stage.")]})
    if any(stage.pipeline_id != pipeline.pk for stage, _at in history):
        raise StageNotInPipeline()


def _outcome(status: str, won_at, lost_at, lost_reason) -> dict[str, Any]:
    if status not in DealStatus.values:
        raise ValidationFailed(_("Unknown status."), fields={"status": [_("Choose open, won or lost.")]})
    if status == DealStatus.WON and won_at is None:
        raise ValidationFailed(
            _("A won deal needs its date."), fields={"won_at": [_("Give the date it was won.")]}
        )
    if status == DealStatus.LOST and lost_at is None:
        raise ValidationFailed(
            _("A lost deal needs its date."), fields={"lost_at": [_("Give the date it was lost.")]}
        )
    return {
        "status": status,
        "won_at": won_at if status == DealStatus.WON else None,
        "lost_at": lost_at if status == DealStatus.LOST else None,
        "lost_reason": lost_reason if status == DealStatus.LOST else None,
    }


def _record_outcome(deal: Deal, actor: User | None, previous: str) -> None:
    if deal.status == previous:
        return
    if deal.status == DealStatus.WON:
        record_event(
            events.DEAL_WON,
            subject=deal,
            actor=actor,
            occurred_at=deal.won_at,
            data={"version": deal.version},
        )
    elif deal.status == DealStatus.LOST:
        record_event(
            events.DEAL_LOST,
            subject=deal,
            actor=actor,
            occurred_at=deal.lost_at,
            data={
                "reason": deal.lost_reason_id,
                "reason_label": str(deal.lost_reason or ""),
                "note": deal.lost_note,
                "stage": deal.stage_id,
                "version": deal.version,
            },
        )
    else:
        record_event(
            events.DEAL_REOPENED, subject=deal, actor=actor, data={"was": previous, "version": deal.version}
        )


def _append_moves(deal: Deal, moves: list[tuple[Stage, datetime]], actor: User | None) -> None:
    for stage, at in moves:
        if deal.stage_id != stage.pk:
            _record_move(deal, stage, actor, occurred_at=at)


@transaction.atomic
def import_deal(
    *,
    title: str,
    pipeline: Pipeline,
    history: list[tuple[Stage, datetime]],
    owner: User,
    status: str = DealStatus.OPEN,
    value: Any = Decimal("0"),
    currency: str = "CHF",
    organization: Organization | None = None,
    expected_close_date=None,
    visibility: str = Visibility.EVERYONE,
    tender_reference: str = "",
    change_notice: bool = False,
    custom_values: dict[str, Any] | None = None,
    won_at: datetime | None = None,
    lost_at: datetime | None = None,
    lost_reason: LostReason | None = None,
    deal: Deal | None = None,
    actor: User | None = None,
) -> Deal:
    """Create (or, with `deal`, update) a migrated deal with its history; see the module docstring.

    `change_notice` lets the value be negative, as for a CCN: the caller knows the deal lands in
    the change-notice pipeline even when its contract is not known (legacy data)."""
    _check_history(pipeline, history)
    core = _clean_core_fields(
        {
            "title": title,
            "value": value,
            "currency": currency,
            "expected_close_date": expected_close_date,
            "owner": owner,
            "organization": organization,
            "visibility": visibility,
            "tender_reference": tender_reference,
        },
        change_notice=change_notice,
    )
    outcome = _outcome(status, won_at, lost_at, lost_reason)
    cleaned = clean_custom_values(entity="deal", values=custom_values or {})
    if deal is None:
        return _create(pipeline, history, core, outcome, cleaned, actor)
    return _update(deal, pipeline, history, core, outcome, cleaned, actor)


def _create(pipeline, history, core, outcome, cleaned, actor) -> Deal:
    (first, created_at), later = history[0], history[1:]
    deal = Deal.objects.create(
        pipeline=pipeline,
        stage=first,
        stage_entered_at=created_at,
        custom_values=merge_custom_values({}, cleaned),
        **core,
    )
    Deal.objects.filter(pk=deal.pk).update(created_at=created_at)
    deal.created_at = created_at  # the final save writes every field, this one included
    StageChange.objects.create(
        deal=deal, from_stage=None, to_stage=first, changed_by=actor, changed_at=created_at
    )
    record_event(
        events.DEAL_CREATED,
        subject=deal,
        actor=actor,
        occurred_at=created_at,
        data={
            "title": deal.title,
            "pipeline": pipeline.pk,
            "stage": first.pk,
            "value": str(deal.value),
            "currency": deal.currency,
            "owner": deal.owner_id,
            "origin_deal": None,
        },
    )
    _append_moves(deal, later, actor)
    for name, value in outcome.items():
        setattr(deal, name, value)
    deal.save()
    _record_outcome(deal, actor, DealStatus.OPEN)
    return deal


def _update(deal, pipeline, history, core, outcome, cleaned, actor) -> Deal:
    deal = Deal.objects.select_for_update().select_related("stage").get(pk=deal.pk)
    if deal.pipeline_id != pipeline.pk:
        raise StageNotInPipeline()
    changes: dict[str, list] = {}
    for name, value in core.items():
        old = getattr(deal, name)
        if old != value:
            changes[name] = [jsonable(old), jsonable(value)]
            setattr(deal, name, value)
    merged = merge_custom_values(deal.custom_values, cleaned)
    for key in sorted(set(merged) | set(deal.custom_values)):
        if merged.get(key) != deal.custom_values.get(key):
            changes[f"custom.{key}"] = [deal.custom_values.get(key), merged.get(key)]
    deal.custom_values = merged
    last = deal.stage_changes.order_by("-changed_at", "-id").values_list("changed_at", flat=True).first()
    newer = [(stage, at) for stage, at in history if last is None or at > last]
    previous_status = deal.status
    if changes or newer or any(getattr(deal, k) != v for k, v in outcome.items()):
        deal.version += 1
    if changes:
        record_event(
            events.DEAL_UPDATED, subject=deal, actor=actor, data={"changes": changes, "version": deal.version}
        )
    _append_moves(deal, newer, actor)
    for name, value in outcome.items():
        setattr(deal, name, value)
    deal.save()
    _record_outcome(deal, actor, previous_status)
    return deal
