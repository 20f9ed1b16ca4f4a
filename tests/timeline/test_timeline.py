"""One timeline per record: what it gathers, in what order, by kind, and never more than the user may see."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apogee.contacts.services import update_organization
from apogee.deals.models import Visibility
from apogee.deals.services import mark_deal_won, move_deal_to_stage, update_deal
from apogee.notes.services import add_note, delete_note
from apogee.timeline.kinds import kind_of
from apogee.timeline.queries import timeline_for
from tests.activities.factories import make_activity
from tests.contacts.factories import make_organization, make_person
from tests.deals.factories import make_deal, stage
from tests.leads.factories import make_lead

pytestmark = pytest.mark.django_db


def _texts(page):
    return [entry.text for entry in page.entries]


@pytest.fixture
def deal(sales_pipeline, salesperson):
    return make_deal(pipeline=sales_pipeline, owner=salesperson, title="Star tracker baffle")


def test_a_deal_timeline_gathers_changes_stage_moves_activities_and_notes_newest_first(
    deal, sales_pipeline, salesperson
):
    update_deal(deal=deal, actor=salesperson, changes={"value": "250000.00"})
    move_deal_to_stage(deal=deal, stage=stage(sales_pipeline, "Opportunity identified"), actor=salesperson)
    activity = make_activity(owner=salesperson, actor=salesperson, deal=deal, subject="Call ESA TO")
    add_note(target=deal, body="<p>Budget <strong>confirmed</strong></p>", actor=salesperson)

    page = timeline_for(salesperson, deal)

    kinds = [entry.kind for entry in page.entries]
    assert kinds == ["note", "activity", "stage", "change", "status"]
    assert page.entries[0].body_html == "<p>Budget <strong>confirmed</strong></p>"
    assert "Call ESA TO" in page.entries[1].text
    assert page.entries[1].link_url == f"/activities/{activity.pk}/edit/"
    assert page.entries[2].text == "Moved from “First contact” to “Opportunity identified”"
    label, _old, new = page.entries[3].changes[0]
    assert (label, new) == ("Value", "250000.00")
    assert page.entries[4].text.startswith("Created the deal “Star tracker baffle”")
    assert all(entry.who == "Salesperson Test" for entry in page.entries[:4])


def test_field_changes_show_names_instead_of_ids(deal, salesperson, teammate):
    organization = make_organization("Thales Alenia Space")
    update_deal(deal=deal, actor=salesperson, changes={"organization": organization, "owner": teammate})

    (change,) = timeline_for(salesperson, deal, kinds=["change"]).entries
    assert sorted(change.changes) == [
        ("Organization", "—", "Thales Alenia Space"),
        ("Owner", "Salesperson Test", "Teammate Test"),
    ]


def test_filter_by_kind(deal, salesperson, sales_pipeline):
    move_deal_to_stage(deal=deal, stage=stage(sales_pipeline, "Opportunity identified"), actor=salesperson)
    add_note(target=deal, body="Kick-off", actor=salesperson)

    assert [e.kind for e in timeline_for(salesperson, deal, kinds=["note"]).entries] == ["note"]
    assert [e.kind for e in timeline_for(salesperson, deal, kinds=["stage", "status"]).entries] == [
        "stage",
        "status",
    ]
    assert timeline_for(salesperson, deal, kinds=["activity"]).entries == []


def test_the_sql_kind_filter_agrees_with_kind_of_for_every_event(deal, salesperson, sales_pipeline):
    update_deal(deal=deal, actor=salesperson, changes={"title": "Renamed"})
    move_deal_to_stage(deal=deal, stage=stage(sales_pipeline, "Opportunity identified"), actor=salesperson)
    mark_deal_won(deal=deal, actor=salesperson)
    make_activity(owner=salesperson, actor=salesperson, deal=deal)
    add_note(target=deal, body="x", actor=salesperson)
    everything = timeline_for(salesperson, deal).entries
    for kind in ("change", "stage", "activity", "note", "status"):
        filtered = {e.id for e in timeline_for(salesperson, deal, kinds=[kind]).entries}
        assert filtered == {e.id for e in everything if kind_of(e.name) == kind}, kind


def test_imported_history_is_placed_at_its_original_time(sales_pipeline, salesperson):
    long_ago = timezone.now() - timedelta(days=900)
    deal = make_deal(pipeline=sales_pipeline, owner=salesperson, occurred_at=long_ago)
    move_deal_to_stage(
        deal=deal,
        stage=stage(sales_pipeline, "Opportunity identified"),
        actor=salesperson,
        occurred_at=long_ago + timedelta(days=10),
    )
    update_deal(deal=deal, actor=salesperson, changes={"title": "Today"})

    entries = timeline_for(salesperson, deal).entries
    assert [e.kind for e in entries] == ["change", "stage", "status"]
    assert entries[-1].when == long_ago
    assert entries[1].when == long_ago + timedelta(days=10)


def test_deleted_notes_leave_a_trace_without_their_text(deal, salesperson):
    note = add_note(target=deal, body="Secret price 1.2 M", actor=salesperson)
    delete_note(note=note, actor=salesperson)

    entries = timeline_for(salesperson, deal, kinds=["note"]).entries
    assert [e.text for e in entries] == ["Deleted a note", "Added a note"]
    assert all(e.body_html == "" for e in entries)


def test_paging(deal, salesperson):
    for n in range(7):
        update_deal(deal=deal, actor=salesperson, changes={"title": f"Title {n}"})
    first = timeline_for(salesperson, deal, limit=5)
    second = timeline_for(salesperson, deal, offset=5, limit=5)
    assert first.has_more and not second.has_more
    assert len(first.entries) == 5 and len(second.entries) == 3
    assert not {e.id for e in first.entries} & {e.id for e in second.entries}


def test_an_organization_timeline_shows_its_deals_lifecycle_but_never_a_private_deal_of_someone_else(
    sales_pipeline, salesperson, other_salesperson
):
    organization = make_organization("OHB System")
    update_organization(organization=organization, actor=salesperson, changes={"country": "DE"})
    shared = make_deal(
        pipeline=sales_pipeline, owner=salesperson, organization=organization, title="Shared bid"
    )
    private = make_deal(
        pipeline=sales_pipeline,
        owner=other_salesperson,
        organization=organization,
        title="Hidden bid",
        visibility=Visibility.OWNER,
    )
    update_deal(deal=shared, actor=salesperson, changes={"title": "Shared bid v2"})

    seen_by_salesperson = timeline_for(salesperson, organization).entries
    texts = " ".join(e.text + e.link_label for e in seen_by_salesperson)
    assert "Hidden bid" not in texts
    assert "Shared bid" in texts
    # A deal's field changes belong to the deal's page, not the organization's.
    assert not [e for e in seen_by_salesperson if e.name == "deal.updated"]
    assert any(e.name == "organization.updated" for e in seen_by_salesperson)
    created = next(e for e in seen_by_salesperson if e.name == "deal.created")
    assert created.link_url == f"/deals/{shared.pk}/"

    owner_view = timeline_for(other_salesperson, organization).entries
    assert any(e.link_label == "Hidden bid" for e in owner_view)
    assert private.pk


def test_a_person_timeline_holds_the_activities_they_attend_that_the_user_may_see(
    salesperson, other_salesperson
):
    person = make_person("Jane Doe")
    make_activity(owner=salesperson, actor=salesperson, person=person, subject="Lunch with Jane")
    make_activity(owner=other_salesperson, actor=other_salesperson, person=person, subject="Private call")

    texts = _texts(timeline_for(salesperson, person, kinds=["activity"]))
    assert any("Lunch with Jane" in t for t in texts)
    assert not any("Private call" in t for t in texts)


def test_a_deal_converted_from_a_lead_carries_the_lead_history(sales_pipeline, salesperson):
    from apogee.leads.services import convert_lead_to_deal

    lead = make_lead(owner=salesperson, title="Lunar lander harness")
    deal = convert_lead_to_deal(lead=lead, actor=salesperson, pipeline=sales_pipeline)

    names = [e.name for e in timeline_for(salesperson, deal).entries]
    assert "lead.created" in names and "lead.converted" in names and "deal.created" in names
    converted = next(e for e in timeline_for(salesperson, lead).entries if e.name == "lead.converted")
    assert converted.text == "Converted the lead to the deal “Lunar lander harness”"


def test_dates_and_moments_in_changes_read_as_dates(deal, salesperson):
    update_deal(
        deal=deal,
        actor=salesperson,
        changes={"submission_deadline": "2027-03-15T12:00+01:00", "offer_valid_until": "2027-09-30"},
    )
    (change,) = timeline_for(salesperson, deal, kinds=["change"]).entries
    rows = {label: new for label, _old, new in change.changes}
    assert rows["Submission deadline"] == "15.03.2027 11:00"  # shown in the active time zone (UTC here)
    assert rows["Offer valid until"] == "30.09.2027"
