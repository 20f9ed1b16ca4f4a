"""Names of the domain events notes record."""

NOTE_ADDED = "note.added"
NOTE_EDITED = "note.edited"
NOTE_PINNED = "note.pinned"
NOTE_UNPINNED = "note.unpinned"
NOTE_DELETED = "note.deleted"
