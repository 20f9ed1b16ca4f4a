"""JSON API of search: GET /search?q=&kinds=deal,lead&limit= over deals, leads, persons,
organizations and notes, best first, with the same permission rules as the pages.

A record the caller may not see is never returned; an unknown kind answers 422 naming `kinds`.
"""

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from apogee.core.errors import ValidationFailed

from . import queries

router = Router(tags=["search"])

MAX_LIMIT = 100


class SearchParams(Schema):
    q: str = Field("", max_length=200, description="Words to find; each matches the start of a word.")
    kinds: str | None = Field(
        None,
        description="Comma-separated: deal, lead, person, organization, note. All kinds if omitted.",
    )
    limit: int = Field(20, ge=1, le=MAX_LIMIT)


class SearchHitOut(Schema):
    kind: str
    id: int
    label: str
    detail: str
    url: str = Field(..., description="The record's page (a note: its record's page, at the notes).")
    rank: float = Field(..., description="Higher is better; comparable within one response only.")


@router.get("/search", response=list[SearchHitOut])
def search(request, params: Query[SearchParams]):
    kinds, unknown = queries.parse_kinds(params.kinds)
    if unknown:
        message = _("Unknown kind: %(kinds)s. Use deal, lead, person, organization or note.") % {
            "kinds": ", ".join(unknown)
        }
        raise ValidationFailed(_("Some fields are invalid."), fields={"kinds": [message]})
    return queries.search(request.auth, params.q, kinds=kinds, limit=params.limit)
