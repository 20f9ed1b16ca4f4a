"""What can go wrong talking to Pipedrive, sorted by what the caller should do about it.

Every error has a `kind` (ARCHITECTURE.md's taxonomy):

- "temporary": try again later; `resume_at` says when, when it is known (the budget resets at the
  server's midnight; a Cloudflare block lifts after a while). The client has already retried.
- "auth": the token is wrong or lacks rights: pause the import and tell an admin.
- "not_found": the record is gone (404, 410): report it and move on.
- "conflict": 409 (Pipedrive's reads do not produce it; kept for the taxonomy).
- "permanent": Pipedrive refused the request (other 4xx): report it with Pipedrive's text.
"""

from __future__ import annotations

from datetime import datetime


class PipedriveError(Exception):
    kind = "permanent"

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        error: str | None = None,
        error_info: str | None = None,
        correlation_id: str | None = None,
        path: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.error = error  # Pipedrive's own text, when it sent one
        self.error_info = error_info
        self.correlation_id = correlation_id  # quote it to Pipedrive's support
        self.path = path


class PermanentError(PipedriveError):
    """A 4xx other than the ones below: the same request will fail again."""

    kind = "permanent"


class TemporaryError(PipedriveError):
    kind = "temporary"

    def __init__(self, message: str, *, resume_at: datetime | None = None, **details) -> None:
        super().__init__(message, **details)
        self.resume_at = resume_at


class Unavailable(TemporaryError):
    """5xx answers, timeouts or broken connections that persisted through the retries."""


class Throttled(TemporaryError):
    """429s (the 2-second burst limit) that persisted through the back-off."""


class BudgetExhausted(Throttled):
    """The company's daily token budget is spent (or down to the configured reserve)."""

    def __init__(
        self, message: str, *, remaining: int | None, limit: int | None, resume_at: datetime, **details
    ) -> None:
        super().__init__(message, resume_at=resume_at, **details)
        self.remaining = remaining
        self.limit = limit


class Blocked(TemporaryError):
    """Cloudflare's 403 HTML page: Pipedrive blocks clients that keep calling after 429s.

    Never retried by the client: retrying is what got it blocked.
    """


class AuthError(PipedriveError):
    kind = "auth"


class Unauthorized(AuthError):
    """401: the API token is wrong, regenerated or revoked."""


class Forbidden(AuthError):
    """402 (the company account is not open) or a JSON 403 (the user lacks the permission)."""


class NotFound(PipedriveError):
    kind = "not_found"


class Conflict(PipedriveError):
    kind = "conflict"
