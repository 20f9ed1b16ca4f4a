"""A small workspace whose board pack is known by heart, built through the real services.

Today is 15 November 2026, the period 2026-Q4, the reader the salesperson (time zone:
the workspace default, Europe/Zurich). EUR is at 0.93 CHF in 2026 (the demo's rates).
"""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from apogee.contracts.models import Contract
from apogee.contracts.services import create_change_notice, create_contract_for
from apogee.deals.models import Deal, LostReason
from apogee.deals.services import mark_deal_lost, mark_deal_won
from apogee.insights.board.collect import build_pack
from apogee.offers.services import submit_offer
from tests.deals.factories import make_deal, stage
from tests.missions.factories import hand_off, make_mission
from tests.offers.factories import make_offer

TODAY = date(2026, 11, 15)
QUALIFIED = {"opportunity_type": "esa", "offer_type": "firm"}  # the Sales gates up to the proposal


def zurich(year, month, day, hour=12, minute=0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=ZoneInfo("Europe/Zurich"))


def sales_deal(pipeline, owner, stage_name, **extra) -> Deal:
    return make_deal(
        pipeline=pipeline, owner=owner, stage=stage(pipeline, stage_name), custom_values=QUALIFIED, **extra
    )


def won(deal, when) -> Deal:
    return mark_deal_won(deal=deal, actor=None, occurred_at=when)


def lost(deal, when) -> Deal:
    return mark_deal_lost(deal=deal, actor=None, reason=LostReason.objects.first(), occurred_at=when)


def sent_rom(deal, *, amount, currency="EUR", on=date(2026, 10, 5)):
    offer = make_offer(deal=deal, offer_type="rom", amount=amount, currency=currency)
    return submit_offer(offer=offer, actor=None, submitted_on=on)


@pytest.fixture
def pack_of():
    """pack_of(user, period="2026-Q4", language="en"): the pack as of TODAY."""

    def build(user, period="2026-Q4", language="en"):
        return build_pack(period, user=user, language=language, today=TODAY)

    return build


@dataclass
class Board:
    mission: Deal
    rfi: Deal
    proposal: Deal
    at_customer: Deal
    signed: Deal
    contract: Contract
    change_notice: Deal


@pytest.fixture
def board(workspace, salesperson) -> Board:
    """One of each: a mission with a handed-off deal, an RFI with a ROM, firm offers, a contract with a CCN.

    The figures: mission linked CHF 100'000, expected 8'000 (10 % × 80 %); RFI potential
    EUR 200'000 = CHF 186'000, one ROM sent in the period; open firm offers CHF 300'000 (50 %)
    and EUR 100'000 = CHF 93'000 (60 %): 393'000, weighted 205'800; won in the period
    CHF 70'000; its contract carries an open CCN of EUR -5'000 = CHF -4'650.
    """
    sales, rfi_pipeline = workspace["Sales"], workspace["RFI"]
    mission = make_mission(
        workspace,
        salesperson,
        title="CHIME — hinge opportunities",
        profile={
            "programme": "Copernicus Expansion",
            "expected_tender_year": 2027,
            "expected_launch_year": 2030,
            "phase": "B2",
            "go_ahead_probability": 80,
        },
    )
    hand_off(mission, value=Decimal("100000"))  # Sales "First contact" (10 %): not a firm offer
    rfi = make_deal(
        pipeline=rfi_pipeline,
        owner=salesperson,
        stage=stage(rfi_pipeline, "ROM at customer"),
        title="RFI CO2M drive",
        expected_close_date=date(2027, 6, 30),
        currency="EUR",
    )
    sent_rom(rfi, amount="200000")
    proposal = sales_deal(sales, salesperson, "Proposal preparation", title="Hinge for CO2M", value=300000)
    at_customer = sales_deal(
        sales, salesperson, "Proposal at customer", title="Baffle for CIMR", value=100000, currency="EUR"
    )
    signed = won(
        sales_deal(sales, salesperson, "Selected / negotiation", title="Drive for LSTM", value=70000),
        zurich(2026, 10, 10),
    )
    contract = create_contract_for(deal=signed, actor=None)
    change_notice = create_change_notice(
        contract=contract,
        actor=None,
        owner=salesperson,
        title="CCN: descoped unit",
        value=-5000,
        currency="EUR",
    )
    return Board(mission, rfi, proposal, at_customer, signed, contract, change_notice)
