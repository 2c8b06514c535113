"""The open survey link without Redis: answers are still taken, and the per-address limit
holds in process memory while the cache is unreachable."""

from unittest import mock

import pytest
import redis
from django.core.cache import cache
from django.urls import reverse
from django_scopes import scopes_disabled

from governance.platform import ratelimit
from kto import services
from kto.models import PendingResponse, Response
from kto.tokens import open_link_token
from tests.kto.helpers import (
    english,  # noqa: F401 - the fixture
    make_survey,
    raw_answers,
)

pytestmark = pytest.mark.usefixtures("english")


def test_open_link_answers_and_limits_with_the_cache_down(world, client):
    cache.clear()
    ratelimit.reset_local()
    survey = make_survey(world.alpha, [world.alpha_contract])
    with scopes_disabled():
        services.survey_open_link_set(survey=survey, enabled=True)
    url = reverse("kto_public:open", kwargs={"token": open_link_token(survey)})
    data = raw_answers(survey)
    error = redis.exceptions.ConnectionError("Connection refused")
    with (
        mock.patch.object(cache, "add", side_effect=error),
        mock.patch.object(cache, "incr", side_effect=error),
    ):
        statuses = [client.post(url, data).status_code for _ in range(11)]
    ratelimit.reset_local()
    assert statuses == [302] * 10 + [429]
    with scopes_disabled():
        assert PendingResponse.objects.count() == 10
        assert Response.objects.count() == 0
