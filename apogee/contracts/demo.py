"""The contracts part of the demo workspace: a contract for every won deal of a contract pipeline,
the change notices numbered, and one contract with a positive and a negative won CCN.

Called by apogee.workspace.demo after the deals exist, inside its transaction: the
demo deals were won before any after-commit consumer could run, so the contracts
are created here (the consumers, run after the commit, then find them). Idempotent.
"""

from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from apogee.accounts.models import User
from apogee.deals import services as deal_services
from apogee.deals.models import Deal, DealStatus

from . import queries, services
from .models import Contract

POSITIVE_CCN = "CCN: additional qualification model"
NEGATIVE_CCN = "CCN: descoped second flight unit"


def seed(*, users: dict[str, User], now: datetime) -> None:
    won = Deal.objects.filter(status=DealStatus.WON, deleted_at__isnull=True, contract__isnull=True)
    for deal in won.select_related("pipeline").order_by("won_at", "id"):
        if queries.pipeline_creates_contracts(deal.pipeline):
            services.create_contract_for(deal=deal, actor=None)
    for deal in Deal.objects.filter(parent_contract__isnull=False).order_by("created_at", "id"):
        services.number_change_notice(deal=deal, actor=None)
    _seed_amended_contract(users, now)


def _seed_amended_contract(users: dict[str, User], now: datetime) -> None:
    """One contract with a positive and a negative won change notice.

    The generated change notices are reshaped when a contract has two (the demo keeps
    its number of deals); otherwise two are created under the first contract.
    """
    if Deal.objects.filter(title__in=[POSITIVE_CCN, NEGATIVE_CCN]).exists():
        return
    contracts = Contract.objects.filter(deal__isnull=False).select_related("deal").order_by("signed_on", "id")
    for contract in contracts:
        existing = list(
            Deal.objects.filter(parent_contract=contract.deal, deleted_at__isnull=True).order_by(
                "created_at", "id"
            )
        )
        if len(existing) >= 2:
            _reshape(existing[0], title=POSITIVE_CCN, value=_share(contract, "0.12"))
            _reshape(existing[1], title=NEGATIVE_CCN, value=_share(contract, "-0.05"))
            return
    contract = contracts.first()
    pipeline = queries.change_notice_pipeline()
    if contract is None or pipeline is None:
        return
    for title, share, days_ago in ((POSITIVE_CCN, "0.12", 120), (NEGATIVE_CCN, "-0.05", 45)):
        deal = services.create_change_notice(
            contract=contract,
            actor=None,
            owner=contract.deal.owner,
            title=title,
            value=_share(contract, share),
            occurred_at=now - timedelta(days=days_ago),
        )
        deal_services.mark_deal_won(deal=deal, actor=None, occurred_at=now - timedelta(days=days_ago - 30))


def _share(contract: Contract, share: str) -> Decimal:
    """A round share of the contract's value (to the thousand), never zero."""
    amount = (contract.value * Decimal(share) / 1000).quantize(Decimal(1), rounding=ROUND_HALF_UP) * 1000
    return amount or Decimal(share) * 100_000


def _reshape(deal: Deal, *, title: str, value: Decimal) -> None:
    deal = deal_services.update_deal(deal=deal, actor=None, changes={"title": title, "value": value})
    if deal.status == DealStatus.LOST:
        deal = deal_services.reopen_deal(deal=deal, actor=None)
    if deal.status == DealStatus.OPEN:
        deal_services.mark_deal_won(deal=deal, actor=None)
