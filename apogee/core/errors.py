"""Domain errors: a stable code, a message for people, and the fields at fault.

Views turn them into form errors, the API into 4xx JSON; nothing turns them into a 500.
"""

from collections.abc import Mapping


class DomainError(Exception):
    code = "domain_error"
    http_status = 400

    def __init__(self, message: str = "", *, fields: Mapping[str, list[str]] | None = None):
        self.message = str(message) or self.code
        self.fields: dict[str, list[str]] = {k: [str(m) for m in v] for k, v in (fields or {}).items()}
        super().__init__(self.message)

    def as_payload(self) -> dict:
        return {"code": self.code, "message": self.message, "fields": self.fields}

    def fields_text(self) -> str:
        """The field errors on one line ("emails: Not an e-mail address: x"), for logs and reports."""
        return "; ".join(f"{name}: {' '.join(messages)}" for name, messages in self.fields.items())

    def as_text(self) -> str:
        return f"{self.message} {self.fields_text()}".strip()


class ValidationFailed(DomainError):
    code = "validation_failed"
    http_status = 422


class PermissionDenied(DomainError):
    code = "permission_denied"
    http_status = 403


class NotFound(DomainError):
    code = "not_found"
    http_status = 404


class Conflict(DomainError):
    code = "conflict"
    http_status = 409
