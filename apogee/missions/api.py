"""JSON API of missions: the missions with their roll-ups, a mission's profile, linking deals.

A deal the user may not see answers 404 on every verb, and so does a linked deal they
may not see. A profile on a deal that is not a mission answers 422 (not_a_mission);
linking a deal that already rolls up into a mission answers 409 (already_in_mission).
Amounts are decimals as strings, in the workspace's base currency.
"""

from datetime import datetime
from typing import Annotated

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from pydantic import ConfigDict

from apogee.contacts.models import Organization
from apogee.contacts.queries import organizations_visible_to
from apogee.core.errors import ValidationFailed
from apogee.core.queries import base_currency
from apogee.deals.queries import get_deal_for_user_or_404
from apogee.pipelines.models import Pipeline

from . import queries, services
from .models import DEFAULT_GO_AHEAD
from .rollup import RollUp

router = Router(tags=["missions"])

Id = Annotated[int, Field(ge=1, le=2**63 - 1)]


class Input(Schema):
    model_config = ConfigDict(extra="forbid")


class MissionProfileOut(Schema):
    deal_id: int
    agency_id: int | None
    programme: str
    expected_tender_year: int | None
    expected_launch_year: int | None
    phase: str = Field(..., description="0 (pre-phase A), A, B1, B2, CD (C/D), E, or empty.")
    go_ahead_probability: int = Field(..., description="0–100: how likely the procurement happens.")
    updated_at: datetime


class MissionProfileIn(Input):
    agency_id: Id | None = None
    programme: str = ""
    expected_tender_year: int | None = None
    expected_launch_year: int | None = None
    phase: str = ""
    go_ahead_probability: int = DEFAULT_GO_AHEAD


class RollUpOut(Schema):
    count: int
    open_count: int
    won_count: int
    lost_count: int
    total_value: str = Field(..., description="Open and won deals, in the base currency.")
    expected_value: str = Field(
        ..., description="Open deals at value × stage probability × go-ahead probability; won deals at value."
    )
    currency: str
    unconverted_count: int = Field(..., description="Deals left out of the sums: no exchange rate.")


class MissionOut(Schema):
    deal_id: int
    title: str
    status: str
    stage_id: int
    profile: MissionProfileOut | None
    roll_up: RollUpOut


class MemberOut(Schema):
    deal_id: int
    title: str
    pipeline_id: int
    stage_id: int
    status: str
    value: str
    currency: str
    linked: bool = Field(..., description="Linked by hand; otherwise handed off from the mission.")
    expected_value: str | None


class MissionDetailOut(MissionOut):
    deals: list[MemberOut]


class MissionListQuery(Schema):
    horizon_years: int = Field(4, ge=0, le=100, description="Tender years from this year to this year + n.")
    all_years: bool = Field(False, description="Ignore the horizon.")
    include_closed: bool = False


class MissionLinkOut(Schema):
    mission_id: int
    deal_id: int
    created_at: datetime


class MissionPipelineIn(Input):
    holds_missions: bool


class MissionPipelineOut(Schema):
    pipeline_id: int
    holds_missions: bool


def _roll_up(roll: RollUp) -> dict:
    return {
        "count": roll.count,
        "open_count": roll.open_count,
        "won_count": roll.won_count,
        "lost_count": roll.lost_count,
        "total_value": str(roll.total_value),
        "expected_value": str(roll.expected_value),
        "currency": base_currency(),
        "unconverted_count": roll.unconverted_count,
    }


def _mission(mission, profile, roll: RollUp) -> dict:
    return {
        "deal_id": mission.pk,
        "title": mission.title,
        "status": mission.status,
        "stage_id": mission.stage_id,
        "profile": profile,
        "roll_up": _roll_up(roll),
    }


def _agency(request, pk: int | None) -> Organization | None:
    if pk is None:
        return None
    agency = organizations_visible_to(request.auth).filter(pk=pk).first()
    if agency is None:
        raise ValidationFailed(
            _("Some fields are invalid."), fields={"agency_id": [_("No such organization.")]}
        )
    return agency


@router.get("/missions", response=list[MissionOut])
def list_missions(request, params: Query[MissionListQuery]):
    """Missions the user sees, by expected tender year (undated last), with the roll-up of their deals."""
    rows = queries.mission_rows(
        request.auth,
        today=timezone.localdate(),
        horizon_years=None if params.all_years else params.horizon_years,
        include_closed=params.include_closed,
    )
    return [_mission(r.mission, r.profile, r.roll_up) for r in rows]


@router.get("/missions/{deal_id}", response=MissionDetailOut)
def get_mission(request, deal_id: int):
    """One mission with its roll-up and the deals that make it up (those the user may see)."""
    mission = queries.get_mission_for_user_or_404(request.auth, deal_id)
    detail = queries.mission_detail(request.auth, mission)
    return {
        **_mission(mission, detail.profile, detail.roll_up),
        "deals": [
            {
                "deal_id": row.deal.pk,
                "title": row.deal.title,
                "pipeline_id": row.deal.pipeline_id,
                "stage_id": row.deal.stage_id,
                "status": row.deal.status,
                "value": str(row.deal.value),
                "currency": row.deal.currency,
                "linked": row.linked,
                "expected_value": None if row.expected_value is None else str(row.expected_value),
            }
            for row in detail.members
        ],
    }


@router.get("/deals/{deal_id}/mission-profile", response=MissionProfileOut)
def get_mission_profile(request, deal_id: int):
    mission = queries.get_mission_for_user_or_404(request.auth, deal_id)
    profile = queries.profile_of(mission)
    if profile is None:
        raise Http404("No profile yet")
    return profile


@router.put("/deals/{deal_id}/mission-profile", response=MissionProfileOut)
def put_mission_profile(request, deal_id: int, payload: MissionProfileIn):
    """Create or replace the whole profile; fields left out take their defaults."""
    deal = get_deal_for_user_or_404(request.auth, deal_id)
    data = payload.model_dump()
    agency = _agency(request, data.pop("agency_id"))
    try:
        return services.set_mission_profile(deal=deal, actor=request.auth, agency=agency, **data)
    except ValidationFailed as error:
        if "agency" in error.fields:
            error.fields["agency_id"] = error.fields.pop("agency")
        raise


@router.post("/deals/{deal_id}/mission-links/{linked_id}", response={201: MissionLinkOut})
def link_deal(request, deal_id: int, linked_id: int):
    """Count a deal in the mission's roll-up (one not handed off from it)."""
    mission = get_deal_for_user_or_404(request.auth, deal_id)
    deal = get_deal_for_user_or_404(request.auth, linked_id)
    link = services.link_deal(mission=mission, deal=deal, actor=request.auth)
    return Status(201, link)


@router.delete("/deals/{deal_id}/mission-links/{linked_id}", response={204: None})
def unlink_deal(request, deal_id: int, linked_id: int):
    mission = get_deal_for_user_or_404(request.auth, deal_id)
    deal = get_deal_for_user_or_404(request.auth, linked_id)
    services.unlink_deal(mission=mission, deal=deal, actor=request.auth)
    return Status(204, None)


@router.put("/pipelines/{pipeline_id}/mission-setting", response=MissionPipelineOut)
def put_mission_pipeline(request, pipeline_id: int, payload: MissionPipelineIn):
    """Whether the deals of a pipeline are missions (administrators only)."""
    pipeline = get_object_or_404(Pipeline, pk=pipeline_id)
    services.set_mission_pipeline(
        pipeline=pipeline, holds_missions=payload.holds_missions, actor=request.auth
    )
    return {"pipeline_id": pipeline.pk, "holds_missions": queries.is_mission_pipeline(pipeline)}
