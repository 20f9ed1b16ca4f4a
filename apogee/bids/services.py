"""Bid management writes: record a decision, approve or reject a proposal, the criteria, the rules.

Each function checks the actor may act, validates everything before writing
anything, writes inside one transaction, records a domain event and returns the
result. A binding "no-bid" closes the deal as lost (reason "No-bid") through the
deal services; the decision keeps its scores. `actor=None` is a system task (demo,
imports replaying history).
"""

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from apogee.accounts.models import User
from apogee.core.errors import PermissionDenied, ValidationFailed
from apogee.core.events import record_event
from apogee.deals import services as deal_services
from apogee.deals.errors import DealClosed
from apogee.deals.models import Deal, DealStatus, LostReason
from apogee.notifications.services import notify
from apogee.pipelines.models import Stage

from . import events
from .models import (
    MAX_SCORE,
    MAX_WEIGHT,
    MIN_SCORE,
    BidCriterion,
    BidDecision,
    BidRule,
    BidSettings,
    Decision,
    DecisionStatus,
)
from .queries import active_criteria, approval_required, approvers_for, can_approve

NO_BID_REASON = "No-bid"
MAX_RATIONALE = 5000
MAX_NOTE = 500


# Decisions ------------------------------------------------------------------------------------


def _clean_scores(scores: Any, criteria: list[BidCriterion]) -> list[dict]:
    """Every active criterion scored MIN_SCORE..MAX_SCORE; errors keyed "scores.<criterion id>"."""
    if scores is None:
        scores = {}
    if not isinstance(scores, dict):
        raise ValidationFailed(
            _("Some fields are invalid."), fields={"scores": [_("Give one score per criterion.")]}
        )
    given: dict[str, Any] = {str(k): v for k, v in scores.items()}
    errors: dict[str, list[str]] = {}
    known = {str(c.pk) for c in criteria}
    for key in sorted(set(given) - known):
        errors[f"scores.{key}"] = [_("No such criterion, or it is archived.")]
    rows = []
    for criterion in criteria:
        value = given.get(str(criterion.pk))
        if value in (None, ""):
            errors[f"scores.{criterion.pk}"] = [_("Score this criterion.")]
            continue
        try:
            if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
                raise ValueError
            score = int(str(value).strip()) if not isinstance(value, float) else int(value)
        except (TypeError, ValueError):
            errors[f"scores.{criterion.pk}"] = [_("Enter a whole number.")]
            continue
        if not MIN_SCORE <= score <= MAX_SCORE:
            errors[f"scores.{criterion.pk}"] = [
                _("Give a score from %(min)d to %(max)d.") % {"min": MIN_SCORE, "max": MAX_SCORE}
            ]
            continue
        rows.append(
            {
                "criterion": criterion.pk,
                "label_en": criterion.label_en,
                "label_fr": criterion.label_fr,
                "weight": criterion.weight,
                "score": score,
            }
        )
    if errors:
        raise ValidationFailed(_("Some scores are missing or invalid."), fields=errors)
    return rows


def weighted_total(rows: list[dict]) -> Decimal | None:
    """The weighted score in percent of the best possible (0–100, one decimal)."""
    weights = sum(row["weight"] for row in rows)
    if not weights:
        return None
    points = sum(row["weight"] * row["score"] for row in rows)
    return (Decimal(points) * 100 / (weights * MAX_SCORE)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _clean_text(value, key: str, limit: int, *, required: bool) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise ValidationFailed(_("Some fields are invalid."), fields={key: [_("This field is required.")]})
    if len(text) > limit:
        raise ValidationFailed(
            _("Some fields are invalid."), fields={key: [_("At most %d characters.") % limit]}
        )
    if "\x00" in text:
        raise ValidationFailed(
            _("Some fields are invalid."), fields={key: [_("Text may not contain NUL characters.")]}
        )
    return text


def _deal_url(deal: Deal) -> str:
    return reverse("deals:detail", args=[deal.pk])


def _decision_data(decision: BidDecision, **extra) -> dict:
    return {
        "deal": decision.deal_id,
        "decision": decision.decision,
        "status": decision.status,
        "total": str(decision.total) if decision.total is not None else None,
        **extra,
    }


def no_bid_reason() -> LostReason:
    """The lost reason a no-bid closes a deal with: an existing "No-bid…" reason, else a new one."""
    reason = (
        LostReason.objects.filter(label__iexact=NO_BID_REASON).first()
        or LostReason.objects.filter(label__istartswith=NO_BID_REASON).order_by("is_archived", "pk").first()
    )
    if reason is None:
        return deal_services.save_lost_reason(label=NO_BID_REASON, actor=None)
    if reason.is_archived:
        # A no-bid must be able to close the deal: the reason comes back from the archive.
        return deal_services.save_lost_reason(
            reason=reason, label=reason.label, is_archived=False, actor=None
        )
    return reason


def _close_if_no_bid(decision: BidDecision, actor: User | None, occurred_at=None) -> None:
    deal = Deal.objects.get(pk=decision.deal_id)
    if decision.decision != Decision.NO_BID or deal.status != DealStatus.OPEN:
        return
    deal_services.mark_deal_lost(
        deal=deal,
        actor=actor,
        reason=no_bid_reason(),
        note=decision.rationale[:MAX_NOTE],
        occurred_at=occurred_at,
    )


@transaction.atomic
def record_decision(
    *,
    deal: Deal,
    actor: User | None,
    decision: str,
    scores: dict | None,
    rationale: str,
    proposed_by: User | None = None,
    occurred_at=None,
) -> BidDecision:
    """Record a bid / no-bid decision on an open deal, scored on every active criterion.

    When the workspace requires approval and the actor may not approve for this deal,
    the decision is a proposal and the approvers are notified; otherwise it is final.
    A final no-bid closes the deal as lost. Pending proposals of the deal are superseded.
    `proposed_by` and `occurred_at` are for system tasks replaying history (actor None),
    which may also record on a closed deal (nothing else happens to it then).
    """
    deal_services.ensure_can_edit(actor, deal)
    if proposed_by is not None and actor is not None and proposed_by.pk != actor.pk:
        raise PermissionDenied(_("A decision is recorded in one's own name."))
    proposer = proposed_by or actor
    if proposer is None:
        raise ValidationFailed(
            _("Some fields are invalid."), fields={"proposed_by": [_("Say who made the decision.")]}
        )
    deal = Deal.objects.select_for_update(of=("self",)).select_related("owner").get(pk=deal.pk)
    if deal.status != DealStatus.OPEN and actor is not None:
        raise DealClosed()
    # Every fault at once, so a form shows them all; nothing is written unless all is well.
    errors: dict[str, list[str]] = {}
    if decision not in Decision.values:
        errors["decision"] = [_("Choose bid or no-bid.")]
    rows: list[dict] = []
    text = ""
    try:
        rows = _clean_scores(scores, active_criteria())
    except ValidationFailed as error:
        errors.update(error.fields)
    try:
        text = _clean_text(rationale, "rationale", MAX_RATIONALE, required=True)
    except ValidationFailed as error:
        errors.update(error.fields)
    if errors:
        raise ValidationFailed(_("Some fields are invalid."), fields=errors)
    needs_approval = approval_required() and not can_approve(actor, deal)
    when = occurred_at or timezone.now()
    superseded = list(
        BidDecision.objects.select_for_update().filter(deal=deal, status=DecisionStatus.PROPOSED)
    )
    for old in superseded:
        old.status = DecisionStatus.SUPERSEDED
        old.save(update_fields=["status"])
        record_event(events.BID_DECISION_SUPERSEDED, subject=old, actor=actor, data=_decision_data(old))
    made = BidDecision.objects.create(
        deal=deal,
        decision=decision,
        status=DecisionStatus.PROPOSED if needs_approval else DecisionStatus.FINAL,
        scores=rows,
        total=weighted_total(rows),
        rationale=text,
        proposed_by=proposer,
        proposed_at=when,
        decided_by=None if needs_approval else proposer,
        decided_at=None if needs_approval else when,
    )
    record_event(
        events.BID_DECISION_RECORDED,
        subject=made,
        actor=actor,
        occurred_at=occurred_at,
        data=_decision_data(made, scores=rows, superseded=[s.pk for s in superseded]),
    )
    if needs_approval:
        words = {
            "who": str(proposer),
            "decision": made.get_decision_display().lower(),
            "deal": deal.title,
        }
        for approver in approvers_for(deal):
            if approver.pk != proposer.pk:
                notify(
                    user=approver,
                    text=_("%(who)s proposes to %(decision)s on “%(deal)s”: approve or reject it.") % words,
                    url=_deal_url(deal),
                    actor=actor,
                )
    else:
        _close_if_no_bid(made, actor, occurred_at)
    return made


def _review(decision: BidDecision, actor: User | None) -> BidDecision:
    """Lock and check a proposal before approving or rejecting it."""
    decision = BidDecision.objects.select_for_update().get(pk=decision.pk)
    deal = Deal.objects.select_related("owner").get(pk=decision.deal_id)
    deal_services.ensure_can_edit(actor, deal)
    if not can_approve(actor, deal):
        raise PermissionDenied(
            _("Only a manager of the owner's team or an administrator approves decisions.")
        )
    if decision.status != DecisionStatus.PROPOSED:
        raise ValidationFailed(
            _("This decision is not awaiting approval."),
            fields={"status": [_("It is “%s” already.") % decision.get_status_display()]},
        )
    decision.deal = deal
    return decision


@transaction.atomic
def approve_decision(*, decision: BidDecision, actor: User | None, note: str = "") -> BidDecision:
    """Approve a proposal: it becomes the deal's decision; an approved no-bid closes the deal as lost."""
    decision = _review(decision, actor)
    note = _clean_text(note, "note", MAX_NOTE, required=False)
    if decision.decision == Decision.NO_BID and decision.deal.status != DealStatus.OPEN:
        # The deal was closed (or won) meanwhile: approving would change nothing but confuse the history.
        raise DealClosed()
    decision.status = DecisionStatus.APPROVED
    decision.decided_by = actor or decision.proposed_by
    decision.decided_at = timezone.now()
    decision.review_note = note
    decision.save(update_fields=["status", "decided_by", "decided_at", "review_note"])
    record_event(events.BID_DECISION_APPROVED, subject=decision, actor=actor, data=_decision_data(decision))
    _close_if_no_bid(decision, actor)
    if actor is None or decision.proposed_by_id != actor.pk:
        words = {
            "who": str(actor or _("System")),
            "decision": decision.get_decision_display().lower(),
            "deal": decision.deal.title,
        }
        notify(
            user=decision.proposed_by,
            text=_("%(who)s approved your decision to %(decision)s on “%(deal)s”.") % words,
            url=_deal_url(decision.deal),
            actor=actor,
        )
    return decision


@transaction.atomic
def reject_decision(*, decision: BidDecision, actor: User | None, note: str = "") -> BidDecision:
    """Reject a proposal: it stays in the history; the deal keeps its previous decision, if any."""
    decision = _review(decision, actor)
    note = _clean_text(note, "note", MAX_NOTE, required=False)
    decision.status = DecisionStatus.REJECTED
    decision.decided_by = actor or decision.proposed_by
    decision.decided_at = timezone.now()
    decision.review_note = note
    decision.save(update_fields=["status", "decided_by", "decided_at", "review_note"])
    record_event(
        events.BID_DECISION_REJECTED, subject=decision, actor=actor, data=_decision_data(decision, note=note)
    )
    if actor is None or decision.proposed_by_id != actor.pk:
        words = {
            "who": str(actor or _("System")),
            "decision": decision.get_decision_display().lower(),
            "deal": decision.deal.title,
        }
        text = _("%(who)s rejected your decision to %(decision)s on “%(deal)s”.") % words
        if note:
            text = f"{text} {note}"
        notify(user=decision.proposed_by, text=text, url=_deal_url(decision.deal), actor=actor)
    return decision


# Criteria and rules (administrators) ----------------------------------------------------------


def _ensure_admin(actor: User | None) -> None:
    if actor is not None and not actor.is_workspace_admin:
        raise PermissionDenied(_("Only an administrator can change the bid settings."))


def _clean_weight(weight, errors: dict) -> int:
    try:
        if isinstance(weight, bool):
            raise ValueError
        value = int(str(weight).strip())
    except (TypeError, ValueError):
        errors["weight"] = [_("Enter a whole number.")]
        return 0
    if not 1 <= value <= MAX_WEIGHT:
        errors["weight"] = [_("Give a weight from 1 to %d.") % MAX_WEIGHT]
    return value


@transaction.atomic
def save_criterion(
    *,
    actor: User | None,
    label_en: str,
    label_fr: str = "",
    weight: Any = 1,
    criterion: BidCriterion | None = None,
    is_archived: bool | None = None,
) -> BidCriterion:
    """Add a criterion (last in the list) or change one; decisions already made keep their snapshot."""
    _ensure_admin(actor)
    label_en = " ".join(str(label_en or "").split())
    label_fr = " ".join(str(label_fr or "").split())
    errors: dict[str, list[str]] = {}
    if not label_en or len(label_en) > 80 or "\x00" in label_en:
        errors["label_en"] = [_("Enter 1 to 80 characters.")]
    if len(label_fr) > 80 or "\x00" in label_fr:
        errors["label_fr"] = [_("At most 80 characters.")]
    value = _clean_weight(weight, errors)
    duplicate = BidCriterion.objects.filter(label_en__iexact=label_en, is_archived=False)
    if criterion is not None:
        duplicate = duplicate.exclude(pk=criterion.pk)
    if label_en and "label_en" not in errors and duplicate.exists():
        errors["label_en"] = [_("A criterion with this name exists already.")]
    if errors:
        raise ValidationFailed(_("Some fields are invalid."), fields=errors)
    if criterion is None:
        position = (BidCriterion.objects.aggregate(m=Max("position"))["m"] or 0) + 1
        criterion = BidCriterion.objects.create(
            label_en=label_en, label_fr=label_fr, weight=value, position=position
        )
    else:
        criterion.label_en, criterion.label_fr, criterion.weight = label_en, label_fr, value
        if is_archived is not None:
            criterion.is_archived = is_archived
        criterion.save()
    record_event(
        events.BID_CRITERION_CHANGED,
        subject=criterion,
        actor=actor,
        data={
            "label_en": label_en,
            "label_fr": label_fr,
            "weight": value,
            "archived": criterion.is_archived,
        },
    )
    return criterion


@transaction.atomic
def move_criterion(*, criterion: BidCriterion, direction: str, actor: User | None) -> list[int]:
    """Swap the criterion with its neighbour ("up" or "down"); returns the new order of ids."""
    _ensure_admin(actor)
    if direction not in ("up", "down"):
        raise ValidationFailed(_("Some fields are invalid."), fields={"direction": [_("Give up or down.")]})
    ordered = list(BidCriterion.objects.select_for_update().order_by("position", "id"))
    ids = [c.pk for c in ordered]
    index = ids.index(criterion.pk)
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(ids):
        return ids
    ordered[index], ordered[other] = ordered[other], ordered[index]
    for position, item in enumerate(ordered, start=1):
        if item.position != position:
            item.position = position
            item.save(update_fields=["position"])
    ids = [c.pk for c in ordered]
    record_event(events.BID_CRITERION_CHANGED, subject=criterion, actor=actor, data={"order": ids})
    return ids


@transaction.atomic
def save_bid_rules(*, actor: User | None, stages: list[Stage], approval_required: bool) -> BidSettings:
    """Set which stages need a binding bid decision, and whether members' decisions need approval."""
    _ensure_admin(actor)
    if not isinstance(approval_required, bool):
        raise ValidationFailed(
            _("Some fields are invalid."), fields={"approval_required": [_("Give true or false.")]}
        )
    wanted = {s.pk for s in stages}
    settings, _created = BidSettings.objects.select_for_update().get_or_create(pk=1)
    before = set(BidRule.objects.values_list("stage_id", flat=True))
    BidRule.objects.exclude(stage_id__in=wanted).delete()
    for stage_id in sorted(wanted - before):
        BidRule.objects.create(stage_id=stage_id)
    changed_flag = settings.approval_required != approval_required
    settings.approval_required = approval_required
    settings.save()
    if changed_flag or wanted != before:
        record_event(
            events.BID_RULES_CHANGED,
            subject=settings,
            actor=actor,
            data={"stages": sorted(wanted), "approval_required": approval_required},
        )
    return settings
