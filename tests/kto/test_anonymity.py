"""Anonymity by design: the schema cannot tie an answer to an invitation, token or person."""

from django.apps import apps
from django.conf import settings
from django.db import models

from kto.models import Answer, Invitation, Response

FORBIDDEN_NAME_PARTS = ("ip", "agent", "email", "token", "invitation", "user", "person", "salt")


def _fields(model):
    return [f for f in model._meta.get_fields() if getattr(f, "concrete", False)]


def _related_models(model):
    return {f.related_model for f in model._meta.get_fields() if f.is_relation and f.related_model}


def test_response_and_answer_have_no_link_to_invitation_token_or_person():
    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    for model in (Response, Answer):
        related = _related_models(model)
        assert Invitation not in related
        assert user_model not in related
        names = [f.name for f in _fields(model)]
        assert [
            n for n in names if any(part in n.split("_") for part in FORBIDDEN_NAME_PARTS)
        ] == []


def test_invitation_has_no_link_to_an_answer():
    assert Response not in _related_models(Invitation)
    assert Answer not in _related_models(Invitation)


def test_no_ip_or_user_agent_anywhere_in_kto():
    columns = [
        f.name
        for model in apps.get_app_config("kto").get_models()
        for f in _fields(model)
        if isinstance(f, models.GenericIPAddressField) or "agent" in f.name or f.name == "ip"
    ]
    assert columns == []


def test_answer_timestamps_are_dates_and_keys_are_random():
    date_like = [
        (model.__name__, f.name)
        for model in (Response, Answer)
        for f in _fields(model)
        if isinstance(f, models.DateField | models.TimeField)
    ]
    assert date_like == [("Response", "submitted_on")]
    assert type(Response._meta.get_field("submitted_on")) is models.DateField
    assert isinstance(Response._meta.pk, models.UUIDField)
    assert isinstance(Answer._meta.pk, models.UUIDField)


def test_invitation_records_only_that_it_was_used():
    used = Invitation._meta.get_field("used")
    assert isinstance(used, models.BooleanField)
    names = {f.name for f in _fields(Invitation)}
    assert {"used_on", "used_at", "answered_at", "response"} & names == set()
