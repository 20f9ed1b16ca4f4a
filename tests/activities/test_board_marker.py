"""The board marks deals with nothing planned and shows the date of the next activity, in constant queries."""

from datetime import date

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apogee.activities.services import mark_activity_done
from tests.activities.factories import make_activity
from tests.deals.factories import make_deal

pytestmark = pytest.mark.django_db


def _card(content: str, deal) -> str:
    start = content.index(f'id="deal-{deal.pk}"')
    return content[start : content.index("</article>", start)]


@time_machine.travel("2026-05-06 08:00Z", tick=False)
def test_cards_show_next_activity_or_the_no_activity_marker(client_for, sales_pipeline, salesperson):
    planned = make_deal(pipeline=sales_pipeline, owner=salesperson, title="Planned")
    make_activity(owner=salesperson, deal=planned, due=date(2026, 5, 12))
    make_activity(owner=salesperson, deal=planned, due=date(2026, 5, 20))
    late = make_deal(pipeline=sales_pipeline, owner=salesperson, title="Late")
    make_activity(owner=salesperson, deal=late, due=date(2026, 5, 1))
    idle = make_deal(pipeline=sales_pipeline, owner=salesperson, title="Idle")
    finished = make_activity(owner=salesperson, deal=idle, due=date(2026, 5, 1))
    mark_activity_done(activity=finished, actor=salesperson)

    board = client_for(salesperson).get(reverse("deals:board"), {"pipeline": sales_pipeline.pk})
    content = board.content.decode()

    assert "12 May" in _card(content, planned)
    assert "No next activity" not in _card(content, planned)
    assert 'class="next-activity overdue"' in _card(content, late)
    assert "No next activity" in _card(content, idle)


def test_next_activity_dates_keep_the_board_query_count_constant(
    client_for, sales_pipeline, salesperson, django_assert_num_queries
):
    client = client_for(salesperson)
    first = make_deal(pipeline=sales_pipeline, owner=salesperson)
    make_activity(owner=salesperson, deal=first)
    url = reverse("deals:board") + f"?pipeline={sales_pipeline.pk}"
    client.get(url)

    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for _index in range(15):
        deal = make_deal(pipeline=sales_pipeline, owner=salesperson)
        make_activity(owner=salesperson, deal=deal)
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert response.context["board"].count == 16
