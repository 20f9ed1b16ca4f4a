"""The drafted restructuring map (`apogee pipedrive map --init`), without a database."""

import random
from dataclasses import replace

import pytest
import yaml

from apogee.integrations.pipedrive.apirecords import convert
from apogee.integrations.pipedrive.mapdraft import DraftInput, DraftTarget, draft_map
from apogee.integrations.pipedrive.records import Field, FieldOption, Pipeline, Ref, Stage, User
from apogee.integrations.pipedrive.restructuring import load_map, normalize
from tests.doubles.pipedrive import generate_dataset
from tests.doubles.pipedrive.shapes import Shapes

# The Apogee demo structure (workspace/demo.py), as maps/reference.yaml names it.
STAGES = {
    "Missions": ["First contact", "Contact with primes", "Follow-up", "Opportunity identified"],
    "RFI": ["RFI received", "Evaluation (bid/no-bid)", "ROM preparation", "ROM at customer", "Outcome"],
    "Sales": [
        "First contact",
        "Opportunity identified",
        "Opportunity in evaluation",
        "Proposal preparation",
        "Proposal at customer",
        "Selected / negotiation",
    ],
    "CCN": ["Request", "Preparation", "At customer", "Negotiation"],
}
DEAL_FIELDS = {
    "opportunity_type": (
        "Opportunity type",
        "single_option",
        {
            "esa": "ESA",
            "institutional": "Institutional (non-ESA)",
            "national": "National",
            "commercial": "Commercial",
        },
    ),
    "programme": (
        "Programme",
        "single_option",
        {
            "horizon_europe": "Horizon Europe",
            "eic_accelerator": "EIC Accelerator",
            "esa_earth_observation": "ESA Earth Observation",
            "esa_science": "ESA Science",
            "esa_gstp": "ESA GSTP",
            "esa_artes": "ESA ARTES",
            "swiss_national": "Swiss national funding",
        },
    ),
    "origin": (
        "Origin",
        "single_option",
        {"mission": "Mission", "rfi": "RFI", "business_development": "Business development"},
    ),
    "mission": ("Mission", "text", {}),
    "offer_type": ("Offer type", "single_option", {"firm": "Firm offer", "rom": "ROM (budgetary)"}),
}
USERS = [
    ("sophie", "Sophie Keller", "sophie.keller@apogee.example"),
    ("marc", "Marc Dubois", "marc.dubois@apogee.example"),
    ("lea", "Léa Rochat", "lukas.meier@helvetic-orbital.ch"),  # an e-mail beats the name
]


@pytest.fixture(scope="module")
def legacy() -> DraftInput:
    """The reference customer's structure, as the API reader converts it."""
    dataset = generate_dataset(seed=7, deals=50)
    shapes = Shapes(dataset)
    users = [convert("user", shapes.user_v1(user), version="v1").record for user in dataset.users]
    pipelines = [convert("pipeline", shapes.pipeline_v2(p), version="v2").record for p in dataset.pipelines]
    stages = [convert("stage", shapes.stage_v2(s), version="v2").record for s in dataset.stages]
    fields: dict[str, dict[str, Field]] = {}
    for definition in dataset.fields:
        record = convert(
            "field", shapes.field_v1(definition), version="v1", field_entity=definition.entity
        ).record
        if record is not None:
            fields.setdefault(definition.entity, {})[record.source_id] = record
    return DraftInput(pipelines=pipelines, stages=stages, fields=fields, users=users)


@pytest.fixture(scope="module")
def target() -> DraftTarget:
    return DraftTarget(pipelines=STAGES, fields={"deal": DEAL_FIELDS}, users=USERS)


@pytest.fixture(scope="module")
def text(legacy, target) -> str:
    return draft_map(legacy, target)


def line_of(text: str, start: str) -> str:
    return next(line.strip() for line in text.splitlines() if line.strip().startswith(start))


def test_the_draft_reads_as_a_map_and_sends_each_pipeline_where_its_name_says(text):
    the_map = load_map(text)
    legacy = ["Business Development", "Mission", "RFI", "ESA Sales", "CCN", "Non-ESA", "Product", "S2M2"]
    assert {name: the_map.stage_for(name, None).pipeline for name in legacy} == {
        "Business Development": "Sales",
        "Mission": "Missions",
        "RFI": "RFI",
        "ESA Sales": "Sales",
        "CCN": "CCN",
        "Non-ESA": "Sales",
        "Product": "Sales",
        "S2M2": "Sales",
    }
    assert the_map.stage_for("Tenders 2019", "Identified").pipeline == "Sales"
    assert the_map.stage_for("A pipeline added next year", "Anything").pipeline == "Sales"
    assert the_map.unmapped_option == "keep"


def test_every_legacy_stage_answers_with_a_stage_of_its_apogee_pipeline(legacy, text):
    the_map = load_map(text)
    names = {p.source_id: p.name for p in legacy.pipelines}
    assert len(legacy.stages) == 38
    for stage in legacy.stages:
        target = the_map.stage_for(names[stage.pipeline.id], stage.name)
        assert target.exact, stage.name
        assert target.stage in STAGES[target.pipeline]
    assert the_map.stage_for("ESA Sales", "A column added later").stage is None  # its first stage


def test_exact_names_are_kept_and_guesses_say_so(text):
    the_map = load_map(text)
    assert the_map.stage_for("RFI", "RFI received").stage == "RFI received"
    assert line_of(text, "RFI received:") == "RFI received: RFI received"
    assert line_of(text, "RFI:") == "RFI:"
    assert line_of(text, "to: Missions").endswith("— check")
    # Shared words, weighed by position: "Proposal submitted" is the proposal at the customer.
    assert the_map.stage_for("ESA Sales", "Proposal submitted").stage == "Proposal at customer"
    assert line_of(text, "Proposal submitted:").endswith("# guessed by name — check")
    # No word in common: by position, stage 1 of 5 → stage round(1 × 5 / 4) = 1 of 6.
    assert the_map.stage_for("ESA Sales", "ITT expected").stage == "Opportunity identified"
    assert line_of(text, "ITT expected:").endswith("# guessed by position — check")
    for line in text.splitlines():
        if "guessed" in line:
            assert line.endswith("— check"), line


def test_deleted_pipelines_and_stages_are_listed_with_a_comment(text):
    lines = [line.strip() for line in text.splitlines()]
    at = lines.index("Tenders 2019:")
    assert lines[at - 1] == "# Deleted in Pipedrive: old deals and stage histories may still name it."
    assert "deleted in Pipedrive" in line_of(text, "Pre-study:")
    assert load_map(text).stage_for("Mission", "Pre-study").exact


def test_a_pipeline_merged_under_another_name_suggests_the_qualification_it_implied(text):
    assert line_of(text, "# values: {opportunity_type: esa}")
    assert line_of(text, "# values: {origin: business_development}")
    assert text.count("# values:") == 2  # not "Non-ESA", not "Mission" → "Missions"
    assert load_map(text).stage_for("ESA Sales", "Negotiation").values == {}  # suggestions stay comments


def test_stages_without_a_word_in_common_go_by_position():
    legacy = DraftInput(
        pipelines=[Pipeline("1", "Funnel")],
        stages=[Stage(str(i), name, Ref("1"), order=i) for i, name in enumerate("ABCDE")],
    )
    the_map = load_map(draft_map(legacy, DraftTarget(pipelines={"Sales": ["One", "Two", "Three"]})))
    # stage i of 5 → round(i × 2 / 4) of 3, halves rounded up
    assert [the_map.stage_for("Funnel", name).stage for name in "ABCDE"] == [
        "One",
        "Two",
        "Two",
        "Three",
        "Three",
    ]


def test_custom_fields_map_by_label_with_their_options_else_are_created(text):
    the_map = load_map(text)
    opportunity = the_map.field_rule("deal", "Opportunity type")
    assert (opportunity.action, opportunity.to) == ("map", "opportunity_type")
    assert opportunity.option_for("Institutional (non-ESA)") == "institutional"
    # The deleted option has no Apogee counterpart: listed as a comment, left to unmapped_option.
    assert line_of(text, "# Defence:").endswith("unmapped_option decides (keep adds it)")
    assert opportunity.option_for("Defence") is None
    programme = the_map.field_rule("deal", "Programme")
    assert programme.option_for("Horizon Europe") == "horizon_europe"
    assert programme.option_for("GSTP") == "esa_gstp"
    assert line_of(text, "GSTP:").endswith("# guessed — check")
    assert line_of(text, "# Telecom (ARTES):")
    assert the_map.field_rule("deal", "Offer type").option_for("ROM") == "rom"
    # Two legacy fields named "Mission" (text and options): one rule, the type difference noted.
    assert the_map.field_rule("deal", "Mission").to == "mission"
    assert line_of(text, "Mission:  #") == "Mission:  # Pipedrive enum, varchar → Apogee text"
    assert the_map.field_rule("deal", "Budget estimate").action == "create"
    assert the_map.field_rule("person", "Role").action == "create"
    assert the_map.field_rule("product", "Product line").action == "create"


def test_users_match_by_email_then_name_and_the_others_fall_to_the_default(text):
    the_map = load_map(text)
    assert the_map.user_for("Marc Dubois", "marc.dubois@helvetic-orbital.ch") == "marc"
    assert line_of(text, "Marc Dubois:").endswith("matched by name — check")
    assert the_map.user_for("Lukas Meier", None) == "lea"
    assert line_of(text, "Lukas Meier:").endswith("# matched by e-mail")
    assert the_map.user_for("Thomas Keller", "thomas.keller@helvetic-orbital.ch") == "sophie"
    assert "deactivated in Pipedrive" in line_of(text, "# Thomas Keller:")
    assert the_map.default_user == "sophie"


def test_the_default_owner_is_an_admin_like_user_else_the_first(legacy):
    with_admin = DraftTarget(STAGES, users=[("ana", "Ana B", "a@x"), ("it-admin", "IT", "it@x")])
    assert load_map(draft_map(legacy, with_admin)).default_user == "it-admin"
    without = DraftTarget(STAGES, users=[("ana", "Ana B", "a@x"), ("bo", "Bo C", "b@x")])
    assert load_map(draft_map(legacy, without)).default_user == "ana"
    chosen = DraftTarget(STAGES, users=without.users, default_user="bo")
    assert load_map(draft_map(legacy, chosen)).default_user == "bo"


AWKWARD = [
    "Sales: EMEA #1",
    'O\'Brien "key" deals',
    "- dash",
    "[brackets], {braces}",
    "yes",
    "null",
    "123",
    "1.5",
    "0x1A",
    "2024-01-01",
    "@team",
    "%percent",
    "&anchor",
    "!tag",
    "|pipe",
    ">folded",
    "? question",
    "a # not a comment",
    "~",
    "`tick`",
    "Line\nbreak",
    "tab\there",
    "x\u2028y",
    "bell\x07",
    "  padded  ",
    "Ünïcödé Pipeline",
    "ends with colon:",
    "*",
    "   ",
]


def test_awkward_names_survive_quoting_and_comments():
    pipelines = [Pipeline(str(i), name, order=i) for i, name in enumerate(AWKWARD)]
    stages = [Stage(f"s{i}", name, Ref(str(i)), order=0) for i, name in enumerate(AWKWARD)]
    stages += [Stage(f"t{i}", f"{name} #2", Ref(str(i)), order=1) for i, name in enumerate(AWKWARD)]
    fields = {
        "deal": {
            f"k{i}": Field(
                f"k{i}", "deal", name, "enum", [FieldOption("1", name), FieldOption("2", "x: y # z")]
            )
            for i, name in enumerate(AWKWARD)
        }
    }
    users = [User(str(i), name, email=f"u{i}@old.example") for i, name in enumerate(AWKWARD)]
    target = DraftTarget(
        pipelines={'Sales: EU "#2"': ["Stage: one #", "'two'", "- three"]},
        fields={"deal": {"f": ("Sales: EMEA #1", "single_option", {"key: 1": "x: y # z"})}},
        users=[("ad: min", "Sales: EMEA #1", "boss@x")],
    )
    text = draft_map(DraftInput(pipelines, stages, fields, users), target)
    data = yaml.safe_load(text)
    the_map = load_map(text)
    usable = [name for name in AWKWARD if name.strip() not in ("", "*")]
    assert {normalize(name) for name in usable} <= set(the_map.pipelines)
    assert set(data["pipelines"]) == {*(name.strip() for name in usable), "*"}
    for stage in stages:
        name = AWKWARD[int(stage.pipeline.id)]
        target_stage = the_map.stage_for(name, stage.name)
        assert target_stage.pipeline == 'Sales: EU "#2"'
        assert target_stage.stage in (None, "Stage: one #", "'two'", "- three")
    rule = the_map.field_rule("deal", "Sales: EMEA #1")
    assert (rule.to, rule.option_for("x: y # z")) == ("f", "key: 1")
    assert the_map.user_for("Sales: EMEA #1") == "ad: min"
    assert the_map.default_user == "ad: min"


def test_the_draft_is_deterministic_whatever_the_order_of_the_lists(legacy, target, text):
    assert draft_map(legacy, target) == text
    rng = random.Random(3)
    shuffled = replace(
        legacy,
        pipelines=rng.sample(legacy.pipelines, len(legacy.pipelines)),
        stages=rng.sample(legacy.stages, len(legacy.stages)),
        users=rng.sample(legacy.users, len(legacy.users)),
        fields={
            entity: dict(rng.sample(list(by_key.items()), len(by_key)))
            for entity, by_key in reversed(legacy.fields.items())
        },
    )
    assert draft_map(shuffled, target) == text


def test_an_empty_workspace_still_gives_a_map_that_reads(legacy):
    the_map = load_map(draft_map(legacy, DraftTarget(pipelines={})))
    assert the_map.stage_for("ESA Sales", "Negotiation").pipeline == "Sales"
    assert the_map.default_user is None
    assert load_map(draft_map(DraftInput([], []), DraftTarget({}))).stage_for("Any", None).pipeline == "Sales"


def test_observed_option_labels_join_the_option_table(legacy, target):
    key = next(k for k, f in legacy.fields["deal"].items() if f.name == "Offer type")
    observed = replace(legacy, observed_options={"deal": {key: ["Firm offer", "Framework"]}})
    text = draft_map(observed, target)
    assert load_map(text).field_rule("deal", "Offer type").option_for("Firm offer") == "firm"
    assert line_of(text, "# Framework:")
