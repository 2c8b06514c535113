"""Public intake without Redis, and rate limits that count stored complaints (issue "Faults",
items 2 and 5): an unreachable cache never refuses a complaint, one office behind one address
gets through an incident, a flood from many addresses stops at the organisation's ceiling, and
invalid input never uses up the allowance."""

import logging
from unittest import mock

import pytest
import redis
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.test import Client, override_settings
from django.urls import reverse
from django_scopes import scopes_disabled

from complaints import antiabuse
from complaints.models import Complaint
from governance.platform import ratelimit
from governance.platform.models import OutboxMessage
from governance.platform.outbox import outbox_relay
from tests.complaints.conftest import categories, form_data

UNREACHABLE_REDIS = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
    }
}


def form_url(slug="alpha"):
    return reverse("complaints_public:form", kwargs={"org_slug": slug})


def submit_url(slug="alpha"):
    return reverse("complaints_public_api:submit", kwargs={"org_slug": slug})


def api_payload(category, n=0):
    return {
        "category": category.pk,
        "description": f"Storing {n}: het portaal is onbereikbaar.",
        "channel": "portal",
        "impact": "high",
        "email": f"melder{n}@example.test",
    }


def stored():
    with scopes_disabled():
        return Complaint.objects.count()


def outbox():
    with scopes_disabled():
        return OutboxMessage.objects.count()


@pytest.fixture
def category(world):
    return categories(world.alpha)[0]


@pytest.fixture
def broken_cache():
    """Every cache call the limiter makes fails as redis-py does when Redis is away."""
    error = redis.exceptions.ConnectionError("Error 111 connecting to 127.0.0.1:6379.")
    with (
        mock.patch.object(cache, "add", side_effect=error),
        mock.patch.object(cache, "incr", side_effect=error),
        mock.patch.object(cache, "get", side_effect=error),
        mock.patch.object(cache, "set", side_effect=error),
    ):
        yield


# (a) No Redis: every complaint is still accepted -------------------------------------------


def test_fifty_complaints_are_stored_with_the_cache_failing(world, client, category, caplog):
    with (
        caplog.at_level(logging.WARNING, logger="governance.platform.ratelimit"),
        mock.patch.object(cache, "add", side_effect=redis.exceptions.ConnectionError("refused")),
        mock.patch.object(cache, "incr", side_effect=redis.exceptions.ConnectionError("refused")),
    ):
        web = [
            client.post(form_url(), form_data(category, email=f"web{n}@example.test")).status_code
            for n in range(25)
        ]
        api = [
            client.post(
                submit_url(), api_payload(category, n), content_type="application/json"
            ).status_code
            for n in range(25)
        ]
    assert web == [302] * 25
    assert api == [201] * 25
    assert stored() == 50
    assert outbox() == 50
    with scopes_disabled():
        for complaint in Complaint.objects.all():
            assert OutboxMessage.objects.filter(body_text__contains=complaint.reference).exists()
    assert "Rate-limit cache unavailable" in caplog.text


@override_settings(CACHES=UNREACHABLE_REDIS)
def test_fifty_complaints_are_stored_with_redis_unreachable(world, client, category, caplog):
    with caplog.at_level(logging.WARNING, logger="governance.platform.ratelimit"):
        statuses = _fifty_mixed(client, category)
    assert "ConnectionError" in caplog.text
    assert sorted(set(statuses)) == [201, 302]
    assert stored() == 50
    assert outbox() == 50
    # Once the services are back, the relay delivers every acknowledgement exactly once.
    with scopes_disabled():
        assert outbox_relay(limit=100) == {"sent": 50, "retrying": 0, "failed": 0, "abandoned": 0}
        assert outbox_relay(limit=100)["sent"] == 0
        sent = OutboxMessage.objects.filter(status=OutboxMessage.Status.SENT).count()
    assert sent == 50


def _fifty_mixed(client, category):
    return [
        client.post(form_url(), form_data(category, email=f"web{n}@example.test")).status_code
        if n % 2
        else client.post(
            submit_url(), api_payload(category, n), content_type="application/json"
        ).status_code
        for n in range(50)
    ]


@override_settings(COMPLAINTS_RATE_LIMITS={"address": (3, 3600), "organisation": (500, 3600)})
def test_limits_still_hold_in_process_memory_while_the_cache_is_down(
    world, client, category, broken_cache
):
    statuses = [client.post(form_url(), form_data(category)).status_code for _n in range(4)]
    assert statuses == [302, 302, 302, 429]
    assert stored() == 3


def test_open_survey_link_limiter_degrades_too(broken_cache):
    limits = [ratelimit.Limit("kto-open:test", 2, 3600)]
    assert [ratelimit.hit(*limits) for _n in range(3)] == [True, True, False]


# (b) One office behind one address during an incident --------------------------------------


def test_thirty_complaints_from_one_address_in_ten_minutes_are_accepted(world, client, category):
    statuses = [
        client.post(
            form_url(), form_data(category, description=f"Collega {n}: geen netwerk.")
        ).status_code
        for n in range(30)
    ]
    assert statuses == [302] * 30
    assert stored() == 30
    assert antiabuse.limits() == {"address": (60, 3600), "organisation": (500, 3600)}


def test_the_limited_form_keeps_what_was_typed_and_says_so(world, client, category, settings):
    settings.COMPLAINTS_RATE_LIMITS = {"address": (1, 3600), "organisation": (500, 3600)}
    assert client.post(form_url(), form_data(category)).status_code == 302
    refused = client.post(
        form_url(), form_data(category, description="De printer is weer stuk.", name="Kees")
    )
    assert refused.status_code == 429
    assert refused.context["form"]["description"].value() == "De printer is weer stuk."
    assert refused.context["form"]["name"].value() == "Kees"
    assert "try again in a while" in refused.content.decode()
    assert stored() == 1


def test_the_limited_form_speaks_dutch(world, category, settings):
    settings.COMPLAINTS_RATE_LIMITS = {"address": (0, 3600), "organisation": (500, 3600)}
    refused = Client(HTTP_ACCEPT_LANGUAGE="nl").post(form_url(), form_data(category))
    assert refused.status_code == 429
    assert "probeer het" in refused.content.decode()


# (c) A flood from many addresses stops at the organisation's ceiling ------------------------


@override_settings(COMPLAINTS_RATE_LIMITS={"address": (60, 3600), "organisation": (40, 3600)})
def test_flood_from_many_addresses_stops_at_the_lowered_ceiling(world, client, category):
    statuses = [
        client.post(
            submit_url(),
            api_payload(category, n),
            content_type="application/json",
            REMOTE_ADDR=f"10.{n // 250}.{n % 250}.1",
        ).status_code
        for n in range(1000)
    ]
    assert statuses.count(201) == 40
    assert statuses.count(429) == 960
    assert stored() == 40


def test_flood_at_real_values_stores_exactly_the_ceiling(world, client, category):
    """1,000 complaints from 1,000 addresses against the real figures: 500 stored."""
    statuses = [
        client.post(
            submit_url(),
            api_payload(category, n),
            content_type="application/json",
            REMOTE_ADDR=f"10.{n // 250}.{n % 250}.2",
        ).status_code
        for n in range(1000)
    ]
    assert statuses.count(201) == 500
    assert statuses[500:] == [429] * 500
    assert stored() == 500


# (d) Invalid input never counts --------------------------------------------------------------


def test_failed_validation_does_not_count(world, client, category, settings):
    settings.COMPLAINTS_RATE_LIMITS = {"address": (2, 3600), "organisation": (2, 3600)}
    for _n in range(5):
        bad = client.post(form_url(), form_data(category, description=""))
        assert bad.status_code == 200
        api_bad = client.post(
            submit_url(), {**api_payload(category), "impact": "?"}, content_type="application/json"
        )
        assert api_bad.status_code == 400
    assert stored() == 0
    good = [client.post(form_url(), form_data(category)).status_code for _n in range(3)]
    assert good == [302, 302, 429]
    assert stored() == 2


def test_a_refused_registration_gives_its_place_back(world, client, category, settings):
    settings.COMPLAINTS_RATE_LIMITS = {"address": (1, 3600), "organisation": (1, 3600)}
    with mock.patch(
        "complaints.services.complaint_register",
        side_effect=ValidationError({"description": "Nee."}),
    ):
        assert client.post(form_url(), form_data(category)).status_code == 200
        assert (
            client.post(
                submit_url(), api_payload(category), content_type="application/json"
            ).status_code
            == 400
        )
    assert client.post(form_url(), form_data(category)).status_code == 302
    assert stored() == 1
