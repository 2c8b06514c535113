"""The route walk: every URL of Regie is classified, and no tenant route leaks.

Routes come from the URL resolver (which includes the API router), so a new route without a
classification below fails `test_every_route_is_classified`.
"""

from dataclasses import dataclass, field

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

PUBLIC = "public"  # anyone, no account
AUTHENTICATED = "authenticated"  # any logged-in user, no tenant in the URL
TENANT = "tenant"  # under /o/<slug>/ or /api/v1/o/<slug>/: members and engaged suppliers only
STAFF = "staff"  # the Django admin


@dataclass(frozen=True)
class Route:
    kind: str
    api: bool = False
    method: str = "get"
    # The kind of tenant object the URL names (a key of `samples()`), if any.
    object: str | None = None
    # Fixed kwargs for non-tenant routes.
    extra: dict = field(default_factory=dict)
    # Tenant routes: the Alpha actors (conftest) that succeed, and with which statuses. The
    # other Alpha actors (of alice, bob, victor) must get 403 or 404 and change nothing.
    insiders: tuple[str, ...] = ("alice", "bob", "victor")
    ok: tuple[int, ...] = (200,)
    # POST payload for the request (tenant POST routes).
    data: dict | None = None

    def kwargs(self, org=None, samples=None) -> dict:
        kwargs = dict(self.extra)
        if self.kind == TENANT:
            kwargs["org_slug"] = org.slug
        if self.object:
            kwargs["pk"] = samples[self.object].pk
        return kwargs


ROUTES: dict[str, Route] = {
    "home": Route(AUTHENTICATED),
    "healthz": Route(PUBLIC),
    "login": Route(PUBLIC),
    "logout": Route(PUBLIC, method="post"),
    "password_change": Route(AUTHENTICATED),
    "password_change_done": Route(AUTHENTICATED),
    "password_reset": Route(PUBLIC),
    "password_reset_done": Route(PUBLIC),
    "password_reset_confirm": Route(PUBLIC, extra={"uidb64": "MQ", "token": "x-y"}),
    "password_reset_complete": Route(PUBLIC),
    "set_language": Route(PUBLIC, method="post"),
    "supplier_home": Route(AUTHENTICATED),
    "api_token": Route(PUBLIC, method="post"),
    "api_schema": Route(PUBLIC),
    "api_docs": Route(PUBLIC),
    "organisation_home": Route(TENANT),
    "contracts:contract_list": Route(TENANT),
    "contracts:contract_detail": Route(TENANT, object="contract"),
    "api:contract-list": Route(TENANT, api=True),
    "api:contract-detail": Route(TENANT, api=True, object="contract"),
}


def samples(world) -> dict:
    """One object of tenant Alpha per kind named in ROUTES, reachable by alice and bob."""
    return {"contract": world.alpha_contract}


def tenant_url(name, org, objects) -> str:
    return reverse(name, kwargs=ROUTES[name].kwargs(org, objects))


# Strings that exist only in tenant Beta: none may appear in anything Alpha's users get.
BETA_ONLY = ["Beta desk", "Beta hosting", "Southwind"]


def walk(patterns, namespace=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from walk(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}"
        elif isinstance(entry, URLPattern):
            yield f"{namespace}<unnamed {entry.pattern}>"


def resolver_routes() -> set[str]:
    return set(walk(get_resolver().url_patterns))


def test_every_route_is_classified():
    routes = {name for name in resolver_routes() if not name.startswith("admin:")}
    assert routes - set(ROUTES) == set(), "classify these routes in ROUTES"
    assert set(ROUTES) - routes == set(), "these classified routes no longer exist"


def test_admin_routes_are_staff_only(world, client_as):
    client = client_as(world.alice)
    for name in ("admin:index", "admin:contracts_contract_changelist"):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))


def names_of(kind):
    return sorted(name for name, route in ROUTES.items() if route.kind == kind)


def request(client, route: Route, url: str):
    if route.data is not None:
        return getattr(client, route.method)(url, route.data)
    return getattr(client, route.method)(url)


@pytest.mark.parametrize("name", names_of(TENANT))
def test_tenant_route_answers_only_its_tenant(name, world, client):
    route = ROUTES[name]
    url = tenant_url(name, world.alpha, samples(world))

    anonymous = request(client, route, url)
    if route.api:
        assert anonymous.status_code == 401
    else:
        assert anonymous.status_code == 302
        assert anonymous["Location"].startswith(reverse("login"))

    for outsider in (world.charlie, world.dave):
        client.force_login(outsider)
        assert request(client, route, url).status_code == 404, outsider.username

    for actor in (world.alice, world.bob, world.victor):
        client.force_login(actor)
        response = request(client, route, url)
        if actor.username in route.insiders:
            assert response.status_code in route.ok, actor.username
        else:
            assert response.status_code in (403, 404), actor.username
        body = response.content.decode()
        assert [leak for leak in BETA_ONLY if leak in body] == []


@pytest.mark.parametrize("name", [n for n in names_of(TENANT) if ROUTES[n].object])
def test_tenant_object_is_not_reachable_through_another_tenant(name, world, client):
    """Alpha's object asked for under Beta's slug, by Beta's own manager: 404."""
    route = ROUTES[name]
    client.force_login(world.charlie)
    url = tenant_url(name, world.beta, samples(world))
    assert request(client, route, url).status_code == 404


@pytest.mark.parametrize("name", names_of(AUTHENTICATED))
def test_authenticated_route_needs_login(name, world, client):
    route = ROUTES[name]
    response = request(client, route, reverse(name, kwargs=route.kwargs()))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("name", names_of(PUBLIC))
def test_public_route_answers_anonymous(name, world, client):
    route = ROUTES[name]
    response = request(client, route, reverse(name, kwargs=route.kwargs()))
    assert response.status_code in {200, 302, 400}, response.status_code
