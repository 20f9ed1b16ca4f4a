"""Search results: accents and case aside, prefix matching, ranking, and only what the user may see."""

import pytest

from apogee.deals.models import Visibility
from apogee.search.backends import search_ids
from apogee.search.queries import search, search_page
from tests.contacts.factories import make_organization, make_person
from tests.deals.factories import make_deal
from tests.leads.factories import make_lead
from tests.notes.factories import make_note

pytestmark = pytest.mark.django_db


def pairs(results):
    return [(r.kind, r.object.pk) for r in results]


def test_accents_and_case_do_not_matter_either_way(salesperson):
    zurich = make_organization("Zürich Instruments")
    plain = make_organization("ZURICH Metrology")

    for query in ("zurich", "Zürich", "ZÜRICH", "zür", "ZUR"):
        assert set(pairs(search(salesperson, query))) == {
            ("organization", zurich.pk),
            ("organization", plain.pk),
        }, query


def test_every_word_matches_the_start_of_a_word(salesperson):
    ruag = make_organization("RUAG Space Zürich")
    make_organization("RUAG Ammotec")

    assert pairs(search(salesperson, "zur rua")) == [("organization", ruag.pk)]
    assert pairs(search(salesperson, "spa")) == [("organization", ruag.pk)]
    assert pairs(search(salesperson, "uag")) == []  # not the middle of a word


def test_a_title_match_outranks_a_body_match(sales_pipeline, salesperson):
    org = make_organization("Kepler Optics")
    in_body = make_deal(pipeline=sales_pipeline, owner=salesperson, title="Mirror mount", organization=org)
    in_title = make_deal(pipeline=sales_pipeline, owner=salesperson, title="Kepler baffle")

    assert pairs(search(salesperson, "kepler", kinds=["deal"])) == [
        ("deal", in_title.pk),
        ("deal", in_body.pk),
    ]
    ranks = [r.rank for r in search(salesperson, "kepler", kinds=["deal"])]
    assert ranks[0] > ranks[1] > 0


def test_results_carry_a_label_a_detail_and_a_link(sales_pipeline, salesperson):
    org = make_organization("Almatech", city="Lausanne")
    deal = make_deal(pipeline=sales_pipeline, owner=salesperson, title="Almatech frame", organization=org)
    person = make_person("Eva Almatechova", job_title="Engineer", organization=org)
    lead = make_lead(owner=salesperson, title="Almatech follow-up", organization=org)
    note = make_note(target=deal, author=salesperson, body="Almatech wants a second offer")

    results = {(r.kind, r.object.pk): r for r in search(salesperson, "almatech")}

    assert (results[("deal", deal.pk)].label, results[("deal", deal.pk)].url) == (
        "Almatech frame",
        f"/deals/{deal.pk}/",
    )
    assert results[("deal", deal.pk)].detail == f"Almatech · Sales · {deal.stage.name}"
    assert (results[("organization", org.pk)].detail, results[("organization", org.pk)].url) == (
        "Lausanne",
        f"/contacts/organizations/{org.pk}/",
    )
    assert results[("person", person.pk)].detail == "Engineer · Almatech"
    assert results[("lead", lead.pk)].url == f"/leads/{lead.pk}/"
    assert results[("note", note.pk)].label == "Note on Almatech frame"
    assert results[("note", note.pk)].detail == "Almatech wants a second offer"
    assert results[("note", note.pk)].url == f"/deals/{deal.pk}/#notes-deal-{deal.pk}"


def test_a_private_deal_of_another_user_is_never_returned_nor_its_notes(
    sales_pipeline, salesperson, other_salesperson, teammate, manager, admin
):
    secret = make_deal(
        pipeline=sales_pipeline, owner=salesperson, title="Secret Orion bid", visibility=Visibility.OWNER
    )
    note = make_note(target=secret, author=salesperson, body="Orion pricing strategy")
    team_lead = make_lead(owner=salesperson, title="Orion team lead", visibility=Visibility.TEAM)
    shared = make_deal(pipeline=sales_pipeline, owner=salesperson, title="Orion public")

    assert set(pairs(search(other_salesperson, "orion"))) == {("deal", shared.pk)}
    assert set(pairs(search(teammate, "orion"))) == {("deal", shared.pk), ("lead", team_lead.pk)}
    expected_all = {("deal", secret.pk), ("deal", shared.pk), ("lead", team_lead.pk), ("note", note.pk)}
    assert set(pairs(search(salesperson, "orion"))) == expected_all
    assert set(pairs(search(manager, "orion"))) == expected_all
    assert set(pairs(search(admin, "orion"))) == expected_all


def test_invisible_matches_do_not_crowd_out_visible_ones(sales_pipeline, salesperson, other_salesperson):
    for index in range(12):
        make_deal(
            pipeline=sales_pipeline,
            owner=salesperson,
            title=f"Hidden nebula {index}",
            visibility=Visibility.OWNER,
        )
    visible = make_deal(pipeline=sales_pipeline, owner=salesperson, title="Nebula shared")

    assert pairs(search(other_salesperson, "nebula", limit=3)) == [("deal", visible.pk)]


def test_deleted_records_and_notes_on_deleted_records_are_not_found(sales_pipeline, salesperson):
    from apogee.deals.services import delete_deal

    deal = make_deal(pipeline=sales_pipeline, owner=salesperson, title="Comet probe")
    make_note(target=deal, author=salesperson, body="Comet tail study")
    delete_deal(deal=deal, actor=None)

    assert search(salesperson, "comet") == []


def test_inactive_or_anonymous_users_find_nothing(salesperson):
    from django.contrib.auth.models import AnonymousUser

    make_organization("Vega Systems")
    salesperson.is_active = False

    assert search(salesperson, "vega") == []
    assert search(AnonymousUser(), "vega") == []


@pytest.mark.parametrize(
    "query",
    [
        '"',
        '"vega',
        "vega*",
        "*",
        "-vega",
        "vega -",
        "(vega",
        "vega)",
        "AND",
        "vega AND",
        "NEAR",
        "NEAR(vega x)",
        "OR",
        "NOT vega",
        "vega:*",
        "'",
        "a & b | !c",
        "title:vega",
        "^vega",
        "{vega}",
        "\x00",
        "   ",
        "…",
        "%",
        "_",
    ],
)
def test_query_syntax_characters_are_plain_text_and_never_an_error(salesperson, query):
    vega = make_organization("Vega and Near Ltd")

    results = search(salesperson, query)

    assert all(r.object == vega for r in results)
    search_ids(query)  # no error at the database either


def test_operator_words_are_searched_as_words(salesperson):
    vega = make_organization("Vega and Near Ltd")
    make_organization("Vega Systems")

    assert pairs(search(salesperson, "vega and near")) == [("organization", vega.pk)]
    assert pairs(search(salesperson, "NEAR")) == [("organization", vega.pk)]


def test_empty_or_punctuation_only_queries_find_nothing(salesperson):
    make_organization("Anything")

    for query in ("", "   ", "-- !! ..", None):
        assert search(salesperson, query or "") == []


def test_kinds_restrict_the_search(sales_pipeline, salesperson):
    org = make_organization("Lyra")
    deal = make_deal(pipeline=sales_pipeline, owner=salesperson, title="Lyra deal")

    assert pairs(search(salesperson, "lyra", kinds=["organization"])) == [("organization", org.pk)]
    assert pairs(search(salesperson, "lyra", kinds=["deal"])) == [("deal", deal.pk)]


def test_the_page_counts_visible_results_per_kind(sales_pipeline, salesperson, other_salesperson):
    make_organization("Draco")
    make_deal(pipeline=sales_pipeline, owner=salesperson, title="Draco one")
    make_deal(pipeline=sales_pipeline, owner=salesperson, title="Draco two", visibility=Visibility.OWNER)

    page = search_page(other_salesperson, "draco")

    assert page.counts == {"deal": 1, "lead": 0, "person": 0, "organization": 1, "note": 0}
    assert page.complete


def test_search_reads_a_constant_number_of_queries(
    sales_pipeline, salesperson, django_assert_max_num_queries
):
    org = make_organization("Cygnus")
    for index in range(10):
        deal = make_deal(
            pipeline=sales_pipeline, owner=salesperson, title=f"Cygnus {index}", organization=org
        )
        make_note(target=deal, author=salesperson, body=f"Cygnus note {index}")
        make_person(f"Cygnus person {index}", organization=org)
        make_lead(owner=salesperson, title=f"Cygnus lead {index}", organization=org)

    # One match query, one per kind, one for the notes' excerpts.
    with django_assert_max_num_queries(7):
        results = search(salesperson, "cygnus", limit=100)
    assert len(results) == 41


def test_a_common_word_loads_only_the_records_shown(
    sales_pipeline, salesperson, django_assert_max_num_queries
):
    org = make_organization("Lupus")
    for index in range(12):
        make_deal(pipeline=sales_pipeline, owner=salesperson, title=f"Lupus {index}", organization=org)
        make_person(f"Lupus person {index}", organization=org)

    # One match query; per kind matched, one for the visible primary keys; per kind shown, one
    # for the records: not a query per result, nor 24 records loaded to show 3.
    with django_assert_max_num_queries(6):
        results = search(salesperson, "lupus", limit=3)
    assert len(results) == 3
    assert (results[0].kind, results[0].object) == ("organization", org)


def test_the_deal_a_lead_became_ranks_before_the_lead(workspace, sales_pipeline, salesperson):
    from apogee.leads.services import convert_lead_to_deal

    lead = make_lead(owner=salesperson, title="Propulsion valve for LISA")
    other = make_lead(owner=salesperson, title="Valve test bench")
    deal = convert_lead_to_deal(lead=lead, actor=salesperson, pipeline=sales_pipeline)

    assert pairs(search(salesperson, "lisa valv")) == [("deal", deal.pk), ("lead", lead.pk)]
    assert pairs(search(salesperson, "valve"))[-1] == ("lead", lead.pk)
    assert ("lead", other.pk) in pairs(search(salesperson, "valve"))
