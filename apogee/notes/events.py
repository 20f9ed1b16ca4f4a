"""Names of the domain events notes record."""

NOTE_ADDED = "note.added"
NOTE_EDITED = "note.edited"
NOTE_PINNED = "note.pinned"
NOTE_UNPINNED = "note.unpinned"
NOTE_DELETED = "note.deleted"
# The lead it was on was converted: the note is on the deal now (data: target and where it came from).
NOTE_MOVED = "note.moved"
