"""The restructuring map, without a database: reading, questions, mistakes reported with their path."""

from datetime import UTC, datetime

import pytest

from apogee.integrations.pipedrive.restructuring import (
    MapError,
    StageTarget,
    Unmapped,
    check_against,
    load_map,
    translate_history,
)

MAP = """
version: 1
pipelines:
  ESA Sales:
    to: Sales
    values: {opportunity_type: esa}
    stages:
      Opportunity identified: Opportunity identified
      Proposal being made: Proposal preparation
      Proposal made: Proposal at customer
  Product:
    to: Sales
    values: {product_line: [motor]}
    unmapped_stage: Opportunity in evaluation
  RFI:
    to: RFI
    unmapped_stage: error
    stages: {Received: RFI received}
  "*": {to: Sales}
fields:
  deal:
    Programme: {to: programme, options: {Horizon Europe: horizon_europe, EIC: eic_accelerator}}
    ESA reference: {to: "builtin:tender_reference"}
    Old internal code: drop
    "*": create
  person:
    "*": drop
users:
  Marc Dubois: marc
  lea.rochat@example.com: lea
  "*": sophie
unmapped_option: drop
"""


@pytest.fixture
def the_map():
    return load_map(MAP)


def test_a_legacy_stage_lands_where_the_map_says_with_its_qualification(the_map):
    target = the_map.stage_for("ESA Sales", "Proposal being made")
    assert target == StageTarget("Sales", "Proposal preparation", {"opportunity_type": "esa"}, exact=True)


def test_names_match_without_case_accents_or_extra_spaces(the_map):
    assert the_map.stage_for("esa  SALES", "proposal MADE").stage == "Proposal at customer"
    assert the_map.field_rule("deal", "programme").to == "programme"
    assert the_map.field_rule("deal", "Programme").option_for("horizon europe") == "horizon_europe"


def test_unmapped_stages_follow_the_pipelines_fallback(the_map):
    assert the_map.stage_for("ESA Sales", "Some new column") == StageTarget(
        "Sales", None, {"opportunity_type": "esa"}, exact=False
    )
    assert the_map.stage_for("Product", "Prototype").stage == "Opportunity in evaluation"
    assert the_map.stage_for("Product", "Prototype").values == {"product_line": ["motor"]}
    with pytest.raises(Unmapped, match="stage “Closed” in the pipeline “RFI”"):
        the_map.stage_for("RFI", "Closed")


def test_an_unknown_pipeline_goes_to_the_catch_all_or_is_refused(the_map):
    assert the_map.stage_for("S2M2", "Anything").pipeline == "Sales"
    without = load_map("pipelines: {CCN: {to: CCN}}")
    with pytest.raises(Unmapped, match="pipeline “S2M2”"):
        without.stage_for("S2M2", "Anything")


def test_field_rules_map_create_or_drop(the_map):
    assert the_map.field_rule("deal", "ESA reference").builtin == "tender_reference"
    assert the_map.field_rule("deal", "Old internal code").action == "drop"
    assert the_map.field_rule("deal", "Something else").action == "create"
    assert the_map.field_rule("person", "Hobby").action == "drop"
    assert the_map.field_rule("organization", "Size").action == "create"
    assert the_map.unmapped_option == "drop"


def test_users_by_name_or_email_else_the_default_owner(the_map):
    assert the_map.user_for("Marc Dubois", "marc@old.example") == "marc"
    assert the_map.user_for("Léa R.", "Lea.Rochat@example.com") == "lea"
    assert the_map.user_for("Someone who left", None) == "sophie"


def test_history_collapses_stages_that_land_together():
    at = [datetime(2021, 1, d, tzinfo=UTC) for d in range(1, 5)]
    first = StageTarget("Sales", "First contact", {}, True)
    second = StageTarget("Sales", "Opportunity identified", {}, True)
    moves = [(first, at[0]), (first, at[1]), (second, at[2]), (first, at[3])]
    assert translate_history(moves) == [(first, at[0]), (second, at[2]), (first, at[3])]


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("pipelines: {ESA Sales: {values: {}}}", "pipelines › ESA Sales"),
        ("pipelines: {ESA Sales: {to: Sales, stagez: {}}}", "pipelines › ESA Sales"),
        ("fields: {deal: {Programme: {action: map}}}", "fields › deal › Programme"),
        ("fields: {contract: {}}", "fields › contract"),
        ("fields: {deal: {'*': keep}}", "fields › deal › *"),
        ("unmapped_option: maybe", "unmapped_option"),
        ("version: 2", "version"),
        ("pipelines: [a, b]", "pipelines"),
        ("pipelines: {ESA Sales: {to: Sales\n", "line"),
    ],
)
def test_mistakes_name_their_place(text, where):
    with pytest.raises(MapError) as error:
        load_map(text)
    assert str(error.value).startswith(where)


def test_check_against_the_workspace_lists_what_does_not_exist(the_map):
    problems = check_against(
        the_map,
        stages={
            "Sales": ["First contact", "Opportunity identified", "Proposal preparation"],
            "RFI": ["RFI received"],
        },
        field_keys={"deal": {"programme"}},
        builtin_fields={"deal": {"tender_reference"}},
        usernames={"marc", "sophie"},
    )
    messages = sorted(str(p) for p in problems)
    assert messages == [
        "pipelines › ESA Sales › stages: “Sales” has no stage “Proposal at customer”",
        "pipelines › Product › stages: “Sales” has no stage “Opportunity in evaluation”",
        "users: Apogee has no user “lea”",
    ]
