"""The download answer shared by the page and the API: always an attachment, never rendered inline."""

from django.http import FileResponse, Http404

from .models import OfferDocument


def document_response(document: OfferDocument) -> FileResponse:
    """The stored file under its original name; 404 if the file is gone from the disk."""
    try:
        handle = document.file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404("The file is missing") from None
    response = FileResponse(
        handle, as_attachment=True, filename=document.original_name, content_type=document.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    # Opened by mistake in a tab, it still runs nothing and reaches nothing.
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
