"""Bid fixtures: three weighted criteria, the bid rule on "Proposal preparation", deals around it."""

import pytest

from apogee.bids import services
from tests.api.conftest import anonymous_api, api_as  # noqa: F401
from tests.deals.factories import make_deal, stage

# Fields that let a Sales deal pass the demo's gates up to "Proposal preparation".
QUALIFIED = {"opportunity_type": "esa", "offer_type": "firm"}


@pytest.fixture
def criteria(db):
    """Strategic fit ×3, Technical capability ×2, Margin ×1: a full score is 30 points."""
    return [
        services.save_criterion(
            actor=None, label_en="Strategic fit", label_fr="Adéquation stratégique", weight=3
        ),
        services.save_criterion(actor=None, label_en="Technical capability", weight=2),
        services.save_criterion(actor=None, label_en="Margin", label_fr="Marge", weight=1),
    ]


@pytest.fixture
def proposal_stage(sales_pipeline):
    return stage(sales_pipeline, "Proposal preparation")


@pytest.fixture
def bid_rule(proposal_stage):
    services.save_bid_rules(actor=None, stages=[proposal_stage], approval_required=False)
    return proposal_stage


@pytest.fixture
def approval(proposal_stage):
    """The bid rule on "Proposal preparation", and members' decisions need a manager's approval."""
    services.save_bid_rules(actor=None, stages=[proposal_stage], approval_required=True)
    return proposal_stage


@pytest.fixture
def evaluated_deal(sales_pipeline, salesperson):
    """The salesperson's deal in "Opportunity in evaluation", qualified for the next stage's gate."""
    return make_deal(
        pipeline=sales_pipeline,
        owner=salesperson,
        stage=stage(sales_pipeline, "Opportunity in evaluation"),
        custom_values=dict(QUALIFIED),
        title="Hold-down mechanism for CHIME",
    )


def scores(criteria, *values):
    """{criterion id: score}, one value per criterion, or the same value for all."""
    if len(values) == 1:
        values = values * len(criteria)
    return {c.pk: v for c, v in zip(criteria, values, strict=True)}
