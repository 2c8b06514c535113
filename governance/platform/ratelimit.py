"""Fixed-window counters for the public pages' rate limits, that keep working without Redis.

The counters live in the shared Django cache (Redis when REDIS_URL is set, so every web process
counts together; local memory in the embedded mode). A public page must never fail because the
cache is down, so every cache error is logged as a warning and the count falls back to a
process-local in-memory counter (one dict behind a lock). That counter is per process, so while
the cache is away each web process limits on its own: the limits get looser by the number of
processes, never stricter, and nobody is refused because of an outage.

Two ways to count:

- ``hit`` counts an attempt and says whether it is still within the limits;
- ``reserve`` takes a place within the limits for something that may still fail, and the
  caller ``release``\\s it when it did not happen (so only what was really done counts).
"""

import logging
import threading
import time
from dataclasses import dataclass, field

from django.core.cache import cache

logger = logging.getLogger(__name__)

_PREFIX = "ratelimit"
_local_lock = threading.Lock()
_local_counts: dict[str, tuple[int, float]] = {}  # bucket -> (count, expires at)


@dataclass(frozen=True)
class Limit:
    """At most ``allowed`` per ``window`` seconds for ``key``."""

    key: str
    allowed: int
    window: int


def _bucket(limit: Limit, now: float) -> str:
    return f"{_PREFIX}:{limit.key}:{int(now) // limit.window}"


def _local_add(bucket: str, delta: int, timeout: int, now: float) -> int:
    with _local_lock:
        if len(_local_counts) > 10_000:  # forget windows that are over
            for name in [name for name, (_c, end) in _local_counts.items() if end <= now]:
                del _local_counts[name]
        count, expires = _local_counts.get(bucket, (0, now + timeout))
        if expires <= now:
            count, expires = 0, now + timeout
        count = max(count + delta, 0)
        _local_counts[bucket] = (count, expires)
        return count


def _cache_add(bucket: str, delta: int, timeout: int) -> int:
    if delta > 0 and cache.add(bucket, delta, timeout=timeout):
        return delta
    try:
        return cache.incr(bucket, delta)
    except ValueError:  # expired (or never there) between add and incr
        if delta > 0:
            cache.add(bucket, delta, timeout=timeout)
            return delta
        return 0


def _add(bucket: str, delta: int, timeout: int, now: float) -> int:
    """Add delta to a bucket and return the new count; in process memory when the cache fails."""
    try:
        return _cache_add(bucket, delta, timeout)
    except Exception as error:  # any cache backend error: connection, timeout, protocol
        logger.warning(
            "Rate-limit cache unavailable (%s: %s); counting in process memory.",
            type(error).__name__,
            error,
        )
        return _local_add(bucket, delta, timeout, now)


def hit(*limits: Limit) -> bool:
    """Count one attempt against every limit; False when any of them is exceeded."""
    now = time.time()
    within = True
    for limit in limits:
        if _add(_bucket(limit, now), 1, limit.window + 5, now) > limit.allowed:
            within = False
    return within


@dataclass
class Reservation:
    """Places taken by ``reserve``; give them back with ``release`` when nothing was done."""

    buckets: list[tuple[str, int]] = field(default_factory=list)

    def release(self) -> None:
        now = time.time()
        for bucket, timeout in self.buckets:
            _add(bucket, -1, timeout, now)
        self.buckets = []


def reserve(*limits: Limit) -> Reservation | None:
    """Take one place within every limit, or none at all (None) when any limit is full."""
    now = time.time()
    taken = Reservation()
    for limit in limits:
        bucket, timeout = _bucket(limit, now), limit.window + 5
        count = _add(bucket, 1, timeout, now)
        taken.buckets.append((bucket, timeout))
        if count > limit.allowed:
            taken.release()
            return None
    return taken


def reset_local() -> None:
    """Forget the in-memory fallback counts (for tests)."""
    with _local_lock:
        _local_counts.clear()
