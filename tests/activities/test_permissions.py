"""Who may see and change an activity on a private deal, over the pages: 404 for those who may not."""

import pytest
from django.urls import reverse

from apogee.activities.models import Activity
from apogee.deals.models import Visibility
from tests.activities.factories import make_activity
from tests.deals.factories import make_deal

pytestmark = pytest.mark.django_db


@pytest.fixture
def private_activity(sales_pipeline, salesperson):
    deal = make_deal(pipeline=sales_pipeline, owner=salesperson, visibility=Visibility.OWNER, title="Secret")
    return make_activity(owner=salesperson, deal=deal, subject="Call about the secret bid")


@pytest.mark.parametrize(
    ("_case", "user_fixture", "expected_status"),
    [
        ("another team's member", "other_salesperson", 404),
        ("a teammate, the deal being the owner's only", "teammate", 404),
        ("the owner", "salesperson", 200),
        ("the owner's manager", "manager", 200),
        ("an administrator", "admin", 200),
    ],
)
def test_only_people_who_may_see_the_deal_see_and_mark_its_activity(
    request, client_for, private_activity, _case, user_fixture, expected_status
):
    client = client_for(request.getfixturevalue(user_fixture))

    edit = client.get(reverse("activities:edit", args=[private_activity.pk]))
    panel = client.get(reverse("activities:for_deal", args=[private_activity.deal_id]))
    done = client.post(reverse("activities:done", args=[private_activity.pk]))

    assert (edit.status_code, panel.status_code) == (expected_status, expected_status)
    assert done.status_code == (404 if expected_status == 404 else 302)
    private_activity.refresh_from_db()
    assert private_activity.is_done is (expected_status == 200)


def test_someone_elses_activity_stays_out_of_my_lists(client_for, private_activity, other_salesperson):
    response = client_for(other_salesperson).get(
        reverse("activities:mine"), {"owner": private_activity.owner_id}
    )

    assert "Call about the secret bid" not in response.content.decode()


def test_delete_offers_undo_and_restore_brings_it_back(client_for, private_activity, salesperson):
    client = client_for(salesperson)

    client.post(reverse("activities:delete", args=[private_activity.pk]))
    assert not Activity.objects.filter(pk=private_activity.pk, deleted_at__isnull=True).exists()
    page = client.get(reverse("activities:mine"))
    assert "“Call about the secret bid” was deleted." in page.content.decode()

    client.post(reverse("activities:restore", args=[private_activity.pk]))
    assert Activity.objects.filter(pk=private_activity.pk, deleted_at__isnull=True).exists()


def test_restore_is_404_for_someone_who_could_not_see_it(client_for, private_activity, salesperson, teammate):
    client_for(salesperson).post(reverse("activities:delete", args=[private_activity.pk]))

    response = client_for(teammate).post(reverse("activities:restore", args=[private_activity.pk]))

    assert response.status_code == 404
    assert Activity.objects.filter(pk=private_activity.pk, deleted_at__isnull=False).exists()
