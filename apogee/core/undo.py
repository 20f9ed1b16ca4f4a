"""The "Undo" offer shown once after a destructive action: a label and the URL that reverses it."""

from django.http import HttpRequest

SESSION_KEY = "apogee_undo"


def offer_undo(request: HttpRequest, *, url: str, label: str) -> None:
    request.session[SESSION_KEY] = {"url": url, "label": str(label)}


def undo_offer(request: HttpRequest) -> dict:
    """Context processor: the pending offer, shown on the next page only."""
    session = getattr(request, "session", None)
    if session is None or SESSION_KEY not in session:
        return {}
    return {"undo": session.pop(SESSION_KEY)}
