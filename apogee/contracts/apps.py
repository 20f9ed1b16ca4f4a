from django.apps import AppConfig


class ContractsConfig(AppConfig):
    name = "apogee.contracts"
    label = "contracts"

    def ready(self) -> None:
        # Business reactions are domain-event consumers (after commit), never Django signals.
        from apogee.core.events import subscribe
        from apogee.deals import events as deal_events

        from . import consumers

        subscribe(deal_events.DEAL_WON, consumers.create_contract_on_win)
        subscribe(deal_events.DEAL_CREATED, consumers.number_change_notice_on_create)
