"""Reads of contacts that must not leak what the user may not see."""

import pytest

from apogee.contacts.queries import organizations_list
from apogee.deals.models import Visibility
from tests.contacts.factories import make_organization, make_person
from tests.deals.factories import make_deal

pytestmark = pytest.mark.django_db


def test_organization_list_counts_only_the_deals_the_user_may_see(
    sales_pipeline, salesperson, other_salesperson
):
    org = make_organization("OHB System")
    make_person("Katrin Vogel", organization=org)
    make_deal(pipeline=sales_pipeline, owner=salesperson, organization=org, visibility=Visibility.OWNER)
    make_deal(pipeline=sales_pipeline, owner=salesperson, organization=org, visibility=Visibility.EVERYONE)

    mine = organizations_list(salesperson).get(pk=org.pk)
    theirs = organizations_list(other_salesperson).get(pk=org.pk)

    assert (mine.deal_count, mine.person_count) == (2, 1)
    assert (theirs.deal_count, theirs.person_count) == (1, 1)


def test_organizations_with_equal_names_keep_a_stable_order(salesperson):
    first = make_organization("Alpenmotion AG")
    second = make_organization("Alpenmotion AG", allow_duplicate=True)

    assert [o.pk for o in organizations_list(salesperson)] == [first.pk, second.pk]
