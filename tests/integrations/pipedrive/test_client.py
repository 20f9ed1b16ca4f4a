"""The Pipedrive client against the double: complete listings, resuming, back-off, budget, errors."""

import itertools
from datetime import UTC, datetime

import pytest

from apogee.integrations.pipedrive.client import iter_items
from apogee.integrations.pipedrive.errors import (
    Blocked,
    BudgetExhausted,
    NotFound,
    PermanentError,
    Throttled,
    Unauthorized,
    Unavailable,
)
from tests.doubles.pipedrive import generate_dataset


def ids(pages) -> list:
    return [item["id"] for item in iter_items(pages)]


LISTINGS = [
    ("organizations", lambda c: c.organizations(), lambda d: [o.id for o in d.listed_organizations()]),
    ("persons", lambda c: c.persons(), lambda d: [p.id for p in d.listed_persons()]),
    ("deals", lambda c: c.deals(), lambda d: [x.id for x in d.listed_deals()]),
    ("archived deals", lambda c: c.archived_deals(), lambda d: [x.id for x in d.archived_deals()]),
    (
        "recently deleted deals",
        lambda c: c.deals(status="deleted"),
        lambda d: [x.id for x in d.recently_deleted_deals() if not x.is_archived],
    ),
    ("activities", lambda c: c.activities(), lambda d: [a.id for a in d.listed_activities()]),
    ("products", lambda c: c.products(), lambda d: [p.id for p in d.listed_products()]),
    ("pipelines", lambda c: c.pipelines(), lambda d: [p.id for p in d.pipelines]),
    ("stages", lambda c: c.stages(), lambda d: [s.id for s in d.stages]),
    ("users", lambda c: c.users(), lambda d: [u.id for u in d.users]),
    ("leads", lambda c: c.leads(), lambda d: [lead.id for lead in d.listed_leads()]),
    ("archived leads", lambda c: c.archived_leads(), lambda d: [lead.id for lead in d.archived_leads()]),
    ("lead labels", lambda c: c.lead_labels(), lambda d: [label.id for label in d.lead_labels]),
    ("activity types", lambda c: c.activity_types(), lambda d: [t.id for t in d.activity_types]),
    ("notes", lambda c: c.notes(), lambda d: [n.id for n in d.listed_notes()]),
]


@pytest.mark.parametrize(("_case", "listing", "expected"), LISTINGS, ids=[case[0] for case in LISTINGS])
def test_a_full_listing_returns_exactly_the_accounts_records(client, dataset, _case, listing, expected):
    assert ids(listing(client)) == expected(dataset)


@pytest.mark.parametrize("entity", ["deal", "person", "organization", "product", "activity", "lead", "note"])
def test_field_definitions_of_every_entity(client, dataset, entity):
    fields = list(iter_items(client.fields(entity)))

    codes = [f.get("field_code") or f.get("key") for f in fields]
    assert codes == [f.key for f in dataset.fields_of(entity)]


def test_listings_page_by_500_and_expose_where_to_resume(client, double, dataset):
    pages = list(client.activities())

    assert [len(page.items) for page in pages[:-1]] == [500] * (len(pages) - 1)
    assert len(pages) > 2
    assert all(page.next_position == later.position for page, later in itertools.pairwise(pages))
    assert pages[-1].next_position is None and pages[-1].is_last
    assert {r.query["limit"] for r in double.requests} == {"500"}


def test_resuming_from_a_saved_cursor_yields_the_rest_exactly_once(double, connect, dataset):
    first_run = connect(double).deals()
    first_page = next(first_run)
    saved = first_page.next_position  # stored with the imported page; the process dies here

    rest = ids(connect(double).deals(resume_from=saved))

    assert [d["id"] for d in first_page.items] + rest == [d.id for d in dataset.listed_deals()]


def test_resuming_a_cursor_after_deals_changed_skips_and_repeats_nothing(start_double, connect):
    dataset = generate_dataset(seed=5, deals=1100)
    double = start_double(dataset)
    first_page = next(connect(double).deals())
    unread = [d.id for d in dataset.listed_deals() if d.id > first_page.items[-1]["id"]]

    dataset.delete_deal(first_page.items[0]["id"])
    dataset.delete_deal(unread[0])
    added = dataset.add_deal(title="Created during the import")
    rest = ids(connect(double).deals(resume_from=first_page.next_position))

    assert rest == [*unread[1:], added.id]


def test_resuming_a_v1_listing_from_a_saved_start(double, connect, dataset):
    first_page = next(connect(double).notes())

    rest = ids(connect(double).notes(resume_from=first_page.next_position))

    assert first_page.next_position == 500
    assert [n["id"] for n in first_page.items] + rest == [n.id for n in dataset.listed_notes()]


def test_deal_flow_and_deal_products_of_one_deal(client, dataset):
    deal = next(d for d in dataset.listed_deals() if d.moves and d.products)

    flow = list(iter_items(client.deal_flow(deal.id)))
    products = list(iter_items(client.deal_products(deal.id)))

    stage_changes = [item["data"] for item in flow if item["data"]["field_key"] == "stage_id"]
    assert [int(change["new_value"]) for change in stage_changes] == [
        m.to_stage for m in reversed(deal.moves)
    ]
    assert [p["id"] for p in products] == [p.id for p in deal.products]


def test_me_names_the_company(client, dataset):
    me = client.me()

    assert (me["company_id"], me["company_domain"]) == (dataset.company["id"], dataset.company["domain"])


# -- rate limits -------------------------------------------------------------------------------------


def test_a_burst_429_is_waited_out_and_the_listing_completes(start_double, connect, clock, dataset):
    double = start_double(burst=2)
    client = connect(double)

    activities = ids(client.activities())

    assert activities == [a.id for a in dataset.listed_activities()]
    assert clock.sleeps and all(wait >= 1 for wait in clock.sleeps)  # at least x-ratelimit-reset
    assert 429 in [r.status for r in double.requests]
    assert 403 not in [r.status for r in double.requests]


def test_the_client_exposes_the_budget_it_reads_from_the_headers(start_double, connect):
    double = start_double(budget=5000, burst=40)
    client = connect(double)

    client.me()
    list(client.pipelines())

    assert client.budget.daily_limit == 5000
    assert client.budget.daily_remaining == double.budget_remaining == 5000 - 2 - 5
    assert (client.budget.burst_limit, client.budget.burst_remaining) == (40, 38)
    assert client.budget.observed_at == datetime(2026, 9, 1, 21, 0, tzinfo=UTC)


def test_an_exhausted_budget_stops_the_listing_until_the_server_midnight(
    start_double, connect, clock, dataset
):
    double = start_double(budget=20)
    client = connect(double)
    pages = client.activities()
    done = [next(pages), next(pages)]

    with pytest.raises(BudgetExhausted) as stopped:
        next(pages)
    requests_when_stopped = len(double.requests)
    with pytest.raises(BudgetExhausted):
        list(client.activities(resume_from=done[-1].next_position))  # no call before the reset

    assert stopped.value.resume_at == datetime(2026, 9, 2, 0, 0, tzinfo=UTC)
    assert stopped.value.remaining == 0 and stopped.value.limit == 20
    assert stopped.value.kind == "temporary"
    assert client.budget.exhausted_until == stopped.value.resume_at
    assert len(double.requests) == requests_when_stopped == 3
    assert clock.sleeps == []

    clock.advance_to(stopped.value.resume_at)
    double.set_budget_remaining(10_000)
    rest = ids(client.activities(resume_from=done[-1].next_position))
    assert [a["id"] for page in done for a in page.items] + rest == [
        a.id for a in dataset.listed_activities()
    ]


def test_without_the_daily_header_a_429_with_burst_left_means_the_budget(start_double, connect):
    double = start_double(budget=10, daily_headers="never")
    client = connect(double)
    list(client.pipelines())
    list(client.pipelines())

    with pytest.raises(BudgetExhausted) as stopped:
        list(client.pipelines())

    assert stopped.value.remaining is None
    assert [r.status for r in double.requests] == [200, 200, 429]


def test_429s_that_outlast_the_back_off_without_any_header_become_budget_exhausted(
    start_double, connect, clock
):
    double = start_double()
    double.fail_next(10, status=429)
    client = connect(double, max_retries=3)

    with pytest.raises(BudgetExhausted):
        client.me()

    assert len(double.requests) == 4
    assert len(clock.sleeps) == 3


def test_a_reserve_keeps_tokens_for_the_companys_other_integrations(start_double, connect):
    double = start_double(budget=100)
    client = connect(double, reserve=95)
    client.me()
    list(client.pipelines())

    with pytest.raises(BudgetExhausted) as stopped:
        client.me()

    assert stopped.value.remaining == 93
    assert len(double.requests) == 2


def test_the_cloudflare_403_page_stops_the_client_after_a_single_request(start_double, connect, clock):
    double = start_double()
    double.block()
    client = connect(double)

    with pytest.raises(Blocked) as blocked:
        list(client.deals())
    with pytest.raises(Blocked):
        client.me()

    assert len(double.requests) == 1
    assert clock.sleeps == []
    assert blocked.value.status == 403 and blocked.value.kind == "temporary"
    assert blocked.value.resume_at == datetime(2026, 9, 1, 22, 0, tzinfo=UTC)


def test_a_persistent_burst_429_with_budget_left_is_throttled(start_double, connect, clock):
    double = start_double(burst=1, abuse_after=100)
    client = connect(double, max_retries=2, sleep=lambda seconds: clock.sleeps.append(seconds))

    client.me()
    with pytest.raises(Throttled) as throttled:
        client.me()

    assert not isinstance(throttled.value, BudgetExhausted)
    assert len(clock.sleeps) == 2


# -- failures ---------------------------------------------------------------------------------------


def test_a_500_is_retried_and_the_page_arrives(double, client, clock, dataset):
    double.fail_next(2, status=500)

    assert ids(client.pipelines()) == [p.id for p in dataset.pipelines]
    assert [r.status for r in double.requests] == [500, 500, 200]
    assert len(clock.sleeps) == 2
    assert clock.sleeps[1] > clock.sleeps[0] / 2  # exponential, with jitter


def test_a_503_that_persists_becomes_unavailable(double, connect):
    double.fail_next(10, status=503)
    client = connect(double, max_retries=3)

    with pytest.raises(Unavailable) as failed:
        client.me()

    assert failed.value.kind == "temporary" and failed.value.status == 503
    assert len(double.requests) == 4


def test_a_dropped_connection_is_retried(double, client, dataset):
    double.disconnect_next(1)

    assert ids(client.pipelines()) == [p.id for p in dataset.pipelines]
    assert len(double.requests) == 2


def test_timeouts_become_a_temporary_error_after_the_retries(double, connect, clock):
    double.delay_next(3, seconds=1.0)
    client = connect(double, timeout=0.2, max_retries=2)

    with pytest.raises(Unavailable) as failed:
        client.me()

    assert failed.value.kind == "temporary"
    assert len(clock.sleeps) == 2


def test_a_wrong_token_is_unauthorized_at_once(double, connect, clock):
    client = connect(double, token="0" * 40)

    with pytest.raises(Unauthorized) as refused:
        list(client.deals())

    assert refused.value.kind == "auth" and refused.value.status == 401
    assert refused.value.error == "unauthorized access"
    assert refused.value.correlation_id
    assert len(double.requests) == 1 and clock.sleeps == []


def test_other_4xx_are_permanent_with_pipedrives_text(double, client):
    double.fail_next(1, status=400, error="Validation failed: status: Invalid enum value")

    with pytest.raises(PermanentError) as refused:
        client.me()

    assert refused.value.error == "Validation failed: status: Invalid enum value"
    assert refused.value.kind == "permanent"
    assert len(double.requests) == 1


def test_a_missing_deal_is_not_found(client):
    with pytest.raises(NotFound) as missing:
        list(client.deal_flow(99_999_999))

    assert missing.value.kind == "not_found" and missing.value.error == "Deal not found"
