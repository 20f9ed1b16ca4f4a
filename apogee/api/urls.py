"""The NinjaAPI instance: routers, the DomainError → 4xx translation, and 422 for bad input."""

from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, ValidationError

from apogee.core.errors import DomainError

from .auth import SessionAuth, TokenAuth

api = NinjaAPI(
    title="Apogee API",
    version="1.0",
    urls_namespace="api",
    auth=[TokenAuth(), SessionAuth()],
    docs_url="/docs",
)


@api.exception_handler(DomainError)
def domain_error(request, error: DomainError):
    return api.create_response(request, error.as_payload(), status=error.http_status)


@api.exception_handler(ValidationError)
def validation_error(request, error: ValidationError):
    fields: dict[str, list[str]] = {}
    for item in error.errors:
        loc = [str(p) for p in item.get("loc", []) if p not in ("body", "payload", "query", "path")]
        fields.setdefault(".".join(loc) or "__all__", []).append(item.get("msg", "Invalid value."))
    payload = {"code": "validation_failed", "message": "The request is invalid.", "fields": fields}
    return api.create_response(request, payload, status=422)


@api.exception_handler(Http404)
def not_found(request, error):
    return api.create_response(
        request, {"code": "not_found", "message": "Not found.", "fields": {}}, status=404
    )


@api.exception_handler(AuthenticationError)
def unauthorized(request, error):
    return api.create_response(
        request, {"code": "unauthorized", "message": "Authentication required.", "fields": {}}, status=401
    )
