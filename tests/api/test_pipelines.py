"""Pipelines and stages through the API: everyone reads them, only administrators change them."""

import pytest

from apogee.core.models import DomainEvent
from apogee.customfields.models import FieldDefinition
from apogee.deals.models import StageChange
from apogee.pipelines.models import Pipeline, Stage
from tests.deals.factories import make_deal, stage

pytestmark = pytest.mark.django_db


def test_pipelines_are_listed_with_their_stages_in_order(api_as, salesperson, workspace):
    response = api_as(salesperson).get("/pipelines")

    assert response.status_code == 200
    pipelines = response.json()
    assert [p["name"] for p in pipelines] == ["Missions", "RFI", "Sales", "CCN"]
    sales = pipelines[2]
    assert [s["name"] for s in sales["stages"]] == [
        "First contact",
        "Opportunity identified",
        "Opportunity in evaluation",
        "Proposal preparation",
        "Proposal at customer",
        "Selected / negotiation",
    ]
    evaluation = sales["stages"][2]
    assert evaluation == {
        "id": stage(workspace["Sales"], "Opportunity in evaluation").pk,
        "pipeline_id": workspace["Sales"].pk,
        "name": "Opportunity in evaluation",
        "position": 3,
        "probability": 30,
        "rotting_days": 30,
        "gate_field_keys": ["opportunity_type"],
    }
    missions = pipelines[0]
    assert (missions["handoff_target_id"], missions["handoff_mode"]) == (
        workspace["Sales"].pk,
        "create_linked",
    )


def test_archived_pipelines_are_listed_only_on_request(api_as, admin, workspace):
    api = api_as(admin)
    api.patch(f"/pipelines/{workspace['CCN'].pk}", {"is_archived": True})

    default = api.get("/pipelines")
    everything = api.get("/pipelines", {"include_archived": "true"})

    assert [p["name"] for p in default.json()] == ["Missions", "RFI", "Sales"]
    assert [p["name"] for p in everything.json()] == ["Missions", "RFI", "Sales", "CCN"]
    assert everything.json()[3]["is_archived"] is True


def test_admin_creates_a_pipeline_with_stages(api_as, admin, workspace):
    response = api_as(admin).post(
        "/pipelines", {"name": "Framework contracts", "stage_names": ["Call", "Bid"]}
    )

    assert response.status_code == 201
    pipeline = Pipeline.objects.get(name="Framework contracts")
    body = response.json()
    assert (body["id"], body["is_archived"], body["handoff_target_id"]) == (pipeline.pk, False, None)
    assert [(s["name"], s["position"]) for s in body["stages"]] == [("Call", 1), ("Bid", 2)]


def test_admin_renames_a_pipeline_and_sets_its_handoff(api_as, admin, workspace):
    ccn = workspace["CCN"]

    response = api_as(admin).patch(
        f"/pipelines/{ccn.pk}",
        {"name": "Change notices", "handoff_target_id": workspace["Sales"].pk, "handoff_mode": "move"},
    )

    assert response.status_code == 200
    assert (
        response.json()["name"],
        response.json()["handoff_target_id"],
        response.json()["handoff_mode"],
    ) == (
        "Change notices",
        workspace["Sales"].pk,
        "move",
    )
    ccn.refresh_from_db()
    assert (ccn.name, ccn.handoff_target, ccn.handoff_mode) == ("Change notices", workspace["Sales"], "move")


def test_handoff_target_null_removes_the_handoff(api_as, admin, workspace):
    missions = workspace["Missions"]

    response = api_as(admin).patch(f"/pipelines/{missions.pk}", {"handoff_target_id": None})

    assert response.status_code == 200
    missions.refresh_from_db()
    assert missions.handoff_target is None


def test_handoff_to_itself_or_to_nothing_is_422_on_handoff_target_id(api_as, admin, workspace):
    missions = workspace["Missions"]
    api = api_as(admin)

    to_itself = api.patch(f"/pipelines/{missions.pk}", {"handoff_target_id": missions.pk})
    to_nothing = api.patch(f"/pipelines/{missions.pk}", {"handoff_target_id": 555555})

    assert to_itself.status_code == 422
    assert to_itself.json()["fields"] == {"handoff_target_id": ["A pipeline cannot hand off to itself."]}
    assert to_nothing.status_code == 422
    assert to_nothing.json()["fields"] == {"handoff_target_id": ["Choose an existing pipeline."]}
    missions.refresh_from_db()
    assert missions.handoff_target == workspace["Sales"]


def test_admin_adds_and_edits_a_stage(api_as, admin, sales_pipeline):
    api = api_as(admin)

    added = api.post(
        f"/pipelines/{sales_pipeline.pk}/stages",
        {
            "name": "Contract signature",
            "probability": 95,
            "rotting_days": 10,
            "gate_field_keys": ["offer_type"],
        },
    )
    new_stage = Stage.objects.get(name="Contract signature")
    edited = api.patch(f"/stages/{new_stage.pk}", {"probability": 90, "rotting_days": None})

    assert added.status_code == 201
    assert added.json() == {
        "id": new_stage.pk,
        "pipeline_id": sales_pipeline.pk,
        "name": "Contract signature",
        "position": 7,
        "probability": 95,
        "rotting_days": 10,
        "gate_field_keys": ["offer_type"],
    }
    assert edited.status_code == 200
    new_stage.refresh_from_db()
    assert (new_stage.probability, new_stage.rotting_days) == (90, None)


def test_invalid_stage_settings_are_422_per_field(api_as, admin, sales_pipeline):
    response = api_as(admin).post(
        f"/pipelines/{sales_pipeline.pk}/stages",
        {"name": "Odd", "probability": 150, "rotting_days": 0, "gate_field_keys": ["no_such_field"]},
    )

    assert response.status_code == 422
    assert response.json()["fields"] == {
        "probability": ["Enter a whole number from 0 to 100."],
        "rotting_days": ["Enter a number of days from 1 to 3650, or leave empty."],
        "gate_field_keys": ["Unknown deal field: no_such_field"],
    }
    assert not Stage.objects.filter(name="Odd").exists()


def test_deleting_an_empty_stage(api_as, admin, sales_pipeline):
    empty = stage(sales_pipeline, "Proposal at customer")

    response = api_as(admin).delete(f"/stages/{empty.pk}")

    assert response.status_code == 200
    assert response.json() == {"moved_deals": 0}
    assert not Stage.objects.filter(pk=empty.pk).exists()


def test_deleting_a_stage_with_deals_needs_a_target_stage(api_as, admin, salesperson, sales_pipeline):
    first = stage(sales_pipeline, "First contact")
    identified = stage(sales_pipeline, "Opportunity identified")
    deals = [make_deal(pipeline=sales_pipeline, owner=salesperson, stage=first) for _ in range(2)]
    api = api_as(admin)

    refused = api.delete(f"/stages/{first.pk}")

    assert refused.status_code == 409
    assert refused.json()["code"] == "stage_has_deals"
    assert refused.json()["fields"] == {"move_deals_to": ["Choose the stage that receives the deals."]}
    assert Stage.objects.filter(pk=first.pk).exists()

    other_pipeline = api.delete(
        f"/stages/{first.pk}", {"move_deals_to": Stage.objects.exclude(pipeline=sales_pipeline).first().pk}
    )

    assert other_pipeline.status_code == 422
    assert other_pipeline.json()["fields"] == {"move_deals_to": ["Choose a stage of the deal's pipeline."]}
    assert Stage.objects.filter(pk=first.pk).exists()

    moved = api.delete(f"/stages/{first.pk}", {"move_deals_to": identified.pk})

    assert moved.status_code == 200
    assert moved.json() == {"moved_deals": 2}
    assert not Stage.objects.filter(pk=first.pk).exists()
    for deal in deals:
        deal.refresh_from_db()
        assert (deal.stage, deal.version) == (identified, 2)
    assert StageChange.objects.filter(to_stage=identified).count() == 2


ADMIN_WRITES = [
    ("post", "/pipelines", {"name": "Shadow pipeline"}),
    ("patch", "/pipelines/{sales}", {"name": "Renamed"}),
    ("patch", "/pipelines/{sales}", {"is_archived": True}),
    ("post", "/pipelines/{sales}/stages", {"name": "Shadow stage"}),
    ("patch", "/stages/{first_stage}", {"probability": 99}),
    ("delete", "/stages/{first_stage}", None),
    ("post", "/custom-fields", {"entity": "deal", "label_en": "Shadow", "field_type": "text"}),
    ("patch", "/custom-fields/{field}", {"label_en": "Renamed"}),
]


@pytest.mark.parametrize(("method", "path", "body"), ADMIN_WRITES)
@pytest.mark.parametrize("user_fixture", ["salesperson", "manager"])
def test_configuration_writes_are_403_for_non_admins_and_change_nothing(
    request, api_as, workspace, user_fixture, method, path, body
):
    sales = workspace["Sales"]
    field = FieldDefinition.objects.get(entity="deal", key="mission")
    url = path.format(sales=sales.pk, first_stage=stage(sales, "First contact").pk, field=field.pk)
    api = api_as(request.getfixturevalue(user_fixture))
    before = _configuration()
    events_before = DomainEvent.objects.count()

    response = getattr(api, method)(url, body)

    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert _configuration() == before
    assert DomainEvent.objects.count() == events_before


def _configuration():
    return (
        list(Pipeline.objects.values_list("id", "name", "is_archived")),
        list(Stage.objects.values_list("id", "name", "probability")),
        list(FieldDefinition.objects.values_list("id", "label_en")),
    )
