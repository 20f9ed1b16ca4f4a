"""Activity pages: my activities, the team view, the week, the deal and lead panel, editing, the ICS feed,
settings."""

from .editing import create, delete, done, edit, restore, undone
from .feed import feed, feed_reset, feed_revoke
from .lists import mine, team, week
from .panel import panel
from .settings import type_archive, type_edit, type_restore, types

__all__ = [
    "create",
    "delete",
    "done",
    "edit",
    "feed",
    "feed_reset",
    "feed_revoke",
    "mine",
    "panel",
    "restore",
    "team",
    "type_archive",
    "type_edit",
    "type_restore",
    "types",
    "undone",
    "week",
]
