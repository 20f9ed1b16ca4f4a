"""Domain errors of offers, each with a stable code."""

from django.utils.translation import gettext as _

from apogee.core.errors import Conflict


class OfferStatusConflict(Conflict):
    """The offer's status does not allow this (a superseded offer never changes; only a draft is edited)."""

    code = "offer_status_conflict"

    def __init__(self, message: str = ""):
        super().__init__(
            message or _("This offer's status does not allow that."), fields={"status": [message]}
        )
