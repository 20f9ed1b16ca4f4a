"""Domain errors of deals, each with a stable code and the fields at fault."""

from django.utils.translation import gettext as _

from apogee.core.errors import Conflict, ValidationFailed


class StageGateBlocked(ValidationFailed):
    code = "stage_gate_blocked"

    def __init__(self, *, stage, missing_fields: list[str], labels: dict[str, str]):
        names = ", ".join(labels.get(k, k) for k in missing_fields)
        super().__init__(
            _("To enter “%(stage)s”, fill in: %(fields)s.") % {"stage": stage.name, "fields": names},
            fields={k: [_("Required to enter “%s”.") % stage.name] for k in missing_fields},
        )
        self.stage = stage
        self.missing_fields = missing_fields


class StageEntryBlocked(ValidationFailed):
    """A stage-entry guard (apogee.deals.guards) refuses the move.

    `action_url` names a page or dialog where the user can do what is missing (e.g.
    record a bid decision); the board and the deal page open it in the dialog.
    """

    code = "stage_entry_blocked"

    def __init__(self, message: str, *, stage, fields=None, action_url: str = ""):
        super().__init__(message, fields=fields or {"stage": [message]})
        self.stage = stage
        self.action_url = action_url


class StageNotInPipeline(ValidationFailed):
    code = "stage_not_in_pipeline"

    def __init__(self):
        super().__init__(
            _("This stage belongs to another pipeline."),
            fields={"stage": [_("Choose a stage of the deal's pipeline.")]},
        )


class DealClosed(ValidationFailed):
    code = "deal_closed"

    def __init__(self):
        super().__init__(
            _("This deal is closed. Reopen it first."), fields={"status": [_("The deal is won or lost.")]}
        )


class DealVersionConflict(Conflict):
    """Someone saved the deal since this user loaded it; `changes` says what they changed."""

    code = "version_conflict"

    def __init__(self, *, current_version: int, changes: list[dict]):
        super().__init__(
            _("Someone else changed this deal while you were editing it. Review their changes and try again.")
        )
        self.current_version = current_version
        self.changes = changes

    def as_payload(self) -> dict:
        return {**super().as_payload(), "current_version": self.current_version, "changes": self.changes}


class HandoffNotPossible(ValidationFailed):
    code = "handoff_not_possible"
