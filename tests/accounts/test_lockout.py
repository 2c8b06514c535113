"""Login protection: lockout per account and per address on the login form, the token endpoint
and password reset; recovery after the window; the same answers for unknown users; a cache
outage neither opens nor breaks the login."""

import logging
import re
from unittest import mock

import pytest
from django.conf import settings
from django.contrib.auth.hashers import MD5PasswordHasher
from django.test import override_settings
from django.urls import reverse
from rest_framework.test import APIClient

from governance.platform.models import OutboxMessage
from tests.accounts.conftest import later_cache_clock, later_ratelimit_clock
from tests.conftest import PASSWORD

FAILURES = 10  # REGIE_LOGIN_FAILURES, the default
WINDOW = 15 * 60  # REGIE_LOGIN_WINDOW_MINUTES, in seconds


def test_the_figures_are_the_documented_defaults():
    assert (settings.REGIE_LOGIN_FAILURES, settings.REGIE_LOGIN_WINDOW_MINUTES) == (10, 15)
    assert (settings.AXES_FAILURE_LIMIT, settings.AXES_COOLOFF_TIME.total_seconds()) == (
        FAILURES,
        WINDOW,
    )


def login(client, username, password, address="127.0.0.1"):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address
    )


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_login_locks_the_account_after_the_configured_failures(world, client, caplog):
    caplog.set_level(logging.WARNING)
    answers = [login(client, "alice", "wrong-password").status_code for _ in range(FAILURES)]
    assert answers == [200] * (FAILURES - 1) + [429]
    right = login(client, "alice", PASSWORD)
    assert (right.status_code, logged_in(client)) == (429, False)
    assert "Too many failed attempts" in right.content.decode()
    assert any("Login locked out" in record.message for record in caplog.records)
    assert any("login failure" in record.message for record in caplog.records)


def test_the_lock_ends_after_the_window(world, client):
    for _ in range(FAILURES):
        login(client, "alice", "wrong-password")
    with later_cache_clock(WINDOW - 30):
        assert login(client, "alice", PASSWORD).status_code == 429
    with later_cache_clock(WINDOW + 1):
        response = login(client, "alice", PASSWORD)
    assert (response.status_code, logged_in(client)) == (302, True)


def test_the_address_is_locked_for_every_account(world, client):
    for n in range(FAILURES):
        login(client, f"nobody{n}", "wrong-password", address="192.0.2.7")
    assert login(client, "alice", PASSWORD, address="192.0.2.7").status_code == 429
    assert login(client, "alice", PASSWORD, address="192.0.2.8").status_code == 302


def test_the_account_is_locked_from_every_address(world, client):
    for n in range(FAILURES):
        login(client, "alice", "wrong-password", address=f"192.0.2.{n + 1}")
    assert login(client, "alice", PASSWORD, address="198.51.100.1").status_code == 429


def test_unknown_user_and_wrong_password_get_the_same_answer(world, client):
    def error_of(response):
        return response.context["form"].non_field_errors()

    wrong = login(client, "alice", "wrong-password")
    unknown = login(client, "nobody-at-all", "wrong-password")
    assert (wrong.status_code, error_of(wrong)) == (unknown.status_code, error_of(unknown))
    for _ in range(FAILURES):
        wrong = login(client, "alice", "wrong-password", address="192.0.2.1")
        unknown = login(client, "nobody-at-all", "wrong-password", address="192.0.2.2")
    assert wrong.status_code == unknown.status_code == 429
    assert without_csrf(wrong) == without_csrf(unknown)


def without_csrf(response) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())


def test_unknown_user_costs_one_password_hash_as_a_wrong_password_does(world, client):
    """Timing: Django hashes the password given for an unknown user as well."""
    with mock.patch.object(
        MD5PasswordHasher, "encode", autospec=True, side_effect=MD5PasswordHasher.encode
    ) as encode:
        login(client, "alice", "wrong-password")
        for_wrong_password = encode.call_count
        login(client, "nobody-at-all", "wrong-password")
        for_unknown_user = encode.call_count - for_wrong_password
    assert for_wrong_password == for_unknown_user == 1


def token(client, username, password, address="127.0.0.1"):
    return client.post(
        reverse("api_token"),
        {"username": username, "password": password},
        format="json",
        REMOTE_ADDR=address,
    )


def test_token_endpoint_locks_and_recovers_after_the_window(world):
    client = APIClient()
    answers = [token(client, "bob", "wrong-password").status_code for _ in range(FAILURES)]
    assert answers == [400] * (FAILURES - 1) + [429]
    assert token(client, "bob", PASSWORD).status_code == 429
    # The login form counts the same failures: the account is locked there too.
    assert login(APIClient(), "bob", PASSWORD).status_code == 429
    with later_cache_clock(WINDOW + 1):
        assert token(client, "bob", PASSWORD).status_code == 201


def test_unknown_user_gets_the_same_token_answer(world):
    client = APIClient()
    wrong, unknown = token(client, "bob", "wrong"), token(client, "nobody-at-all", "wrong")
    assert (wrong.status_code, wrong.json()) == (unknown.status_code, unknown.json())


def reset(client, email, address="127.0.0.1"):
    return client.post(reverse("password_reset"), {"email": email}, REMOTE_ADDR=address)


def reset_mails(email) -> int:
    return sum(email in message.to for message in OutboxMessage.objects.all())


def test_password_reset_is_throttled_per_account_and_answers_the_same(world, client):
    allowed = settings.REGIE_RESET_REQUESTS
    assert allowed == 5
    answers = {
        reset(client, "alice@example.test", address=f"192.0.2.{n}")["Location"]
        for n in range(allowed + 3)
    }
    assert answers == {reverse("password_reset_done")}
    assert reset_mails("alice@example.test") == allowed
    unknown = reset(client, "nobody@example.test", address="198.51.100.1")
    assert (unknown.status_code, unknown["Location"]) == (302, reverse("password_reset_done"))
    with later_ratelimit_clock(WINDOW + 1):
        reset(client, "alice@example.test")
    assert reset_mails("alice@example.test") == allowed + 1


def test_password_reset_is_throttled_per_address(world, client):
    for n in range(settings.REGIE_RESET_REQUESTS):
        reset(client, f"nobody{n}@example.test", address="192.0.2.9")
    response = reset(client, "alice@example.test", address="192.0.2.9")
    assert (response.status_code, response["Location"]) == (302, reverse("password_reset_done"))
    assert reset_mails("alice@example.test") == 0
    reset(client, "alice@example.test", address="192.0.2.10")
    assert reset_mails("alice@example.test") == 1


REDIS_DOWN = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        # Nothing listens on the discard port: every call fails at once.
        "LOCATION": "redis://127.0.0.1:9/0",
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    },
    "login": {"BACKEND": "governance.accounts.lockout.FallbackCache", "LOCATION": "default"},
}


@pytest.mark.django_db
def test_without_redis_logins_work_and_failures_still_lock(world, client, caplog):
    caplog.set_level(logging.WARNING)
    with override_settings(CACHES=REDIS_DOWN):
        from django.core.cache import caches

        caches["login"].local.clear()
        assert login(client, "victor", PASSWORD).status_code == 302
        client.logout()
        answers = [login(client, "alice", "wrong-password").status_code for _ in range(FAILURES)]
        assert answers == [200] * (FAILURES - 1) + [429]
        assert login(client, "alice", PASSWORD).status_code == 429
        with later_cache_clock(WINDOW + 1):
            assert login(client, "alice", PASSWORD).status_code == 302
        caches["login"].local.clear()
    assert any("Login cache unavailable" in record.message for record in caplog.records)


def test_behind_a_proxy_the_address_is_the_one_the_proxy_saw(world, client):
    with override_settings(REGIE_BEHIND_PROXY=True, REGIE_PROXY_COUNT=1):
        for n in range(FAILURES):
            client.post(
                reverse("login"),
                {"username": f"nobody{n}", "password": "wrong"},
                REMOTE_ADDR="10.0.0.2",  # the proxy
                HTTP_X_FORWARDED_FOR=f"198.51.100.{n}, 203.0.113.9",  # forged, then real
            )
        locked = client.post(
            reverse("login"),
            {"username": "alice", "password": PASSWORD},
            REMOTE_ADDR="10.0.0.2",
            HTTP_X_FORWARDED_FOR="203.0.113.9",
        )
        other = client.post(
            reverse("login"),
            {"username": "alice", "password": PASSWORD},
            REMOTE_ADDR="10.0.0.2",
            HTTP_X_FORWARDED_FOR="203.0.113.10",
        )
    assert (locked.status_code, other.status_code) == (429, 302)
