"""Domain errors of leads, each with a stable code and the fields at fault."""

from django.utils.translation import gettext as _

from apogee.core.errors import Conflict, NotFound


class LeadAlreadyConverted(Conflict):
    code = "lead_already_converted"

    def __init__(self, lead):
        super().__init__(
            _("“%s” was already converted to a deal.") % lead.title,
            fields={"converted_deal": [_("This lead is linked to a deal already.")]},
        )


class LeadsNotFound(NotFound):
    """A bulk action named leads the actor may not see (or that do not exist): nothing was done."""

    code = "leads_not_found"

    def __init__(self, missing_ids: list[int]):
        super().__init__(
            _("Some leads do not exist or are not visible to you: %s.") % ", ".join(map(str, missing_ids)),
            fields={"ids": [_("Unknown lead: %s") % pk for pk in missing_ids]},
        )
        self.missing_ids = missing_ids
