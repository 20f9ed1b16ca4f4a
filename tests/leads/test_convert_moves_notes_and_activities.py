"""Converting a lead takes its notes and activities to the deal, in the same transaction, one event each."""

from datetime import date

import pytest

from apogee.activities.models import Activity
from apogee.activities.queries import activities_visible_to
from apogee.activities.services import delete_activity, mark_activity_done
from apogee.core.models import DomainEvent
from apogee.deals.errors import StageGateBlocked
from apogee.deals.models import Deal, Visibility
from apogee.leads.services import convert_lead_to_deal, delete_lead
from apogee.notes.models import Note
from apogee.notes.queries import notes_visible_to
from apogee.notes.services import delete_note
from apogee.workspace.trash import purge_lead
from tests.activities.factories import make_activity
from tests.deals.factories import make_deal, stage
from tests.leads.factories import make_lead
from tests.notes.factories import make_note

pytestmark = pytest.mark.django_db


def _events(name):
    return list(
        DomainEvent.objects.filter(name=name).order_by("id").values_list("subject_id", "actor", "data")
    )


def test_notes_and_activities_move_to_the_deal_with_one_event_each(sales_pipeline, salesperson):
    lead = make_lead(owner=salesperson, title="Hinge for CHIME")
    first_note = make_note(target=lead, author=salesperson, body="<p>Met at the ESA day</p>")
    second_note = make_note(target=lead, author=salesperson, body="<p>Wants a quote in May</p>")
    planned = make_activity(owner=salesperson, lead=lead, subject="Call Camille", due=date(2026, 5, 4))
    finished = mark_activity_done(
        activity=make_activity(owner=salesperson, lead=lead, subject="Send the brochure"), actor=salesperson
    )

    deal = convert_lead_to_deal(lead=lead, actor=salesperson)

    notes = {n.pk: (n.deal_id, n.lead_id) for n in Note.objects.all()}
    assert notes == {first_note.pk: (deal.pk, None), second_note.pk: (deal.pk, None)}
    activities = {a.pk: (a.deal_id, a.lead_id, a.sequence) for a in Activity.objects.all()}
    assert activities == {planned.pk: (deal.pk, lead.pk, 1), finished.pk: (deal.pk, lead.pk, 2)}
    assert _events("note.moved") == [
        (
            note.pk,
            salesperson.pk,
            {"target_kind": "deal", "target_id": deal.pk, "from_kind": "lead", "from_id": lead.pk},
        )
        for note in (first_note, second_note)
    ]
    assert _events("activity.moved") == [
        (
            planned.pk,
            salesperson.pk,
            {"changes": {"deal": [None, deal.pk]}, "lead": lead.pk, "deal": deal.pk, "sequence": 1},
        ),
        (
            finished.pk,
            salesperson.pk,
            {"changes": {"deal": [None, deal.pk]}, "lead": lead.pk, "deal": deal.pk, "sequence": 2},
        ),
    ]
    converted = DomainEvent.objects.get(name="lead.converted")
    assert (converted.data["notes_moved"], converted.data["activities_moved"]) == (2, 2)
    assert set(deal.activities.values_list("pk", flat=True)) == {planned.pk, finished.pk}
    assert set(lead.activities.values_list("pk", flat=True)) == {planned.pk, finished.pk}


def test_deleted_notes_and_activities_stay_with_the_lead(sales_pipeline, salesperson):
    lead = make_lead(owner=salesperson)
    kept_note = make_note(target=lead, author=salesperson)
    gone_note = delete_note(note=make_note(target=lead, author=salesperson), actor=salesperson)
    kept = make_activity(owner=salesperson, lead=lead)
    gone = delete_activity(activity=make_activity(owner=salesperson, lead=lead), actor=salesperson)

    deal = convert_lead_to_deal(lead=lead, actor=salesperson)

    assert list(Note.objects.filter(deal=deal)) == [kept_note]
    assert list(Note.objects.filter(lead=lead)) == [gone_note]
    gone.refresh_from_db()
    assert (gone.deal, gone.lead, gone.sequence) == (None, lead, 1)
    assert list(deal.activities.all()) == [kept]
    assert [e[0] for e in _events("activity.moved")] == [kept.pk]
    assert [e[0] for e in _events("note.moved")] == [kept_note.pk]
    converted = DomainEvent.objects.get(name="lead.converted")
    assert (converted.data["notes_moved"], converted.data["activities_moved"]) == (1, 1)


def test_an_activity_already_on_another_deal_stays_on_it(sales_pipeline, salesperson):
    lead = make_lead(owner=salesperson)
    other_deal = make_deal(pipeline=sales_pipeline, owner=salesperson, title="Framework contract")
    elsewhere = make_activity(owner=salesperson, lead=lead, deal=other_deal)

    deal = convert_lead_to_deal(lead=lead, actor=salesperson)

    elsewhere.refresh_from_db()
    assert (elsewhere.deal, elsewhere.sequence) == (other_deal, 0)
    assert not deal.activities.exists()
    assert not DomainEvent.objects.filter(name="activity.moved").exists()


def test_a_conversion_the_gate_blocks_moves_nothing(sales_pipeline, salesperson):
    lead = make_lead(owner=salesperson)
    note = make_note(target=lead, author=salesperson)
    activity = make_activity(owner=salesperson, lead=lead)
    evaluation = stage(sales_pipeline, "Opportunity in evaluation")

    with pytest.raises(StageGateBlocked):
        convert_lead_to_deal(lead=lead, actor=salesperson, pipeline=sales_pipeline, stage=evaluation)

    assert not Deal.objects.exists()
    note.refresh_from_db()
    activity.refresh_from_db()
    assert (note.lead, note.deal) == (lead, None)
    assert (activity.lead, activity.deal, activity.sequence) == (lead, None, 0)
    assert not DomainEvent.objects.filter(
        name__in=["note.moved", "activity.moved", "lead.converted"]
    ).exists()


def test_whoever_sees_the_deal_sees_what_moved_even_when_the_lead_was_private(
    sales_pipeline, salesperson, teammate
):
    lead = make_lead(owner=salesperson, visibility=Visibility.OWNER)
    note = make_note(target=lead, author=salesperson)
    activity = make_activity(owner=salesperson, lead=lead)
    deal = convert_lead_to_deal(lead=lead, actor=salesperson)

    # Shared with the team afterwards: the deal, not the archived lead, decides.
    Deal.objects.filter(pk=deal.pk).update(visibility=Visibility.TEAM)

    assert activities_visible_to(teammate).filter(pk=activity.pk).exists()
    assert notes_visible_to(teammate).filter(pk=note.pk).exists()


def test_purging_the_converted_lead_leaves_the_deals_activities_on_the_deal(
    sales_pipeline, salesperson, admin
):
    lead = make_lead(owner=salesperson)
    moved = make_activity(owner=salesperson, lead=lead)
    deal = convert_lead_to_deal(lead=lead, actor=salesperson)
    left_behind = delete_activity(activity=make_activity(owner=salesperson, lead=lead), actor=salesperson)
    delete_lead(lead=lead, actor=salesperson)

    purge_lead(lead=lead, actor=admin)

    moved.refresh_from_db()
    assert (moved.deal, moved.lead) == (deal, None)
    assert not Activity.objects.filter(pk=left_behind.pk).exists()
    assert activities_visible_to(salesperson).filter(pk=moved.pk).exists()
