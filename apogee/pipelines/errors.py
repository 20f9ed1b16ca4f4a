"""Errors of pipeline configuration."""

from django.utils.translation import gettext as _

from apogee.core.errors import Conflict


class StageHasDeals(Conflict):
    code = "stage_has_deals"

    def __init__(self, *, stage, deal_count: int):
        super().__init__(
            _("“%(stage)s” still holds %(count)d deal(s). Move them to another stage first.")
            % {"stage": stage.name, "count": deal_count},
            fields={"move_deals_to": [_("Choose the stage that receives the deals.")]},
        )
        self.deal_count = deal_count
