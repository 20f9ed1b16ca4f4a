"""Contract writes: create a contract for a won deal, edit it, number its change notices,
open a new change notice under it, and choose which pipelines create contracts.

Each function checks the actor may act, writes inside one transaction, records a
domain event and returns the object. Nothing else saves a Contract or a
ChangeNotice. `actor=None` is a system task (the after-commit consumers, the demo).

Numbers are unique under concurrency. A contract number (C-2026-001, a sequence per
signature year) is computed from the numbers taken and protected by the unique
constraint: a writer who loses the race gets an IntegrityError and tries the next
number. A change-notice number comes from the contract's own counter, read and
bumped under a row lock on the contract, so two change notices created at once
never share a number, and a number handed out is never handed out again, even when
its deal is lost, deleted or purged.
"""

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apogee.accounts.models import User
from apogee.core.errors import PermissionDenied, ValidationFailed
from apogee.core.events import jsonable, record_event
from apogee.core.models import Currency
from apogee.deals import services as deal_services
from apogee.deals.models import Deal, DealStatus
from apogee.deals.queries import can_see_deal
from apogee.pipelines.models import Pipeline

from . import events
from .errors import DealNotWon, NoChangeNoticePipeline
from .models import ChangeNotice, Contract, ContractStatus, PipelineContractSettings
from .queries import (
    can_create_contract,
    can_edit_contract,
    change_notice_pipeline,
    pipeline_creates_contracts,
)

EDITABLE_FIELDS = ("number", "signed_on", "value", "currency", "erp_project_number", "status")
MAX_VALUE = deal_services.MAX_VALUE
# A unique number lost to a concurrent writer is retried; past this many tries something else is wrong.
MAX_ATTEMPTS = 5


def _ensure_can_edit(actor: User | None, contract: Contract) -> None:
    if actor is None:
        return
    if contract.deal is None:
        if not actor.is_workspace_admin:
            raise PermissionDenied(_("You may not change this contract."))
        return
    if not can_see_deal(actor, contract.deal) or not can_edit_contract(actor, contract):
        raise PermissionDenied(
            _("Only the deal's owner, a manager or an administrator can change this contract.")
        )


def _ensure_admin(actor: User | None) -> None:
    if actor is not None and not actor.is_workspace_admin:
        raise PermissionDenied(_("Only an administrator can do this."))


# Creating contracts -----------------------------------------------------------------------------


def next_contract_number(year: int) -> str:
    """C-<year>-<n>: one more than the highest number of that year (edited numbers included)."""
    prefix = f"C-{year}-"
    highest = 0
    for number in Contract.objects.filter(number__startswith=prefix).values_list("number", flat=True):
        suffix = number[len(prefix) :]
        if suffix.isdigit():
            highest = max(highest, int(suffix))
    return f"{prefix}{highest + 1:03d}"


def _signature_date(deal: Deal) -> date:
    return timezone.localdate(deal.won_at) if deal.won_at else timezone.localdate()


def _ensure_contract(deal: Deal, actor: User | None) -> Contract:
    """The deal's contract, created if it has none; the caller checked the deal is won."""
    for attempt in range(MAX_ATTEMPTS):
        existing = Contract.objects.filter(deal=deal).first()
        if existing is not None:
            return existing
        signed_on = _signature_date(deal)
        try:
            with transaction.atomic():
                contract = Contract.objects.create(
                    deal=deal,
                    number=next_contract_number(signed_on.year),
                    signed_on=signed_on,
                    value=deal.value,
                    currency=deal.currency,
                    customer=deal.organization,
                    end_customer=deal.end_customer,
                )
                record_event(
                    events.CONTRACT_CREATED,
                    subject=contract,
                    actor=actor,
                    data={
                        "deal": deal.pk,
                        "number": contract.number,
                        "value": str(contract.value),
                        "currency": contract.currency,
                        "signed_on": signed_on.isoformat(),
                    },
                )
                _number_waiting_change_notices(contract, actor)
                return contract
        except IntegrityError:
            # Another writer took this number (or made this deal's contract): look again.
            if attempt == MAX_ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


def _locked_won_deal(deal: Deal) -> Deal:
    deal = Deal.objects.select_for_update().select_related("pipeline").get(pk=deal.pk)
    if deal.deleted_at is not None or deal.status != DealStatus.WON:
        raise DealNotWon()
    return deal


@transaction.atomic
def create_contract_for(*, deal: Deal, actor: User | None) -> Contract:
    """The "Create contract" button: a contract for a won deal of any pipeline; its own if it has one."""
    if actor is not None and not can_see_deal(actor, deal):
        raise PermissionDenied(_("You may not change this deal."))
    if actor is not None and not can_create_contract(actor, deal):
        raise PermissionDenied(
            _("Only the deal's owner, a manager or an administrator can create its contract.")
        )
    deal = _locked_won_deal(deal)
    return _ensure_contract(deal, actor)


@transaction.atomic
def create_contract_after_win(*, deal_id: int, actor: User | None) -> Contract | None:
    """After deal.won: the contract, if the deal's pipeline creates contracts and the deal is still won.

    Idempotent: a second delivery, or a deal reopened and won again, finds the contract it has.
    """
    deal = Deal.objects.select_related("pipeline").filter(pk=deal_id).first()
    if deal is None:
        return None
    try:
        deal = _locked_won_deal(deal)
    except DealNotWon:
        return None
    existing = Contract.objects.filter(deal=deal).first()
    if existing is not None or not pipeline_creates_contracts(deal.pipeline):
        return existing
    return _ensure_contract(deal, actor)


# Editing contracts ------------------------------------------------------------------------------


def _clean(changes: dict[str, Any], contract: Contract) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {}
    if "number" in changes:
        number = str(changes["number"] or "").strip()
        if not number:
            errors["number"] = [_("This field is required.")]
        elif len(number) > 30 or "\x00" in number:
            errors["number"] = [_("At most 30 characters.")]
        elif Contract.objects.filter(number=number).exclude(pk=contract.pk).exists():
            errors["number"] = [_("Another contract has this number.")]
        cleaned["number"] = number
    if "signed_on" in changes:
        value = changes["signed_on"]
        if isinstance(value, date):
            cleaned["signed_on"] = value
        else:
            try:
                cleaned["signed_on"] = date.fromisoformat(str(value or ""))
            except ValueError:
                errors["signed_on"] = [_("Enter a date as YYYY-MM-DD.")]
    if "value" in changes:
        raw = changes["value"]
        try:
            value = Decimal(str(raw if raw not in (None, "") else "").replace("\u2019", ""))
            if not value.is_finite() or abs(value) >= MAX_VALUE or value.as_tuple().exponent < -2:
                raise InvalidOperation
            if value < 0:
                errors["value"] = [_("The value cannot be negative.")]
            cleaned["value"] = value.quantize(Decimal("0.01"))
        except (InvalidOperation, ValueError):
            errors["value"] = [_("Enter an amount with at most two decimals.")]
    if "currency" in changes:
        currency = str(changes["currency"] or "").upper()
        if not Currency.objects.filter(code=currency, is_active=True).exists():
            errors["currency"] = [_("Choose one of the workspace's currencies.")]
        cleaned["currency"] = currency
    if "erp_project_number" in changes:
        reference = str(changes["erp_project_number"] or "").strip()
        if len(reference) > 40 or "\x00" in reference:
            errors["erp_project_number"] = [_("At most 40 characters.")]
        cleaned["erp_project_number"] = reference
    if "status" in changes:
        if changes["status"] not in ContractStatus.values:
            errors["status"] = [_("Choose active or closed.")]
        cleaned["status"] = changes["status"]
    if errors:
        raise ValidationFailed(_("Some fields are invalid."), fields=errors)
    return cleaned


@transaction.atomic
def update_contract(*, contract: Contract, actor: User | None, changes: dict[str, Any]) -> Contract:
    """Edit number, signature date, value, currency, ERP project number, status; each bad field is named."""
    _ensure_can_edit(actor, contract)
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationFailed(
            _("Unknown fields."), fields={k: [_("Unknown field.")] for k in sorted(unknown)}
        )
    contract = Contract.objects.select_for_update(of=("self",)).select_related("deal").get(pk=contract.pk)
    cleaned = _clean(changes, contract)
    diff: dict[str, list] = {}
    for field, value in cleaned.items():
        old = getattr(contract, field)
        if old != value:
            diff[field] = [jsonable(old), jsonable(value)]
            setattr(contract, field, value)
    if not diff:
        return contract
    try:
        with transaction.atomic():
            contract.save()
    except IntegrityError:
        # The uniqueness check above lost a race with another save of the same number.
        raise ValidationFailed(
            _("Some fields are invalid."), fields={"number": [_("Another contract has this number.")]}
        ) from None
    record_event(events.CONTRACT_UPDATED, subject=contract, actor=actor, data={"changes": diff})
    return contract


# Change notices ---------------------------------------------------------------------------------


def _number_locked(contract: Contract, deal: Deal, actor: User | None) -> ChangeNotice:
    """Give `deal` the contract's next number; the caller holds the lock on the contract row."""
    contract.last_change_notice_number += 1
    contract.save(update_fields=["last_change_notice_number", "updated_at"])
    change_notice = ChangeNotice.objects.create(
        contract=contract, deal=deal, sequence=contract.last_change_notice_number
    )
    record_event(
        events.CHANGE_NOTICE_NUMBERED,
        subject=contract,
        actor=actor,
        data={"deal": deal.pk, "number": change_notice.number, "sequence": change_notice.sequence},
    )
    return change_notice


def _number_waiting_change_notices(contract: Contract, actor: User | None) -> None:
    """Number the change notices opened under the deal before it had a contract, oldest first."""
    waiting = Deal.objects.filter(
        parent_contract_id=contract.deal_id, change_notice_number__isnull=True
    ).order_by("created_at", "id")
    for deal in waiting:
        _number_locked(contract, deal, actor)


@transaction.atomic
def number_change_notice(*, deal: Deal, actor: User | None) -> ChangeNotice | None:
    """The number of a change-notice deal, given now if it has none.

    None when the deal is no change notice, or when its contract deal has no contract
    yet (creating the contract numbers it then). Idempotent.
    """
    existing = ChangeNotice.objects.filter(deal_id=deal.pk).first()
    if existing is not None:
        return existing
    deal = Deal.objects.filter(pk=deal.pk).first()
    if deal is None or deal.parent_contract_id is None:
        return None
    contract = (
        Contract.objects.select_for_update(of=("self",)).filter(deal_id=deal.parent_contract_id).first()
    )
    if contract is None:
        return None
    # Under the lock: a concurrent delivery of the same event may have numbered it meanwhile.
    existing = ChangeNotice.objects.filter(deal_id=deal.pk).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return _number_locked(contract, deal, actor)
    except IntegrityError:
        return ChangeNotice.objects.filter(deal_id=deal.pk).first()


@transaction.atomic
def create_change_notice(
    *,
    contract: Contract,
    actor: User | None,
    title: str,
    value: Any = 0,
    currency: str | None = None,
    expected_close_date: Any = None,
    owner: User | None = None,
    occurred_at=None,
) -> Deal:
    """Open a change notice under `contract`: a deal in the change-notice pipeline, numbered at once.

    The value may be negative (a CCN can take scope away). The new deal is as visible
    as the contract's deal, for the same customer and end customer.
    """
    if contract.deal is None:
        raise ValidationFailed(
            _("This contract has no deal any more."),
            fields={"deal": [_("Change notices hang under a deal.")]},
        )
    if actor is not None and not can_see_deal(actor, contract.deal):
        raise PermissionDenied(_("You may not change this contract."))
    pipeline = change_notice_pipeline()
    if pipeline is None:
        raise NoChangeNoticePipeline()
    deal = deal_services.create_deal(
        title=title,
        pipeline=pipeline,
        actor=actor,
        owner=owner,
        organization=contract.customer,
        value=value,
        currency=currency or contract.currency,
        expected_close_date=expected_close_date,
        visibility=contract.deal.visibility,
        parent_contract=contract.deal,
        details={"end_customer": contract.end_customer},
        occurred_at=occurred_at,
    )
    number_change_notice(deal=deal, actor=actor)
    return deal


# Settings ---------------------------------------------------------------------------------------


@transaction.atomic
def set_pipelines_contract_settings(
    *, choices: list[tuple[Pipeline, bool, bool]], actor: User | None
) -> list[PipelineContractSettings]:
    """Several pipelines at once, all or nothing: (pipeline, creates contracts, holds change notices)."""
    return [
        set_pipeline_contract_settings(
            pipeline=pipeline, creates_contracts=creates, holds_change_notices=holds, actor=actor
        )
        for pipeline, creates, holds in choices
    ]


@transaction.atomic
def set_pipeline_contract_settings(
    *, pipeline: Pipeline, creates_contracts: bool, holds_change_notices: bool, actor: User | None
) -> PipelineContractSettings:
    """Whether winning a deal in `pipeline` creates a contract, and whether change notices go there."""
    _ensure_admin(actor)
    if not isinstance(creates_contracts, bool) or not isinstance(holds_change_notices, bool):
        raise ValidationFailed(
            _("Some fields are invalid."),
            fields={"creates_contracts": [_("Give true or false.")]},
        )
    if holds_change_notices and creates_contracts:
        raise ValidationFailed(
            _("Some fields are invalid."),
            fields={"holds_change_notices": [_("A change notice never creates a contract of its own.")]},
        )
    settings, _created = PipelineContractSettings.objects.update_or_create(
        pipeline=pipeline,
        defaults={"creates_contracts": creates_contracts, "holds_change_notices": holds_change_notices},
    )
    record_event(
        events.CONTRACT_SETTINGS_CHANGED,
        subject=pipeline,
        actor=actor,
        data={"creates_contracts": creates_contracts, "holds_change_notices": holds_change_notices},
    )
    return settings
