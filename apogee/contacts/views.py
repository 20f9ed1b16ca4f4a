"""Organization and person pages (placeholder until built)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse


@login_required
def _todo(request, **kwargs):
    return HttpResponse("")


organizations = organization = persons = person = _todo
