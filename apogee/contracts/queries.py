"""Permission-scoped reads of contracts, their change notices and their totals.

Visibility follows the deal: one sees a contract when one may see its deal
(deals_visible_to); a contract whose deal was purged is seen by administrators only.
Editing a contract is for the deal's owner, managers and administrators (the same
people who may reassign the deal): its number and value are the signed record.

Totals are in the contract's currency: original value, change notices won, change
notices pending (open), and the current total (original + won). A change notice in
another currency is converted at today's rates (apogee.core.queries.BaseConverter);
when a rate is missing the sum it belongs to is None rather than wrong. Only the
change notices the user may see are counted, so the table always adds up.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404
from django.utils.translation import gettext as _

from apogee.accounts.models import User
from apogee.contacts.models import Organization
from apogee.core.money import CENT, rate_on
from apogee.core.queries import BaseConverter
from apogee.deals.models import Deal, DealStatus
from apogee.deals.queries import deals_visible_to
from apogee.pipelines.models import Pipeline

from .models import (
    DEFAULT_CHANGE_NOTICE_PIPELINES,
    DEFAULT_CONTRACT_PIPELINES,
    ChangeNotice,
    Contract,
    ContractStatus,
    PipelineContractSettings,
    format_ccn_number,
)

# Statuses of change notices that count: won ones add to the total, open ones are pending.
_COUNTED = (DealStatus.WON, DealStatus.OPEN)


def contracts_visible_to(user: User) -> QuerySet[Contract]:
    if not user.is_authenticated or not user.is_active:
        return Contract.objects.none()
    visible = Q(deal__in=deals_visible_to(user).values("pk"))
    if user.is_workspace_admin:
        visible |= Q(deal__isnull=True)
    return Contract.objects.filter(visible)


def get_contract_for_user_or_404(user: User, contract_id) -> Contract:
    # 404 rather than 403: a contract on a deal the user may not see does not exist for them.
    try:
        return (
            contracts_visible_to(user)
            .select_related("deal__owner", "deal__pipeline", "customer", "end_customer")
            .get(pk=int(contract_id))
        )
    except (Contract.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404("No such contract") from None


def can_edit_contract(user: User, contract: Contract) -> bool:
    """The deal's owner, a manager or an administrator; the caller checked the user may see it."""
    if user.is_workspace_admin or user.is_manager:
        return True
    return contract.deal is not None and contract.deal.owner_id == user.pk


def can_create_contract(user: User, deal: Deal) -> bool:
    """Who may press "Create contract" on a deal they see: the same people who edit its contract."""
    return user.is_workspace_admin or user.is_manager or deal.owner_id == user.pk


def contract_of_deal(deal: Deal) -> Contract | None:
    return Contract.objects.filter(deal=deal).first()


# Pipeline settings ------------------------------------------------------------------------------


def pipeline_settings() -> list[tuple[Pipeline, bool, bool]]:
    """Every active pipeline with (creates contracts, holds change notices), defaults applied."""
    rows = {s.pipeline_id: s for s in PipelineContractSettings.objects.all()}
    result = []
    for pipeline in Pipeline.objects.filter(is_archived=False):
        row = rows.get(pipeline.pk)
        if row is None:
            result.append(
                (
                    pipeline,
                    pipeline.name in DEFAULT_CONTRACT_PIPELINES,
                    pipeline.name in DEFAULT_CHANGE_NOTICE_PIPELINES,
                )
            )
        else:
            result.append((pipeline, row.creates_contracts, row.holds_change_notices))
    return result


def pipeline_creates_contracts(pipeline: Pipeline) -> bool:
    row = PipelineContractSettings.objects.filter(pipeline=pipeline).first()
    if row is None:
        return pipeline.name in DEFAULT_CONTRACT_PIPELINES
    return row.creates_contracts


def change_notice_pipeline() -> Pipeline | None:
    """Where new change notices are created: the first active pipeline set (or named) for them."""
    for pipeline, _creates, holds in pipeline_settings():
        if holds:
            return pipeline
    return None


# Filters ----------------------------------------------------------------------------------------


@dataclass
class ContractFilter:
    customer: int | None = None
    status: str = ""
    year: int | None = None
    q: str = ""
    errors: dict[str, list[str]] | None = None

    @property
    def is_valid(self) -> bool:
        return not self.errors

    def apply(self, contracts: QuerySet[Contract]) -> QuerySet[Contract]:
        if self.customer is not None:
            contracts = contracts.filter(customer_id=self.customer)
        if self.status:
            contracts = contracts.filter(status=self.status)
        if self.year is not None:
            contracts = contracts.filter(signed_on__year=self.year)
        if self.q:
            contracts = contracts.filter(
                Q(number__icontains=self.q)
                | Q(deal__title__icontains=self.q)
                | Q(erp_project_number__icontains=self.q)
            )
        return contracts


def parse_contract_filter(params) -> ContractFilter:
    """Read customer, status, year and q from a query dict; unreadable values become field errors."""
    errors: dict[str, list[str]] = {}
    result = ContractFilter()
    customer = (params.get("customer") or "").strip()
    if customer:
        if customer.isdigit() and 0 < int(customer) < 2**63:
            result.customer = int(customer)
        else:
            errors["customer"] = [_("Choose an organization.")]
    status = (params.get("status") or "").strip()
    if status:
        if status in ContractStatus.values:
            result.status = status
        else:
            errors["status"] = [_("Choose active or closed.")]
    year = (params.get("year") or "").strip()
    if year:
        if year.isdigit() and 1900 <= int(year) <= 9999:
            result.year = int(year)
        else:
            errors["year"] = [_("Enter a year such as 2026.")]
    result.q = (params.get("q") or "").strip()[:100]
    result.errors = errors
    return result


def signature_years(user: User) -> list[int]:
    dates = contracts_visible_to(user).dates("signed_on", "year", order="DESC")
    return [d.year for d in dates]


def customers_with_contracts(user: User) -> QuerySet[Organization]:
    return Organization.objects.filter(
        pk__in=contracts_visible_to(user).filter(customer__isnull=False).values("customer_id")
    ).order_by("name")


# Totals -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ContractTotals:
    currency: str
    original: Decimal
    ccn_won: Decimal | None
    ccn_pending: Decimal | None
    won_count: int
    pending_count: int

    @property
    def current(self) -> Decimal | None:
        return None if self.ccn_won is None else self.original + self.ccn_won


class _Converter:
    """Amounts from one currency to another through the base currency's dated rates.

    Loads the rates (one query) the first time two currencies differ; one rounding, at the end.
    """

    def __init__(self):
        self._base: BaseConverter | None = None

    def __call__(self, amount: Decimal, source: str, target: str) -> Decimal | None:
        if source == target:
            return amount
        if self._base is None:
            self._base = BaseConverter()
        to_base = self._rate(source)
        from_base = self._rate(target)
        if to_base is None or from_base is None:
            return None
        return (amount * to_base / from_base).quantize(CENT, rounding=ROUND_HALF_UP)

    def _rate(self, currency: str) -> Decimal | None:
        if currency == self._base.base:
            return Decimal(1)
        rate = rate_on(self._base.rates.get(currency, ()), self._base.on)
        return None if rate is None else rate.rate_to_base


def totals_from(
    contract: Contract, groups: Iterable[tuple[str, str, Decimal, int]], convert=None
) -> ContractTotals:
    """Totals of `contract` from (status, currency, sum, count) groups of its change notices."""
    convert = convert or _Converter()
    sums: dict[str, Decimal | None] = {DealStatus.WON: Decimal(0), DealStatus.OPEN: Decimal(0)}
    counts = {DealStatus.WON: 0, DealStatus.OPEN: 0}
    for status, currency, amount, count in groups:
        if status not in sums:
            continue
        counts[status] += count
        converted = convert(amount or Decimal(0), currency, contract.currency)
        if converted is None or sums[status] is None:
            sums[status] = None
        else:
            sums[status] += converted
    return ContractTotals(
        currency=contract.currency,
        original=contract.value,
        ccn_won=sums[DealStatus.WON],
        ccn_pending=sums[DealStatus.OPEN],
        won_count=counts[DealStatus.WON],
        pending_count=counts[DealStatus.OPEN],
    )


def with_totals(user: User, contracts: Iterable[Contract]) -> list[Contract]:
    """Set `.totals` on each contract: one grouped query for the whole page, whatever its size."""
    contracts = list(contracts)
    deal_ids = [c.deal_id for c in contracts if c.deal_id is not None]
    groups: dict[int, list[tuple[str, str, Decimal, int]]] = defaultdict(list)
    if deal_ids:
        rows = (
            deals_visible_to(user)
            .filter(parent_contract_id__in=deal_ids, status__in=_COUNTED)
            .values("parent_contract_id", "status", "currency")
            .annotate(total=Sum("value"), count=Count("pk"))
            .order_by()
        )
        for row in rows:
            groups[row["parent_contract_id"]].append(
                (row["status"], row["currency"], row["total"], row["count"])
            )
    convert = _Converter()
    for contract in contracts:
        contract.totals = totals_from(contract, groups.get(contract.deal_id, []), convert)
    return contracts


def change_notices_of(user: User, contract: Contract) -> list[Deal]:
    """The change-notice deals of `contract` the user may see, by number (unnumbered ones last)."""
    if contract.deal_id is None:
        return []
    deals = list(
        deals_visible_to(user)
        .filter(parent_contract_id=contract.deal_id)
        .select_related("stage", "owner", "change_notice_number")
        .order_by("created_at", "id")
    )
    deals.sort(key=lambda d: (_sequence(d) is None, _sequence(d) or 0, d.pk))
    for deal in deals:
        sequence = _sequence(deal)
        deal.ccn_number = None if sequence is None else format_ccn_number(sequence)
    return deals


def _sequence(deal: Deal) -> int | None:
    try:
        return deal.change_notice_number.sequence
    except Deal.change_notice_number.RelatedObjectDoesNotExist:
        return None


def totals_of_listed(contract: Contract, change_notices: list[Deal]) -> ContractTotals:
    """Totals from change notices already read for the page (no further query)."""
    return totals_from(contract, [(d.status, d.currency, d.value, 1) for d in change_notices])


def change_notice_label(deal: Deal) -> tuple[str, Contract] | None:
    """("CCN-02", contract) for a numbered change-notice deal, else None."""
    number = ChangeNotice.objects.filter(deal=deal).select_related("contract").first()
    if number is None:
        return None
    return number.number, number.contract
