"""Fixed-window counters in the default cache (Redis in production, shared by all
workers). An unreachable cache never locks people out: it stops counting."""

import hashlib
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

logger = logging.getLogger(__name__)

# name → (attempts allowed, window in seconds); RATE_LIMITS in settings overrides.
DEFAULTS: dict[str, tuple[int, int]] = {
    "login": (20, 15 * 60),  # failed logins per address
    "register": (20, 60 * 60),  # registrations per address
    "password_reset": (10, 60 * 60),  # reset emails per address
    "verification_resend": (3, 60 * 60),  # verification links per person
    "comment": (30, 10 * 60),  # comments per person
    "message": (20, 60),  # discussion messages per person
    "application": (10, 60 * 60),  # applications to join per address
}


@dataclass(frozen=True)
class RateLimit:
    name: str

    @property
    def limit_and_window(self) -> tuple[int, int]:
        return getattr(settings, "RATE_LIMITS", {}).get(self.name, DEFAULTS[self.name])

    def _key(self, ident: str) -> str:
        return f"ratelimit:{self.name}:{hashlib.sha256(ident.encode()).hexdigest()[:32]}"

    def exceeded(self, ident: str) -> bool:
        limit, _window = self.limit_and_window
        try:
            return (cache.get(self._key(ident)) or 0) >= limit
        except Exception:
            logger.warning("rate limit %s: cache unavailable, not limiting", self.name)
            return False

    def hit(self, ident: str) -> None:
        _limit, window = self.limit_and_window
        key = self._key(ident)
        try:
            # add() starts the window only if none is running; incr() keeps its expiry.
            cache.add(key, 0, timeout=window)
            try:
                cache.incr(key)
            except ValueError:  # the window ended between add() and incr()
                cache.set(key, 1, timeout=window)
        except Exception:
            logger.warning("rate limit %s: cache unavailable, not counting", self.name)
