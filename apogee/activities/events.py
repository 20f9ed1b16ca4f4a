"""Names of the domain events activities record."""

ACTIVITY_CREATED = "activity.created"
ACTIVITY_UPDATED = "activity.updated"
ACTIVITY_DONE = "activity.done"
ACTIVITY_UNDONE = "activity.undone"
ACTIVITY_DELETED = "activity.deleted"
ACTIVITY_RESTORED = "activity.restored"
# The lead it is on was converted: the activity is on the deal now (data: changes, lead, deal, sequence).
ACTIVITY_MOVED = "activity.moved"
ACTIVITY_TYPE_CHANGED = "activity_type.changed"
CALENDAR_FEED_CHANGED = "calendar_feed.changed"
