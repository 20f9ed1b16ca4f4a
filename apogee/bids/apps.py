from django.apps import AppConfig


class BidsConfig(AppConfig):
    name = "apogee.bids"
    label = "bids"

    def ready(self) -> None:
        from apogee.deals.guards import register_stage_guard

        from .guards import bid_decision_required

        register_stage_guard(bid_decision_required)
