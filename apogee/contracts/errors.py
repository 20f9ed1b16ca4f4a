"""Domain errors of contracts: a stable code, a message for people, the fields at fault."""

from django.utils.translation import gettext as _

from apogee.core.errors import ValidationFailed


class DealNotWon(ValidationFailed):
    code = "deal_not_won"

    def __init__(self):
        super().__init__(
            _("Only a won deal has a contract."), fields={"deal": [_("Mark the deal as won first.")]}
        )


class NoChangeNoticePipeline(ValidationFailed):
    code = "no_change_notice_pipeline"

    def __init__(self):
        super().__init__(
            _("No pipeline holds change notices."),
            fields={"pipeline": [_("An administrator chooses one in the contract settings.")]},
        )
