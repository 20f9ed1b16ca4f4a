"""Pages of leads (being built: this placeholder says so rather than pretending)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.utils.translation import gettext as _


@login_required
def inbox(request):
    return HttpResponse(_("Coming soon."), content_type="text/plain; charset=utf-8")
