"""Where the current change comes from (UI, API, import), for the audit trail.

Set by the request middleware and the API auth; read by record_event. A
contextvar, so concurrent requests in threads never see each other's value.
"""

from contextlib import contextmanager
from contextvars import ContextVar

_source: ContextVar[str] = ContextVar("apogee_event_source", default="system")


def current_source() -> str:
    return _source.get()


@contextmanager
def event_source(source: str):
    token = _source.set(source)
    try:
        yield
    finally:
        _source.reset(token)
