"""Every model of the apps is an organisation's row, built on the platform's tenant base."""

import pytest
from django.apps import apps
from django.db import models
from django_scopes import ScopeError, scope

from governance.platform.history import HistoricalAuditBase
from governance.platform.models import TenantModel

TENANT_APPS = ("contracts", "complaints", "audits", "simulations", "kto", "meetings", "roof")


def app_models() -> list[type[models.Model]]:
    return [model for app in TENANT_APPS for model in apps.get_app_config(app).get_models()]


def is_set_history(model) -> bool:
    """A table of the sets a history row keeps (an audit's services at that row): it hangs off
    the history row, which holds the organisation."""
    return any(
        field.name == "history" and issubclass(field.related_model, HistoricalAuditBase)
        for field in model._meta.fields
    )


def tenant_app_models() -> list[type[models.Model]]:
    """The apps' own models; their history tables are the audit trail's (below)."""
    return [
        model
        for model in app_models()
        if not issubclass(model, HistoricalAuditBase) and not is_set_history(model)
    ]


def test_every_set_history_table_hangs_off_a_history_row_with_its_organisation():
    sets = [model for model in app_models() if is_set_history(model)]
    assert len(sets) >= 5  # audit services and observers, finding services, survey sets
    for model in sets:
        row = model._meta.get_field("history")
        assert row.null is False
        organisation = row.related_model._meta.get_field("organisation")
        assert organisation.related_model._meta.label == "governance.Organisation"


def test_every_history_table_keeps_the_organisation_of_its_record():
    # The trail is read through the tracked record (scoped) or, for the organisation's whole
    # trail, filtered on this column by the history pages.
    historical = [model for model in app_models() if issubclass(model, HistoricalAuditBase)]
    assert len(historical) >= 30
    for model in historical:
        field = model._meta.get_field("organisation")
        assert field.related_model._meta.label == "governance.Organisation", model


def test_every_model_of_the_apps_inherits_the_tenant_base():
    assert [m._meta.label for m in tenant_app_models() if not issubclass(m, TenantModel)] == []


def test_the_organisation_key_is_required_and_protects_or_goes_with_its_organisation():
    for model in tenant_app_models():
        field = model._meta.get_field("organisation")
        assert (field.null, field.related_model._meta.label) == (False, "governance.Organisation")
        assert field.remote_field.on_delete in (models.PROTECT, models.CASCADE), model


def test_outside_a_scope_every_tenant_model_refuses_to_query():
    for model in tenant_app_models():
        with pytest.raises(ScopeError):
            model.objects.all()


def test_inside_a_scope_every_tenant_model_filters_by_its_organisation():
    for model in tenant_app_models():
        with scope(organisation=7, supplier=None):
            where = model.objects.all().query.where
        assert "organisation" in str(where), model
