"""Sessions end after 30 idle minutes and 12 hours in all (REGIE_SESSION_IDLE_MINUTES,
REGIE_SESSION_MAX_HOURS)."""

from datetime import timedelta
from unittest import mock

from django.conf import settings
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

HOME = "/o/alpha/"


def at(moment):
    return mock.patch("django.utils.timezone.now", return_value=moment)


def logged_out(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_the_figures_are_the_documented_defaults():
    assert (settings.REGIE_SESSION_IDLE_MINUTES, settings.REGIE_SESSION_MAX_HOURS) == (30, 12)
    assert settings.SESSION_COOKIE_AGE == 12 * 3600


def test_a_session_idle_for_more_than_30_minutes_ends(world, client_as):
    start = timezone.now()
    with at(start):
        client = client_as(world.alice)
    with at(start + timedelta(minutes=29)):
        assert client.get(HOME).status_code == 200
    with at(start + timedelta(minutes=58)):  # 29 minutes after the last request
        assert client.get(HOME).status_code == 200
    with at(start + timedelta(minutes=88, seconds=1)):
        assert logged_out(client.get(HOME))
    assert "_auth_user_id" not in client.session


def test_a_busy_session_still_ends_after_12_hours(world, client_as):
    start = timezone.now()
    with at(start):
        client = client_as(world.alice)
    moment = start
    while moment < start + timedelta(hours=12):
        moment += timedelta(minutes=25)
        with at(moment):
            response = client.get(HOME)
        if moment - start <= timedelta(hours=12):
            assert response.status_code == 200, moment - start
    assert logged_out(response)


@override_settings(REGIE_SESSION_IDLE_MINUTES=5)
def test_the_idle_timeout_follows_the_setting(world, client_as):
    start = timezone.now()
    with at(start):
        client = client_as(world.alice)
    with at(start + timedelta(minutes=5, seconds=1)):
        assert logged_out(client.get(HOME))


def test_the_api_answers_401_once_the_session_is_over(world, client_as):
    start = timezone.now()
    with at(start):
        client = client_as(world.alice)
    with at(start + timedelta(minutes=31)):
        response = client.get(reverse("api:contract-list", kwargs={"org_slug": "alpha"}))
    assert response.status_code == 401
