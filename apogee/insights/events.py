"""Names of the domain events the insights app records."""

REPORT_SAVED = "insights.report_saved"
REPORT_DELETED = "insights.report_deleted"
DASHBOARD_SAVED = "insights.dashboard_saved"
DASHBOARD_DELETED = "insights.dashboard_deleted"
DASHBOARD_ITEM_ADDED = "insights.dashboard_item_added"
DASHBOARD_ITEM_REMOVED = "insights.dashboard_item_removed"
DASHBOARD_ITEM_MOVED = "insights.dashboard_item_moved"
