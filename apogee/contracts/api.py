"""JSON API of contracts: list with filters, read, edit, the change notices of one, and
"create the contract of this won deal".

A contract on a deal the user may not see answers 404 on every verb; editing one the
user may see but not edit (not the deal's owner, a manager or an administrator)
answers 403; bad input answers 422 naming each field.
"""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from pydantic import ConfigDict

from apogee.core.errors import ValidationFailed
from apogee.core.money import CENT
from apogee.deals.queries import get_deal_for_user_or_404

from . import queries, services
from .models import Contract, ContractStatus

router = Router(tags=["contracts"])

MAX_LIMIT = 500
MAX_OFFSET = 2**31 - 1
Id = Annotated[int, Field(ge=1, le=2**63 - 1)]


def _money(amount: Decimal | None) -> str | None:
    return None if amount is None else str(amount.quantize(CENT))


class TotalsOut(Schema):
    currency: str
    original_value: str = Field(..., description="The signed value, e.g. “125000.00”.")
    change_notices_won: str | None = Field(
        ..., description="Sum of won change notices in the contract's currency; null when a rate is missing."
    )
    change_notices_pending: str | None = Field(..., description="Sum of open change notices.")
    current_total: str | None = Field(..., description="Original value plus won change notices.")
    won_count: int
    pending_count: int


class ContractOut(Schema):
    id: int
    number: str
    deal_id: int | None
    signed_on: date
    value: str
    currency: str
    customer_id: int | None
    end_customer_id: int | None
    erp_project_number: str
    status: str
    totals: TotalsOut
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_value(contract: Contract) -> str:
        return _money(contract.value)

    @staticmethod
    def resolve_totals(contract: Contract) -> dict:
        totals = contract.totals
        return {
            "currency": totals.currency,
            "original_value": _money(totals.original),
            "change_notices_won": _money(totals.ccn_won),
            "change_notices_pending": _money(totals.ccn_pending),
            "current_total": _money(totals.current),
            "won_count": totals.won_count,
            "pending_count": totals.pending_count,
        }


class ContractPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[ContractOut]


class ContractListQuery(Schema):
    customer: Id | None = Field(None, description="Organization id of the customer.")
    status: ContractStatus | None = None
    year: int | None = Field(None, ge=1900, le=9999, description="Year of the signature date.")
    q: str = Field("", max_length=100, description="Number, deal title or ERP project number contains.")
    limit: int = Field(100, ge=1, le=MAX_LIMIT)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)


class ContractPatch(Schema):
    model_config = ConfigDict(extra="forbid", use_enum_values=True)

    number: str | None = None
    signed_on: date | None = None
    value: Decimal | None = None
    currency: str | None = None
    erp_project_number: str | None = None
    status: ContractStatus | None = None


class ChangeNoticeOut(Schema):
    deal_id: int
    number: str | None = Field(..., description="CCN-01, CCN-02…; null until numbered.")
    title: str
    status: str
    value: str = Field(..., description="May be negative.")
    currency: str
    stage_id: int
    owner_id: int


def _out(user, contract: Contract) -> Contract:
    return queries.with_totals(user, [contract])[0]


@router.get("/contracts", response=ContractPage)
def list_contracts(request, params: Query[ContractListQuery]):
    """Contracts whose deal you may see, newest signature first."""
    contract_filter = queries.parse_contract_filter(
        {
            "customer": str(params.customer or ""),
            "status": params.status or "",
            "year": str(params.year or ""),
            "q": params.q,
        }
    )
    if not contract_filter.is_valid:
        raise ValidationFailed(_("Some filters are invalid."), fields=contract_filter.errors)
    contracts = contract_filter.apply(queries.contracts_visible_to(request.auth)).order_by(
        "-signed_on", "-id"
    )
    page = contracts[params.offset : params.offset + params.limit]
    return {
        "count": contracts.count(),
        "limit": params.limit,
        "offset": params.offset,
        "items": queries.with_totals(request.auth, page),
    }


@router.get("/contracts/{contract_id}", response=ContractOut)
def get_contract(request, contract_id: int):
    return _out(request.auth, queries.get_contract_for_user_or_404(request.auth, contract_id))


@router.patch("/contracts/{contract_id}", response=ContractOut)
def update_contract(request, contract_id: int, payload: ContractPatch):
    """Edit number, signature date, value, currency, ERP project number or status; only the fields sent."""
    contract = queries.get_contract_for_user_or_404(request.auth, contract_id)
    changes = payload.model_dump(exclude_unset=True)
    nulls = sorted(k for k, v in changes.items() if v is None and k != "erp_project_number")
    if nulls:
        raise ValidationFailed(
            _("Some fields are invalid."), fields={k: [_("This field cannot be null.")] for k in nulls}
        )
    contract = services.update_contract(contract=contract, actor=request.auth, changes=changes)
    return _out(request.auth, contract)


@router.get("/contracts/{contract_id}/change-notices", response=list[ChangeNoticeOut])
def list_change_notices(request, contract_id: int):
    """The change notices of the contract you may see, by number."""
    contract = queries.get_contract_for_user_or_404(request.auth, contract_id)
    return [
        {
            "deal_id": deal.pk,
            "number": deal.ccn_number,
            "title": deal.title,
            "status": deal.status,
            "value": _money(deal.value),
            "currency": deal.currency,
            "stage_id": deal.stage_id,
            "owner_id": deal.owner_id,
        }
        for deal in queries.change_notices_of(request.auth, contract)
    ]


@router.post("/deals/{deal_id}/contract", response={200: ContractOut, 201: ContractOut})
def create_contract(request, deal_id: int):
    """The contract of a won deal: created (201), or the one it has already (200)."""
    deal = get_deal_for_user_or_404(request.auth, deal_id)
    existed = queries.contract_of_deal(deal) is not None
    contract = services.create_contract_for(deal=deal, actor=request.auth)
    return Status(200 if existed else 201, _out(request.auth, contract))
