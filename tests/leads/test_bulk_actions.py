"""Bulk actions of the inbox: assign, label, archive; all or nothing, only on visible leads."""

import pytest

from apogee.core.errors import PermissionDenied, ValidationFailed
from apogee.core.models import DomainEvent
from apogee.deals.models import Visibility
from apogee.leads.errors import LeadsNotFound
from apogee.leads.models import Lead, LeadStatus
from apogee.leads.services import (
    archive_leads,
    assign_leads,
    convert_lead_to_deal,
    label_leads,
    unarchive_leads,
)
from tests.leads.factories import make_label, make_lead

pytestmark = pytest.mark.django_db


def _lead_events():
    return list(DomainEvent.objects.filter(name__startswith="lead.").exclude(name="lead.created"))


def test_assign_gives_every_lead_to_the_new_owner(workspace, manager, salesperson, teammate):
    first, second = make_lead(owner=salesperson), make_lead(owner=teammate)

    assign_leads(lead_ids=[first.pk, second.pk], owner=teammate, actor=manager)

    assert set(Lead.objects.values_list("owner", flat=True)) == {teammate.pk}
    event = DomainEvent.objects.get(name="lead.assigned")  # the second was already the teammate's
    assert (event.subject_id, event.data) == (first.pk, {"from": salesperson.pk, "to": teammate.pk})


def test_a_member_cannot_pass_on_a_colleagues_lead_and_nothing_changes(
    workspace, salesperson, teammate, manager
):
    mine, theirs = make_lead(owner=salesperson), make_lead(owner=teammate)

    with pytest.raises(PermissionDenied):
        assign_leads(lead_ids=[mine.pk, theirs.pk], owner=manager, actor=salesperson)

    assert dict(Lead.objects.values_list("pk", "owner")) == {mine.pk: salesperson.pk, theirs.pk: teammate.pk}
    assert _lead_events() == []


def test_label_adds_and_removes_a_label_once(workspace, salesperson):
    hot = make_label("Hot")
    first, second = make_lead(owner=salesperson, labels=[hot]), make_lead(owner=salesperson)

    label_leads(lead_ids=[first.pk, second.pk], label=hot, actor=salesperson)

    assert [list(lead.labels.all()) for lead in (first, second)] == [[hot], [hot]]
    assert [(e.subject_id, e.data["added"]) for e in _lead_events()] == [(second.pk, True)]

    label_leads(lead_ids=[first.pk], label=hot, actor=salesperson, remove=True)
    assert list(first.labels.all()) == []


def test_archive_and_back_to_the_inbox(workspace, salesperson):
    lead = make_lead(owner=salesperson)

    archive_leads(lead_ids=[lead.pk], actor=salesperson)
    lead.refresh_from_db()
    assert lead.status == LeadStatus.ARCHIVED and lead.archived_at is not None

    unarchive_leads(lead_ids=[lead.pk], actor=salesperson)
    lead.refresh_from_db()
    assert (lead.status, lead.archived_at) == (LeadStatus.OPEN, None)
    assert [e.name for e in _lead_events()] == ["lead.archived", "lead.unarchived"]


def test_a_converted_lead_stays_archived(workspace, salesperson):
    lead = make_lead(owner=salesperson)
    convert_lead_to_deal(lead=lead, actor=salesperson)

    with pytest.raises(ValidationFailed):
        unarchive_leads(lead_ids=[lead.pk], actor=salesperson)
    lead.refresh_from_db()
    assert lead.status == LeadStatus.ARCHIVED


@pytest.mark.parametrize("action", ["assign", "label", "archive"])
def test_one_lead_the_actor_may_not_see_refuses_the_whole_action(
    workspace, salesperson, other_salesperson, action
):
    private = make_lead(owner=salesperson, visibility=Visibility.OWNER)
    shared = make_lead(owner=other_salesperson)
    label = make_label("Hot")
    ids = [shared.pk, private.pk]

    with pytest.raises(LeadsNotFound) as refused:
        if action == "assign":
            assign_leads(lead_ids=ids, owner=other_salesperson, actor=other_salesperson)
        elif action == "label":
            label_leads(lead_ids=ids, label=label, actor=other_salesperson)
        else:
            archive_leads(lead_ids=ids, actor=other_salesperson)

    assert refused.value.missing_ids == [private.pk]
    assert refused.value.http_status == 404
    assert set(Lead.objects.values_list("status", flat=True)) == {LeadStatus.OPEN}
    assert not Lead.labels.through.objects.exists()
    assert dict(Lead.objects.values_list("pk", "owner")) == {
        private.pk: salesperson.pk,
        shared.pk: other_salesperson.pk,
    }
    assert _lead_events() == []
