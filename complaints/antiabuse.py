"""Anti-abuse for the public form: honeypot, minimum fill time and rate limits.

Rate limits count in the shared Django cache (Redis when REDIS_URL is set, so every web process
counts together; local memory in the embedded mode) in fixed windows. Addresses are kept only
as a keyed hash inside the cache key, for one window.
"""

import hashlib
import hmac
import time

from django.conf import settings
from django.core import signing
from django.core.cache import cache

HONEYPOT_FIELD = "website"
STARTED_FIELD = "started"
_SALT = "complaints.form-started"
MAX_FORM_AGE = 24 * 3600


def min_fill_seconds() -> int:
    return getattr(settings, "COMPLAINTS_MIN_FILL_SECONDS", 4)


def limits() -> dict[str, tuple[int, int]]:
    """(allowed submissions, window in seconds) per address and per organisation."""
    return getattr(
        settings,
        "COMPLAINTS_RATE_LIMITS",
        {"address": (5, 3600), "organisation": (200, 3600)},
    )


def started_token(now: float | None = None) -> str:
    """A signed record of when the form was handed out."""
    return signing.dumps({"t": int(now if now is not None else time.time())}, salt=_SALT)


def filled_too_fast(token: str, now: float | None = None) -> bool:
    """True for a form sent back sooner than a person can fill it, or with a missing or forged
    start record (both are what scripts do). A form older than a day is treated as fresh
    enough: its CSRF token decides."""
    try:
        started = signing.loads(token or "", salt=_SALT)["t"]
    except (signing.BadSignature, KeyError, TypeError):
        return True
    elapsed = (now if now is not None else time.time()) - started
    return elapsed < min_fill_seconds()


def honeypot_filled(data) -> bool:
    return bool((data.get(HONEYPOT_FIELD) or "").strip())


def client_address(request) -> str:
    """The client's address. Behind a trusted proxy (REGIE_BEHIND_PROXY) the proxy sets
    X-Forwarded-For; the last entry is the one the proxy itself saw."""
    if getattr(settings, "REGIE_BEHIND_PROXY", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def _hashed(value: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), value.encode(), hashlib.sha256).hexdigest()[:32]


def _hit(key: str, allowed: int, window: int) -> bool:
    """Count one hit in the current window; False when the limit is exceeded."""
    bucket = f"complaints:rate:{key}:{int(time.time()) // window}"
    if cache.add(bucket, 1, timeout=window + 5):
        count = 1
    else:
        try:
            count = cache.incr(bucket)
        except ValueError:  # expired between add and incr
            cache.add(bucket, 1, timeout=window + 5)
            count = 1
    return count <= allowed


def allow_submission(*, request, organisation_id: int) -> bool:
    """Count a submission attempt against the address and the organisation limits."""
    per_address, per_organisation = limits()["address"], limits()["organisation"]
    address_ok = _hit(f"a:{_hashed(client_address(request))}", *per_address)
    organisation_ok = _hit(f"o:{organisation_id}", *per_organisation)
    return address_ok and organisation_ok
