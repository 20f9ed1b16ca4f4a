"""DELETE on the API: the record leaves every read, and restore brings it back."""

import pytest

from tests.deals.factories import make_deal

pytestmark = pytest.mark.django_db


def test_delete_is_204_then_404_and_restore_brings_it_back(api_as, sales_pipeline, salesperson):
    deal = make_deal(pipeline=sales_pipeline, owner=salesperson)
    client = api_as(salesperson)

    assert client.delete(f"/deals/{deal.pk}").status_code == 204
    assert client.get(f"/deals/{deal.pk}").status_code == 404
    assert client.post(f"/deals/{deal.pk}/restore").status_code == 200
    assert client.get(f"/deals/{deal.pk}").status_code == 200
