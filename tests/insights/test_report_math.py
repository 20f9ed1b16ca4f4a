"""Report math on hand-built histories whose right answers are worked out by hand.

Sales stages, in order: First contact (FC), Opportunity identified (OI), Opportunity in
evaluation (OE), Proposal preparation (PP), Proposal at customer (PC), Selected / negotiation (SN).
"""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.http import QueryDict
from django.utils import timezone

from apogee.deals.models import LostReason
from apogee.deals.services import mark_deal_lost, mark_deal_won, move_deal_to_stage, reopen_deal, update_deal
from apogee.insights.reports.registry import REPORTS
from tests.deals.factories import make_deal, stage

pytestmark = pytest.mark.django_db

QUALIFIED = {"opportunity_type": "esa", "offer_type": "firm"}


def at(year, month, day):
    return datetime(year, month, day, 12, 0, tzinfo=UTC)


def run(kind, user, query=""):
    params = QueryDict(query)
    report_kind = REPORTS[kind]
    spec = report_kind.parse(params)
    assert spec.is_valid, spec.errors
    return report_kind.build(user, spec, params)


def table_rows(report, index=0):
    return [row.cells for row in report.tables[index].rows]


def history(pipeline, owner, moves, *, custom=None, **extra):
    """A deal created at moves[0], then moves[1:]: (stage name | 'won' | 'lost' | 'reopen', when)."""
    first_stage, created = moves[0]
    deal = make_deal(
        pipeline=pipeline,
        owner=owner,
        stage=stage(pipeline, first_stage),
        custom_values=custom if custom is not None else QUALIFIED,
        occurred_at=created,
        **extra,
    )
    for step, when in moves[1:]:
        if step == "won":
            deal = mark_deal_won(deal=deal, actor=None, occurred_at=when)
        elif step == "lost":
            deal = mark_deal_lost(deal=deal, actor=None, reason=LostReason.objects.first(), occurred_at=when)
        elif step == "reopen":
            deal = reopen_deal(deal=deal, actor=None)
        else:
            deal = move_deal_to_stage(deal=deal, stage=stage(pipeline, step), actor=None, occurred_at=when)
    return deal


@pytest.fixture
def histories(workspace, sales_pipeline, salesperson, teammate):
    sales = sales_pipeline
    deals = {
        # Straight through, won.
        "A": history(
            sales,
            salesperson,
            [
                ("First contact", at(2025, 2, 1)),
                ("Opportunity identified", at(2025, 2, 10)),
                ("Opportunity in evaluation", at(2025, 3, 1)),
                ("Proposal preparation", at(2025, 3, 15)),
                ("won", at(2025, 4, 1)),
            ],
        ),
        # Skips "Opportunity identified", lost.
        "B": history(
            sales,
            salesperson,
            [
                ("First contact", at(2025, 2, 5)),
                ("Opportunity in evaluation", at(2025, 2, 20)),
                ("lost", at(2025, 3, 1)),
            ],
        ),
        # Goes back to First contact and returns: each stage counts once.
        "C": history(
            sales,
            teammate,
            [
                ("First contact", at(2025, 2, 7)),
                ("Opportunity identified", at(2025, 2, 10)),
                ("First contact", at(2025, 2, 12)),
                ("Opportunity identified", at(2025, 2, 15)),
            ],
            custom={"opportunity_type": "commercial"},
        ),
        # Created before the period, moves in it.
        "D": history(
            sales,
            teammate,
            [("First contact", at(2024, 12, 1)), ("Opportunity identified", at(2025, 2, 3))],
            custom={"opportunity_type": "commercial"},
        ),
        # Lost, reopened, then won: counts once, as won.
        "F": history(
            sales,
            salesperson,
            [
                ("First contact", at(2025, 2, 1)),
                ("lost", at(2025, 3, 1)),
                ("reopen", None),
                ("Opportunity identified", at(2025, 3, 5)),
                ("won", at(2025, 5, 1)),
            ],
        ),
    }
    # Another pipeline's deal never appears in the Sales funnel.
    history(workspace["Missions"], salesperson, [("First contact", at(2025, 2, 1))], custom={})
    return deals


PERIOD_2025 = "from=2025-01-01&to=2025-12-31"


def test_funnel_counts_entries_from_history_with_skips_and_revisits(histories, admin, sales_pipeline):
    report = run("funnel", admin, f"pipeline={sales_pipeline.pk}&{PERIOD_2025}")
    rows = table_rows(report)
    # stage, entered, reached, conversion to the next
    assert rows == [
        ["First contact", 4, 5, Decimal("100.0")],  # A B C F entered; D passed through before
        ["Opportunity identified", 4, 5, Decimal("40.0")],  # A C D F; B skipped it but passed it
        ["Opportunity in evaluation", 2, 2, Decimal("50.0")],  # A B
        ["Proposal preparation", 1, 1, Decimal("0.0")],  # A
        ["Proposal at customer", 0, 0, None],
        ["Selected / negotiation", 0, 0, None],
        ["Won", 2, 2, Decimal("40.0")],  # A and F (reopened after lost) of 5
    ]
    assert report.series[0].data == [5, 5, 2, 1, 0, 0, 2]


def test_funnel_period_excludes_moves_outside_it(histories, admin, sales_pipeline):
    rows = table_rows(run("funnel", admin, f"pipeline={sales_pipeline.pk}&from=2025-02-11&to=2025-02-28"))
    # In the window: C back to FC (12th) and OI (15th); B into OE (20th).
    assert rows[0] == ["First contact", 1, 2, Decimal("100.0")]
    assert rows[1] == ["Opportunity identified", 1, 2, Decimal("50.0")]
    assert rows[2] == ["Opportunity in evaluation", 1, 1, Decimal("0.0")]


def test_funnel_filtered_on_a_custom_field(histories, admin, sales_pipeline):
    everything = table_rows(run("funnel", admin, f"pipeline={sales_pipeline.pk}&{PERIOD_2025}"))
    commercial = table_rows(
        run("funnel", admin, f"pipeline={sales_pipeline.pk}&{PERIOD_2025}&f=opportunity_type:eq:commercial")
    )
    assert everything[0][2] == 5
    assert commercial[0] == ["First contact", 1, 2, Decimal("100.0")]  # C entered, D passed
    assert commercial[-1] == ["Won", 0, 0, Decimal("0.0")]


def test_funnel_grouped_by_opportunity_type(histories, admin, sales_pipeline):
    report = run("funnel", admin, f"pipeline={sales_pipeline.pk}&{PERIOD_2025}&group=cf:opportunity_type")
    rows = {row[0]: row[1:] for row in table_rows(report)}
    # reached per stage (6), won, win rate
    assert rows["ESA"] == [3, 3, 2, 1, 0, 0, 2, Decimal("66.7")]
    assert rows["Commercial"] == [2, 2, 0, 0, 0, 0, 0, Decimal("0.0")]
    assert {s.label for s in report.series} == {"ESA", "Commercial"}


def test_funnel_counts_only_deals_the_reader_may_see(histories, other_salesperson, sales_pipeline):
    from apogee.deals.models import Visibility

    hidden = histories["A"]
    update_deal(deal=hidden, actor=None, changes={"visibility": Visibility.OWNER})
    rows = table_rows(run("funnel", other_salesperson, f"pipeline={sales_pipeline.pk}&{PERIOD_2025}"))
    assert rows[0][2] == 4
    assert rows[-1][1] == 1  # only F is won among what they see


def test_funnel_drill_down_lists_the_deals_behind_a_bar(histories, admin, sales_pipeline):
    kind = REPORTS["funnel"]
    params = QueryDict(f"pipeline={sales_pipeline.pk}&{PERIOD_2025}")
    spec = kind.parse(params)
    oi = stage(sales_pipeline, "Opportunity identified")
    reached = set(kind.deals(admin, spec, {"stage_cell": f"reached-{oi.pk}"}).values_list("title", flat=True))
    entered = set(kind.deals(admin, spec, {"stage_cell": str(oi.pk)}).values_list("title", flat=True))
    won = set(kind.deals(admin, spec, {"stage_cell": "won"}).values_list("title", flat=True))
    titles = {key: deal.title for key, deal in histories.items()}
    assert reached == {titles[k] for k in "ABCDF"}
    assert entered == {titles[k] for k in "ACDF"}
    assert won == {titles["A"], titles["F"]}


def test_won_and_lost_per_month_count_the_final_outcome(histories, admin):
    report = run("won-lost", admin, "from=2025-01-01&to=2025-06-30&interval=month")
    rows = table_rows(report)
    assert [row[0] for row in rows] == [
        "Jan 2025",
        "Feb 2025",
        "Mar 2025",
        "Apr 2025",
        "May 2025",
        "Jun 2025",
        "Total",
    ]
    # period, won, won value, lost, lost value, win rate
    assert rows[2] == [
        "Mar 2025",
        0,
        Decimal("0"),
        1,
        Decimal("10000.00"),
        Decimal("0.0"),
    ]  # B; F's loss undone
    assert rows[3] == ["Apr 2025", 1, Decimal("10000.00"), 0, Decimal("0"), Decimal("100.0")]
    assert rows[4] == ["May 2025", 1, Decimal("10000.00"), 0, Decimal("0"), Decimal("100.0")]
    assert rows[-1] == ["Total", 2, Decimal("20000.00"), 1, Decimal("10000.00"), Decimal("66.7")]
    reasons = table_rows(report, 1)
    assert reasons == [[LostReason.objects.first().label, 1, Decimal("10000.00")]]


def test_won_value_is_converted_at_the_rate_of_the_day_it_was_won(
    workspace, sales_pipeline, salesperson, admin
):
    # EUR is worth 0.94 CHF from 2025 and 0.93 from 2026 (the demo's rates).
    history(
        sales_pipeline,
        salesperson,
        [("First contact", at(2025, 5, 1)), ("won", at(2025, 6, 10))],
        value=100000,
        currency="EUR",
    )
    changed = history(sales_pipeline, salesperson, [("First contact", at(2025, 5, 1))], value=50000)
    # The deal changes currency before it is won: its value counts in its final currency.
    update_deal(deal=changed, actor=None, changes={"currency": "EUR", "value": "200000"})
    mark_deal_won(deal=changed, actor=None, occurred_at=at(2026, 2, 1))
    rows = table_rows(run("won-lost", admin, "from=2025-01-01&to=2026-12-31&interval=year"))
    assert rows[0] == ["2025", 1, Decimal("94000.00"), 0, Decimal("0"), Decimal("100.0")]
    assert rows[1] == ["2026", 1, Decimal("186000.00"), 0, Decimal("0"), Decimal("100.0")]


def test_won_and_lost_grouped_by_owner(histories, admin, salesperson):
    report = run("won-lost", admin, f"{PERIOD_2025}&group=owner")
    rows = {row[0]: row[1:] for row in table_rows(report)}
    assert rows[str(salesperson)] == [2, Decimal("20000.00"), 1, Decimal("10000.00"), Decimal("66.7")]


def test_forecast_by_expected_month_with_weighted_value_and_overdue_flagged(
    workspace, sales_pipeline, salesperson, admin
):
    today = timezone.localdate()
    next_month = (today.replace(day=1) + timedelta(days=32)).replace(day=15)
    make_deal(
        pipeline=sales_pipeline,
        owner=salesperson,
        stage=stage(sales_pipeline, "First contact"),  # 10 %
        value=100000,
        expected_close_date=next_month,
    )
    make_deal(
        pipeline=sales_pipeline,
        owner=salesperson,
        stage=stage(sales_pipeline, "Proposal preparation"),  # 50 %
        custom_values=QUALIFIED,
        value=40000,
        currency="EUR",
        expected_close_date=next_month,
    )
    make_deal(
        pipeline=sales_pipeline, owner=salesperson, value=30000, expected_close_date=today - timedelta(days=3)
    )
    make_deal(pipeline=sales_pipeline, owner=salesperson, value=5000)
    report = run("forecast", admin, f"pipeline={sales_pipeline.pk}")
    rows = table_rows(report)
    by_month = {row[0]: row for row in rows}
    eur = Decimal("0.93") if today.year >= 2026 else Decimal("0.94")
    month_row = [r for r in rows if r[0] not in ("Overdue", "No date", "Total")]
    assert len(month_row) == 1
    assert month_row[0][1:] == [
        "Sales",
        2,
        Decimal("100000.00") + 40000 * eur,
        Decimal("10000.00") + 20000 * eur,
    ]
    assert by_month["Overdue"][2:] == [1, Decimal("30000.00"), Decimal("3000.00")]
    assert by_month["No date"][2:] == [1, Decimal("5000.00"), Decimal("500.00")]
    assert report.tables[0].rows[0].flagged is True
    assert report.notes[0].startswith("1 open deal has an expected close date in the past")


def test_cycle_time_sums_each_deals_stays_and_skips_running_ones(histories, admin, sales_pipeline):
    rows = {
        row[0]: row[1:]
        for row in table_rows(run("cycle-time", admin, f"pipeline={sales_pipeline.pk}&{PERIOD_2025}"))
    }
    # FC: A 9 days, B 15, C 3 + 3 = 6, F 32 (lost on 1 March but reopened: the stay ends at its next move)
    assert rows["First contact"] == [4, (9 + 15 + 6 + 32) / 4, (9 + 15) / 2]
    # OI: A 19, C 2 (its second stay is still running), D still running, F 57 (until won on 1 May)
    assert rows["Opportunity identified"] == [3, (19 + 2 + 57) / 3, 19]
    # OE: A 14, B 9 (until lost)
    assert rows["Opportunity in evaluation"] == [2, (14 + 9) / 2, (14 + 9) / 2]
    assert rows["Proposal preparation"] == [1, 17, 17]
    # Creation to won: A 59 days, F 89 days.
    assert rows["Creation → won"] == [2, (59 + 89) / 2, (59 + 89) / 2]


def test_progress_counts_each_deal_once_per_stage_and_month(histories, admin, sales_pipeline):
    report = run(
        "progress", admin, f"pipeline={sales_pipeline.pk}&from=2025-01-01&to=2025-04-30&interval=month"
    )
    rows = {row[0]: row[1:] for row in table_rows(report)}
    # FC, OI, OE, PP, PC, SN
    assert rows["Jan 2025"] == [0, 0, 0, 0, 0, 0]
    assert rows["Feb 2025"] == [4, 3, 1, 0, 0, 0]  # C's return to FC and OI counts once each
    assert rows["Mar 2025"] == [0, 1, 1, 1, 0, 0]
    assert rows["Apr 2025"] == [0, 0, 0, 0, 0, 0]


def test_progress_grouped_follows_one_stage(histories, admin, sales_pipeline):
    oi = stage(sales_pipeline, "Opportunity identified")
    query = (
        f"pipeline={sales_pipeline.pk}&from=2025-02-01&to=2025-03-31&group=cf:opportunity_type&stage={oi.pk}"
    )
    report = run("progress", admin, query)
    assert [c.label for c in report.tables[0].columns] == ["Period", "Commercial", "ESA"]
    assert table_rows(report) == [["Feb 2025", 2, 1], ["Mar 2025", 0, 1]]


def test_cycle_time_grouped_shows_each_groups_medians(histories, admin, sales_pipeline):
    report = run("cycle-time", admin, f"pipeline={sales_pipeline.pk}&{PERIOD_2025}&group=cf:opportunity_type")
    rows = {row[0]: row[1:] for row in table_rows(report)}
    # FC, OI, OE, PP, PC, SN medians; creation → won median; won count
    assert rows["ESA"] == [15, 38, (14 + 9) / 2, 17, None, None, (59 + 89) / 2, 2]
    assert rows["Commercial"] == [6, 2, None, None, None, None, None, 0]


def test_a_stage_of_another_pipeline_is_refused(workspace, admin, sales_pipeline):
    other = workspace["RFI"].stages.first()
    spec = REPORTS["progress"].parse(QueryDict(f"pipeline={sales_pipeline.pk}&stage={other.pk}"))
    assert "stage" in spec.errors
    far = REPORTS["won-lost"].parse(QueryDict("from=9999-12-31"))
    assert "from" in far.errors
