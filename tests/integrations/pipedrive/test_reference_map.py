"""The map that ships for the reference customer reads, and names only what the workspace has."""

from pathlib import Path

import pytest

import apogee.integrations.pipedrive as package
from apogee.customfields.models import FieldDefinition
from apogee.deals.services.imports import IMPORTED_FIELDS
from apogee.integrations.pipedrive.restructuring import check_against, load_map
from apogee.pipelines.models import Pipeline

REFERENCE = Path(package.__file__).parent / "maps" / "reference.yaml"


@pytest.mark.django_db
def test_the_reference_map_fits_the_target_structure(workspace):
    the_map = load_map(REFERENCE.read_text(encoding="utf-8"))
    stages = {p.name: [s.name for s in p.stages.all()] for p in Pipeline.objects.prefetch_related("stages")}
    field_keys: dict[str, set[str]] = {}
    for definition in FieldDefinition.objects.all():
        field_keys.setdefault(definition.entity, set()).add(definition.key)
    problems = check_against(
        the_map,
        stages=stages,
        field_keys=field_keys,
        builtin_fields={"deal": {*IMPORTED_FIELDS, "tender_reference"}},
        usernames={"sophie"},
    )
    assert problems == []
    assert the_map.target_pipelines() == {"Missions", "RFI", "Sales", "CCN"}


def test_the_eight_legacy_pipelines_each_have_a_rule():
    the_map = load_map(REFERENCE.read_text(encoding="utf-8"))
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
    assert the_map.stage_for("ESA Sales", "Proposal submitted").values == {"opportunity_type": "esa"}
    assert the_map.stage_for("S2M2", "Quote").stage == "Proposal at customer"
