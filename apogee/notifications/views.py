"""The notifications page: the user's own, newest first; open one (marks it read), mark all read."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from . import queries, services


@login_required
@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    notifications = queries.notifications_for(request.user)
    page = Paginator(notifications, queries.PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/list.html",
        {
            "page": page,
            "notifications": page.object_list,
            "has_unread": notifications.filter(read_at__isnull=True).exists(),
        },
    )


@login_required
@require_POST
def open_notification(request: HttpRequest, notification_id: int) -> HttpResponse:
    """Mark it read and follow its link (or come back to the list)."""
    notification = queries.get_notification_for_user_or_404(request.user, notification_id)
    services.mark_read(notification=notification, actor=request.user)
    if notification.url and url_has_allowed_host_and_scheme(
        notification.url, allowed_hosts={request.get_host()}
    ):
        return redirect(notification.url)
    return redirect("notifications:list")


@login_required
@require_POST
def mark_read(request: HttpRequest, notification_id: int) -> HttpResponse:
    notification = queries.get_notification_for_user_or_404(request.user, notification_id)
    services.mark_read(notification=notification, actor=request.user)
    return redirect("notifications:list")


@login_required
@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    count = services.mark_all_read(actor=request.user)
    if count:
        messages.success(request, _("All notifications marked read."))
    return redirect("notifications:list")
