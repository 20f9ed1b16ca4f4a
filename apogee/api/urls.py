"""The NinjaAPI instance: routers, the DomainError → 4xx translation, and 422 for bad input.

Every error answers with one envelope, {"code", "message", "fields"}, so clients
handle one shape whatever went wrong.
"""

from django.http import Http404
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError

from apogee.accounts.api import router as accounts_router
from apogee.activities.api import router as activities_router
from apogee.bids.api import router as bids_router
from apogee.contacts.api import router as contacts_router
from apogee.contracts.api import router as contracts_router
from apogee.core.errors import DomainError
from apogee.customfields.api import router as customfields_router
from apogee.deals.api import router as deals_router
from apogee.insights.api import router as insights_router
from apogee.leads.api import router as leads_router
from apogee.missions.api import router as missions_router
from apogee.notes.api import router as notes_router
from apogee.notifications.api import router as notifications_router
from apogee.offers.api import router as offers_router
from apogee.pipelines.api import router as pipelines_router
from apogee.products.api import router as products_router
from apogee.search.api import router as search_router
from apogee.timeline.api import router as timeline_router

from .auth import SessionAuth, TokenAuth
from .parsing import NulFreeParser


class ErrorOut(Schema):
    code: str
    message: str
    fields: dict[str, list[str]]


# Which error statuses an operation documents: unsafe methods may be refused (403) or
# conflict (409); an operation on one record may not find it (404).
_ERRORS = {
    401: "Not authenticated: no token, a revoked token, or no session.",
    403: "Not allowed, or a session write without its CSRF token.",
    404: "No such record, or one you may not see.",
    409: "Conflict: someone saved since your version, or a suspected duplicate.",
    422: "Invalid input; `fields` names each field at fault.",
}


class ApogeeAPI(NinjaAPI):
    def get_openapi_schema(self, *args, **kwargs):
        schema = super().get_openapi_schema(*args, **kwargs)
        schema.setdefault("components", {}).setdefault("schemas", {})["Error"] = ErrorOut.model_json_schema()
        for path, operations in schema.get("paths", {}).items():
            for method, operation in operations.items():
                for status, description in _ERRORS.items():
                    if status == 404 and "{" not in path:
                        continue
                    if status in (403, 409) and method == "get":
                        continue
                    operation["responses"].setdefault(
                        status,
                        {
                            "description": description,
                            "content": {
                                "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}
                            },
                        },
                    )
        return schema


api = ApogeeAPI(
    title="Apogee API",
    version="1.0",
    description=(
        "Personal tokens: `Authorization: Bearer apg_…` (create one on your profile page). "
        "Errors are JSON `{code, message, fields}`."
    ),
    urls_namespace="api",
    auth=[TokenAuth(), SessionAuth()],
    parser=NulFreeParser(),
    docs_url="/docs",
)

api.add_router("", accounts_router)
api.add_router("", contacts_router)
api.add_router("", customfields_router)
api.add_router("", pipelines_router)
api.add_router("", deals_router)
api.add_router("", leads_router)
api.add_router("", activities_router)
api.add_router("", notes_router)
api.add_router("", search_router)
api.add_router("", timeline_router)
api.add_router("", missions_router)
api.add_router("", contracts_router)
api.add_router("", bids_router)
api.add_router("", notifications_router)
api.add_router("", offers_router)
api.add_router("", insights_router)
api.add_router("", products_router)


def _error(request, status: int, code: str, message: str, fields: dict | None = None):
    return api.create_response(
        request, {"code": code, "message": message, "fields": fields or {}}, status=status
    )


@api.exception_handler(DomainError)
def domain_error(request, error: DomainError):
    return api.create_response(request, error.as_payload(), status=error.http_status)


_SOURCES = {"body", "query", "path", "header", "cookie", "form", "file"}
# The names endpoints give their schema parameters, which are no part of the field's name.
_SCHEMA_PARAMETERS = {"payload", "params"}


def _field_name(loc) -> str:
    """("body", "payload", "participants", 0, "role") → "participants.0.role"."""
    parts = list(loc)
    if parts and parts[0] in _SOURCES:
        parts = parts[1:]
    if parts and parts[0] in _SCHEMA_PARAMETERS:
        parts = parts[1:]
    return ".".join(str(p) for p in parts) or "__all__"


@api.exception_handler(ValidationError)
def validation_error(request, error: ValidationError):
    fields: dict[str, list[str]] = {}
    for item in error.errors:
        fields.setdefault(_field_name(item.get("loc", ())), []).append(item.get("msg", "Invalid value."))
    return _error(request, 422, "validation_failed", "The request is invalid.", fields)


@api.exception_handler(Http404)
def not_found(request, error):
    return _error(request, 404, "not_found", "Not found.")


@api.exception_handler(AuthenticationError)
def unauthorized(request, error):
    return _error(request, 401, "unauthorized", "Authentication required.")


_HTTP_ERROR_CODES = {400: "bad_request", 403: "forbidden", 405: "method_not_allowed", 429: "throttled"}


@api.exception_handler(HttpError)
def http_error(request, error: HttpError):
    # Ninja's own refusals, e.g. a body that is not JSON (400).
    code = _HTTP_ERROR_CODES.get(error.status_code, "error")
    return _error(request, error.status_code, code, str(error.message))
