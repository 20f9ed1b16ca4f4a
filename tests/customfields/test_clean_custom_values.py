"""The one validation every custom value passes through (customfields.services.clean_custom_values)."""

import pytest

from apogee.contacts.models import Organization
from apogee.core.errors import ValidationFailed
from apogee.core.models import DomainEvent
from apogee.customfields.filters import custom_value_q
from apogee.customfields.services import clean_custom_values, merge_custom_values
from apogee.deals.models import Deal
from apogee.deals.services import update_deal
from tests.contacts.factories import make_organization, make_person
from tests.deals.factories import make_deal

pytestmark = pytest.mark.django_db


def test_every_type_is_cleaned_to_its_stored_form(deal_fields, salesperson):
    person = make_person("Anke de Vries")
    organization = make_organization("OHB System")

    cleaned = clean_custom_values(
        entity="deal",
        values={
            "mission": "  CHIME ",
            "notes": "Two officers.\nSee minutes.",
            "budget": "1’200.50",
            "estimated_budget": {"amount": "12", "currency": "eur"},
            "tender_date": "2026-03-01",
            "opportunity_type": "esa",
            "product_line": ["motor", "mechanisms", "motor"],
            "signed": "oui",
            "tender_page": "https://www.esa.int/chime",
            "account_manager": str(salesperson.pk),
            "main_contact": person.pk,
            "prime_contractor": str(organization.pk),
        },
    )

    assert cleaned == {
        "mission": "CHIME",
        "notes": "Two officers.\nSee minutes.",
        "budget": 1200.5,
        "estimated_budget": {"amount": 12, "currency": "EUR"},
        "tender_date": "2026-03-01",
        "opportunity_type": "esa",
        "product_line": ["mechanisms", "motor"],
        "signed": True,
        "tender_page": "https://www.esa.int/chime",
        "account_manager": salesperson.pk,
        "main_contact": person.pk,
        "prime_contractor": organization.pk,
    }


def test_empty_values_come_back_as_none_and_false_stays_an_answer(deal_fields):
    cleaned = clean_custom_values(
        entity="deal", values={"mission": "", "product_line": [], "signed": False, "budget": 0}
    )

    assert cleaned == {"mission": None, "product_line": None, "signed": False, "budget": 0}


def test_references_to_records_that_do_not_exist_are_refused(deal_fields):
    with pytest.raises(ValidationFailed) as refused:
        clean_custom_values(
            entity="deal",
            values={"account_manager": 987654, "main_contact": "987654", "prime_contractor": 987654},
        )

    assert refused.value.fields == {
        "account_manager": ["This record does not exist."],
        "main_contact": ["This record does not exist."],
        "prime_contractor": ["This record does not exist."],
    }


def test_a_person_id_is_not_accepted_as_an_organization(deal_fields):
    person = make_person("Only A Person")
    assert not Organization.objects.exists()

    with pytest.raises(ValidationFailed) as refused:
        clean_custom_values(entity="deal", values={"prime_contractor": person.pk})

    assert refused.value.fields == {"prime_contractor": ["This record does not exist."]}


def test_every_invalid_field_is_named_with_its_message(deal_fields):
    with pytest.raises(ValidationFailed) as refused:
        clean_custom_values(
            entity="deal",
            values={
                "budget": "a lot",
                "estimated_budget": {"amount": 5, "currency": "euro"},
                "tender_date": "01.03.2026",
                "opportunity_type": "nasa",
                "product_line": ["motor", "warp drive"],
                "signed": "perhaps",
                "tender_page": "javascript:alert(1)",
                "mission": 42,
                "colour": "red",
            },
        )

    assert refused.value.message == "Some fields are invalid."
    assert refused.value.fields == {
        "budget": ["Enter a number."],
        "estimated_budget": ["Choose a currency (three-letter code)."],
        "tender_date": ["Enter a date as YYYY-MM-DD."],
        "opportunity_type": ["Choose one of the options."],
        "product_line": ["Unknown option: warp drive"],
        "signed": ["Enter yes or no."],
        "tender_page": ["Enter a web address starting with http:// or https://."],
        "mission": ["Enter text."],
        "colour": ["Unknown field."],
    }


def test_values_must_be_an_object(deal_fields):
    with pytest.raises(ValidationFailed) as refused:
        clean_custom_values(entity="deal", values=["mission", "CHIME"])

    assert refused.value.fields == {"custom_fields": ["Invalid."]}


def test_a_field_of_another_entity_is_unknown(deal_fields):
    with pytest.raises(ValidationFailed) as refused:
        clean_custom_values(entity="person", values={"opportunity_type": "esa"})

    assert refused.value.fields == {"opportunity_type": ["Unknown field."]}


def test_merge_drops_cleared_keys_and_keeps_the_others():
    merged = merge_custom_values(
        {"mission": "CHIME", "signed": True, "budget": 5}, {"mission": None, "budget": 7, "signed": False}
    )

    assert merged == {"signed": False, "budget": 7}


def test_a_deal_with_an_invalid_custom_value_is_not_created(deal_fields, sales_pipeline, salesperson):
    events_before = DomainEvent.objects.count()

    with pytest.raises(ValidationFailed) as refused:
        make_deal(
            pipeline=sales_pipeline,
            owner=salesperson,
            custom_values={"mission": "CHIME", "main_contact": 987654},
        )

    assert refused.value.fields == {"main_contact": ["This record does not exist."]}
    assert not Deal.objects.exists()
    assert DomainEvent.objects.count() == events_before


def test_blank_text_is_not_stored_so_the_empty_filter_finds_the_deal(
    deal_fields, sales_pipeline, salesperson
):
    deal = make_deal(pipeline=sales_pipeline, owner=salesperson, custom_values={"mission": "CHIME"})

    update_deal(deal=deal, actor=salesperson, changes={"custom_values": {"mission": "   "}})

    assert Deal.objects.get(pk=deal.pk).custom_values == {}
    assert list(Deal.objects.filter(custom_value_q(deal_fields["mission"], "empty", ""))) == [deal]
