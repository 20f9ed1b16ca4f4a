"""The search pages: the full results page and the header box's suggestions."""

import re

import pytest
from django.urls import reverse

from apogee.deals.models import Visibility
from tests.contacts.factories import make_organization
from tests.deals.factories import make_deal
from tests.notes.factories import make_note

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def test_pages_need_a_login(client):
    for name in ("search:results", "search:suggest"):
        response = client.get(reverse(name), {"q": "x"})
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_the_empty_page_says_what_can_be_searched(client_for, salesperson):
    page = client_for(salesperson).get(reverse("search:results")).content.decode()

    assert "Search deals, leads, persons, organizations and notes in one go." in page
    assert "Organizations: by name, VAT number, website, e-mail domain and city." in page


def test_the_results_page_groups_by_kind_with_counts_and_chips(client_for, sales_pipeline, salesperson):
    org = make_organization("Aquila Robotics")
    deals = [
        make_deal(pipeline=sales_pipeline, owner=salesperson, title=f"Aquila arm {i}", organization=org)
        for i in range(7)
    ]
    client = client_for(salesperson)

    response = client.get(reverse("search:results"), {"q": "aquila"})

    page = response.content.decode()
    assert response.status_code == 200
    assert 'All <span class="search-count">8</span>' in page
    assert 'Deals <span class="search-count">7</span>' in page
    assert 'Organizations <span class="search-count">1</span>' in page
    assert "Leads <span" not in page  # no chip for a kind without results
    assert f'href="/contacts/organizations/{org.pk}/"' in page
    assert len(re.findall(r'href="/deals/\d+/"', page)) == 5  # the best five, then a link to the rest
    assert "Show all 7 deals" in page

    page = client.get(reverse("search:results"), {"q": "aquila", "kind": "deal"}).content.decode()
    assert all(f'href="/deals/{d.pk}/"' in page for d in deals)
    assert f'href="/contacts/organizations/{org.pk}/"' not in page
    assert 'class="active" aria-current="page">Deals' in page


def test_nothing_found_says_so(client_for, salesperson):
    page = client_for(salesperson).get(reverse("search:results"), {"q": "zzzz"}).content.decode()

    assert "Nothing matches “zzzz”." in page


def test_the_results_page_escapes_the_query_and_the_records(client_for, salesperson):
    make_organization("<b>Bold</b> Corp")

    page = client_for(salesperson).get(reverse("search:results"), {"q": "<b>bold"}).content.decode()

    assert 'value="&lt;b&gt;bold"' in page
    assert "<b>Bold" not in page
    # The matched words are marked, the rest escaped.
    assert "&lt;<mark>b</mark>&gt;<mark>Bold</mark>&lt;/<mark>b</mark>&gt; Corp" in page


def test_the_matched_words_are_marked(client_for, salesperson):
    make_organization("Zürich Instruments", city="Zürich")

    page = client_for(salesperson).get(reverse("search:suggest"), {"q": "zur"}).content.decode()

    assert '<span class="search-label"><mark>Zürich</mark> Instruments</span>' in page
    assert '<span class="search-detail"><mark>Zürich</mark></span>' in page


def test_the_suggestions_are_listbox_options_with_the_full_search_last(
    client_for, sales_pipeline, salesperson
):
    org = make_organization("Pegasus Aero")
    deal = make_deal(pipeline=sales_pipeline, owner=salesperson, title="Pegasus wing", organization=org)

    response = client_for(salesperson).get(reverse("search:suggest"), {"q": "pegasus"}, headers=HTMX)

    page = response.content.decode()
    assert response.status_code == 200
    assert page.count('role="option"') == 3
    assert f'href="/deals/{deal.pk}/"' in page and f'href="/contacts/organizations/{org.pk}/"' in page
    assert page.index('id="search-option-all"') > page.index('id="search-option-1"')
    assert 'id="search-option-0"' in page and 'id="search-option-all"' in page
    assert 'href="/search/?q=pegasus"' in page


def test_the_suggestions_show_at_most_eight(client_for, sales_pipeline, salesperson):
    for index in range(12):
        make_deal(pipeline=sales_pipeline, owner=salesperson, title=f"Phoenix {index}")

    page = client_for(salesperson).get(reverse("search:suggest"), {"q": "phoe"}).content.decode()

    assert page.count('class="search-option"') == 8


def test_empty_suggestions_are_empty(client_for, salesperson):
    page = client_for(salesperson).get(reverse("search:suggest"), {"q": "  "}).content.decode()

    assert 'role="option"' not in page and "Nothing matches" not in page


def test_a_private_deal_and_its_notes_never_show_to_another_user(
    client_for, sales_pipeline, salesperson, other_salesperson
):
    secret = make_deal(
        pipeline=sales_pipeline, owner=salesperson, title="Orion secret", visibility=Visibility.OWNER
    )
    make_note(target=secret, author=salesperson, body="Orion pricing")
    client = client_for(other_salesperson)

    for name in ("search:results", "search:suggest"):
        page = client.get(reverse(name), {"q": "orion"}).content.decode()
        assert "Orion secret" not in page and "Orion pricing" not in page
        assert f"/deals/{secret.pk}/" not in page


def test_every_page_has_the_search_box(client_for, salesperson):
    page = client_for(salesperson).get(reverse("deals:board")).content.decode()

    assert 'role="combobox"' in page
    assert 'aria-controls="global-search-listbox"' in page
    assert 'hx-get="/search/suggest"' in page
    assert "apogee/search.js" in page
