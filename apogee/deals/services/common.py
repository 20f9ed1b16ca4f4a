"""Checks and helpers shared by the deal services: permission, gates, field cleaning, locking, moves."""

from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from apogee.accounts.models import User
from apogee.contacts.models import Organization
from apogee.core.errors import PermissionDenied, ValidationFailed
from apogee.core.events import record_event
from apogee.core.models import Currency
from apogee.customfields.queries import definitions_for
from apogee.deals import events
from apogee.deals.errors import StageGateBlocked
from apogee.deals.models import Deal, StageChange, Visibility
from apogee.deals.queries import can_see_deal
from apogee.pipelines.gates import missing_gate_fields
from apogee.pipelines.models import Stage, required_fields_for

EDITABLE_FIELDS = (
    "title",
    "organization",
    "value",
    "currency",
    "expected_close_date",
    "owner",
    "visibility",
    "end_customer",
    "tender_reference",
    "clarification_deadline",
    "submission_deadline",
    "offer_valid_until",
    "value_follows_offer",
)

MAX_VALUE = Decimal("1e12")


def ensure_can_edit(actor: User | None, deal: Deal) -> None:
    if actor is not None and not can_see_deal(actor, deal):
        raise PermissionDenied(_("You may not change this deal."))


def _ensure_admin(actor: User | None) -> None:
    if actor is not None and not actor.is_workspace_admin:
        raise PermissionDenied(_("Only an administrator can do this."))


def _field_labels() -> dict[str, str]:
    return {d.key: d.label for d in definitions_for("deal", include_archived=True)}


def _check_gates(stage: Stage, values: dict[str, Any]) -> None:
    required = required_fields_for(stage, list(stage.pipeline.stages.all()))
    missing = missing_gate_fields(required, values)
    if missing:
        raise StageGateBlocked(stage=stage, missing_fields=missing, labels=_field_labels())


def _clean_core_fields(data: dict[str, Any], *, change_notice: bool = False) -> dict[str, Any]:
    """Validate the built-in fields present in `data`; raise ValidationFailed naming each bad one.

    Only a change notice (a deal under a contract) may be worth less than nothing: a CCN
    can take scope, and money, away from the contract.
    """
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {}
    if "title" in data:
        title = str(data["title"] or "").strip()
        if not title:
            errors["title"] = [_("This field is required.")]
        elif len(title) > 200:
            errors["title"] = [_("At most 200 characters.")]
        elif "\x00" in title:
            errors["title"] = [_("Text may not contain NUL characters.")]
        cleaned["title"] = title
    if "value" in data:
        try:
            value = Decimal(
                str(data["value"] if data["value"] not in (None, "") else "0").replace("\u2019", "")
            )
            if not value.is_finite() or abs(value) >= MAX_VALUE or value.as_tuple().exponent < -2:
                raise InvalidOperation
            if value < 0 and not change_notice:
                errors["value"] = [_("The value cannot be negative.")]
            cleaned["value"] = value.quantize(Decimal("0.01"))
        except (InvalidOperation, ValueError):
            errors["value"] = [_("Enter an amount with at most two decimals.")]
    if "currency" in data:
        currency = str(data["currency"] or "").upper()
        if not Currency.objects.filter(code=currency, is_active=True).exists():
            errors["currency"] = [_("Choose one of the workspace's currencies.")]
        cleaned["currency"] = currency
    if "expected_close_date" in data:
        value = data["expected_close_date"]
        if value in (None, ""):
            cleaned["expected_close_date"] = None
        elif isinstance(value, date):
            cleaned["expected_close_date"] = value
        else:
            try:
                cleaned["expected_close_date"] = date.fromisoformat(str(value))
            except ValueError:
                errors["expected_close_date"] = [_("Enter a date as YYYY-MM-DD.")]
    if "owner" in data:
        owner = data["owner"]
        if not isinstance(owner, User) or not owner.is_active:
            errors["owner"] = [_("Choose an active user.")]
        cleaned["owner"] = owner
    if "organization" in data:
        organization = data["organization"]
        if organization is not None and not isinstance(organization, Organization):
            errors["organization"] = [_("Choose an organization.")]
        cleaned["organization"] = organization
    if "visibility" in data:
        if data["visibility"] not in Visibility.values:
            errors["visibility"] = [_("Choose a valid visibility.")]
        cleaned["visibility"] = data["visibility"]
    if "end_customer" in data:
        end_customer = data["end_customer"]
        if end_customer is not None and not isinstance(end_customer, Organization):
            errors["end_customer"] = [_("Choose an organization.")]
        cleaned["end_customer"] = end_customer
    if "tender_reference" in data:
        reference = str(data["tender_reference"] or "").strip()
        if len(reference) > 80 or "\x00" in reference:
            errors["tender_reference"] = [_("At most 80 characters.")]
        cleaned["tender_reference"] = reference
    for key in ("clarification_deadline", "submission_deadline"):
        if key in data:
            cleaned[key] = _moment(data[key], key, errors)
    if "offer_valid_until" in data:
        cleaned["offer_valid_until"] = _day(data["offer_valid_until"], "offer_valid_until", errors)
    if "value_follows_offer" in data:
        if not isinstance(data["value_follows_offer"], bool):
            errors["value_follows_offer"] = [_("Give true or false.")]
        cleaned["value_follows_offer"] = data["value_follows_offer"]
    if errors:
        raise ValidationFailed(_("Some fields are invalid."), fields=errors)
    return cleaned


def _day(value, key: str, errors: dict) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        errors[key] = [_("Enter a date as YYYY-MM-DD.")]
        return None


def _moment(value, key: str, errors: dict) -> datetime | None:
    """A deadline: an aware moment; a naive one or a bare day is taken in the current time zone."""
    if value in (None, ""):
        return None
    if not isinstance(value, datetime):
        try:
            value = datetime.fromisoformat(str(value))
        except ValueError:
            errors[key] = [_("Enter a date and time as YYYY-MM-DDTHH:MM.")]
            return None
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


def _lock(deal: Deal) -> Deal:
    # Re-read under a row lock (PostgreSQL); SQLite's IMMEDIATE transactions serialize writers already.
    return Deal.objects.select_for_update().select_related("stage", "pipeline").get(pk=deal.pk)


def _record_move(deal: Deal, stage: Stage, actor: User | None, occurred_at=None) -> None:
    previous = deal.stage
    deal.stage = stage
    deal.stage_entered_at = occurred_at or timezone.now()
    StageChange.objects.create(
        deal=deal, from_stage=previous, to_stage=stage, changed_by=actor, changed_at=deal.stage_entered_at
    )
    record_event(
        events.DEAL_STAGE_CHANGED,
        subject=deal,
        actor=actor,
        occurred_at=occurred_at,
        data={
            "from_stage": previous.pk,
            "to_stage": stage.pk,
            "from_stage_name": previous.name,
            "to_stage_name": stage.name,
            "from_pipeline": previous.pipeline_id,
            "to_pipeline": stage.pipeline_id,
            "version": deal.version,
        },
    )
