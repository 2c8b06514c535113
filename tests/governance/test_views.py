import pytest
from django.db import OperationalError
from django.urls import reverse
from django_scopes import ScopeError, scopes_disabled

from contracts.models import Contract
from governance.platform.models import Membership, Organisation, Role
from governance.platform.views import HEALTH_PROBES


def test_member_of_one_organisation_lands_in_it(world, client_as):
    response = client_as(world.alice).get(reverse("home"))
    assert response["Location"] == "/o/alpha/"


def test_member_of_several_organisations_chooses(world, client_as):
    Membership.objects.create(user=world.alice, organisation=world.beta, role=Role.VIEWER)
    response = client_as(world.alice).get(reverse("home"))
    assert response.status_code == 200
    assert [o.slug for o in response.context["organisations"]] == ["alpha", "beta"]


def test_supplier_user_lands_on_its_supplier_home(world, client_as):
    response = client_as(world.bob).get(reverse("home"))
    assert response["Location"] == reverse("supplier_home")


def test_client_member_has_no_supplier_home(world, client_as):
    assert client_as(world.alice).get(reverse("supplier_home")).status_code == 404


def test_login_lands_in_the_organisation(world, client):
    from tests.conftest import PASSWORD

    response = client.post(
        reverse("login"), {"username": "alice", "password": PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == "/o/alpha/"


def test_organisation_home_shows_contracts_and_suppliers(world, client_as):
    response = client_as(world.alice).get("/o/alpha/")
    assert response.context["contract_count"] == 1
    assert [s.name for s in response.context["suppliers"]] == ["Northwind"]


def test_contract_list_searches(world, client_as):
    with scopes_disabled():
        Contract.objects.create(
            organisation=world.alpha, supplier=world.northwind, reference="A-2", title="Hosting"
        )
    response = client_as(world.alice).get("/o/alpha/contracts/?q=host")
    assert [c.reference for c in response.context["contracts"]] == ["A-2"]


@pytest.mark.parametrize("extra", [0, 2])
def test_contract_list_query_count_does_not_grow(
    world, client_as, extra, django_assert_num_queries
):
    with scopes_disabled():
        for n in range(extra):
            Contract.objects.create(
                organisation=world.alpha, supplier=world.northwind, reference=f"X-{n}", title="x"
            )
    client = client_as(world.alice)
    # The same for 1 and 3 contracts (one of them loads the supplier filter's choices, two the
    # suppliers' reports on time).
    with django_assert_num_queries(11):
        client.get("/o/alpha/contracts/")


def test_unknown_organisation_is_404_like_a_foreign_one(world, client_as):
    client = client_as(world.alice)
    assert client.get("/o/no-such-org/").status_code == 404
    assert client.get("/o/beta/").status_code == 404


def test_tenant_query_outside_a_scope_raises(world):
    with pytest.raises(ScopeError):
        list(Contract.objects.all())


def test_healthz_names_database_cache_and_broker(db, client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok", "broker": "ok"}


def test_healthz_is_degraded_but_up_without_cache_and_broker(db, client, monkeypatch):
    def unreachable(*args, **kwargs):
        raise ConnectionError("Error 111 connecting to 127.0.0.1:1. Connection refused.")

    monkeypatch.setattr("governance.platform.views.cache.set", unreachable)
    monkeypatch.setattr("governance.celery.app.connection_for_write", unreachable)
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "degraded",
        "database": "ok",
        "cache": "unavailable",
        "broker": "unavailable",
    }


def test_healthz_is_down_without_database(db, client, monkeypatch):
    def broken(*args, **kwargs):
        raise OperationalError("could not connect to server")

    monkeypatch.setitem(HEALTH_PROBES, "database", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] == "down"
    assert response.json()["database"] == "unavailable"


def test_pages_carry_security_headers(world, client):
    response = client.get(reverse("login"))
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert Organisation.objects.count() == 2


def test_staff_see_task_runs_in_the_admin(world, client):
    from governance.platform.models import TaskRun

    TaskRun.objects.create(name="demo.task", status="succeeded", started_at="2026-01-01T00:00Z")
    world.alice.is_staff = world.alice.is_superuser = True
    world.alice.save()
    client.force_login(world.alice)
    response = client.get(reverse("admin:governance_taskrun_changelist"))
    assert response.status_code == 200
    assert "demo.task" in response.content.decode()
