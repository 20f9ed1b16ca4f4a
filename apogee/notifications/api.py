"""JSON API of notifications: one's own, newest first; mark one or all read.

Someone else's notification answers 404, as if it did not exist.
"""

from datetime import datetime
from typing import Annotated

from ninja import Field, Query, Router, Schema

from . import queries, services

router = Router(tags=["notifications"])


class NotificationOut(Schema):
    id: int
    text: str
    url: str
    created_at: datetime
    read_at: datetime | None


class NotificationQuery(Schema):
    unread: bool = Field(False, description="Only the unread ones.")
    limit: Annotated[int, Field(ge=1, le=200)] = 50


class ReadAllOut(Schema):
    marked_read: int


@router.get("/notifications", response=list[NotificationOut])
def list_notifications(request, params: Query[NotificationQuery]):
    """The caller's notifications, newest first."""
    notifications = queries.notifications_for(request.auth)
    if params.unread:
        notifications = notifications.filter(read_at__isnull=True)
    return list(notifications[: params.limit])


@router.post("/notifications/read-all", response=ReadAllOut)
def mark_all_read(request):
    return {"marked_read": services.mark_all_read(actor=request.auth)}


@router.post("/notifications/{notification_id}/read", response=NotificationOut)
def mark_read(request, notification_id: int):
    notification = queries.get_notification_for_user_or_404(request.auth, notification_id)
    return services.mark_read(notification=notification, actor=request.auth)
