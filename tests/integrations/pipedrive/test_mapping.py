"""The pure mapping from legacy deals to plans: pipelines, translated history, qualification, options."""

from datetime import UTC, datetime
from decimal import Decimal

from apogee.integrations.pipedrive import records as r
from apogee.integrations.pipedrive.mapping import Issue, Legacy, TargetField, custom_values, deal_plan
from apogee.integrations.pipedrive.restructuring import load_map

MAP = load_map(
    """
pipelines:
  ESA Sales:
    to: Sales
    values: {opportunity_type: esa}
    stages:
      Identified: Opportunity identified
      Proposal being made: Proposal preparation
      Proposal made: Proposal at customer
      Negotiation: Selected / negotiation
  RFI:
    to: RFI
    stages: {Received: RFI received, ROM sent: ROM at customer}
  Non-ESA:
    to: Sales
    values: {opportunity_type: commercial}
    stages: {Contact: First contact, Offer: Proposal preparation, Offer sent: Proposal at customer}
fields:
  deal:
    Programme: {to: programme, options: {H2020 / Horizon: horizon_europe}}
    ITT number: {to: "builtin:tender_reference"}
    Internal code: drop
users:
  Marc Dubois: marc
  "*": sophie
unmapped_option: keep
"""
)

LEGACY = Legacy(
    pipelines={"1": "ESA Sales", "2": "RFI", "3": "Non-ESA"},
    stages={
        "11": ("1", "Identified"),
        "12": ("1", "Proposal being made"),
        "13": ("1", "Proposal made"),
        "14": ("1", "Negotiation"),
        "21": ("2", "Received"),
        "22": ("2", "ROM sent"),
        "31": ("3", "Contact"),
        "32": ("3", "Offer"),
        "33": ("3", "Offer sent"),
    },
    fields={
        "deal": {
            "a" * 40: r.Field("a" * 40, entity="deal", name="Programme", field_type="enum"),
            "b" * 40: r.Field("b" * 40, entity="deal", name="ITT number", field_type="varchar"),
            "c" * 40: r.Field("c" * 40, entity="deal", name="Internal code", field_type="varchar"),
            "d" * 40: r.Field("d" * 40, entity="deal", name="Customer type", field_type="enum"),
            "e" * 40: r.Field("e" * 40, entity="deal", name="Opportunity type", field_type="enum"),
        }
    },
    users={
        "7": r.User("7", name="Marc Dubois", email="marc@old.example"),
        "8": r.User("8", name="Gone Person"),
    },
)


def at(month, day):
    return datetime(2022, month, day, 8, 0, tzinfo=UTC)


def targets():
    return {
        "programme": TargetField(
            "programme", "single_option", {"horizon_europe": "Horizon Europe", "none": "None"}
        ),
        "opportunity_type": TargetField(
            "opportunity_type",
            "single_option",
            {"esa": "ESA", "commercial": "Commercial", "national": "National"},
        ),
    }


def deal(**extra):
    values = {
        "title": "Hinge",
        "pipeline": r.Ref("1"),
        "stage": r.Ref("13"),
        "status": "open",
        "value": Decimal("100"),
        "currency": "EUR",
        "owner": r.Ref("7"),
        "add_time": at(1, 10),
    }
    return r.Deal("500", **{**values, **extra})


def flow(*moves):
    return [
        r.StageChange(f"f{i}", deal=r.Ref("500"), from_stage=r.Ref(a), to_stage=r.Ref(b), at=when)
        for i, (a, b, when) in enumerate(moves)
    ]


def test_history_is_translated_and_collapsed_through_the_map():
    plan = deal_plan(
        deal(),
        flow=flow(("11", "12", at(2, 1)), ("12", "13", at(3, 1))),
        legacy=LEGACY,
        targets=targets(),
        the_map=MAP,
    )
    assert plan.pipeline == "Sales"
    assert plan.history == [
        ("Opportunity identified", at(1, 10)),
        ("Proposal preparation", at(2, 1)),
        ("Proposal at customer", at(3, 1)),
    ]
    assert plan.owner == "marc"
    assert plan.custom.values == {"opportunity_type": "esa"}


def test_moves_in_a_legacy_pipeline_that_maps_elsewhere_are_left_out():
    # Began as an RFI, moved into ESA Sales in April.
    plan = deal_plan(
        deal(stage=r.Ref("12")),
        flow=flow(("21", "22", at(2, 1)), ("22", "12", at(4, 1))),
        legacy=LEGACY,
        targets=targets(),
        the_map=MAP,
    )
    assert plan.pipeline == "Sales"
    assert plan.history == [("Proposal preparation", at(4, 1))]


def test_without_a_flow_the_deal_starts_in_its_current_stage():
    plan = deal_plan(deal(stage=r.Ref("14")), flow=[], legacy=LEGACY, targets=targets(), the_map=MAP)
    assert plan.history == [("Selected / negotiation", at(1, 10))]


def test_outcome_owner_and_trash():
    won = deal_plan(
        deal(status="won", won_time=at(5, 5), owner=r.Ref("8")),
        flow=[],
        legacy=LEGACY,
        targets=targets(),
        the_map=MAP,
    )
    assert (won.status, won.won_at, won.owner) == ("won", at(5, 5), "sophie")
    lost = deal_plan(
        deal(status="lost", close_time=at(6, 6), lost_reason="Price"),
        flow=[],
        legacy=LEGACY,
        targets=targets(),
        the_map=MAP,
    )
    assert (lost.status, lost.lost_at, lost.lost_reason) == ("lost", at(6, 6), "Price")
    gone = deal_plan(deal(status="deleted"), flow=[], legacy=LEGACY, targets=targets(), the_map=MAP)
    assert gone.deleted and gone.status == "open"


def test_custom_values_map_convert_create_and_drop():
    found = targets()
    out = custom_values(
        "deal",
        {
            "a" * 40: r.OptionRef("3", "H2020 / Horizon"),
            "b" * 40: "AO/1-12345",
            "c" * 40: "X-99",
            "d" * 40: r.OptionRef("9", "Prime contractor"),
        },
        legacy_fields=LEGACY.fields["deal"],
        targets=found,
        the_map=MAP,
    )
    assert out.values == {"programme": "horizon_europe", "customer_type": "prime_contractor"}
    assert out.builtins == {"tender_reference": "AO/1-12345"}
    # A created field and its option: the importer creates them before writing the deal.
    assert found["customer_type"].field_type == "single_option"
    assert [(o.field_key, o.key, o.label) for o in out.new_options] == [
        ("customer_type", "prime_contractor", "Prime contractor")
    ]


def test_the_deals_own_qualification_wins_over_the_pipelines():
    plan = deal_plan(
        deal(custom={"e" * 40: r.OptionRef("1", "National")}),
        flow=[],
        legacy=LEGACY,
        targets=targets(),
        the_map=MAP,
    )
    assert plan.custom.values["opportunity_type"] == "national"


def test_an_option_found_nowhere_follows_the_policy():
    strict = load_map(
        "pipelines: {'*': {to: Sales}}\nfields: {deal: {Programme: {to: programme}}}\nunmapped_option: error"
    )
    refused = deal_plan(
        deal(custom={"a" * 40: r.OptionRef("4", "FP7")}),
        flow=[],
        legacy=LEGACY,
        targets=targets(),
        the_map=strict,
    )
    assert isinstance(refused, Issue) and "FP7" in refused.message
    lenient = load_map(
        "pipelines: {'*': {to: Sales}}\nfields: {deal: {Programme: {to: programme}}}\nunmapped_option: drop"
    )
    plan = deal_plan(
        deal(custom={"a" * 40: r.OptionRef("4", "FP7")}),
        flow=[],
        legacy=LEGACY,
        targets=targets(),
        the_map=lenient,
    )
    assert "programme" not in plan.custom.values
    assert any("FP7" in issue.message for issue in plan.issues)
