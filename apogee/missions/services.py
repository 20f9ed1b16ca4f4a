"""Mission writes: a mission deal's profile, deals linked to it by hand, which pipelines hold missions.

Each function checks the actor may act, validates, writes inside one transaction,
records a domain event (subject: the mission deal, or the pipeline) and returns what
it wrote. Nothing else saves these models. `actor=None` is a system task (the demo).

Permissions follow the deals: whoever may see a deal may edit it, so editing a
mission's profile or its links needs the mission deal visible; linking a deal also
needs that deal visible. Only an administrator says which pipelines hold missions.
"""

from django.db import transaction
from django.utils.translation import gettext as _

from apogee.accounts.models import User
from apogee.contacts.models import Organization
from apogee.core.errors import NotFound, PermissionDenied, ValidationFailed
from apogee.core.events import jsonable, record_event
from apogee.deals.models import Deal
from apogee.deals.queries import can_see_deal
from apogee.pipelines.models import Pipeline

from . import events
from .errors import AlreadyInMission, NotAMission
from .models import (
    DEFAULT_GO_AHEAD,
    MAX_YEAR,
    MIN_YEAR,
    MissionLink,
    MissionPipeline,
    MissionProfile,
    Phase,
)
from .queries import is_mission_pipeline, mission_ids_of

MAX_PROGRAMME = 120
PROFILE_FIELDS = (
    "agency",
    "programme",
    "expected_tender_year",
    "expected_launch_year",
    "phase",
    "go_ahead_probability",
)


def _ensure_can_edit(actor: User | None, deal: Deal, message: str) -> None:
    if actor is not None and not can_see_deal(actor, deal):
        raise PermissionDenied(message)


def _ensure_mission(deal: Deal) -> None:
    if deal.deleted_at is not None or not is_mission_pipeline(deal.pipeline):
        raise NotAMission(
            _("Only a deal of a missions pipeline is a mission."),
            fields={"deal": [_("“%s” is not a mission.") % deal.title]},
        )


def _year(value, name: str, errors: dict) -> int | None:
    if value is None or value == "":
        return None
    try:
        year = int(value)
    except (TypeError, ValueError):
        errors[name] = [_("Enter a year.")]
        return None
    if isinstance(value, bool) or str(year) != str(value).strip() or not MIN_YEAR <= year <= MAX_YEAR:
        errors[name] = [_("Enter a year between %(min)d and %(max)d.") % {"min": MIN_YEAR, "max": MAX_YEAR}]
        return None
    return year


def _clean_profile(
    *, agency, programme, expected_tender_year, expected_launch_year, phase, go_ahead_probability
) -> dict:
    errors: dict[str, list[str]] = {}
    if agency is not None and (not isinstance(agency, Organization) or agency.deleted_at is not None):
        errors["agency"] = [_("Choose an organization that exists.")]
    programme = str(programme or "").strip()
    if len(programme) > MAX_PROGRAMME:
        errors["programme"] = [_("At most %d characters.") % MAX_PROGRAMME]
    elif "\x00" in programme:
        errors["programme"] = [_("Text may not contain NUL characters.")]
    tender = _year(expected_tender_year, "expected_tender_year", errors)
    launch = _year(expected_launch_year, "expected_launch_year", errors)
    if tender is not None and launch is not None and launch < tender:
        errors["expected_launch_year"] = [_("The launch cannot come before the tender.")]
    phase = phase or ""
    if phase not in Phase.values and phase != "":
        errors["phase"] = [_("Choose one of %s.") % ", ".join(Phase.values)]
    probability = go_ahead_probability
    if probability is None or probability == "":
        probability = DEFAULT_GO_AHEAD
    if isinstance(probability, bool) or not isinstance(probability, int) or not 0 <= probability <= 100:
        errors["go_ahead_probability"] = [_("Enter a whole percentage between 0 and 100.")]
    if errors:
        raise ValidationFailed(_("Some fields are invalid."), fields=errors)
    return {
        "agency": agency,
        "programme": programme,
        "expected_tender_year": tender,
        "expected_launch_year": launch,
        "phase": phase,
        "go_ahead_probability": probability,
    }


@transaction.atomic
def set_mission_profile(
    *,
    deal: Deal,
    actor: User | None,
    agency: Organization | None = None,
    programme: str = "",
    expected_tender_year: int | None = None,
    expected_launch_year: int | None = None,
    phase: str = "",
    go_ahead_probability: int = DEFAULT_GO_AHEAD,
) -> MissionProfile:
    """Create or replace the whole profile of a mission deal; no change records no event."""
    _ensure_can_edit(actor, deal, _("You may not change this mission."))
    # Lock the deal: two first saves at once must not both create a profile.
    deal = Deal.objects.select_for_update().select_related("pipeline").get(pk=deal.pk)
    _ensure_mission(deal)
    values = _clean_profile(
        agency=agency,
        programme=programme,
        expected_tender_year=expected_tender_year,
        expected_launch_year=expected_launch_year,
        phase=phase,
        go_ahead_probability=go_ahead_probability,
    )
    profile = MissionProfile.objects.filter(deal=deal).select_related("agency").first()
    created = profile is None
    if created:
        profile = MissionProfile(deal=deal)
    changes = {}
    for name in PROFILE_FIELDS:
        before, after = getattr(profile, name), values[name]
        if name == "agency":
            # The timeline shows changes as they are: the agency's name; its id is in agency_id.
            if getattr(before, "pk", None) != getattr(after, "pk", None):
                changes[name] = [
                    None if before is None else before.name,
                    None if after is None else after.name,
                ]
        elif created or before != after:
            changes[name] = [None if created else jsonable(before), jsonable(after)]
        setattr(profile, name, after)
    if not created and not changes:
        return profile
    profile.save()
    data = {"created": created, "changes": changes, "agency_id": profile.agency_id}
    record_event(events.MISSION_PROFILE_SET, subject=deal, actor=actor, data=data)
    return profile


@transaction.atomic
def link_deal(*, mission: Deal, deal: Deal, actor: User | None) -> MissionLink:
    """Count `deal` in the mission's roll-up from now on (it was not handed off from the mission)."""
    _ensure_can_edit(actor, mission, _("You may not change this mission."))
    if actor is not None and not can_see_deal(actor, deal):
        raise PermissionDenied(_("You may not link this deal."))
    mission = Deal.objects.select_for_update().select_related("pipeline").get(pk=mission.pk)
    _ensure_mission(mission)
    deal = Deal.objects.select_related("pipeline").get(pk=deal.pk)
    if deal.pk == mission.pk:
        raise ValidationFailed(
            _("A mission does not roll up into itself."), fields={"deal": [_("Choose another deal.")]}
        )
    if deal.deleted_at is not None:
        raise ValidationFailed(_("This deal was deleted."), fields={"deal": [_("Choose another deal.")]})
    if is_mission_pipeline(deal.pipeline):
        raise ValidationFailed(
            _("A mission cannot be linked to another mission."),
            fields={"deal": [_("Link the deals the mission yields (Sales, RFI…), not missions.")]},
        )
    above = mission_ids_of(deal)
    if mission.pk in above:
        raise AlreadyInMission(
            _("“%s” already rolls up into this mission.") % deal.title,
            fields={"deal": [_("It is already counted here.")]},
        )
    # Any other mission, even one the actor may not see: a deal is counted in one mission only.
    if above or MissionLink.objects.filter(deal=deal).exists():
        raise AlreadyInMission(
            _("“%s” already rolls up into another mission.") % deal.title,
            fields={"deal": [_("A deal is counted in one mission only.")]},
        )
    link = MissionLink.objects.create(mission=mission, deal=deal, linked_by=actor)
    record_event(
        events.MISSION_DEAL_LINKED,
        subject=mission,
        actor=actor,
        data={"deal_id": deal.pk, "deal_title": deal.title},
    )
    return link


@transaction.atomic
def unlink_deal(*, mission: Deal, deal: Deal, actor: User | None) -> None:
    """Stop counting a linked deal in the mission; deals handed off from it cannot be unlinked."""
    _ensure_can_edit(actor, mission, _("You may not change this mission."))
    if actor is not None and not can_see_deal(actor, deal):
        raise PermissionDenied(_("You may not unlink this deal."))
    link = MissionLink.objects.select_for_update().filter(mission=mission, deal=deal).first()
    if link is None:
        raise NotFound(_("This deal is not linked to the mission."), fields={"deal": [_("Not linked.")]})
    link.delete()
    record_event(
        events.MISSION_DEAL_UNLINKED,
        subject=mission,
        actor=actor,
        data={"deal_id": deal.pk, "deal_title": deal.title},
    )


@transaction.atomic
def set_mission_pipeline(*, pipeline: Pipeline, holds_missions: bool, actor: User | None) -> Pipeline:
    """Say whether the deals of `pipeline` are missions (administrators only)."""
    if actor is not None and not actor.is_workspace_admin:
        raise PermissionDenied(_("Only an administrator can do this."))
    before = is_mission_pipeline(pipeline)
    MissionPipeline.objects.update_or_create(
        pipeline=pipeline, defaults={"holds_missions": bool(holds_missions)}
    )
    if before != bool(holds_missions):
        record_event(
            events.MISSION_PIPELINE_CHANGED,
            subject=pipeline,
            actor=actor,
            data={"holds_missions": [before, bool(holds_missions)]},
        )
    return pipeline
