"""A Redis cache that degrades instead of failing.

Pages read the cache on every request (Wagtail's `slugurl` in the header, the audit
chain's status, rate-limit counters, discussion presence). With Redis unreachable,
Django's RedisCache raises, and every page answered 500. Here an unreachable Redis is
a miss: reads return the default, writes do nothing, and one warning a minute is
logged; for a few seconds after a failure Redis is not even tried, so a page never
waits on it twice. Pages then read the database; rate limits stop counting (they fail open: a
dead cache must not lock people out of voting) until Redis is back.
"""

import logging
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

UNREACHABLE = (RedisError, OSError)
WARN_EVERY = 60.0  # seconds between two warnings of one process
RETRY_AFTER = 5.0  # seconds without trying Redis once it failed: a page pays no wait


class DegradingRedisCache(RedisCache):
    _warned_at = 0.0
    _down_until = 0.0

    def _unreachable(self, operation: str, error: Exception) -> None:
        now = time.monotonic()
        DegradingRedisCache._down_until = now + RETRY_AFTER
        if now - DegradingRedisCache._warned_at >= WARN_EVERY:
            DegradingRedisCache._warned_at = now
            logger.warning("cache unavailable (%s: %s); serving without it", operation, error)

    def _guarded(self, operation: str, fallback, call, *args, **kwargs):
        if time.monotonic() < DegradingRedisCache._down_until:
            return fallback
        try:
            return call(*args, **kwargs)
        except UNREACHABLE as error:
            self._unreachable(operation, error)
            return fallback

    def get(self, key, default=None, version=None):
        return self._guarded("get", default, super().get, key, default, version)

    def get_many(self, keys, version=None):
        return self._guarded("get_many", {}, super().get_many, keys, version)

    def has_key(self, key, version=None):
        return self._guarded("has_key", False, super().has_key, key, version)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guarded("add", False, super().add, key, value, timeout, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self._guarded("set", None, super().set, key, value, timeout, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guarded("set_many", list(data), super().set_many, data, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guarded("touch", False, super().touch, key, timeout, version)

    def delete(self, key, version=None):
        return self._guarded("delete", False, super().delete, key, version)

    def delete_many(self, keys, version=None):
        self._guarded("delete_many", None, super().delete_many, keys, version)

    def incr(self, key, delta=1, version=None):
        """A missing key still raises ValueError (as every cache does); an unreachable
        Redis counts nothing and answers 0."""
        return self._guarded("incr", 0, super().incr, key, delta, version)

    def clear(self):
        return self._guarded("clear", False, super().clear)
