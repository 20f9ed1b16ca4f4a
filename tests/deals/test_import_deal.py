"""Migrated deals land with their past: history at the original times, outcome, no gates on the past."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from apogee.core.errors import ValidationFailed
from apogee.core.models import DomainEvent
from apogee.deals.errors import StageNotInPipeline
from apogee.deals.models import Deal, DealStatus, LostReason, StageChange
from apogee.deals.services import import_deal
from tests.deals.factories import stage

pytestmark = pytest.mark.django_db


def at(year, month, day):
    return datetime(year, month, day, 9, 30, tzinfo=UTC)


@pytest.fixture
def history(sales_pipeline):
    return [
        (stage(sales_pipeline, "First contact"), at(2021, 3, 1)),
        (stage(sales_pipeline, "Opportunity identified"), at(2021, 4, 1)),
        # Gated (opportunity type, offer type) and guarded (bid decision) today; not in 2021.
        (stage(sales_pipeline, "Proposal preparation"), at(2021, 6, 1)),
    ]


def test_a_won_deal_lands_with_its_history_and_original_dates(sales_pipeline, salesperson, history):
    deal = import_deal(
        title="Hold-down mechanism for Harmony",
        pipeline=sales_pipeline,
        history=history,
        owner=salesperson,
        status=DealStatus.WON,
        value="1250000.50",
        currency="EUR",
        won_at=at(2021, 9, 15),
    )
    deal.refresh_from_db()
    assert deal.created_at == at(2021, 3, 1)
    assert deal.stage.name == "Proposal preparation"
    assert deal.stage_entered_at == at(2021, 6, 1)
    assert (deal.status, deal.won_at, deal.value) == (DealStatus.WON, at(2021, 9, 15), Decimal("1250000.50"))
    moves = list(StageChange.objects.filter(deal=deal).values_list("to_stage__name", "changed_at"))
    assert moves == [(s.name, when) for s, when in history]
    events = list(
        DomainEvent.objects.filter(subject_type="deal", subject_id=deal.pk).values_list("name", "created_at")
    )
    assert events == [
        ("deal.created", at(2021, 3, 1)),
        ("deal.stage_changed", at(2021, 4, 1)),
        ("deal.stage_changed", at(2021, 6, 1)),
        ("deal.won", at(2021, 9, 15)),
    ]


def test_a_refused_deal_writes_nothing(sales_pipeline, salesperson, history):
    for bad in ({"value": "12abc"}, {"currency": "EURO"}, {"status": DealStatus.LOST}, {"title": ""}):
        arguments = {"title": "Bad", "value": "10", "currency": "CHF", "status": DealStatus.OPEN, **bad}
        with pytest.raises(ValidationFailed):
            import_deal(pipeline=sales_pipeline, history=history, owner=salesperson, **arguments)
    assert not Deal.objects.exists()
    assert not StageChange.objects.exists()


def test_a_stage_of_another_pipeline_is_refused(workspace, sales_pipeline, salesperson):
    wrong = [(workspace["RFI"].stages.first(), at(2021, 1, 1))]
    with pytest.raises(StageNotInPipeline):
        import_deal(title="X", pipeline=sales_pipeline, history=wrong, owner=salesperson)


def test_importing_again_changes_only_what_changed(sales_pipeline, salesperson, history):
    arguments = {
        "title": "Deployment hinge",
        "pipeline": sales_pipeline,
        "owner": salesperson,
        "value": "500",
    }
    deal = import_deal(history=history[:2], **arguments)
    before = DomainEvent.objects.order_by("-id").values_list("id", flat=True).first()
    same = import_deal(history=history[:2], deal=deal, **arguments)
    assert not DomainEvent.objects.filter(id__gt=before).exists()
    assert same.version == deal.version
    # Later in Pipedrive: moved on, lost, and the value changed.
    reason = LostReason.objects.first()
    later = import_deal(
        history=history,
        deal=deal,
        status=DealStatus.LOST,
        lost_at=at(2021, 8, 1),
        lost_reason=reason,
        **{**arguments, "value": "650"},
    )
    assert later.stage.name == "Proposal preparation"
    assert (later.status, later.lost_reason, later.value) == (DealStatus.LOST, reason, Decimal("650.00"))
    assert StageChange.objects.filter(deal=deal).count() == 3
    names = list(
        DomainEvent.objects.filter(subject_id=deal.pk, subject_type="deal", id__gt=before)
        .order_by("id")
        .values_list("name", flat=True)
    )
    assert names == ["deal.updated", "deal.stage_changed", "deal.lost"]
    assert DomainEvent.objects.get(name="deal.updated", subject_id=deal.pk).data["changes"] == {
        "value": ["500.00", "650.00"]
    }
