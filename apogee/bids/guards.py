"""The stage rule: a deal enters a stage that requires a bid only with a binding "bid" decision.

Registered with apogee.deals.guards in BidsConfig.ready(); runs inside the deal
service's transaction. The refusal names the decision dialog (with the stage, so
recording a bid there completes the move).
"""

from django.urls import reverse
from django.utils.translation import gettext as _

from apogee.deals.errors import StageEntryBlocked

from .queries import has_binding_bid, pending_proposal, stage_requires_bid


def decision_url(deal, stage=None) -> str:
    url = reverse("bids:decide", args=[deal.pk])
    return f"{url}?stage={stage.pk}" if stage is not None else url


def bid_decision_required(*, deal, stage, actor) -> None:
    if not stage_requires_bid(stage):
        return
    if deal is not None and has_binding_bid(deal):
        return
    if deal is None:
        # Creating straight into the stage: there is no deal yet to decide on.
        message = _("A deal enters “%(stage)s” only after a bid decision: create it in an earlier stage.") % {
            "stage": stage.name
        }
        raise StageEntryBlocked(message, stage=stage)
    if pending_proposal(deal) is not None:
        message = _("The bid decision awaits a manager's approval: “%(stage)s” needs an approved bid.") % {
            "stage": stage.name
        }
    else:
        message = _("Record a bid decision before “%(stage)s”.") % {"stage": stage.name}
    raise StageEntryBlocked(message, stage=stage, action_url=decision_url(deal, stage))
