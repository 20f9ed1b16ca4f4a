"""The notes panel of deal, lead, person and organization pages (htmx fragments).

Every write answers with the whole panel, re-read, so pinned notes come first and
the newest follow. A note the user may not see answers 404; changing a note one
may see but not edit answers 403.
"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as HttpForbidden
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import retarget

from apogee.core.errors import PermissionDenied, ValidationFailed

from . import queries, services
from .forms import NoteForm
from .models import Note

DETAIL_URLS = {
    "deal": "deals:detail",
    "lead": "leads:detail",
    "person": "contacts:person",
    "organization": "contacts:organization",
}


def _panel(request: HttpRequest, kind: str, target, *, form=None, status=200) -> HttpResponse:
    notes = queries.notes_on(request.user, target)
    for note in notes:
        note.editable = queries.can_edit_note(request.user, note)
    context = {"target_kind": kind, "target": target, "notes": notes, "form": form or NoteForm()}
    return render(request, "notes/_panel.html", context, status=status)


def _after_write(request: HttpRequest, note: Note) -> HttpResponse:
    if request.htmx:
        return _panel(request, note.target_kind, note.target)
    return redirect(DETAIL_URLS[note.target_kind], note.target_id)


@login_required
@require_GET
def panel(request: HttpRequest, kind: str, target_id: int) -> HttpResponse:
    target = queries.get_target_for_user_or_404(request.user, kind, target_id)
    return _panel(request, kind, target)


@login_required
@require_POST
def add(request: HttpRequest, kind: str, target_id: int) -> HttpResponse:
    target = queries.get_target_for_user_or_404(request.user, kind, target_id)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            note = services.add_note(target=target, body=form.cleaned_data["body"], actor=request.user)
        except PermissionDenied as error:
            raise HttpForbidden(error.message) from None
        except ValidationFailed as error:
            form.add_domain_error(error)
        else:
            return _after_write(request, note)
    # htmx swaps only 2xx answers: the form comes back in the panel, with its errors.
    return _panel(request, kind, target, form=form, status=200 if request.htmx else 422)


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, note_id: int) -> HttpResponse:
    note = queries.get_note_for_user_or_404(request.user, note_id)
    if not queries.can_edit_note(request.user, note):
        raise HttpForbidden("Only the author, a manager or an administrator can change this note.")
    form = NoteForm(request.POST or None, initial={"body": note.body_html})
    if request.method == "POST" and form.is_valid():
        try:
            services.edit_note(note=note, body=form.cleaned_data["body"], actor=request.user)
        except PermissionDenied as error:
            raise HttpForbidden(error.message) from None
        except ValidationFailed as error:
            form.add_domain_error(error)
        else:
            return _after_write(request, note)
    status = 422 if form.errors and not request.htmx else 200
    response = render(request, "notes/_edit.html", {"note": note, "form": form}, status=status)
    # The form posts to the whole panel; with errors, only the note being edited is replaced.
    return retarget(response, f"#note-{note.pk}") if request.htmx and request.method == "POST" else response


@login_required
@require_POST
def pin(request: HttpRequest, note_id: int) -> HttpResponse:
    note = queries.get_note_for_user_or_404(request.user, note_id)
    services.pin_note(note=note, actor=request.user)
    return _after_write(request, note)


@login_required
@require_POST
def unpin(request: HttpRequest, note_id: int) -> HttpResponse:
    note = queries.get_note_for_user_or_404(request.user, note_id)
    services.unpin_note(note=note, actor=request.user)
    return _after_write(request, note)


@login_required
@require_POST
def delete(request: HttpRequest, note_id: int) -> HttpResponse:
    note = queries.get_note_for_user_or_404(request.user, note_id)
    try:
        services.delete_note(note=note, actor=request.user)
    except PermissionDenied as error:
        raise HttpForbidden(error.message) from None
    return _after_write(request, note)
