"""JSON API of bid management: the decisions of a deal, recording one, approving or rejecting a
proposal; the scoring criteria and the bid rules (administrators change them).

The same rules as the pages: a deal one may not see (or its decisions) answers 404;
approving without being a manager of the owner's team or an administrator answers 403.
Scores are given as {"<criterion id>": 0..5}, every active criterion scored; a fault
is reported under "scores.<criterion id>".
"""

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from pydantic import ConfigDict

from apogee.core.errors import PermissionDenied, ValidationFailed
from apogee.deals.queries import get_deal_for_user_or_404
from apogee.pipelines.models import Stage

from . import queries, services
from .models import MAX_SCORE, MAX_WEIGHT, MIN_SCORE, BidCriterion

router = Router(tags=["bids"])

Id = Annotated[int, Field(ge=1, le=2**63 - 1)]


class Input(Schema):
    model_config = ConfigDict(extra="forbid")


class ScoreOut(Schema):
    criterion: int
    label_en: str
    label_fr: str
    weight: int
    score: int


class BidDecisionOut(Schema):
    id: int
    deal_id: int
    decision: str = Field(..., description="bid or no_bid")
    status: str = Field(..., description="proposed, approved, rejected, final or superseded")
    scores: list[ScoreOut] = Field(..., description="The criteria as they were when scored.")
    total: Decimal | None = Field(..., description="Weighted score, 0–100; null without criteria.")
    rationale: str
    proposed_by_id: int
    proposed_at: datetime
    decided_by_id: int | None
    decided_at: datetime | None
    review_note: str


class BidDecisionIn(Input):
    decision: Literal["bid", "no_bid"]
    scores: dict[Id, Annotated[int, Field(ge=MIN_SCORE, le=MAX_SCORE)]] = Field(
        default_factory=dict, description=f"Criterion id → score from {MIN_SCORE} to {MAX_SCORE}."
    )
    rationale: Annotated[str, Field(max_length=services.MAX_RATIONALE)]


class ReviewIn(Input):
    note: Annotated[str, Field(max_length=services.MAX_NOTE)] = ""


class CriterionOut(Schema):
    id: int
    label_en: str
    label_fr: str
    weight: int
    position: int
    is_archived: bool


class CriterionIn(Input):
    label_en: Annotated[str, Field(max_length=80)]
    label_fr: Annotated[str, Field(max_length=80)] = ""
    weight: Annotated[int, Field(ge=1, le=MAX_WEIGHT)] = 1


class CriterionPatch(Input):
    label_en: Annotated[str, Field(max_length=80)] | None = None
    label_fr: Annotated[str, Field(max_length=80)] | None = None
    weight: Annotated[int, Field(ge=1, le=MAX_WEIGHT)] | None = None
    is_archived: bool | None = None


class BidRulesOut(Schema):
    approval_required: bool
    stage_ids: list[int]


class BidRulesIn(Input):
    approval_required: bool
    stage_ids: list[Id] = Field(default_factory=list, description="The stages a deal enters only with a bid.")


@router.get("/deals/{deal_id}/bid-decisions", response=list[BidDecisionOut])
def list_decisions(request, deal_id: int):
    """Every decision of the deal, the latest first; the latest approved or final one counts."""
    deal = get_deal_for_user_or_404(request.auth, deal_id)
    return queries.decisions_on(deal)


@router.post("/deals/{deal_id}/bid-decisions", response={201: BidDecisionOut})
def create_decision(request, deal_id: int, payload: BidDecisionIn):
    """Record a decision: final, or a proposal awaiting approval when the workspace requires it."""
    deal = get_deal_for_user_or_404(request.auth, deal_id)
    decision = services.record_decision(
        deal=deal,
        actor=request.auth,
        decision=payload.decision,
        scores=payload.scores,
        rationale=payload.rationale,
    )
    return Status(201, decision)


@router.get("/bid-decisions/{decision_id}", response=BidDecisionOut)
def get_decision(request, decision_id: int):
    return queries.get_decision_for_user_or_404(request.auth, decision_id)


@router.post("/bid-decisions/{decision_id}/approve", response=BidDecisionOut)
def approve_decision(request, decision_id: int, payload: ReviewIn | None = None):
    decision = queries.get_decision_for_user_or_404(request.auth, decision_id)
    return services.approve_decision(
        decision=decision, actor=request.auth, note=payload.note if payload else ""
    )


@router.post("/bid-decisions/{decision_id}/reject", response=BidDecisionOut)
def reject_decision(request, decision_id: int, payload: ReviewIn | None = None):
    decision = queries.get_decision_for_user_or_404(request.auth, decision_id)
    return services.reject_decision(
        decision=decision, actor=request.auth, note=payload.note if payload else ""
    )


@router.get("/bid-criteria", response=list[CriterionOut])
def list_criteria(request, include_archived: bool = False):
    criteria = queries.all_criteria()
    return list(criteria if include_archived else criteria.filter(is_archived=False))


@router.post("/bid-criteria", response={201: CriterionOut})
def create_criterion(request, payload: CriterionIn):
    return Status(201, services.save_criterion(actor=request.auth, **payload.model_dump()))


@router.patch("/bid-criteria/{criterion_id}", response=CriterionOut)
def update_criterion(request, criterion_id: int, payload: CriterionPatch):
    criterion = get_object_or_404(BidCriterion, pk=criterion_id)
    changes = payload.model_dump(exclude_unset=True)
    return services.save_criterion(
        actor=request.auth,
        criterion=criterion,
        label_en=changes.get("label_en") if changes.get("label_en") is not None else criterion.label_en,
        label_fr=changes.get("label_fr") if changes.get("label_fr") is not None else criterion.label_fr,
        weight=changes.get("weight") if changes.get("weight") is not None else criterion.weight,
        is_archived=changes.get("is_archived"),
    )


def _rules() -> dict:
    return {
        "approval_required": queries.approval_required(),
        "stage_ids": sorted(queries.stages_requiring_bid().values_list("pk", flat=True)),
    }


@router.get("/bid-rules", response=BidRulesOut)
def get_rules(request):
    return _rules()


@router.put("/bid-rules", response=BidRulesOut)
def put_rules(request, payload: BidRulesIn):
    if not request.auth.is_workspace_admin:
        raise PermissionDenied(_("Only an administrator can change the bid settings."))
    stages = list(Stage.objects.filter(pk__in=payload.stage_ids))
    unknown = sorted(set(payload.stage_ids) - {s.pk for s in stages})
    if unknown:
        raise ValidationFailed(
            _("Some fields are invalid."),
            fields={"stage_ids": [_("No such stage: %s.") % ", ".join(map(str, unknown))]},
        )
    services.save_bid_rules(actor=request.auth, stages=stages, approval_required=payload.approval_required)
    return _rules()
