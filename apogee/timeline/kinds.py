"""Which timeline filter an event belongs to, from its name alone (pure: no Django)."""

STAGE = "stage"
CHANGE = "change"
ACTIVITY = "activity"
NOTE = "note"
STATUS = "status"
EMAIL = "email"
BID = "bid"

KINDS = (STAGE, CHANGE, ACTIVITY, NOTE, BID, STATUS)
# Bid decisions, offers and the contract: the bid's own story, one filter.
BID_SUBJECTS = ("bid_decision", "offer", "contract", "change_notice")

_STATUS_VERBS = {
    "created",
    "won",
    "lost",
    "reopened",
    "handed_off",
    "converted",
    "archived",
    "unarchived",
    "deleted",
    "restored",
    "purged",
}


def kind_of(event_name: str) -> str:
    subject, _, verb = event_name.partition(".")
    if subject == "activity":
        return ACTIVITY
    if subject == "note":
        return NOTE
    if subject == "email":
        return EMAIL
    if subject in BID_SUBJECTS:
        return BID
    if verb == "stage_changed":
        return STAGE
    if verb in _STATUS_VERBS:
        return STATUS
    return CHANGE


def names_of_kinds(kinds, known_names) -> list[str]:
    """The event names among `known_names` that fall in `kinds`."""
    wanted = set(kinds)
    return [name for name in known_names if kind_of(name) in wanted]
