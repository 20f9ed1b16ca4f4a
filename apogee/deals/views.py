"""Deal pages (work in progress)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse


@login_required
def _todo(request, **kwargs):
    return HttpResponse("")


board = deal_list = export_csv = create = detail = move = edit_field = won = lost = reopen = handoff = _todo
participants = remove_participant = save_view = delete_view = _todo
