"""Configuration changes that would leave the workspace inconsistent are refused, with a field error."""

import datetime

import pytest

from apogee.accounts.services import update_user
from apogee.core.errors import ValidationFailed
from apogee.core.models import Currency, DomainEvent, ExchangeRate
from apogee.core.services import set_exchange_rate
from apogee.customfields.models import FieldDefinition
from apogee.customfields.services import create_field_definition, update_field_definition
from apogee.pipelines.services import set_pipeline_archived, update_pipeline

pytestmark = pytest.mark.django_db


def test_a_field_a_stage_gate_requires_cannot_be_archived(workspace, admin):
    definition = FieldDefinition.objects.get(entity="deal", key="opportunity_type")
    events = DomainEvent.objects.count()

    with pytest.raises(ValidationFailed) as refused:
        update_field_definition(definition=definition, is_archived=True, actor=admin)

    assert refused.value.fields == {
        "is_archived": ["Remove it from the gates of: Sales — Opportunity in evaluation"]
    }
    definition.refresh_from_db()
    assert definition.is_archived is False
    assert DomainEvent.objects.count() == events


def test_custom_field_keys_may_not_shadow_built_in_contact_fields(workspace, admin):
    with pytest.raises(ValidationFailed) as refused:
        create_field_definition(
            entity="organization", label_en="City", key="city", field_type="text", actor=admin
        )

    assert refused.value.fields == {"key": ["This key is reserved for a built-in field."]}


def test_the_base_currency_takes_no_exchange_rate(workspace, admin):
    chf = Currency.objects.get(code="CHF")

    with pytest.raises(ValidationFailed) as refused:
        set_exchange_rate(currency=chf, valid_from=datetime.date(2026, 1, 1), rate_to_base="1.1", actor=admin)

    assert list(refused.value.fields) == ["currency"]
    assert not ExchangeRate.objects.filter(currency=chf).exists()


def test_hand_off_target_must_be_an_active_pipeline(workspace, admin):
    ccn = workspace["CCN"]
    set_pipeline_archived(pipeline=ccn, archived=True, actor=admin)

    with pytest.raises(ValidationFailed) as refused:
        update_pipeline(pipeline=workspace["RFI"], handoff_target=ccn, actor=admin)

    assert refused.value.fields == {"handoff_target": ["Choose an active pipeline."]}
    workspace["RFI"].refresh_from_db()
    assert workspace["RFI"].handoff_target == workspace["Sales"]


def test_an_unknown_time_zone_is_refused(salesperson):
    with pytest.raises(ValidationFailed) as refused:
        update_user(user=salesperson, timezone="Mars/Olympus_Mons", actor=salesperson)

    assert refused.value.fields == {"timezone": ["Choose a time zone from the list."]}
    salesperson.refresh_from_db()
    assert salesperson.timezone == ""
