"""Helpers of the account tests: clean counters, a clock to move, codes from an authenticator."""

import time
from types import SimpleNamespace
from unittest import mock

import pytest
from django.core.cache import caches
from django_otp.oath import TOTP

from governance.platform import ratelimit


@pytest.fixture(autouse=True)
def english(client):
    """The messages are asserted in English; the portal's default language is Dutch."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture(autouse=True)
def clean_counters():
    """Login failures and rate limits are counted in caches that outlive a test."""
    caches["default"].clear()
    caches["login"].local.clear()
    ratelimit.reset_local()
    yield
    caches["default"].clear()
    caches["login"].local.clear()
    ratelimit.reset_local()


def later_cache_clock(seconds: float):
    """Let the in-memory caches (and the fallback's) believe `seconds` have passed."""
    now = time.time() + seconds
    return mock.patch("django.core.cache.backends.locmem.time", SimpleNamespace(time=lambda: now))


def later_ratelimit_clock(seconds: float):
    now = time.time() + seconds
    return mock.patch("governance.platform.ratelimit.time", SimpleNamespace(time=lambda: now))


def code_for(device, offset: int = 0) -> str:
    """The code the user's authenticator app shows now (offset in steps)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + offset * device.step
    return f"{totp.token():0{device.digits}d}"
