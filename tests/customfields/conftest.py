"""A deal field of every type, created through the service, beside the demo's qualification fields."""

import pytest

from apogee.customfields.models import FieldDefinition
from apogee.customfields.services import create_field_definition

EXTRA_DEAL_FIELDS = [
    ("Budget", "number", None),
    ("Estimated budget", "monetary", None),
    ("Tender date", "date", None),
    ("Signed", "boolean", None),
    ("Tender page", "url", None),
    ("Notes", "long_text", None),
    ("Account manager", "user", None),
    ("Main contact", "person", None),
    ("Prime contractor", "organization", None),
    (
        "Agencies",
        "multiple_options",
        [{"key": "esa", "label_en": "ESA"}, {"key": "esa_x", "label_en": "ESA X"}],
    ),
]


@pytest.fixture
def deal_fields(workspace):
    """Every deal field by key: the demo's (text, single and multiple options) plus one of each other type."""
    for label, field_type, options in EXTRA_DEAL_FIELDS:
        create_field_definition(
            entity="deal", label_en=label, field_type=field_type, options=options, actor=None
        )
    return {d.key: d for d in FieldDefinition.objects.filter(entity="deal")}
