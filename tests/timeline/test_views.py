"""The timeline panel on record pages and the administrators' audit trail page."""

import csv
import io

import pytest

from apogee.contacts.services import update_organization
from apogee.deals.models import Visibility
from apogee.deals.services import update_deal
from apogee.notes.services import add_note
from tests.activities.factories import make_activity
from tests.contacts.factories import make_organization, make_person
from tests.deals.factories import make_deal
from tests.leads.factories import make_lead

pytestmark = pytest.mark.django_db


@pytest.fixture
def deal(sales_pipeline, salesperson):
    return make_deal(
        pipeline=sales_pipeline, owner=salesperson, title="Sun sensor", visibility=Visibility.TEAM
    )


def test_every_record_page_loads_its_timeline(client_for, deal, salesperson):
    lead = make_lead(owner=salesperson)
    person = make_person("Ada Lovelace")
    organization = make_organization("Beyond Gravity")
    client = client_for(salesperson)
    for kind, record, page in [
        ("deal", deal, f"/deals/{deal.pk}/"),
        ("lead", lead, f"/leads/{lead.pk}/"),
        ("person", person, f"/contacts/persons/{person.pk}/"),
        ("organization", organization, f"/contacts/organizations/{organization.pk}/"),
    ]:
        assert f'hx-get="/timeline/{kind}/{record.pk}/"' in client.get(page).content.decode()
        panel = client.get(f"/timeline/{kind}/{record.pk}/")
        assert panel.status_code == 200
        assert 'class="panel timeline"' in panel.content.decode()


def test_the_panel_shows_entries_and_filters_by_kind(client_for, deal, salesperson):
    update_deal(deal=deal, actor=salesperson, changes={"title": "Sun sensor v2"})
    add_note(target=deal, body="<p>Call <em>Thursday</em></p>", actor=salesperson)
    client = client_for(salesperson)

    everything = client.get(f"/timeline/deal/{deal.pk}/").content.decode()
    assert "Changed the deal" in everything and "Added a note" in everything
    assert "<em>Thursday</em>" in everything

    notes_only = client.get(f"/timeline/deal/{deal.pk}/", {"kind": "note"}).content.decode()
    assert "Added a note" in notes_only and "Changed the deal" not in notes_only
    assert 'value="note" checked' in notes_only


def test_show_more_appends_the_next_entries(client_for, deal, salesperson):
    for n in range(55):
        update_deal(deal=deal, actor=salesperson, changes={"title": f"Title {n}"})
    client = client_for(salesperson)
    first = client.get(f"/timeline/deal/{deal.pk}/").content.decode()
    assert "Show more" in first and "?offset=50" in first
    more = client.get(f"/timeline/deal/{deal.pk}/", {"offset": 50}).content.decode()
    assert more.count('class="timeline-entry') == 6
    assert 'class="panel timeline"' not in more


def test_a_deal_one_may_not_see_has_no_timeline(client_for, sales_pipeline, salesperson, other_salesperson):
    private = make_deal(pipeline=sales_pipeline, owner=salesperson, visibility=Visibility.OWNER)
    assert client_for(other_salesperson).get(f"/timeline/deal/{private.pk}/").status_code == 404
    assert client_for(other_salesperson).get("/timeline/invoice/1/").status_code == 404


def test_the_panel_reads_a_bounded_number_of_queries(
    client_for, deal, salesperson, django_assert_max_num_queries
):
    for n in range(10):
        update_deal(deal=deal, actor=salesperson, changes={"title": f"T{n}", "owner": salesperson})
        make_activity(owner=salesperson, actor=salesperson, deal=deal)
        add_note(target=deal, body=f"note {n}", actor=salesperson)
    client = client_for(salesperson)
    with django_assert_max_num_queries(20):
        assert client.get(f"/timeline/deal/{deal.pk}/").status_code == 200


# Audit trail -------------------------------------------------------------------------------


def test_only_administrators_open_the_audit_trail(client, client_for, manager, admin):
    assert client.get("/settings/audit/").status_code == 302
    assert client_for(manager).get("/settings/audit/").status_code == 403
    assert client_for(manager).get("/settings/audit/export.csv").status_code == 403
    assert client_for(admin).get("/settings/audit/").status_code == 200


def test_the_audit_trail_says_who_changed_what_and_through_which_channel(
    client_for, api_as, admin, salesperson, deal
):
    organization = make_organization("RUAG Space")
    update_organization(organization=organization, actor=salesperson, changes={"country": "CH"})
    response = api_as(salesperson).patch(
        f"/deals/{deal.pk}", {"title": "Renamed through the API", "version": deal.version}
    )
    assert response.status_code == 200

    client = client_for(admin)
    page = client.get("/settings/audit/", {"actor": salesperson.pk, "source": "api"}).content.decode()
    assert "Renamed through the API" in page
    assert "RUAG Space" not in page

    by_record = client.get("/settings/audit/", {"subject_type": "organization"}).content.decode()
    assert "Changed the organization" in by_record and "Renamed through the API" not in by_record


def test_bad_filters_are_field_errors(client_for, admin):
    response = client_for(admin).get("/settings/audit/", {"since": "2026-05-01", "until": "2026-04-01"})
    assert response.status_code == 200
    assert "The end is before the start." in response.content.decode()
    response = client_for(admin).get("/settings/audit/", {"since": "yesterday", "subject_id": "x"})
    assert response.status_code == 200
    assert 'class="field-error"' in response.content.decode()


def test_the_audit_export_is_a_csv_safe_for_spreadsheets(client_for, admin, deal, salesperson):
    salesperson.first_name = "=HYPERLINK(1)"
    salesperson.save()
    update_deal(deal=deal, actor=salesperson, changes={"title": "Sun sensor v2"})
    response = client_for(admin).get("/settings/audit/export.csv", {"name": "deal.updated"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:5] == ["id", "when", "who", "source", "event"]
    (row,) = rows[1:]
    assert row[2] == "'=HYPERLINK(1) Test"
    assert row[4:7] == ["deal.updated", "deal", str(deal.pk)]
    assert row[8] == "Title: Sun sensor → Sun sensor v2"
