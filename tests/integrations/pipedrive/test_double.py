"""The Pipedrive double behaves as research §2 / §5.2 says Pipedrive does, poked with raw HTTP."""

import base64
import http.client
import json
import re
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

import pytest

from tests.doubles.pipedrive import generate_dataset

OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))
HEX_KEY = re.compile(r"^[0-9a-f]{40}$")
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


@dataclass
class Reply:
    status: int
    headers: dict
    body: bytes

    @property
    def json(self):
        return json.loads(self.body)


DEFAULT = object()


def get(double, path, token=DEFAULT, **query) -> Reply:
    token = double.token if token is DEFAULT else token
    url = double.base_url + path + (("&" if "?" in path else "?") + urlencode(query) if query else "")
    request = urllib.request.Request(url, headers={"x-api-token": token} if token else {})
    try:
        with OPENER.open(request, timeout=10) as response:
            return Reply(
                response.status, {k.lower(): v for k, v in response.headers.items()}, response.read()
            )
    except urllib.error.HTTPError as error:
        return Reply(error.code, {k.lower(): v for k, v in error.headers.items()}, error.read())


def walk_cursor(double, path, **query) -> list[dict]:
    items = []
    while True:
        reply = get(double, path, **query)
        assert reply.status == 200, reply.body
        items += reply.json["data"]
        query["cursor"] = cursor = reply.json["additional_data"]["next_cursor"]
        if cursor is None:
            return items


# -- authentication, routes, envelopes ---------------------------------------------------------


def test_a_wrong_token_gets_the_gateways_exact_401(double):
    reply = get(double, "/api/v2/deals", token="0" * 40)

    assert reply.status == 401
    assert reply.body == (
        b'{"success":false,"error":"unauthorized access","errorCode":401,'
        b'"error_info":"Please check developers.pipedrive.com"}'
    )
    assert reply.headers["x-401-by-gw"] == "true"
    assert re.match(r"^[0-9a-f-]{36}$", reply.headers["x-correlation-id"])


def test_unknown_routes_and_missing_tokens_get_the_same_401(double):
    assert get(double, "/api/v2/nothing-here", token=None).status == 401
    assert get(double, "/api/v1/users/me", token=None).status == 401


def test_the_legacy_api_token_query_parameter_is_accepted_on_v1_and_legacy_paths(double):
    reply = get(double, "/v1/users/me", token=None, api_token=double.token)

    assert reply.status == 200
    assert reply.json["data"]["company_domain"] == "helveticorbital"
    assert reply.json["data"]["is_you"] is True


def test_v2_lives_only_under_api_and_unknown_routes_are_404(double):
    assert get(double, "/v2/deals").status == 404
    assert get(double, "/api/v2/deals").status == 200
    reply = get(double, "/api/v2/unknown")
    assert reply.status == 404
    assert reply.json == {
        "success": False,
        "error": "Unknown method .",
        "error_info": "Please check developers.pipedrive.com",
        "data": None,
        "additional_data": None,
    }


def test_writes_are_not_served(double):
    request = urllib.request.Request(
        double.base_url + "/api/v2/deals", data=b"{}", method="POST", headers={"x-api-token": double.token}
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        OPENER.open(request, timeout=10)

    assert refused.value.code == 405


# -- paging ------------------------------------------------------------------------------------


def test_v2_cursor_paging_lists_every_listed_deal_once_with_opaque_cursors(double, dataset):
    first = get(double, "/api/v2/deals", limit=300)
    cursor = first.json["additional_data"]["next_cursor"]
    deals = walk_cursor(double, "/api/v2/deals", limit=300)

    assert len(first.json["data"]) == 300
    assert json.loads(base64.b64decode(cursor + "==")) == {"deal": first.json["data"][-1]["id"]}
    assert [d["id"] for d in deals] == [d.id for d in dataset.listed_deals()]


def test_v2_limit_defaults_to_100_and_refuses_more_than_500(double):
    assert len(get(double, "/api/v2/activities").json["data"]) == 100
    assert len(get(double, "/api/v2/activities", limit=500).json["data"]) == 500

    refused = get(double, "/api/v2/activities", limit=501)

    assert refused.status == 400
    assert refused.json["success"] is False
    assert "less than or equal to 500" in refused.json["error"]


def test_v2_limit_above_500_can_be_clamped_instead(start_double):
    double = start_double(limit_overflow="clamp")

    assert len(get(double, "/api/v2/activities", limit=900).json["data"]) == 500


def test_a_broken_cursor_is_a_400(double):
    assert get(double, "/api/v2/deals", cursor="not-a-cursor").status == 400


def test_v2_cursors_stay_valid_while_deals_are_added_and_deleted(start_double):
    dataset = generate_dataset(seed=3, deals=120)
    double = start_double(dataset)
    if True:
        first = get(double, "/api/v2/deals", limit=40).json
        seen = [d["id"] for d in first["data"]]
        later = [d.id for d in dataset.listed_deals() if d.id > seen[-1]]

        dataset.delete_deal(seen[0])  # already read: must not shift anything
        dataset.delete_deal(later[5])  # not read yet: disappears
        added = dataset.add_deal(title="Added while paging")
        rest = walk_cursor(double, "/api/v2/deals", limit=40, cursor=first["additional_data"]["next_cursor"])

    assert [d["id"] for d in rest] == [i for i in later if i != later[5]] + [added.id]


def test_v1_offset_paging_reports_more_items_and_the_next_start(double, dataset):
    notes, start = [], 0
    while True:
        reply = get(double, "/api/v1/notes", start=start, limit=250).json
        notes += reply["data"]
        pagination = reply["additional_data"]["pagination"]
        assert pagination["start"] == start and pagination["limit"] == 250
        if not pagination["more_items_in_collection"]:
            assert "next_start" not in pagination
            break
        start = pagination["next_start"]

    assert [n["id"] for n in notes] == [n.id for n in dataset.listed_notes()]
    assert start == 500


def test_v1_lists_carry_related_objects(double, dataset):
    reply = get(double, "/api/v1/notes", limit=5).json

    users = reply["related_objects"]["user"]
    assert {str(n["user_id"]) for n in reply["data"]} <= users.keys()
    first_user = users[str(reply["data"][0]["user_id"])]
    assert first_user["name"] == dataset.user(reply["data"][0]["user_id"]).name


# -- deals: archived, deleted, filters -------------------------------------------------------------


def test_archived_deals_are_only_on_the_archived_endpoint(double, dataset):
    listed = {d["id"] for d in walk_cursor(double, "/api/v2/deals", limit=500)}
    archived = walk_cursor(double, "/api/v2/deals/archived", limit=500)

    assert archived and all(d["is_archived"] for d in archived)
    assert [d["id"] for d in archived] == [d.id for d in dataset.archived_deals()]
    assert not listed & {d["id"] for d in archived}


def test_status_deleted_returns_deals_deleted_in_the_last_30_days_only(double, dataset):
    deleted = walk_cursor(double, "/api/v2/deals", status="deleted", limit=500)
    forgotten = [d for d in dataset.deals if d.is_deleted and not d.is_recently_deleted(dataset.as_of)]

    assert deleted and all(d["is_deleted"] and d["status"] == "deleted" for d in deleted)
    assert [d["id"] for d in deleted] == [d.id for d in dataset.recently_deleted_deals() if not d.is_archived]
    assert forgotten  # there are older deletions, and the API no longer shows them
    assert get(double, f"/api/v2/deals/{forgotten[0].id}").status == 404


def test_status_filters_take_a_comma_list(double, dataset):
    won_or_lost = walk_cursor(double, "/api/v2/deals", status="won,lost", limit=500)

    assert {d["status"] for d in won_or_lost} == {"won", "lost"}
    assert len(won_or_lost) == sum(1 for d in dataset.listed_deals() if d.status in ("won", "lost"))
    assert get(double, "/api/v2/deals", status="closed").status == 400


def test_deal_filters_updated_since_until_owner_and_ids(double, dataset):
    since, until = datetime(2024, 1, 1, tzinfo=UTC), datetime(2025, 1, 1, tzinfo=UTC)
    window = walk_cursor(
        double,
        "/api/v2/deals",
        updated_since="2024-01-01T00:00:00Z",
        updated_until="2025-01-01T00:00:00Z",
        limit=500,
    )
    ids = [d.id for d in dataset.listed_deals()][:100]

    assert [d["id"] for d in window] == [
        d.id for d in dataset.listed_deals() if since <= d.update_time < until
    ]
    assert [
        d["id"] for d in get(double, "/api/v2/deals", ids=",".join(map(str, ids)), limit=500).json["data"]
    ] == ids
    assert get(double, "/api/v2/deals", ids=",".join(map(str, range(1, 102)))).status == 400
    assert get(double, "/api/v2/deals", updated_since="2024-01-01").status == 400


def test_sorting_by_update_time_descending_pages_without_repeats(double, dataset):
    deals = walk_cursor(double, "/api/v2/deals", sort_by="update_time", sort_direction="desc", limit=200)

    expected = sorted(dataset.listed_deals(), key=lambda d: (d.update_time, d.id), reverse=True)
    assert [d["id"] for d in deals] == [d.id for d in expected]


def test_custom_fields_selects_at_most_15_keys(double, dataset):
    keys = [f.key for f in dataset.custom_fields_of("deal")]
    assert len(keys) > 15

    chosen = get(double, "/api/v2/deals", custom_fields=",".join(keys[:2]), limit=1).json["data"][0]
    refused = get(double, "/api/v2/deals", custom_fields=",".join(keys[:16]))

    assert set(chosen["custom_fields"]) == set(keys[:2])
    assert refused.status == 400
    assert "at most 15" in refused.json["error"]


def test_include_option_labels_turns_option_ids_into_id_label_pairs(double, dataset):
    [opportunity_type] = dataset.field_named("deal", "Opportunity type")
    defence = next(o for o in opportunity_type.options if o.label == "Defence")
    old = next(d for d in dataset.listed_deals() if d.custom.get(opportunity_type.key) == defence.id)
    esa = next(o for o in opportunity_type.options if o.label == "ESA")
    recent = next(d for d in dataset.listed_deals() if d.custom.get(opportunity_type.key) == esa.id)

    plain = get(double, f"/api/v2/deals?ids={recent.id},{old.id}").json["data"]
    labelled = get(double, f"/api/v2/deals?ids={recent.id},{old.id}&include_option_labels=true").json["data"]

    assert plain[0]["custom_fields"][opportunity_type.key] in (esa.id, defence.id)
    by_id = {d["id"]: d["custom_fields"][opportunity_type.key] for d in labelled}
    assert by_id[recent.id] == {"id": esa.id, "label": "ESA"}
    assert by_id[old.id] == {"id": defence.id, "label": None}  # a deleted option has no label left


def test_v2_booleans_are_strict(double):
    assert get(double, "/api/v2/deals", include_option_labels="1").status == 400
    assert get(double, "/api/v2/activities", done="yes").status == 400
    assert get(double, "/api/v2/activities", done="true").status == 200


# -- representations -------------------------------------------------------------------------------


def test_one_deal_in_v1_and_v2_shapes(double, dataset):
    k = {f.name + "/" + f.field_type: f.key for f in dataset.custom_fields_of("deal")}
    deal = next(
        d
        for d in dataset.listed_deals()
        if d.custom.get(k["Budget estimate/monetary"]) and d.custom.get(k["Programme/set"]) and d.label_ids
    )

    v2 = get(double, f"/api/v2/deals/{deal.id}").json["data"]
    v1 = get(double, f"/api/v1/deals/{deal.id}").json["data"]

    amount, currency = deal.custom[k["Budget estimate/monetary"]]
    assert v2["add_time"] == deal.add_time.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert v1["add_time"] == deal.add_time.strftime("%Y-%m-%d %H:%M:%S")
    assert v2["owner_id"] == deal.owner_id
    assert v1["user_id"]["value"] == deal.owner_id and v1["user_id"]["has_pic"] == 0
    assert v2["label_ids"] == list(deal.label_ids)
    assert v1["label"] == ",".join(map(str, deal.label_ids))
    assert v2["visible_to"] == deal.visible_to and v1["visible_to"] == str(deal.visible_to)
    assert v2["custom_fields"][k["Budget estimate/monetary"]] == {"value": int(amount), "currency": currency}
    assert v1[k["Budget estimate/monetary"]] == int(amount)
    assert v1[k["Budget estimate/monetary"] + "_currency"] == currency
    assert v2["custom_fields"][k["Programme/set"]] == deal.custom[k["Programme/set"]]
    assert v1[k["Programme/set"]] == ",".join(map(str, deal.custom[k["Programme/set"]]))
    assert "custom_fields" not in v1 and k["Programme/set"] not in v2


def test_persons_carry_several_labelled_emails_and_phones(double, dataset):
    person = next(p for p in dataset.listed_persons() if len(p.emails) > 1 and len(p.phones) > 1)

    v2 = get(double, f"/api/v2/persons/{person.id}").json["data"]
    v1 = next(p for p in get(double, "/api/v1/persons", limit=500).json["data"] if p["id"] == person.id)

    assert v2["emails"] == [{"value": e.value, "primary": e.primary, "label": e.label} for e in person.emails]
    assert v1["email"] == [{"label": e.label, "value": e.value, "primary": e.primary} for e in person.emails]
    assert {p["label"] for p in v2["phones"]} == {"work", "mobile"}
    assert v1["org_id"] == (None if person.org_id is None else {**v1["org_id"], "value": person.org_id})


def test_leads_have_uuid_ids_iso_times_and_deal_custom_fields_at_the_root(double, dataset):
    leads = get(double, "/api/v1/leads", limit=500).json["data"]
    budget = next(f.key for f in dataset.custom_fields_of("lead") if f.name == "Budget estimate")

    assert [lead["id"] for lead in leads] == [lead.id for lead in dataset.listed_leads()]
    assert all(UUID.match(lead["id"]) for lead in leads)
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", leads[0]["add_time"])
    assert all(budget in lead and budget + "_currency" in lead for lead in leads)
    archived = get(double, "/api/v1/leads/archived", limit=500).json["data"]
    assert [lead["id"] for lead in archived] == [lead.id for lead in dataset.archived_leads()]
    assert archived and all(lead["is_archived"] for lead in archived)


def test_field_definitions_have_hash_keys_options_subfields_and_a_duplicate_name(double, dataset):
    fields = walk_cursor(double, "/api/v2/dealFields", limit=10)
    custom = [f for f in fields if f["is_custom_field"]]
    by_type = {f["field_type"] for f in custom}

    assert all(HEX_KEY.match(f["field_code"]) for f in custom)
    assert {
        "enum",
        "set",
        "monetary",
        "address",
        "daterange",
        "user",
        "org",
        "people",
        "date",
        "double",
        "varchar",
        "text",
    } <= by_type
    assert [f["field_type"] for f in custom if f["field_name"] == "Mission"] == ["varchar", "enum"]
    monetary = next(f for f in custom if f["field_type"] == "monetary")
    assert [s["field_code"] for s in monetary["subfields"]] == ["value", "currency"]
    opportunity = next(f for f in custom if f["field_name"] == "Opportunity type")
    assert "Defence" not in [o["label"] for o in opportunity["options"]]  # v2 shows live options only


def test_v1_lead_fields_inherit_deal_fields_and_keep_deleted_options(double, dataset):
    fields = get(double, "/api/v1/leadFields", limit=500).json["data"]
    opportunity = next(f for f in fields if f["name"] == "Opportunity type")

    assert {f.key for f in dataset.custom_fields_of("deal")} <= {f["key"] for f in fields}
    assert opportunity["options_deleted"] == [
        {"id": o.id, "label": "Defence"}
        for o in dataset.field_named("deal", "Opportunity type")[0].options
        if o.is_deleted
    ]
    assert get(double, "/api/v1/noteFields").json["data"][0]["key"] == "content"


def test_pipelines_include_the_deleted_one_and_stages_filter_by_pipeline(double, dataset):
    pipelines = get(double, "/api/v2/pipelines").json["data"]
    esa = next(p for p in pipelines if p["name"] == "ESA Sales")
    stages = get(double, "/api/v2/stages", pipeline_id=esa["id"]).json["data"]

    assert [p["name"] for p in pipelines if not p["is_deleted"]] == [
        "Business Development",
        "Mission",
        "RFI",
        "ESA Sales",
        "CCN",
        "Non-ESA",
        "Product",
        "S2M2",
    ]
    assert [p["name"] for p in pipelines if p["is_deleted"]] == ["Tenders 2019"]
    assert [s["name"] for s in stages] == [
        "Opportunity identified",
        "ITT expected",
        "Proposal preparation",
        "Proposal submitted",
        "Negotiation",
    ]


def test_the_deal_flow_ends_in_the_current_stage_and_closes_at_the_won_or_lost_time(double, dataset):
    deals = [d for d in dataset.listed_deals() if d.moves and d.status in ("won", "lost")][:15]
    for deal in deals:
        reply = get(double, f"/api/v1/deals/{deal.id}/flow").json
        changes = [item["data"] for item in reply["data"] if item["object"] == "dealChange"]
        stage_changes = [c for c in changes if c["field_key"] == "stage_id"]
        status = next(c for c in changes if c["field_key"] == "status")

        assert stage_changes[0]["new_value"] == str(deal.stage_id)  # newest first
        assert len(stage_changes) == len(deal.moves)
        assert status["new_value"] == deal.status
        assert status["log_time"] == deal.close_time.strftime("%Y-%m-%d %H:%M:%S")
        assert reply["related_objects"]["user"]


def test_old_mission_histories_pass_through_a_deleted_stage(dataset):
    deleted_stage = next(s for s in dataset.stages if s.name == "Pre-study")

    assert deleted_stage.is_deleted
    assert any(m.to_stage == deleted_stage.id for d in dataset.deals for m in d.moves)
    assert not any(d.stage_id == deleted_stage.id for d in dataset.deals)


def test_deal_products_list_the_lines_of_a_deal(double, dataset):
    deal = next(d for d in dataset.listed_deals() if len(d.products) > 1)

    lines = get(double, f"/api/v2/deals/{deal.id}/products").json["data"]

    assert [(line["product_id"], line["quantity"]) for line in lines] == [
        (p.product_id, int(p.quantity)) for p in deal.products
    ]


# -- the dataset -------------------------------------------------------------------------------------


def test_the_dataset_is_shaped_like_the_customers_account(dataset):
    names = [o.name for o in dataset.organizations]

    assert len(dataset.users) == 5 and [u.name for u in dataset.users if not u.active] == ["Thomas Keller"]
    assert {"Thales Alenia Space", "THALES ALENIA SPACE France", "European Space Agency"} <= set(names)
    assert set(dataset.deal_counts_by_pipeline()) == {
        "Business Development",
        "Mission",
        "RFI",
        "ESA Sales",
        "CCN",
        "Non-ESA",
        "Product",
        "S2M2",
    }
    assert {d.status for d in dataset.deals} == {"open", "won", "lost", "deleted"}
    assert any(n.pinned_to_deal for n in dataset.notes) and any(n.lead_id for n in dataset.notes)
    assert any("<script>" in n.content for n in dataset.notes)
    assert {a.done for a in dataset.activities} == {True, False}
    assert any(len(a.participants) > 1 for a in dataset.activities)
    late = sum(1 for a in dataset.activities if a.due_date.year > 2022)
    assert late < len(dataset.activities) / 2  # activities mostly stopped in 2022
    assert any(d.value < 0 for d in dataset.deals if dataset.pipeline(d.pipeline_id).name == "CCN")


def test_the_same_seed_gives_the_same_account_and_values_add_up(dataset):
    again = generate_dataset(seed=7, deals=len(list(dataset.deals)))

    assert again.deal_value_by_pipeline() == dataset.deal_value_by_pipeline()
    assert [a.subject for a in again.activities][:50] == [a.subject for a in dataset.activities][:50]
    assert sum(dataset.deal_counts_by_pipeline().values()) == len(dataset.importable_deals())


def test_a_100k_deal_account_is_read_lazily():
    # Records are generated on demand from (seed, id): asking for the last one builds no others.
    large = generate_dataset(seed=1, deals=100_000)

    assert large.deals.get(99_999).id == 99_999
    assert next(large.persons.after(24_000)).id == 24_001
    assert large.activities.get(299_999).id == 299_999


# -- rate limits -------------------------------------------------------------------------------------


def test_the_daily_budget_runs_out_for_every_endpoint_until_server_midnight(start_double, clock):
    double = start_double(budget=20, server_timezone="Europe/Zurich")

    spent = [get(double, "/api/v2/deals").status for _ in range(2)]
    exhausted = get(double, "/api/v2/deals")
    also = get(double, "/api/v1/users/me")
    clock.advance_to(datetime(2026, 9, 1, 22, 0, 1, tzinfo=UTC))  # 00:00:01 in Zurich
    renewed = get(double, "/api/v2/deals")

    assert spent == [200, 200]
    assert exhausted.status == 429 and also.status == 429
    assert exhausted.headers["x-daily-ratelimit-token-remaining"] == "0"
    assert "retry-after" not in exhausted.headers
    assert renewed.status == 200
    assert renewed.headers["x-daily-ratelimit-token-remaining"] == "10"


def test_token_costs_follow_the_published_table(start_double):
    double = start_double(budget=1000)
    costs = {}
    for path in (
        "/api/v2/deals",
        "/api/v2/deals/3",
        "/api/v2/pipelines",
        "/api/v1/notes",
        "/api/v1/leads",
        "/api/v1/leads/archived",
        "/api/v1/deals/3/flow",
        "/api/v1/users/me",
    ):
        before = double.budget_remaining
        get(double, path)
        costs[path] = before - double.budget_remaining

    assert costs == {
        "/api/v2/deals": 10,
        "/api/v2/deals/3": 1,
        "/api/v2/pipelines": 5,
        "/api/v1/notes": 20,
        "/api/v1/leads": 20,
        "/api/v1/leads/archived": 40,
        "/api/v1/deals/3/flow": 40,
        "/api/v1/users/me": 2,
    }


def test_the_burst_window_answers_429_without_retry_after(start_double, clock):
    double = start_double(burst=3)

    statuses = [get(double, "/api/v2/pipelines").status for _ in range(4)]
    refused = get(double, "/api/v2/pipelines")
    clock.sleep(2.0)
    again = get(double, "/api/v2/pipelines")

    assert statuses == [200, 200, 200, 429]
    assert refused.headers["x-ratelimit-limit"] == "3"
    assert refused.headers["x-ratelimit-remaining"] == "0"
    assert refused.headers["x-ratelimit-reset"] == "2"
    assert "retry-after" not in refused.headers
    assert again.status == 200


def test_the_burst_is_per_token_and_the_budget_per_company(start_double):
    double = start_double(burst=1, budget=30)
    other = double.add_token()

    assert get(double, "/api/v2/deals").status == 200
    assert get(double, "/api/v2/deals", token=other).status == 200
    assert get(double, "/api/v2/deals").status == 429
    assert double.budget_remaining == 10


def test_hammering_after_429s_gets_cloudflares_403_html_page(start_double):
    double = start_double(burst=1, abuse_after=3)

    statuses = [get(double, "/api/v2/deals").status for _ in range(5)]
    blocked = get(double, "/api/v2/deals")

    assert statuses == [200, 429, 429, 429, 403]
    assert blocked.status == 403
    assert blocked.headers["content-type"].startswith("text/html")
    assert b"Sorry, you have been blocked" in blocked.body
    with pytest.raises(json.JSONDecodeError):
        _ = blocked.json


def test_the_daily_budget_headers_can_be_missing(start_double):
    double = start_double(daily_headers="alternate")

    first, second = get(double, "/api/v2/deals"), get(double, "/api/v2/deals")

    assert "x-daily-ratelimit-token-remaining" in first.headers
    assert "x-daily-ratelimit-token-remaining" not in second.headers
    assert "x-ratelimit-remaining" in second.headers


# -- faults ----------------------------------------------------------------------------------------------


def test_injected_failures_then_normal_service(double):
    double.fail_next(2, status=503)

    statuses = [get(double, "/api/v2/deals").status for _ in range(3)]

    assert statuses == [503, 503, 200]


def test_faults_can_target_one_path(double):
    double.fail_next(1, status=500, path="/flow")

    assert get(double, "/api/v2/deals").status == 200
    assert get(double, "/api/v1/deals/3/flow").status == 500


def test_a_dropped_connection_cuts_the_body(double):
    double.disconnect_next()

    with pytest.raises(http.client.IncompleteRead):
        get(double, "/api/v2/deals")
    assert get(double, "/api/v2/deals").status == 200


def test_slow_responses(double):
    double.delay_next(1, seconds=0.3)

    started = time.perf_counter()
    get(double, "/api/v2/pipelines")

    assert time.perf_counter() - started >= 0.3


def test_every_request_is_logged(double):
    get(double, "/api/v2/deals", token="wrong")
    get(double, "/api/v2/deals", limit=2)

    assert [(r.path, r.status, r.authenticated) for r in double.requests] == [
        ("/api/v2/deals", 401, False),
        ("/api/v2/deals", 200, True),
    ]
    assert double.requests[1].query == {"limit": "2"}


def test_recent_deletion_window_is_relative_to_the_accounts_today(dataset):
    assert all(
        dataset.as_of - timedelta(days=30) <= d.deleted_time <= dataset.as_of
        for d in dataset.recently_deleted_deals()
    )
