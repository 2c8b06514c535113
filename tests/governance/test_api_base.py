"""The API base classes limit related fields to the tenant scope."""

from rest_framework import serializers

from contracts.models import Service
from governance.platform.access import access_for, tenant_scope
from governance.platform.api import ScopedModelSerializer


class ServiceInput(ScopedModelSerializer):
    class Meta:
        model = Service
        fields = ["contract", "name"]


def validate_as(user, org, data):
    access = access_for(user, org)
    with tenant_scope(access):
        serializer = ServiceInput(data=data, context={"access": access})
        return serializer.is_valid(), serializer.errors


def test_related_field_accepts_a_contract_of_the_organisation(world):
    assert validate_as(
        world.alice, world.alpha, {"contract": world.alpha_contract.pk, "name": "Desk"}
    )[0]


def test_forged_contract_id_of_another_organisation_is_a_validation_error(world):
    forged = {"contract": world.beta_northwind_contract.pk, "name": "Desk"}
    valid, errors = validate_as(world.alice, world.alpha, forged)
    assert (valid, list(errors)) == (False, ["contract"])
    assert errors["contract"][0].code == "does_not_exist"
    assert Service.objects.with_scopes_disabled().count() == 0


def test_unscoped_related_model_must_be_limited_explicitly(world):
    from django.contrib.auth import get_user_model

    class Careless(ScopedModelSerializer):
        owner = serializers.PrimaryKeyRelatedField(queryset=get_user_model().objects.all())

        class Meta:
            model = Service
            fields = ["owner", "name"]

    access = access_for(world.alice, world.alpha)
    import pytest

    with pytest.raises(NotImplementedError, match="must limit User choices"):
        Careless(context={"access": access}).fields  # noqa: B018
