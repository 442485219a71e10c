"""Rate limits: how often a client address may try to sign in, a device report, a caller send batches.

Counted by the `limits` library: sign-ins in an exact moving window, in this process's memory or in
Redis when the node has one (so that every server process counts the same attempts); pings and
batches in a sliding window of two counters, always in memory: they are the hot path (a moving
window keeps every hit of the last minute, and its cost grows with them), and each device reports
to one process.
"""

import math
import time
from dataclasses import dataclass
from functools import cache

import limits
from limits.storage import MemoryStorage, storage_from_string
from limits.strategies import MovingWindowRateLimiter, RateLimiter, SlidingWindowCounterRateLimiter

from jsms.core.config import get_settings


@dataclass(frozen=True)
class Throttle:
    """At most `rate` hits per key; `admit` says how long to wait when the key has had its share."""

    name: str
    rate: limits.RateLimitItem
    limiter: RateLimiter

    def admit(self, key: str) -> int | None:
        """Count a hit for `key`; None if admitted, else the whole seconds until one would be (what
        a Retry-After header says)."""
        if self.limiter.hit(self.rate, self.name, key):
            return None
        reset_at = self.limiter.get_window_stats(self.rate, self.name, key).reset_time
        return max(1, math.ceil(reset_at - time.time()))


@cache
def _throttle(name: str, rate: str, redis_url: str | None, exact: bool) -> Throttle:
    storage = storage_from_string(redis_url) if redis_url else MemoryStorage()
    strategy = MovingWindowRateLimiter if exact else SlidingWindowCounterRateLimiter
    return Throttle(name, limits.parse(rate), strategy(storage))


def login_throttle() -> Throttle:
    """Sign-in attempts per client address, counted across the node's processes."""
    settings = get_settings()
    return _throttle("login", settings.login_rate_limit, settings.redis_url, exact=True)


def ping_throttle() -> Throttle:
    """OsmAnd reports per device."""
    return _throttle("ping", get_settings().ping_rate_limit, None, exact=False)


def batch_throttle() -> Throttle:
    """JSON ping batches per caller."""
    return _throttle("ping-batch", get_settings().ping_batch_rate_limit, None, exact=False)
