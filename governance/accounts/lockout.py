"""Login protection: django-axes counts failures in a cache that survives a Redis outage.

django-axes refuses an account or an address after `REGIE_LOGIN_FAILURES` failures within
`REGIE_LOGIN_WINDOW_MINUTES` (login form, API token endpoint, admin: every call of
`authenticate`). Its counters live in the `login` cache, a `FallbackCache` over the shared
default cache (Redis with REDIS_URL): when that cache fails, counting goes on in process memory,
as the public pages' rate limits do (`governance/platform/ratelimit.py`), so an outage neither
opens the login to guessing nor locks anybody out.

Password reset requests are throttled per address and per account with the platform's rate
limits; the page answers the same whether or not anything was sent.
"""

import hashlib
import logging

from axes.signals import user_locked_out
from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.base import BaseCache
from django.core.cache.backends.locmem import LocMemCache
from django.dispatch import receiver
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from governance.platform import ratelimit

logger = logging.getLogger(__name__)


class FallbackCache(BaseCache):
    """The cache named in LOCATION, or a process-local memory cache while it fails.

    A missing key (ValueError from `incr`) is an answer, not a failure, and is passed on.
    """

    def __init__(self, location, params):
        super().__init__(params)
        self.primary_alias = location or "default"
        self.local = LocMemCache(f"regie-fallback-{self.primary_alias}", {})

    def _call(self, name, *args, **kwargs):
        try:
            return getattr(caches[self.primary_alias], name)(*args, **kwargs)
        except ValueError:
            raise
        except Exception as error:  # noqa: BLE001 - any backend error: connection, timeout
            logger.warning(
                "Login cache unavailable (%s: %s); counting in process memory.",
                type(error).__name__,
                error,
            )
            return getattr(self.local, name)(*args, **kwargs)

    def add(self, key, value, timeout=None, version=None):
        return self._call("add", key, value, timeout=timeout, version=version)

    def get(self, key, default=None, version=None):
        return self._call("get", key, default=default, version=version)

    def set(self, key, value, timeout=None, version=None):
        return self._call("set", key, value, timeout=timeout, version=version)

    def touch(self, key, timeout=None, version=None):
        return self._call("touch", key, timeout=timeout, version=version)

    def delete(self, key, version=None):
        return self._call("delete", key, version=version)

    def incr(self, key, delta=1, version=None):
        return self._call("incr", key, delta=delta, version=version)

    def clear(self):
        self.local.clear()
        return self._call("clear")


def normalised(username) -> str | None:
    return username.strip().lower() if isinstance(username, str) else None


def username_of(request, credentials) -> str | None:
    """The account an attempt counts against: "Bob " and "bob" are one account."""
    if credentials:
        return normalised(credentials.get("username"))
    data = getattr(request, "data", None) or request.POST
    return normalised(data.get("username"))


def client_address(request) -> str | None:
    """The address failures count against: REMOTE_ADDR, or behind REGIE_PROXY_COUNT proxies of
    ours the X-Forwarded-For entry the outermost of them added (entries left of it are the
    client's to forge)."""
    meta = request.META
    if settings.REGIE_BEHIND_PROXY:
        hops = [hop.strip() for hop in meta.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        hops = [hop for hop in hops if hop]
        if len(hops) >= settings.REGIE_PROXY_COUNT:
            return hops[-settings.REGIE_PROXY_COUNT]
    return meta.get("REMOTE_ADDR")


def lockout_message() -> str:
    return _(
        "Too many failed attempts. Try again in %(minutes)s minutes, or reset your password."
    ) % {"minutes": settings.REGIE_LOGIN_WINDOW_MINUTES}


def lockout_response(request, original_response=None, credentials=None):
    """The answer while an account or address is locked: the same whether the account exists."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": lockout_message()}, status=429)
    return render(request, "accounts/locked.html", {"message": lockout_message()}, status=429)


@receiver(user_locked_out)
def log_lockout(sender, request, username, ip_address, **kwargs):
    logger.warning(
        "Login locked out: account %s, address %s, path %s",
        username_digest(username),
        ip_address,
        getattr(request, "path", "?"),
    )


def username_digest(username) -> str:
    """A short digest to log instead of the name tried (which may be a mistyped password)."""
    name = normalised(username) or ""
    return hashlib.sha256(name.encode()).hexdigest()[:12]


def reset_allowed(request, email: str) -> bool:
    """Count a password reset request; False once the address or the account asked too often."""
    window = settings.REGIE_LOGIN_WINDOW_MINUTES * 60
    allowed = settings.REGIE_RESET_REQUESTS
    address = client_address(request) or "unknown"
    within = ratelimit.hit(
        ratelimit.Limit(f"reset:address:{address}", allowed, window),
        ratelimit.Limit(f"reset:account:{username_digest(email)}", allowed, window),
    )
    if not within:
        logger.warning(
            "Password reset throttled: account %s, address %s", username_digest(email), address
        )
    return within
