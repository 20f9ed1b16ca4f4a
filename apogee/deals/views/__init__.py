"""Deal pages: the board, the list, the deal page, and the htmx fragments behind them."""

from .board import board, move
from .detail import (
    create,
    delete,
    detail,
    edit_field,
    handoff,
    lost,
    participants,
    remove_participant,
    reopen,
    restore,
    won,
)
from .listing import deal_list, delete_view, export_csv, save_view

__all__ = [
    "board",
    "create",
    "deal_list",
    "delete",
    "delete_view",
    "detail",
    "edit_field",
    "export_csv",
    "handoff",
    "lost",
    "move",
    "participants",
    "remove_participant",
    "reopen",
    "restore",
    "save_view",
    "won",
]
