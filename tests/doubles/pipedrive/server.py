"""PipedriveDouble: a local Pipedrive API server on 127.0.0.1 (real sockets, real HTTP/1.1).

    double = PipedriveDouble(generate_dataset(deals=200), budget=5_000, burst=40).start()
    double.base_url, double.token          # what a client is configured with
    double.fail_next(2, status=503)        # faults: status codes, dropped connections, slowness
    double.stop()

Per request, in order: the Cloudflare block (403 HTML) for a token that kept hammering after
429s; injected faults; authentication (`x-api-token` header or legacy `?api_token=`, else the
exact 401 Pipedrive's gateway sends); routing (`/api/v2/…`, `/api/v1/…`, legacy `/v1/…`; `/v2/…`
is unknown); the daily token budget and the 2-second burst window (429, rate-limit headers, never
`Retry-After`); then the endpoint. Every request is logged in `requests` for assertions.
OAuth is not served: tokens are API tokens only.
"""

from __future__ import annotations

import json
import secrets
import socket
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

from .dataset import Dataset
from .endpoints import resolve
from .generate import generate_dataset
from .limits import CLOUDFLARE_BLOCK_PAGE, Limits
from .model import User
from .protocol import Api, ApiError, Request

UNAUTHORIZED_BODY = {
    "success": False,
    "error": "unauthorized access",
    "errorCode": 401,
    "error_info": "Please check developers.pipedrive.com",
}
ERROR_TEXTS = {
    400: "Bad request",
    402: "Company account is not open (possible reason: trial expired, payment details not entered)",
    403: "You do not have permissions to do this.",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    410: "Gone",
    415: "Feature is not enabled",
    422: "Unprocessable entity",
    429: "Rate limit exceeded",
    500: "Internal server error",
    502: "Bad gateway",
    503: "Service is temporarily unavailable (maintenance)",
}


@dataclass
class LoggedRequest:
    method: str
    path: str
    query: dict[str, str]
    status: int
    authenticated: bool


@dataclass
class Fault:
    kind: str  # status, disconnect, delay
    remaining: int
    path: str | None = None
    status: int = 500
    error: str | None = None
    seconds: float = 0.0


@dataclass
class Response:
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)
    disconnect: bool = False


def _json(payload) -> bytes:
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()


def error_body(
    status: int, error: str | None = None, error_info: str = "Please check developers.pipedrive.com"
) -> bytes:
    return _json(
        {
            "success": False,
            "error": error or ERROR_TEXTS.get(status, "Error"),
            "error_info": error_info,
            "data": None,
            "additional_data": None,
        }
    )


class PipedriveDouble:
    def __init__(
        self,
        dataset: Dataset | None = None,
        *,
        budget: int = 150_000,
        burst: int = 40,
        clock: Callable[[], float] = time.time,
        server_timezone: str = "UTC",
        abuse_after: int = 10,
        abuse_block_seconds: float = 600.0,
        daily_headers: str = "always",
        limit_overflow: str = "reject",
        token: str | None = None,
    ) -> None:
        """`budget`: the company's daily tokens (30,000 × plan multiplier × seats in real life);
        `burst`: requests per token per rolling 2 s (Lite 20, Growth 40, Premium 100, Ultimate 120);
        `abuse_after`: consecutive 429s after which a token gets the Cloudflare 403 page for
        `abuse_block_seconds`; `daily_headers`: "always", "never" or "alternate" sending of the
        undocumented `x-daily-ratelimit-token-*` headers; `limit_overflow`: a v2 `limit` above 500
        is "reject"ed with 400 or "clamp"ed."""
        self.dataset = dataset or generate_dataset()
        self.api = Api(self.dataset, limit_overflow=limit_overflow)
        self.limits = Limits(
            daily_budget=budget,
            burst=burst,
            clock=clock,
            server_timezone=server_timezone,
            abuse_after=abuse_after,
            abuse_block_seconds=abuse_block_seconds,
            daily_headers=daily_headers,
        )
        self.token = token or secrets.token_hex(20)
        self._tokens: dict[str, User] = {self.token: self.dataset.users[0]}
        self._faults: list[Fault] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self.requests: list[LoggedRequest] = []
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- life cycle ---------------------------------------------------------------------------

    def start(self) -> PipedriveDouble:
        server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        server.daemon_threads = True
        server.double = self  # type: ignore[attr-defined]
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(timeout=5)
            self._server = None

    def __enter__(self) -> PipedriveDouble:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        """The company-domain URL (`https://{company}.pipedrive.com` in real life)."""
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    # -- knobs --------------------------------------------------------------------------------

    def add_token(self, user_id: int | None = None) -> str:
        """Another API token of the same company (shares the daily budget, has its own burst)."""
        token = secrets.token_hex(20)
        self._tokens[token] = self.dataset.user(user_id) if user_id else self.dataset.users[0]
        return token

    def fail_next(
        self, count: int = 1, *, status: int = 500, error: str | None = None, path: str | None = None
    ) -> None:
        """The next `count` requests (whose path contains `path`) answer `status` with an error envelope."""
        self._add_fault(Fault("status", count, path, status=status, error=error))

    def disconnect_next(self, count: int = 1, *, path: str | None = None) -> None:
        """The next `count` responses are cut: headers and half the body, then the socket closes."""
        self._add_fault(Fault("disconnect", count, path))

    def delay_next(self, count: int = 1, *, seconds: float, path: str | None = None) -> None:
        """The next `count` requests wait `seconds` (real time) before being answered."""
        self._add_fault(Fault("delay", count, path, seconds=seconds))

    def block(self, token: str | None = None, seconds: float | None = None) -> None:
        """Put a token straight into the Cloudflare block, as after too many 429s."""
        self.limits.block(token or self.token, seconds)

    @property
    def budget_remaining(self) -> int:
        return self.limits.remaining

    def set_budget_remaining(self, tokens: int) -> None:
        self.limits.set_remaining(tokens)

    def _add_fault(self, fault: Fault) -> None:
        with self._lock:
            self._faults.append(fault)

    def _take_fault(self, path: str) -> Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.remaining > 0 and (fault.path is None or fault.path in path):
                    fault.remaining -= 1
                    return fault
        return None

    # -- one request ---------------------------------------------------------------------------

    def respond(self, method: str, target: str, headers) -> Response:
        url = urlsplit(target)
        query = dict(parse_qsl(url.query, keep_blank_values=True))
        token = headers.get("x-api-token") or query.pop("api_token", None) or ""
        query.pop("api_token", None)
        user = self._tokens.get(token)
        response = self._respond(method, url.path.rstrip("/"), query, token, user)
        response.headers.setdefault("x-correlation-id", str(uuid.uuid4()))
        with self._lock:
            self.requests.append(LoggedRequest(method, url.path, query, response.status, user is not None))
        return response

    def _respond(self, method: str, path: str, query: dict, token: str, user: User | None) -> Response:
        if self.limits.is_blocked(token):
            ray = secrets.token_hex(8)
            return Response(
                403,
                CLOUDFLARE_BLOCK_PAGE.replace("{ray}", ray).encode(),
                {"content-type": "text/html; charset=UTF-8", "server": "cloudflare", "cf-ray": f"{ray}-ZRH"},
            )
        fault = self._take_fault(path)
        disconnect = False
        if fault is not None and fault.kind == "delay":
            self._stopping.wait(fault.seconds)
        elif fault is not None and fault.kind == "status":
            return Response(fault.status, error_body(fault.status, fault.error))
        elif fault is not None:
            disconnect = True
        if user is None:
            return Response(401, _json(UNAUTHORIZED_BODY), {"x-401-by-gw": "true"})
        version, rest = _split_version(path)
        found = resolve(version, rest) if version else None
        if found is None:
            return Response(404, error_body(404, "Unknown method ."))
        if method != "GET":
            return Response(405, error_body(405))
        endpoint, params = found
        verdict = self.limits.admit(token, endpoint.cost)
        if verdict.outcome != "ok":
            return Response(429, error_body(429), verdict.headers)
        try:
            data, additional, related = endpoint.handler(Request(self.api, version, params, query, user))
        except ApiError as error:
            return Response(
                error.status, error_body(error.status, error.error, error.error_info), verdict.headers
            )
        payload = {"success": True, "data": data}
        if additional is not None:
            payload["additional_data"] = additional
        if related is not None:
            payload["related_objects"] = related
        return Response(200, _json(payload), verdict.headers, disconnect=disconnect)


def _split_version(path: str) -> tuple[str | None, str]:
    for prefix, version in (("/api/v2/", "v2"), ("/api/v1/", "v1"), ("/v1/", "v1")):
        if path.startswith(prefix):
            return version, path[len(prefix) :]
    return None, path


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body leave in two writes: with Nagle's algorithm on, the body waits for the
    # client's delayed ACK, 40 ms a request on Linux — the double, not Pipedrive, would be slow.
    disable_nagle_algorithm = True

    def version_string(self) -> str:
        return "nginx"

    def _serve(self) -> None:
        try:
            self._answer()
        except (BrokenPipeError, ConnectionResetError):  # the client gave up (a timeout): nothing to say
            self.close_connection = True

    def _answer(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        if length:
            self.rfile.read(length)
        response = self.server.double.respond(self.command, self.path, self.headers)
        self.send_response(response.status)
        self.send_header(
            "content-type", response.headers.pop("content-type", "application/json; charset=utf-8")
        )
        self.send_header("content-length", str(len(response.body)))
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.end_headers()
        if response.disconnect:
            self.wfile.write(response.body[: len(response.body) // 2])
            self.wfile.flush()
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        self.wfile.write(response.body)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve

    def log_message(self, format, *args) -> None:
        pass
