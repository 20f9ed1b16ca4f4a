"""Names of the domain events notifications record."""

NOTIFICATION_SENT = "notification.sent"
NOTIFICATION_READ = "notification.read"
# data: how many were marked read; the subject is the user.
NOTIFICATIONS_ALL_READ = "notification.all_read"
