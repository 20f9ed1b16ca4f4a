"""Deal writes: create, edit (with version check), move through stages, win, lose, hand off.

Each function checks the actor may act, writes inside one transaction, records a
domain event and returns the deal. Nothing else saves a Deal. `actor=None` is a
system task (seeding, imports run by an administrator on the command line).
"""

from .common import MAX_VALUE, ensure_can_edit
from .configuration import delete_view, remove_stage, save_lost_reason, save_view
from .handoff import hand_off_deal
from .imports import import_deal
from .lifecycle import (
    create_deal,
    delete_deal,
    mark_deal_lost,
    mark_deal_won,
    move_deal_to_stage,
    reopen_deal,
    restore_deal,
    update_deal,
)
from .participants import add_participant, remove_participant

__all__ = [
    "MAX_VALUE",
    "add_participant",
    "create_deal",
    "delete_deal",
    "delete_view",
    "ensure_can_edit",
    "hand_off_deal",
    "import_deal",
    "mark_deal_lost",
    "mark_deal_won",
    "move_deal_to_stage",
    "remove_participant",
    "remove_stage",
    "reopen_deal",
    "restore_deal",
    "save_lost_reason",
    "save_view",
    "update_deal",
]
