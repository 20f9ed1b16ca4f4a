"""Insights reports over N deals and about 10 N stage changes, each against a raw-SQL floor.

Every scenario is a report page requested in-process through Django's test client. Its floor
is the same aggregate written by hand in SQL (the smallest work the database must do for
the numbers), run through connection.cursor() in the same run; the page's ratio to it is
what the ORM, the per-day money conversion, the chart and the template cost. A second
ratio, to /api/v1/me, compares with run.py's figures.

    .venv/bin/python -m benchmarks.insights --deals 100000        # SQLite, var/bench-insights-100000
    DATABASE_URL=postgres://… .venv/bin/python -m benchmarks.insights --deals 100000
"""

import argparse
import os
import statistics
import sys
import time
import warnings
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from datetime import time as day_start
from pathlib import Path
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

ZONE = ZoneInfo("Europe/Zurich")  # the demo users' zone: the reports' days and periods are in it


@dataclass
class Scenario:
    user: str
    url: str
    floor: Callable[[], list[tuple[str, list]]]  # the statements of the raw-SQL floor
    check: Callable | None = None  # compares the report's numbers with the floor's


def _counting(executed: list[str]):
    def wrapper(execute, sql, *rest):
        executed.append(sql)
        return execute(sql, *rest)

    return wrapper


def _timed(call: Callable[[], object], repeat: int) -> tuple[float, float, float]:
    """(median, min, max) in ms of `repeat` calls after one warm-up call."""
    call()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), min(times), max(times)


class FloorSQL:
    """The reports' aggregates in hand-written SQL, for SQLite and PostgreSQL.

    Months are UTC months on SQLite (it has no time-zone database); the period bounds are
    the reports' own (whole days in Europe/Zurich), so totals agree exactly.
    """

    def __init__(self, connection):
        from apogee.accounts.models import User
        from apogee.deals.models import Deal, StageChange
        from apogee.pipelines.models import Stage

        self.vendor = connection.vendor
        q = connection.ops.quote_name
        self.deal = q(Deal._meta.db_table)
        self.change = q(StageChange._meta.db_table)
        self.stage = q(Stage._meta.db_table)
        self.user = q(User._meta.db_table)
        self.adapt = connection.ops.adapt_datetimefield_value

    def custom(self, key: str) -> str:
        """A custom value as text: the group key or the filter's operand."""
        if self.vendor == "postgresql":
            return f"(d.custom_values ->> '{key}')"
        return f"json_extract(d.custom_values, '$.{key}')"

    def month(self, column: str) -> str:
        if self.vendor == "postgresql":
            return f"date_trunc('month', {column})"
        return f"strftime('%Y-%m', {column})"

    def visibility(self, user) -> tuple[str, str, list]:
        """(join, condition, params) mirroring deals.queries.visibility_q."""
        if user.is_workspace_admin:
            return "", "", []
        join = f" JOIN {self.user} u ON u.id = d.owner_id"
        parts, params = ["d.owner_id = %s", "d.visibility = 'everyone'"], [user.pk]
        if user.team_id:
            parts.append("(d.visibility = 'team' AND u.team_id = %s)")
            params.append(user.team_id)
            if user.is_manager:
                parts.append("u.team_id = %s")
                params.append(user.team_id)
        return join, f" AND ({' OR '.join(parts)})", params

    def bounds(self, start: date, end: date) -> list:
        """[start, end + 1 day) in the reader's zone, as the reports' period_bounds."""
        first = datetime.combine(start, day_start.min, tzinfo=ZONE)
        after = datetime.combine(end + timedelta(days=1), day_start.min, tzinfo=ZONE)
        return [self.adapt(first), self.adapt(after)]

    def funnel(
        self, user, stages: list[tuple[int, int]], start: date, end: date, group: str = "", where: str = ""
    ):
        """Per furthest stage position (and group): deals, won deals, and deals that entered each stage.

        One pass over the period's stage changes grouped per deal, then each deal's row read
        once for its status, visibility and custom values: the deal's fields do not change from
        one of its moves to the next, so filtering after the per-deal step is the same question.
        """
        join, visible, visible_params = self.visibility(user)
        ids = [pk for pk, _position in stages]
        furthest = " ".join("WHEN %s THEN %s" for _ in stages)
        entered = ", ".join(
            f"MAX(CASE WHEN sc.to_stage_id = %s THEN 1 ELSE 0 END) AS s{i}" for i in range(len(stages))
        )
        sums = ", ".join(f"SUM(pd.s{i})" for i in range(len(stages)))
        by = f"{group}, " if group else ""
        # PostgreSQL: computed once. Inlined, its planner may put the per-deal step under a parallel
        # hash join, where every worker computes all of it again (3x the work, measured).
        materialized = "MATERIALIZED " if self.vendor == "postgresql" else ""
        placeholders = ", ".join(["%s"] * len(ids))
        sql = (
            f"WITH pd AS {materialized}(SELECT sc.deal_id,"  # noqa: S608
            f" MAX(CASE sc.to_stage_id {furthest} END) AS furthest, {entered}"
            f" FROM {self.change} sc WHERE sc.to_stage_id IN ({placeholders})"
            f" AND sc.changed_at >= %s AND sc.changed_at < %s GROUP BY sc.deal_id)"
            f" SELECT {by}pd.furthest, COUNT(*), SUM(CASE WHEN d.status = 'won' THEN 1 ELSE 0 END), {sums}"
            f" FROM pd JOIN {self.deal} d ON d.id = pd.deal_id{join}"
            f" WHERE d.deleted_at IS NULL{visible}{where} GROUP BY {by}pd.furthest"
        )
        params = [
            *[value for pair in stages for value in pair],
            *ids,
            *ids,
            *self.bounds(start, end),
            *visible_params,
        ]
        return [(sql, params)]

    def won_lost(self, user, start: date, end: date, group: str = ""):
        """Count and value per outcome, currency and month (or group) of the deals closed in the period."""
        join, visible, visible_params = self.visibility(user)
        closed = "CASE WHEN d.status = 'won' THEN d.won_at ELSE d.lost_at END"
        key = group or self.month(closed)
        bounds = self.bounds(start, end)
        sql = (
            f"SELECT d.status, d.currency, {key}, COUNT(*), SUM(d.value) FROM {self.deal} d{join}"  # noqa: S608
            f" WHERE d.deleted_at IS NULL AND ((d.status = 'won' AND d.won_at >= %s AND d.won_at < %s)"
            f" OR (d.status = 'lost' AND d.lost_at >= %s AND d.lost_at < %s)){visible}"
            f" GROUP BY d.status, d.currency, {key}"
        )
        return [(sql, [*bounds, *bounds, *visible_params])]

    def forecast(self, user, start: date, end: date, today: date, pipeline_id: int | None = None):
        """Value and probability-weighted value of open deals per expected month, currency and pipeline."""
        join, visible, visible_params = self.visibility(user)
        only = " AND d.pipeline_id = %s" if pipeline_id else ""
        month = self.month("d.expected_close_date")
        sql = (
            f"SELECT {month}, d.currency, d.pipeline_id, COUNT(*), SUM(d.value),"  # noqa: S608
            f" SUM(d.value * st.probability) / 100 FROM {self.deal} d"
            f" JOIN {self.stage} st ON st.id = d.stage_id{join}"
            f" WHERE d.status = 'open' AND d.deleted_at IS NULL{only}{visible}"
            f" AND ((d.expected_close_date >= %s AND d.expected_close_date <= %s)"
            f" OR d.expected_close_date < %s OR d.expected_close_date IS NULL)"
            f" GROUP BY {month}, d.currency, d.pipeline_id"
        )
        params = [*([pipeline_id] if pipeline_id else []), *visible_params, max(start, today), end, today]
        return [(sql, params)]


def _run_floor(connection, statements) -> list[list[tuple]]:
    results = []
    with connection.cursor() as cursor:
        for sql, params in statements:
            cursor.execute(sql, params)
            results.append(cursor.fetchall())
    return results


def _report(kind: str, user, query: dict):
    """The report as the page builds it, for comparing its numbers with the floor's."""
    from django.http import QueryDict
    from django.utils import timezone

    from apogee.insights.reports.registry import REPORTS

    params = QueryDict(urlencode(query))
    with timezone.override(ZONE):
        spec = REPORTS[kind].parse(params)
        assert spec.is_valid, spec.errors
        return REPORTS[kind].build(user, spec, params)


def check_funnel(report, floor_rows, stages: list[tuple[int, int]], grouped: bool) -> str:
    """Reached per stage (summed over groups), entered per stage and won: the page's and the floor's."""
    positions = [position for _pk, position in stages]
    reached_floor, entered_floor, won_floor = [0] * len(stages), [0] * len(stages), 0
    for row in floor_rows[0]:
        row = row[1:] if grouped else row
        furthest, deals, won, entered = row[0], row[1], row[2], row[3:]
        won_floor += won or 0
        for index, position in enumerate(positions):
            reached_floor[index] += deals if furthest >= position else 0
            entered_floor[index] += entered[index] or 0
    table = report.tables[0]
    keys = [c.key for c in table.columns]
    rows = [r for r in table.rows if not r.is_total]
    if not grouped:  # a row per stage, then the Won line
        reached_page = [r.cells[keys.index("reached")] for r in rows]
        entered_page = [r.cells[keys.index("entered")] for r in rows]
        won_page = next(r.cells[keys.index("entered")] for r in table.rows if r.is_total)
        return _agree(
            ("entered", entered_page, entered_floor),
            ("reached", reached_page, reached_floor),
            ("won", won_page, won_floor),
        )
    # Grouped: a row per group, a column per stage of the deals that reached it.
    stage_columns = [i for i, k in enumerate(keys) if k.startswith("stage-")]
    reached_page = [sum(r.cells[i] for r in rows) for i in stage_columns]
    won_page = sum(r.cells[keys.index("won")] for r in rows)
    return _agree(("reached", reached_page, reached_floor), ("won", won_page, won_floor))


def check_won_lost(report, floor_rows) -> str:
    table = report.tables[0]
    keys = [c.key for c in table.columns]
    total = next(r for r in table.rows if r.is_total)
    counts = defaultdict(int)
    for status, _currency, _key, n, _value in floor_rows[0]:
        counts[status] += n
    return _agree(
        ("won", total.cells[keys.index("won")], counts["won"]),
        ("lost", total.cells[keys.index("lost")], counts["lost"]),
    )


def check_forecast(report, floor_rows) -> str:
    table = report.tables[0]
    keys = [c.key for c in table.columns]
    total = next(r for r in table.rows if r.is_total)
    return _agree(("deals", total.cells[keys.index("deals")], sum(row[3] for row in floor_rows[0])))


def _agree(*pairs) -> str:
    wrong = [f"{name}: page {page} vs floor {floor}" for name, page, floor in pairs if page != floor]
    return "agree" if not wrong else "DIFFER " + "; ".join(wrong)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--deals", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--only", default="", help="run only the scenarios whose name contains this text")
    args = parser.parse_args()

    if not os.environ.get("DATABASE_URL"):
        data_dir = Path("var") / f"bench-insights-{args.deals}"
        data_dir.mkdir(parents=True, exist_ok=True)
        os.environ["APOGEE_DATA_DIR"] = str(data_dir)
    os.environ.setdefault("APOGEE_DEV_SECRET", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "apogee.settings")
    # The static files are not collected for a benchmark; the pages do not serve them.
    warnings.filterwarnings("ignore", message="No directory at")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from apogee.accounts.models import User
    from apogee.deals.models import Deal, StageChange
    from apogee.pipelines.models import Pipeline
    from benchmarks.generate import generate

    call_command("migrate", verbosity=0)
    before = StageChange.objects.count()
    started = time.perf_counter()
    generate(args.deals, history=True)
    elapsed = time.perf_counter() - started
    if connection.vendor == "postgresql":
        # As autovacuum would soon after a bulk load: statistics for the planner and a visibility
        # map for index-only scans, and no vacuum running in the middle of the timings.
        with connection.cursor() as cursor:
            for model in (Deal, StageChange):
                cursor.execute(f"VACUUM ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    deals, changes = Deal.objects.count(), StageChange.objects.count()
    made = f"generated in {elapsed:.1f}s" if changes != before else "from an earlier run"
    print(
        f"data: {deals} deals, {changes} stage changes ({changes / max(deals, 1):.1f} per deal), "
        f"{made} ({connection.vendor})"
    )

    users = {name: User.objects.get(username=name) for name in ("sophie", "lea")}
    clients = {}
    for name, user in users.items():
        clients[name] = Client()
        clients[name].force_login(user)
    sales = Pipeline.objects.get(name="Sales")
    sales_stages = list(sales.stages.order_by("position", "id").values_list("pk", "position"))
    today = timezone.localtime(timezone=ZONE).date()
    # The reports' default period: the first of the month eleven months ago to today.
    month = today.month - 11
    year_start = date(today.year + (month - 1) // 12, (month - 1) % 12 + 1, 1)
    six_years = today.replace(year=today.year - 6, day=1)
    forecast_end = _forecast_end(today)
    sql = FloorSQL(connection)
    esa = f" AND {sql.custom('opportunity_type')} = 'esa'"

    def funnel(user: str, start: date, extra: dict | None = None, group: str = "", where: str = ""):
        query = {"pipeline": sales.pk, "from": start.isoformat(), "to": today.isoformat(), **(extra or {})}
        return Scenario(
            user=user,
            url=f"/insights/reports/funnel/?{urlencode(query)}",
            floor=lambda: sql.funnel(users[user], sales_stages, start, today, group=group, where=where),
            check=lambda floor_rows: check_funnel(
                _report("funnel", users[user], query), floor_rows, sales_stages, grouped=bool(group)
            ),
        )

    def won_lost(user: str, extra: dict, group: str = ""):
        query = {"from": year_start.isoformat(), "to": today.isoformat(), **extra}
        return Scenario(
            user=user,
            url=f"/insights/reports/won-lost/?{urlencode(query)}",
            floor=lambda: sql.won_lost(users[user], year_start, today, group=group),
            check=lambda floor_rows: check_won_lost(_report("won-lost", users[user], query), floor_rows),
        )

    def forecast(user: str, pipeline: Pipeline | None = None):
        query = {"pipeline": pipeline.pk} if pipeline else {}
        return Scenario(
            user=user,
            url="/insights/reports/forecast/" + (f"?{urlencode(query)}" if query else ""),
            floor=lambda: sql.forecast(
                users[user], today, forecast_end, today, pipeline_id=pipeline.pk if pipeline else None
            ),
            check=lambda floor_rows: check_forecast(_report("forecast", users[user], query), floor_rows),
        )

    scenarios = {
        "funnel: Sales, last 12 months": funnel("sophie", year_start),
        "funnel: Sales, six years": funnel("sophie", six_years),
        "funnel: Sales, 12 months, by cf:opportunity_type": funnel(
            "sophie", year_start, {"group": "cf:opportunity_type"}, group=sql.custom("opportunity_type")
        ),
        "funnel: Sales, 12 months, f=opportunity_type:eq:esa": funnel(
            "sophie", year_start, {"f": "opportunity_type:eq:esa"}, where=esa
        ),
        "funnel: Sales, six years, by cf:opportunity_type": funnel(
            "sophie", six_years, {"group": "cf:opportunity_type"}, group=sql.custom("opportunity_type")
        ),
        "funnel: Sales, last 12 months (lea)": funnel("lea", year_start),
        "won/lost: 12 months per month": won_lost("sophie", {"interval": "month"}),
        "won/lost: 12 months by owner": won_lost("sophie", {"group": "owner"}, group="d.owner_id"),
        "won/lost: 12 months per month (lea)": won_lost("lea", {"interval": "month"}),
        "forecast: all pipelines": forecast("sophie"),
        "forecast: Sales": forecast("sophie", sales),
        "forecast: all pipelines (lea)": forecast("lea"),
    }
    chosen = {name: scenario for name, scenario in scenarios.items() if args.only in name}

    me = _timed(lambda: clients["sophie"].get("/api/v1/me"), args.repeat)[0]
    rows = []
    for name, scenario in chosen.items():
        client = clients[scenario.user]
        executed: list[str] = []
        # Counted by wrapping the cursor: CaptureQueriesContext loses them when a request closes
        # the connection.
        with connection.execute_wrapper(_counting(executed)):
            response = client.get(scenario.url)
        assert response.status_code == 200, (scenario.url, response.status_code)
        page = _timed(lambda client=client, url=scenario.url: client.get(url), args.repeat)
        statements = scenario.floor()
        floor_rows = _run_floor(connection, statements)
        floor = _timed(lambda statements=statements: _run_floor(connection, statements), args.repeat)
        verdict = scenario.check(floor_rows) if scenario.check else ""
        rows.append((name, page, floor[0], len(executed), verdict))

    print(f"floor: /api/v1/me {me:.1f} ms; {args.repeat} runs per figure, median (min-max)")
    print(
        f"{'scenario':52s} {'median ms':>9s} {'min-max':>13s} {'SQL ms':>8s} "
        f"{'x SQL':>6s} {'x me':>6s} {'queries':>7s}"
    )
    for name, (median, low, high), floor_ms, count, verdict in rows:
        print(
            f"{name:52s} {median:9.1f} {f'{low:.0f}-{high:.0f}':>13s} {floor_ms:8.1f} "
            f"{median / floor_ms:6.1f} {median / me:6.1f} {count:7d}  {verdict}"
        )
    return 0


def _forecast_end(today: date) -> date:
    """The forecast's default period ends with the eleventh month after this one."""
    from apogee.insights.reports.forecast import default_forecast_period

    return default_forecast_period(today)[1]


if __name__ == "__main__":
    sys.exit(main())
