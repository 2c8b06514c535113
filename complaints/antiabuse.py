"""Anti-abuse for the public form: honeypot, minimum fill time and rate limits.

Rate limits count *stored* complaints, not attempts: a place is reserved once the input is
valid and given back when the complaint is not registered after all, so a typo, a refused file
or a discarded bot submission never uses up anyone's allowance. The figures (per fixed window
of an hour, both settable with COMPLAINTS_RATE_LIMITS):

- 60 complaints per address. Offices, schools and care locations sit behind one NAT address;
  during an outage a whole team files at once, and each of them must get through. Sixty an hour
  is far above what one person sends and still stops a single script from filling the register.
- 500 complaints per organisation: the flood guard. A script rotating addresses is cut off there,
  so the complaint handlers' queue and the outbox cannot be flooded; a real incident, even in a
  large organisation, stays well below it.

The counters live in governance.platform.ratelimit: in the shared cache (Redis when REDIS_URL is
set), falling back to a per-process counter when the cache is unreachable, so intake never
depends on Redis. Addresses are kept only as a keyed hash inside the counter's key, for one window.
"""

import hashlib
import hmac
import time

from django.conf import settings
from django.core import signing

from governance.platform import ratelimit

HONEYPOT_FIELD = "website"
STARTED_FIELD = "started"
_SALT = "complaints.form-started"
MAX_FORM_AGE = 24 * 3600


def min_fill_seconds() -> int:
    return getattr(settings, "COMPLAINTS_MIN_FILL_SECONDS", 4)


def limits() -> dict[str, tuple[int, int]]:
    """(allowed stored complaints, window in seconds) per address and per organisation."""
    return getattr(
        settings,
        "COMPLAINTS_RATE_LIMITS",
        {"address": (60, 3600), "organisation": (500, 3600)},
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


def retry_token(token: str) -> str:
    """The start record to hand back with a form sent too fast: the original one when it is
    genuine (the person's time keeps counting from the first load), else a fresh one."""
    try:
        signing.loads(token or "", salt=_SALT)["t"]
    except (signing.BadSignature, KeyError, TypeError):
        return started_token()
    return token


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


def reserve_submission(*, request, organisation_id: int) -> ratelimit.Reservation | None:
    """Take a place for one complaint within the address and organisation limits; None when
    either is full. Release the place when the complaint is not stored after all."""
    per_address, per_organisation = limits()["address"], limits()["organisation"]
    return ratelimit.reserve(
        ratelimit.Limit(f"complaints:a:{_hashed(client_address(request))}", *per_address),
        ratelimit.Limit(f"complaints:o:{organisation_id}", *per_organisation),
    )
