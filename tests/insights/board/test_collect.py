"""Which deals each section of the board pack holds, and the figures it computes, on hand-built data."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from apogee.contracts.services import create_change_notice, create_contract_for, update_contract
from apogee.core.services import add_currency
from apogee.deals.models import Visibility
from apogee.deals.services import delete_deal
from apogee.insights.board.collect import build_pack
from apogee.insights.board.pack import Horizon, RfiState, horizon_of
from apogee.insights.board.summary import offers_rule
from apogee.missions.services import link_deal
from apogee.pipelines.services import update_stage
from tests.deals.factories import make_deal, stage
from tests.missions.factories import hand_off, make_mission
from tests.offers.factories import make_offer

from .conftest import TODAY, lost, sales_deal, sent_rom, won, zurich

# 1. Missions -------------------------------------------------------------------------------------


def test_missions_are_grouped_by_tender_year_from_this_year_to_four_years_on(workspace, salesperson, pack_of):
    def mission(title, **profile):
        return make_mission(workspace, salesperson, title=title, profile=profile or None)

    mission("A — this year", expected_tender_year=2026)
    in_2030 = mission("B — last year of the horizon", expected_tender_year=2030, go_ahead_probability=50)
    hand_off(in_2030, value=Decimal("40000"), currency="EUR")  # CHF 37'200, First contact 10 %
    mission("C — too far", expected_tender_year=2031)
    mission("D — already past", expected_tender_year=2025)
    mission("E — not dated", programme="Earth Explorer 12")
    mission("F — no profile")
    won(mission("G — closed", expected_tender_year=2027), zurich(2026, 10, 1))

    section = pack_of(salesperson).missions

    assert (section.first_year, section.last_year) == (2026, 2030)
    assert [(y.year, [m.title[0] for m in y.missions]) for y in section.years] == [
        (2026, ["A"]),
        (2027, []),
        (2028, []),
        (2029, []),
        (2030, ["B"]),
        (None, ["E", "F"]),
    ]
    line = section.years[4].missions[0]
    assert (line.linked_value, line.expected_value, line.open_count, line.go_ahead) == (
        Decimal("37200.00"),
        Decimal("1860.00"),  # 37'200 × 10 % × 50 %
        1,
        50,
    )
    assert section.years[5].missions[1].go_ahead == 50  # the missions app's default without a profile
    assert section.linked_value == Decimal("37200.00")


# 2. RFIs -----------------------------------------------------------------------------------------


def test_horizon_counts_from_the_as_of_date():
    as_of = date(2026, 11, 15)

    assert horizon_of(None, as_of) == Horizon.UNKNOWN
    assert horizon_of(date(2026, 11, 14), as_of) == Horizon.PASSED
    assert horizon_of(date(2026, 11, 15), as_of) == Horizon.WITHIN_1_YEAR
    assert horizon_of(date(2027, 11, 15), as_of) == Horizon.WITHIN_1_YEAR
    assert horizon_of(date(2027, 11, 16), as_of) == Horizon.WITHIN_2_YEARS
    assert horizon_of(date(2028, 11, 16), as_of) == Horizon.LATER
    assert horizon_of(date(2028, 3, 1), date(2028, 2, 29)) == Horizon.WITHIN_1_YEAR


def test_rfis_open_or_closed_in_the_period_with_their_roms_and_hand_offs(workspace, salesperson, pack_of):
    rfi = workspace["RFI"]

    def make(title, stage_name="ROM at customer", **extra):
        return make_deal(pipeline=rfi, owner=salesperson, stage=stage(rfi, stage_name), title=title, **extra)

    overdue = make("1 overdue", expected_close_date=date(2026, 11, 1))
    waiting = make("2 waiting", expected_close_date=date(2027, 6, 30))
    sent_rom(waiting, amount="200000")  # in the period: EUR 200'000 = CHF 186'000
    handed = make("3 handed", "Outcome", expected_close_date=date(2027, 9, 1))
    sent_rom(handed, amount="90000", on=date(2025, 10, 1))
    in_sales = hand_off(handed)
    stopped = lost(make("4 stopped", expected_close_date=date(2028, 1, 1)), zurich(2026, 10, 20))
    later = make("5 later", "RFI received", expected_close_date=date(2029, 1, 10))
    make_offer(deal=later, offer_type="rom", amount="30000", currency="CHF")  # a draft: not sent
    rfq = won(make("6 RFQ expected", value=50000), zurich(2026, 11, 2))
    lost(make("stopped before the period"), zurich(2026, 9, 1))

    section = pack_of(salesperson).rfis

    assert [(line.title, line.state, line.horizon) for line in section.lines] == [
        ("1 overdue", RfiState.OPEN, Horizon.PASSED),
        ("2 waiting", RfiState.OPEN, Horizon.WITHIN_1_YEAR),
        ("3 handed", RfiState.IN_SALES, Horizon.WITHIN_1_YEAR),
        ("4 stopped", RfiState.STOPPED, Horizon.WITHIN_2_YEARS),
        ("5 later", RfiState.OPEN, Horizon.LATER),
        ("6 RFQ expected", RfiState.RFQ_EXPECTED, Horizon.UNKNOWN),
    ]
    by_title = {line.title: line for line in section.lines}
    assert by_title["2 waiting"].rom_sent_on == date(2026, 10, 5)
    assert (by_title["2 waiting"].rom_amount, by_title["2 waiting"].rom_currency) == (
        Decimal("200000.00"),
        "EUR",
    )
    assert by_title["3 handed"].sales_deal == in_sales.title
    assert by_title["3 handed"].rom_sent_on == date(2025, 10, 1)
    assert (by_title["5 later"].rom_sent_on, by_title["5 later"].roms_sent) == (None, 0)
    assert section.roms_sent_in_period == 1
    # Overdue 10'000 + waiting 186'000 + later 30'000 + RFQ expected 50'000; never the handed-off or stopped.
    assert section.potential_value == Decimal("276000.00")
    assert [line.deal_id for line in section.potential] == [overdue.pk, waiting.pk, later.pk, rfq.pk]
    assert stopped.pk not in {line.deal_id for line in section.potential}
    assert section.potential_by_horizon()[Horizon.WITHIN_1_YEAR] == (Decimal("186000.00"), Decimal(0))


# 3. Firm offers ----------------------------------------------------------------------------------


def test_firm_offers_from_proposal_preparation_on_and_closed_in_the_period(
    workspace, sales_pipeline, salesperson, pack_of
):
    sales_deal(sales_pipeline, salesperson, "Opportunity in evaluation", title="too early")
    sales_deal(sales_pipeline, salesperson, "Proposal preparation", title="prep", value=300000)
    sales_deal(
        sales_pipeline, salesperson, "Proposal at customer", title="sent", value=100000, currency="EUR"
    )
    sales_deal(
        sales_pipeline, salesperson, "Selected / negotiation", title="nego", value=50000, currency="USD"
    )
    # Midnight in Zurich, not in UTC: 30 September 22:30 UTC is already 1 October there.
    won(
        sales_deal(sales_pipeline, salesperson, "Selected / negotiation", title="won in"),
        zurich(2026, 10, 1, 0, 30),
    )
    won(
        sales_deal(sales_pipeline, salesperson, "Proposal at customer", title="won before"),
        zurich(2026, 9, 30, 23, 30),
    )
    lost(
        sales_deal(sales_pipeline, salesperson, "Proposal preparation", title="lost in"),
        zurich(2026, 12, 31, 23, 30),
    )
    lost(
        sales_deal(sales_pipeline, salesperson, "Proposal preparation", title="lost after"),
        zurich(2027, 1, 1, 0, 30),
    )
    won(make_deal(pipeline=workspace["RFI"], owner=salesperson, title="an RFI"), zurich(2026, 11, 1))

    section = pack_of(salesperson).offers

    assert [(g.stage, [line.title for line in g.lines]) for g in section.stages] == [
        ("Proposal preparation", ["prep"]),
        ("Proposal at customer", ["sent"]),
        ("Selected / negotiation", ["nego"]),
    ]
    assert section.open_value == Decimal("433000.00")  # 300'000 + EUR 100'000 × 0.93 + USD 50'000 × 0.80
    assert section.weighted_value == Decimal("237800.00")  # 150'000 + 55'800 + 32'000
    assert [(line.title, line.closed_on) for line in section.won] == [("won in", date(2026, 10, 1))]
    assert [(line.title, line.closed_on) for line in section.lost] == [("lost in", date(2026, 12, 31))]
    assert section.lost[0].lost_reason
    assert (section.stage_rule, section.by_fallback) == ("Proposal preparation", False)


def test_when_proposal_preparation_is_renamed_the_last_three_sales_stages_count(
    sales_pipeline, salesperson, pack_of
):
    update_stage(stage=stage(sales_pipeline, "Proposal preparation"), actor=None, name="Offer drafting")
    sales_deal(sales_pipeline, salesperson, "Offer drafting", title="drafting")
    sales_deal(sales_pipeline, salesperson, "Opportunity in evaluation", title="evaluating")

    pack = pack_of(salesperson)

    assert [g.stage for g in pack.offers.stages] == [
        "Offer drafting",
        "Proposal at customer",
        "Selected / negotiation",
    ]
    assert [line.title for line in pack.offers.open_lines] == ["drafting"]
    assert (pack.offers.stage_rule, pack.offers.by_fallback) == ("Offer drafting", True)
    with translation.override("en"):
        assert "no stage is named “Proposal preparation”" in offers_rule(pack)


def test_an_amount_without_exchange_rate_is_shown_missing_and_left_out_of_totals(
    sales_pipeline, salesperson, pack_of
):
    add_currency(code="GBP", name="Pound sterling", actor=None)
    sales_deal(
        sales_pipeline, salesperson, "Proposal preparation", title="pounds", value=1000, currency="GBP"
    )
    sales_deal(sales_pipeline, salesperson, "Proposal preparation", title="francs", value=2000)

    section = pack_of(salesperson).offers

    assert {line.title: line.value_in_base for line in section.open_lines} == {
        "pounds": None,
        "francs": Decimal("2000.00"),
    }
    assert next(line for line in section.open_lines if line.title == "pounds").weighted_in_base is None
    assert (section.open_value, section.unconverted_count) == (Decimal("2000.00"), 1)


# 4. CCNs -----------------------------------------------------------------------------------------


def test_change_notices_of_running_contracts_with_negative_values(sales_pipeline, salesperson, pack_of):
    def contract(title, when, **extra):
        deal = won(
            sales_deal(sales_pipeline, salesperson, "Selected / negotiation", title=title, **extra), when
        )
        return create_contract_for(deal=deal, actor=None)

    def notice(on, title, value, currency="CHF"):
        return create_change_notice(
            contract=on, actor=None, owner=salesperson, title=title, value=value, currency=currency
        )

    first = contract("first", zurich(2026, 3, 1), value=100000, currency="EUR")
    notice(first, "open one", 10000)
    won(notice(first, "descope", -5000, "EUR"), zurich(2026, 6, 1))
    lost(notice(first, "refused", 3000), zurich(2026, 7, 1))
    delete_deal(deal=notice(first, "deleted", 99999), actor=None)
    closed = contract("closed", zurich(2026, 4, 1))
    notice(closed, "on a closed contract", 1000)
    update_contract(contract=closed, actor=None, changes={"status": "closed"})
    contract("no change notices", zurich(2026, 5, 1))

    section = pack_of(salesperson).ccns

    assert [block.title for block in section.contracts] == ["first", "no change notices"]
    block = section.contracts[0]
    assert [(n.number, n.title, n.status, n.value_in_base) for n in block.change_notices] == [
        ("CCN-01", "open one", "open", Decimal("10000.00")),
        ("CCN-02", "descope", "won", Decimal("-4650.00")),
        ("CCN-03", "refused", "lost", Decimal("3000.00")),
    ]
    assert (block.value_in_base, block.won_value, block.open_value, block.current_value) == (
        Decimal("93000.00"),
        Decimal("-4650.00"),
        Decimal("10000.00"),
        Decimal("88350.00"),
    )
    assert [b.title for b in section.with_change_notices] == ["first"]
    assert (section.won_value, section.open_value) == (Decimal("-4650.00"), Decimal("10000.00"))


# The reader --------------------------------------------------------------------------------------


def test_a_private_deal_of_another_team_is_not_in_the_users_pack(
    workspace, sales_pipeline, salesperson, other_salesperson, pack_of
):
    theirs, private = other_salesperson, Visibility.OWNER
    mission = make_mission(
        workspace, salesperson, profile={"expected_tender_year": 2027, "go_ahead_probability": 100}
    )
    secret_offer = sales_deal(
        sales_pipeline, theirs, "Proposal preparation", title="secret offer", value=500000, visibility=private
    )
    link_deal(mission=mission, deal=secret_offer, actor=None)
    make_deal(pipeline=workspace["RFI"], owner=theirs, title="secret RFI", visibility=private)
    signed = won(
        sales_deal(
            sales_pipeline, theirs, "Proposal preparation", title="secret contract", visibility=private
        ),
        zurich(2026, 10, 2),
    )
    create_contract_for(deal=signed, actor=None)
    sales_deal(sales_pipeline, salesperson, "Proposal preparation", title="mine", value=1000)

    mine = pack_of(salesperson)
    everything = pack_of(None)

    assert [line.title for line in mine.offers.open_lines] == ["mine"]
    assert mine.offers.won == []
    assert mine.rfis.lines == []
    assert mine.ccns.contracts == []
    assert mine.missions.linked_value == 0
    assert {line.title for line in everything.offers.open_lines} == {"mine", "secret offer"}
    assert [line.title for line in everything.rfis.lines] == ["secret RFI"]
    assert [block.title for block in everything.ccns.contracts] == ["secret contract"]
    assert everything.missions.linked_value == Decimal("500000.00")
    assert (mine.reader, everything.reader) == (str(salesperson), "")


def test_without_a_reader_deleted_deals_stay_out(sales_pipeline, salesperson, pack_of):
    deal = sales_deal(sales_pipeline, salesperson, "Proposal preparation", title="deleted")
    delete_deal(deal=deal, actor=None)

    assert pack_of(None).offers.open_lines == []


def test_the_pack_costs_the_same_queries_for_one_or_many_deals(workspace, sales_pipeline, salesperson):
    def one_of_each(index):
        mission = make_mission(workspace, salesperson, profile={"expected_tender_year": 2027})
        hand_off(mission, value=Decimal(1000 + index))
        rfi = make_deal(pipeline=workspace["RFI"], owner=salesperson, currency="EUR")
        sent_rom(rfi, amount="1000")
        sales_deal(sales_pipeline, salesperson, "Proposal at customer", value=index + 1)
        signed = won(sales_deal(sales_pipeline, salesperson, "Proposal preparation"), zurich(2026, 10, 3))
        create_change_notice(
            contract=create_contract_for(deal=signed, actor=None),
            actor=None,
            owner=salesperson,
            title="c",
            value=1,
        )

    def queries():
        with CaptureQueriesContext(connection) as captured:
            pack = build_pack("2026-Q4", user=salesperson, language="en", today=TODAY)
        return len(captured.captured_queries), pack

    one_of_each(0)
    few, small = queries()
    for index in range(1, 5):
        one_of_each(index)
    many, large = queries()

    assert (len(small.offers.won), len(large.offers.won)) == (1, 5)
    assert len(large.ccns.change_notices) == 5
    assert many == few


# The entry point ---------------------------------------------------------------------------------


def test_build_pack_reads_the_period_text_and_keeps_the_callers_language(salesperson):
    with translation.override("en"):
        pack = build_pack("2026-11", user=salesperson, language="fr", today=TODAY)
        assert translation.get_language() == "en"

    assert (pack.period.start, pack.period.end, pack.language) == (
        date(2026, 11, 1),
        date(2026, 11, 30),
        "fr",
    )
    assert pack.as_of == TODAY  # before the end of the month
    assert pack.filename("pptx") == "board-report-2026-11.pptx"


def test_the_as_of_date_is_the_end_of_a_past_period(salesperson):
    pack = build_pack("2026-Q1", user=salesperson, language="en", today=TODAY)

    assert pack.as_of == date(2026, 3, 31)
    assert pack.missions.first_year == 2026


@pytest.mark.parametrize(("period", "language"), [("2026-Q5", "en"), ("2026-Q4", "de")])
def test_build_pack_refuses_an_unknown_period_or_language(salesperson, period, language):
    with pytest.raises(ValueError, match=r"quarter|language"):
        build_pack(period, user=salesperson, language=language, today=TODAY)
