"""Helpers shared by the deal pages: turning domain errors into form errors, htmx responses."""

import json

from django.http import HttpResponse
from django.urls import reverse

from apogee.core.errors import DomainError


def add_domain_errors(form, error: DomainError, *, prefix_custom: bool = True) -> None:
    """Attach a DomainError's per-field messages to a form; the rest becomes a non-field error."""
    attached = False
    for field, messages in error.fields.items():
        name = field
        if name not in form.fields and prefix_custom and f"cf_{field}" in form.fields:
            name = f"cf_{field}"
        if name in form.fields:
            for message in messages:
                form.add_error(name, message)
            attached = True
    if not attached or error.code not in ("validation_failed", "stage_gate_blocked"):
        form.add_error(None, error.message)


def htmx_trigger(response: HttpResponse, **events) -> HttpResponse:
    response["HX-Trigger"] = json.dumps(events)
    return response


def query_without(request, *names: str) -> str:
    params = request.GET.copy()
    for name in names:
        params.pop(name, None)
    return params.urlencode()


_PLACEHOLDER = 987654321


def url_for_each(name: str):
    """A fast `pk -> URL` for one URL name: one reverse() instead of one per card (boards have hundreds)."""
    pattern = reverse(name, args=[_PLACEHOLDER])
    return lambda pk: pattern.replace(str(_PLACEHOLDER), str(pk))
