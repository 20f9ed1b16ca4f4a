"""Pipedrive's rate limiting: a daily token budget per company, a 2-second burst window per token,
and the Cloudflare block that follows clients which keep hammering after 429s.

Costs per request follow research §2.5 (`x-token-cost`): v2 about half of v1, deal flow 40.
The budget resets at midnight in the server's time zone, read from an injectable clock.
"""

from __future__ import annotations

import math
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

BURST_WINDOW_SECONDS = 2.0
DAILY_HEADERS = ("always", "never", "alternate")


@dataclass
class Verdict:
    outcome: str  # ok, budget (daily budget exhausted), burst (too many in 2 s), blocked (403 HTML)
    headers: dict[str, str] = field(default_factory=dict)


class Limits:
    def __init__(
        self,
        *,
        daily_budget: int,
        burst: int,
        clock: Callable[[], float],
        server_timezone: str = "UTC",
        abuse_after: int = 10,
        abuse_block_seconds: float = 600.0,
        daily_headers: str = "always",
    ) -> None:
        if daily_headers not in DAILY_HEADERS:
            raise ValueError(f"daily_headers must be one of {DAILY_HEADERS}")
        self.daily_budget = daily_budget
        self.burst = burst
        self.clock = clock
        self.zone = ZoneInfo(server_timezone)
        self.abuse_after = abuse_after
        self.abuse_block_seconds = abuse_block_seconds
        self.daily_headers = daily_headers
        self._lock = threading.Lock()
        self._remaining = daily_budget
        self._day = self._today(clock())
        self._windows: dict[str, deque[float]] = {}
        self._consecutive_429: dict[str, int] = {}
        self._blocked_until: dict[str, float] = {}
        self._responses = 0

    def _today(self, now: float):
        return datetime.fromtimestamp(now, self.zone).date()

    def _roll_day(self, now: float) -> None:
        today = self._today(now)
        if today != self._day:
            self._day, self._remaining = today, self.daily_budget

    @property
    def remaining(self) -> int:
        with self._lock:
            self._roll_day(self.clock())
            return self._remaining

    def set_remaining(self, tokens: int) -> None:
        with self._lock:
            self._roll_day(self.clock())
            self._remaining = tokens

    def block(self, token: str, seconds: float | None = None) -> None:
        with self._lock:
            self._blocked_until[token] = self.clock() + (seconds or self.abuse_block_seconds)

    def is_blocked(self, token: str) -> bool:
        with self._lock:
            return self._blocked_until.get(token, float("-inf")) > self.clock()

    def admit(self, token: str, cost: int) -> Verdict:
        """Charge one request of `cost` tokens, or say why it is refused."""
        with self._lock:
            now = self.clock()
            self._roll_day(now)
            window = self._windows.setdefault(token, deque())
            while window and window[0] <= now - BURST_WINDOW_SECONDS:
                window.popleft()
            if self._remaining <= 0:
                outcome = "budget"
            elif len(window) >= self.burst:
                outcome = "burst"
            else:  # the last request may overdraw: the budget then reads 0 and refuses everything
                window.append(now)
                self._remaining = max(0, self._remaining - cost)
                outcome = "ok"
            if outcome == "ok":
                self._consecutive_429[token] = 0
            else:
                count = self._consecutive_429.get(token, 0) + 1
                self._consecutive_429[token] = count
                if count >= self.abuse_after:
                    self._blocked_until[token] = now + self.abuse_block_seconds
                    self._consecutive_429[token] = 0
            return Verdict(outcome, self._headers(window, now))

    def _headers(self, window: deque[float], now: float) -> dict[str, str]:
        reset = math.ceil(window[0] + BURST_WINDOW_SECONDS - now) if window else 0
        headers = {
            "x-ratelimit-limit": str(self.burst),
            "x-ratelimit-remaining": str(max(0, self.burst - len(window))),
            "x-ratelimit-reset": str(max(reset, 1) if len(window) >= self.burst else reset),
        }
        self._responses += 1
        if self.daily_headers == "always" or (self.daily_headers == "alternate" and self._responses % 2):
            headers["x-daily-ratelimit-token-limit"] = str(self.daily_budget)
            headers["x-daily-ratelimit-token-remaining"] = str(max(0, self._remaining))
        return headers


CLOUDFLARE_BLOCK_PAGE = """<!DOCTYPE html>
<!--[if lt IE 7]> <html class="no-js ie6 oldie" lang="en-US"> <![endif]-->
<html class="no-js" lang="en-US">
<head>
<title>Attention Required! | Cloudflare</title>
<meta charset="UTF-8" />
<meta http-equiv="Content-Type" content="text/html; charset=UTF-8" />
<meta name="robots" content="noindex, nofollow" />
<link rel="stylesheet" id="cf_styles-css" href="/cdn-cgi/styles/cf.errors.css" />
</head>
<body>
  <div id="cf-wrapper">
    <div id="cf-error-details" class="cf-error-details-wrapper">
      <div class="cf-wrapper cf-header cf-error-overview">
        <h1 data-translate="block_headline">Sorry, you have been blocked</h1>
        <h2 class="cf-subheadline">
          <span data-translate="unable_to_access">You are unable to access</span> pipedrive.com
        </h2>
      </div>
      <div class="cf-section cf-wrapper">
        <h2 data-translate="blocked_why_headline">Why have I been blocked?</h2>
        <p data-translate="blocked_why_detail">
          This website is using a security service to protect itself from online attacks.
        </p>
      </div>
      <div class="cf-error-footer cf-wrapper">
        <p>Cloudflare Ray ID: <strong class="font-semibold">{ray}</strong>
          &bull; Performance &amp; security by Cloudflare</p>
      </div>
    </div>
  </div>
</body>
</html>
"""
