"""Garbage in, a 4xx out: wrong types, huge numbers, unknown fields, bad dates, missing ids.

Never a 500, always the JSON error envelope, and nothing written. The Django test
client re-raises a view's exception, so a crash fails the test loudly.
"""

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apogee.contacts.models import Organization, Person
from apogee.core.models import DomainEvent
from apogee.customfields.models import FieldDefinition
from apogee.deals.models import Deal
from apogee.pipelines.models import Pipeline, Stage
from tests.deals.factories import make_deal, stage

pytestmark = pytest.mark.django_db

HUGE = 10**30
INT64_MAX = 2**63 - 1


@pytest.fixture
def api(api_as, admin):
    """An administrator passes every permission check, so the input reaches the deepest validation."""
    return api_as(admin)


@pytest.fixture
def world(workspace, salesperson):
    """A deal to aim at and the ids of the things around it."""
    sales = workspace["Sales"]
    deal = make_deal(pipeline=sales, owner=salesperson, title="Target")
    return {"deal": deal.pk, "sales": sales.pk, "first_stage": stage(sales, "First contact").pk}


def _written():
    return (
        list(Deal.objects.values_list("id", "title", "version", "stage_id", "status", "value")),
        Organization.objects.count(),
        Person.objects.count(),
        list(Pipeline.objects.values_list("id", "name", "is_archived")),
        list(Stage.objects.values_list("id", "name", "probability", "rotting_days")),
        FieldDefinition.objects.count(),
        DomainEvent.objects.count(),
    )


# (method, path, body: a dict, raw JSON text or None, expected status). A POST /deals body
# is added to a valid title and pipeline, so only the field named is wrong.
GARBAGE = [
    pytest.param("post", "/deals", {"title": 42}, 422, id="title is a number"),
    pytest.param("post", "/deals", {"pipeline_id": "sales"}, 422, id="pipeline id is text"),
    pytest.param("post", "/deals", {"pipeline_id": HUGE}, 422, id="pipeline id is huge"),
    pytest.param("post", "/deals", {"stage_id": HUGE}, 422, id="stage id is huge"),
    pytest.param("post", "/deals", {"owner_id": INT64_MAX + 1}, 422, id="owner id past 64 bits"),
    pytest.param("post", "/deals", {"organization_id": -3}, 422, id="organization id negative"),
    pytest.param("post", "/deals", {"value": "1e999999"}, 422, id="value with a huge exponent"),
    pytest.param("post", "/deals", {"value": 10**20}, 422, id="value too large"),
    pytest.param(
        "post", "/deals", '{"title": "x", "pipeline_id": 1, "value": 1e400}', 422, id="value infinite"
    ),
    pytest.param("post", "/deals", {"value": "NaN"}, 422, id="value NaN"),
    pytest.param("post", "/deals", {"value": "10.001"}, 422, id="value with tenths of cents"),
    pytest.param("post", "/deals", {"value": -1}, 422, id="value negative"),
    pytest.param("post", "/deals", {"expected_close_date": "2026-02-30"}, 422, id="impossible date"),
    pytest.param("post", "/deals", {"expected_close_date": "next week"}, 422, id="date in words"),
    pytest.param("post", "/deals", {"visibility": "secret"}, 422, id="unknown visibility"),
    pytest.param("post", "/deals", {"currency": "X" * 5000}, 422, id="currency is a novel"),
    pytest.param("post", "/deals", {"title": "x" * 100_000}, 422, id="title is a novel"),
    pytest.param("post", "/deals", {"custom_fields": ["esa"]}, 422, id="custom fields is a list"),
    pytest.param("post", "/deals", {"custom_fields": {"programme": "mars"}}, 422, id="custom option unknown"),
    pytest.param("post", "/deals", {"custom_fields": {"colour": "red"}}, 422, id="custom field unknown"),
    pytest.param("post", "/deals", {"participants": "everyone"}, 422, id="participants not a list"),
    pytest.param(
        "post",
        "/deals",
        {"participants": [{"person_id": 1, "role": "boss"}]},
        422,
        id="participant role unknown",
    ),
    pytest.param("post", "/deals", {"colour": "red"}, 422, id="unknown top-level field"),
    pytest.param("post", "/deals", "[1, 2, 3]", 422, id="body is a list"),
    pytest.param("post", "/deals", "null", 422, id="body is null"),
    pytest.param("post", "/deals", "title=hello", 400, id="body is not JSON"),
    pytest.param("post", "/deals", '{"title": "x", ', 400, id="body is truncated JSON"),
    pytest.param("post", "/deals", '{"title": "a\\u0000b", "pipeline_id": 1}', 400, id="body has a NUL"),
    pytest.param("post", "/deals", "", 422, id="body is empty"),
    pytest.param("patch", "/deals/{deal}", {"version": "one"}, 422, id="version is text"),
    pytest.param("patch", "/deals/{deal}", {"version": HUGE, "title": "x"}, 409, id="version is huge"),
    pytest.param(
        "patch", "/deals/{deal}", {"version": 1, "organization_id": HUGE}, 422, id="organization id huge"
    ),
    pytest.param("patch", "/deals/{deal}", {"version": 1, "owner_id": HUGE}, 422, id="owner id huge"),
    pytest.param("post", "/deals/{deal}/move", {"stage_id": "next"}, 422, id="move stage id text"),
    pytest.param("post", "/deals/{deal}/move", {"stage_id": HUGE}, 422, id="move stage id huge"),
    pytest.param("post", "/deals/{deal}/move", "", 422, id="move without body"),
    pytest.param("post", "/deals/{deal}/lost", {"lost_reason_id": HUGE}, 422, id="lost reason huge"),
    pytest.param(
        "post", "/deals/{deal}/participants", {"person_id": HUGE}, 422, id="participant person huge"
    ),
    pytest.param("get", "/deals/abc", None, 422, id="deal id is text"),
    pytest.param("get", f"/deals/{HUGE}", None, 404, id="deal id is huge"),
    pytest.param("get", "/deals/-1", None, 404, id="deal id is negative"),
    pytest.param("delete", "/deals/{deal}/participants/" + str(HUGE), None, 404, id="participant id huge"),
    pytest.param("get", "/organizations/1e3", None, 422, id="organization id is a float"),
    pytest.param("post", "/organizations", {"name": None}, 422, id="organization name null"),
    pytest.param(
        "post", "/organizations", {"name": "A", "roles": "prime"}, 422, id="organization roles a string"
    ),
    pytest.param(
        "post",
        "/organizations",
        {"name": "A", "website": "javascript:alert(1)"},
        422,
        id="organization website script",
    ),
    pytest.param(
        "post",
        "/organizations",
        {"name": "A", "website": "https://a.ch/" + "x" * 300},
        422,
        id="organization website too long",
    ),
    pytest.param(
        "post",
        "/organizations",
        {"name": "A", "email_domains": [1, 2]},
        422,
        id="organization domains numbers",
    ),
    pytest.param("post", "/persons", {"name": "A", "emails": "a@b.ch"}, 422, id="person emails a string"),
    pytest.param(
        "post", "/persons", {"name": "A", "emails": ["a" * 300 + "@b.ch"]}, 422, id="person email too long"
    ),
    pytest.param("post", "/persons", {"name": "A", "phones": [41791234567]}, 422, id="person phones numbers"),
    pytest.param(
        "post", "/persons", {"name": "A", "organization_id": HUGE}, 422, id="person organization huge"
    ),
    pytest.param(
        "post",
        "/custom-fields",
        {"entity": "deal", "label_en": "A", "field_type": "single_option", "options": "a,b"},
        422,
        id="field options a string",
    ),
    pytest.param(
        "post",
        "/custom-fields",
        {"entity": "deal", "label_en": "A", "field_type": "blob"},
        422,
        id="field type unknown",
    ),
    pytest.param("post", "/pipelines", {"name": ["Sales"]}, 422, id="pipeline name a list"),
    pytest.param("patch", "/stages/{first_stage}", {"probability": HUGE}, 422, id="stage probability huge"),
    pytest.param(
        "patch", "/stages/{first_stage}", {"rotting_days": -5}, 422, id="stage rotting days negative"
    ),
    pytest.param(
        "patch", "/stages/{first_stage}", {"gate_field_keys": "mission"}, 422, id="stage gates a string"
    ),
    pytest.param("delete", "/stages/first", None, 422, id="stage id text"),
    pytest.param(
        "delete", "/stages/{first_stage}?move_deals_to=" + str(HUGE), None, 422, id="move deals to huge"
    ),
    pytest.param("get", f"/pipelines/{HUGE}", None, 404, id="pipeline id huge"),
]


@pytest.mark.parametrize(("method", "path", "body", "expected_status"), GARBAGE)
def test_garbage_is_refused_with_a_json_error_and_writes_nothing(
    api, world, method, path, body, expected_status
):
    url = "/api/v1" + path.format(**world)
    before = _written()

    if method in ("get", "delete"):
        response = getattr(api.http, method)(url)
    else:
        if isinstance(body, dict) and (method, path) == ("post", "/deals"):
            body = {"title": "Fuzzed", "pipeline_id": world["sales"], **body}
        raw = body if isinstance(body, str) else json.dumps(body)
        response = getattr(api.http, method)(url, raw, content_type="application/json")

    assert response.status_code == expected_status
    assert response["Content-Type"].startswith("application/json")
    assert set(response.json()) >= {"code", "message", "fields"}
    assert _written() == before


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("limit=abc", "limit"),
        ("limit=0", "limit"),
        (f"offset={HUGE}", "offset"),
        (f"owner={HUGE}", "owner.0"),
        ("owner=", "owner.0"),
        ("stage=-1", "stage.0"),
        ("pipeline=1.5", "pipeline.0"),
        ("value_min=1e999999", "value_min"),
        ("value_max=-1e999999", "value_max"),
        ("value_max=NaN", "value_max"),
        ("value_max=Infinity", "value_max"),
        ("close_from=2026-13-45", "close_from"),
        ("f=::", "f"),
        ("f=product_line:has:", "f"),
        ("f=opportunity_type:gt:esa", "f"),
        ("ordering=owner__password", "ordering"),
        ("q=%00", "q"),
        ("status=", "status"),
        ("f=mission", None),
        ("currency=%F0%9F%98%80", None),
        ("q=" + "x" * 10_000, None),
    ],
)
def test_garbage_list_parameters_are_422_on_that_parameter(api, world, query, field):
    response = api.http.get("/api/v1/deals?" + query)

    if field is None:
        assert (response.status_code, response.json()["count"]) == (200, 0)
    else:
        assert response.status_code == 422
        assert (response.json()["code"], list(response.json()["fields"])) == ("validation_failed", [field])


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30)
    | st.sampled_from(["", "esa", "2026-02-30", "2026-06-01", "1e999", "CHF", "owner", "-1", "0.001"]),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=10), children, max_size=3)
    ),
    max_leaves=6,
)
DEAL_FIELDS = [
    "title",
    "pipeline_id",
    "stage_id",
    "owner_id",
    "organization_id",
    "value",
    "currency",
    "expected_close_date",
    "visibility",
    "custom_fields",
    "participants",
    "parent_contract_id",
    "version",
]
deal_bodies = st.dictionaries(st.sampled_from([*DEAL_FIELDS, "unknown"]), json_values, max_size=6)
custom_field_values = st.dictionaries(
    st.sampled_from(["opportunity_type", "programme", "product_line", "mission", "offer_type", "nope"]),
    json_values,
    max_size=3,
)

FUZZ = settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@FUZZ
@given(body=deal_bodies)
def test_fuzzed_deal_creation_never_crashes(api, world, body):
    response = api.post("/deals", body)

    # 400: a text with a NUL character, which PostgreSQL could not store
    assert response.status_code in (201, 400, 403, 409, 422), response.content
    assert set(response.json()) >= ({"id", "version"} if response.status_code == 201 else {"code", "fields"})


@FUZZ
@given(body=deal_bodies, custom=custom_field_values)
def test_fuzzed_deal_edits_and_moves_never_crash(api, world, body, custom):
    deal = world["deal"]

    edit = api.patch(f"/deals/{deal}", body)
    move = api.post(f"/deals/{deal}/move", {"stage_id": world["first_stage"], "custom_fields": custom})

    assert edit.status_code in (200, 400, 403, 409, 422), edit.content
    assert move.status_code in (200, 400, 422), move.content
