"""Fixed-window counters in the default cache (Redis in production, shared by all
workers). An unreachable cache never locks people out: it stops counting.

Windows are aligned on the clock (a 10-minute window runs 10:00–10:10, 10:10–10:20…),
so the time until the next one is known without asking the cache: that is the
`Retry-After` of a 429 answer. Logins are throttled by django-axes instead
(governance/login_throttle.py): per account and per address, in the database.
"""

import hashlib
import logging
import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError

logger = logging.getLogger(__name__)

# name → (attempts allowed, window in seconds); RATE_LIMITS in settings overrides.
DEFAULTS: dict[str, tuple[int, int]] = {
    "register": (20, 60 * 60),  # registrations per address
    "password_reset": (10, 60 * 60),  # reset emails per address
    "verification_resend": (3, 60 * 60),  # verification links per person
    "email_change": (5, 60 * 60),  # address changes asked for, per person
    "comment": (30, 10 * 60),  # comments per person
    "message": (20, 60),  # discussion messages per person
    "application": (10, 60 * 60),  # applications to join per address
}


class RateLimited(ValidationError):
    """A service refused because a limit is reached: views answer 429 with
    `Retry-After: retry_after` (seconds)."""

    def __init__(self, message, *, retry_after: int):
        super().__init__(message)
        self.retry_after = retry_after


@dataclass(frozen=True)
class RateLimit:
    name: str

    @property
    def limit_and_window(self) -> tuple[int, int]:
        return getattr(settings, "RATE_LIMITS", {}).get(self.name, DEFAULTS[self.name])

    def _window(self) -> tuple[int, int]:
        """The current window's number and the whole seconds until it ends (at least 1)."""
        _limit, window = self.limit_and_window
        now = time.time()
        number = int(now // window)
        return number, max(1, math.ceil((number + 1) * window - now))

    def _key(self, ident: str, number: int) -> str:
        digest = hashlib.sha256(ident.encode()).hexdigest()[:32]
        return f"ratelimit:{self.name}:{number}:{digest}"

    def exceeded(self, ident: str) -> bool:
        limit, _window = self.limit_and_window
        number, _left = self._window()
        try:
            return (cache.get(self._key(ident, number)) or 0) >= limit
        except Exception:
            logger.warning("rate limit %s: cache unavailable, not limiting", self.name)
            return False

    def retry_after(self) -> int:
        """Seconds until the current window ends, when counting starts afresh."""
        return self._window()[1]

    def check(self, ident: str, message) -> None:
        """Raise RateLimited(message) if `ident` has used up this window."""
        if self.exceeded(ident):
            raise RateLimited(message, retry_after=self.retry_after())

    def hit(self, ident: str) -> None:
        _limit, window = self.limit_and_window
        number, left = self._window()
        key = self._key(ident, number)
        try:
            # The key lives as long as its window; add() then incr() counts atomically.
            cache.add(key, 0, timeout=left + 1)
            try:
                cache.incr(key)
            except ValueError:  # the key expired between add() and incr()
                cache.set(key, 1, timeout=left + 1)
        except Exception:
            logger.warning("rate limit %s: cache unavailable, not counting", self.name)


def too_many(response, error: RateLimited):
    """Turn a page that shows a RateLimited refusal into its 429 answer."""
    response.status_code = 429
    response["Retry-After"] = str(error.retry_after)
    return response
