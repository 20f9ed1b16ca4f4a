"""Errors of contacts."""

from django.utils.translation import gettext as _

from apogee.core.errors import Conflict


class DuplicateSuspected(Conflict):
    """A record with the same e-mail or normalized name exists; the caller may confirm and retry."""

    code = "duplicate_suspected"

    def __init__(self, *, candidates: list, reason: str, field: str = "name"):
        names = ", ".join(str(c) for c in candidates[:5])
        super().__init__(
            _("This looks like an existing record (%(reason)s): %(names)s.")
            % {"reason": reason, "names": names},
            fields={field: [_("Possible duplicate of %s.") % names]},
        )
        self.candidates = candidates

    def as_payload(self) -> dict:
        return {**super().as_payload(), "duplicates": [c.pk for c in self.candidates]}
