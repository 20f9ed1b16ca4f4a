"""Stage gates as pure rules (pipelines/gates.py): no database."""

import pytest

from apogee.pipelines.gates import missing_gate_fields, required_fields_at

# The Sales pipeline of the demo: (position, gate keys) per stage.
SALES_GATES = [
    (1, []),
    (2, []),
    (3, ["opportunity_type"]),
    (4, ["offer_type"]),
    (5, []),
    (6, []),
]


@pytest.mark.parametrize(
    ("position", "required"),
    [
        (1, []),
        (2, []),
        (3, ["opportunity_type"]),
        (4, ["opportunity_type", "offer_type"]),
        (6, ["opportunity_type", "offer_type"]),
    ],
)
def test_a_gate_applies_from_its_stage_on(position, required):
    assert required_fields_at(position, SALES_GATES) == required


def test_gates_are_read_in_stage_order_whatever_the_input_order():
    shuffled = [(4, ["offer_type"]), (1, ["origin"]), (3, ["opportunity_type", "origin"])]

    assert required_fields_at(4, shuffled) == ["origin", "opportunity_type", "offer_type"]


def test_a_key_gated_twice_is_required_once():
    assert required_fields_at(5, [(2, ["mission"]), (5, ["mission"])]) == ["mission"]


def test_no_stages_means_nothing_required():
    assert required_fields_at(3, []) == []


@pytest.mark.parametrize(
    ("_case", "value"),
    [("false", False), ("zero", 0), ("zero amount", {"amount": 0, "currency": "CHF"}), ("text", "esa")],
)
def test_false_and_zero_are_answers(_case, value):
    assert missing_gate_fields(["answer"], {"answer": value}) == []


@pytest.mark.parametrize(
    ("_case", "values"),
    [
        ("absent", {}),
        ("none", {"answer": None}),
        ("empty text", {"answer": ""}),
        ("empty list", {"answer": []}),
        ("empty object", {"answer": {}}),
    ],
)
def test_absent_and_empty_values_are_missing(_case, values):
    assert missing_gate_fields(["answer"], values) == ["answer"]


def test_missing_fields_are_listed_in_gate_order():
    values = {"offer_type": "firm", "mission": ""}

    assert missing_gate_fields(["opportunity_type", "offer_type", "mission"], values) == [
        "opportunity_type",
        "mission",
    ]
