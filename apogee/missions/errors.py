"""Domain errors of missions, with stable codes."""

from apogee.core.errors import Conflict, ValidationFailed


class NotAMission(ValidationFailed):
    """The deal is not in a missions pipeline: it has no profile and nothing links to it."""

    code = "not_a_mission"


class AlreadyInMission(Conflict):
    """The deal already rolls up into a mission (linked, or handed off from one)."""

    code = "already_in_mission"
