"""The machinery of the route walk (tests/test_route_isolation.py): how a route is declared,
the data it is walked on, and how one route × actor cell is judged."""

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver
from django_scopes import scopes_disabled

from governance.platform import roles
from governance.platform.models import Invitation, Membership, Role, SupplierMembership
from tests.conftest import make_user

PUBLIC = "public"  # anyone, no account
AUTHENTICATED = "authenticated"  # any logged-in user, no tenant in the URL
TENANT = "tenant"  # under /o/<slug>/ or /api/v1/o/<slug>/: members and engaged suppliers only
SUPPLIER = "supplier"  # under /supplier/: a supplier's own area, no tenant in the URL
STAFF = "staff"  # the Django admin

# The permissions routes declare (see the matrix for who holds each).
READ = "tenant.read"
CLIENT = "client.read"
CONTRACTS = "contracts.manage"
SLA_REPORT = "sla.report"
SLA_REVIEW = "sla.review"
COMPLAINTS = "complaints.manage"
RESPOND = "complaints.respond"
PROPOSE = "improvements.propose"
APPROVE = "improvements.approve"
KTO = "kto.manage"
GAPS = "gaps.manage"
SIMULATIONS = "simulations.manage"
TAKE_PART = "simulations.take_part"
AUDIT_RECORD = "audits.record"
PRIORITISE = "audits.prioritise"
AUDIT_CLOSE = "audits.close"
AUDIT_PLAN = "audits.plan"
AUDIT_PROPOSE = "audits.propose"
SHARE_REPORT = "audits.share_report"
MEETINGS = "meetings.manage"
PREPARE = "meetings.prepare"
MEMBERS = "members.manage"
SUPPLIER_MEMBERS = "supplier_members.manage"
ADMIN = "platform.admin"
PRIVACY = "privacy.manage"
INTEGRATIONS = "integrations.manage"
HISTORY = "history.export"


@dataclass(frozen=True)
class Route:
    kind: str
    api: bool = False
    method: str = "get"
    # The kind of tenant object the URL names (a key of `samples()`), if any.
    object: str | None = None
    # Fixed kwargs for non-tenant routes.
    extra: dict = field(default_factory=dict)
    # Tenant and supplier routes: the permission(s), any of which lets a role through with one
    # of the `ok` statuses; every other role gets 403 or 404 and changes nothing.
    perm: str | tuple[str, ...] = READ
    ok: tuple[int, ...] = (200,)
    # POST payload for the request (tenant POST routes).
    data: dict | None = None
    # (permission, text): the text is in the answer exactly for the roles holding it.
    shows: tuple[str, str] | None = None
    # Send `data` as JSON (API writes with nested lists); PUT and PATCH always do.
    json: bool = False

    @property
    def perms(self) -> tuple[str, ...]:
        return (self.perm,) if isinstance(self.perm, str) else self.perm

    def admits(self, role: str) -> bool:
        return any(roles.allowed(role, p) for p in self.perms)

    def kwargs(self, org=None, samples=None) -> dict:
        kwargs = dict(self.extra)
        if self.kind == TENANT:
            kwargs["org_slug"] = org.slug
        if self.object:
            kwargs["pk"] = samples[self.object].pk
        return kwargs


def page(object=None, perm=READ, ok=(200,), **more) -> Route:
    """A tenant page (GET)."""
    return Route(TENANT, object=object, perm=perm, ok=ok, **more)


def post(object=None, perm=READ, ok=(302,), data=None, **more) -> Route:
    """A tenant form post; by default it redirects an insider back to a page."""
    return Route(TENANT, method="post", object=object, perm=perm, ok=ok, data=data or {}, **more)


def api(object=None, perm=READ, ok=(200,), **more) -> Route:
    """A tenant API read (GET)."""
    return Route(TENANT, api=True, object=object, perm=perm, ok=ok, **more)


def api_post(object=None, perm=READ, ok=(200,), data=None, **more) -> Route:
    """A tenant API action (POST)."""
    return Route(
        TENANT, api=True, method="post", object=object, perm=perm, ok=ok, data=data or {}, **more
    )


def api_patch(object=None, perm=READ, ok=(200,), data=None, **more) -> Route:
    """A tenant API partial update (PATCH, JSON)."""
    return Route(
        TENANT, api=True, method="patch", object=object, perm=perm, ok=ok, data=data or {}, **more
    )


def member_samples(world) -> dict:
    """A colleague to change or deactivate, a pending invitation and a supplier's user."""
    from governance.platform.members.services import token_hash

    with scopes_disabled():
        walt = make_user("walt")
        membership = Membership.objects.create(user=walt, organisation=world.alpha, role="viewer")
        nina = make_user("nina")
        link = SupplierMembership.objects.create(user=nina, supplier=world.northwind)
        invitation = Invitation.objects.create(
            organisation=world.alpha,
            email="walk-pending@example.test",
            role=Role.VIEWER,
            token_hash=token_hash("walk-pending"),
            expires_at="2999-01-01T00:00:00Z",
        )
    return {"membership": membership, "supplier_link": link, "invitation": invitation}


def matrix_samples(world) -> dict:
    """Built after every other provider: a reported audit to close, a complaint with the
    complainant's contact details (assigned to Northwind, no consent to contact)."""
    from audits.models import Audit
    from complaints.models import Category, Complaint
    from complaints.services import complaint_assign, complaint_register
    from governance.platform.access import system_access, tenant_scope

    with scopes_disabled():
        reported = Audit.objects.filter(organisation=world.alpha).order_by("pk").first()
        reported.pk = None
        reported.id = None
        reported.title = "Walk reported audit"
        reported.status = Audit.Status.REPORTED
        reported.save()
        complaint = Complaint.objects.filter(organisation=world.alpha).order_by("pk").first()
    access = system_access(world.alpha)
    with tenant_scope(access):
        contact = complaint_register(
            organisation=world.alpha,
            service=complaint.service,
            category=Category.objects.filter(organisation=world.alpha).first(),
            description="Walk complaint with contact",
            occurred_at=complaint.occurred_at,
            channel="phone",
            impact="low",
            name="Walk Contact",
            email="walk-contact@example.test",
        )
        complaint_assign(access=access, complaint=contact, supplier=world.northwind)
    return {"reported_audit": reported, "complaint_with_contact": contact}


class Samples(dict):
    """One object of tenant Alpha per kind named in ROUTES, reachable by alice and bob.

    Built lazily, one app's samples at a time, so a route pays only for what it names."""

    def __init__(self, world):
        from tests.audits.helpers import route_samples as audit_samples
        from tests.complaints.helpers import route_samples as complaint_samples
        from tests.contracts.samples import contract_samples
        from tests.governance.test_webhooks import webhook_route_samples
        from tests.kto.helpers import route_samples as kto_samples
        from tests.kto.test_gap_engine import gap_route_samples
        from tests.kto.test_gap_settings import gap_settings_route_samples
        from tests.meetings.helpers import route_samples as meeting_samples
        from tests.simulations.helpers import route_samples as simulation_samples

        super().__init__(contract=world.alpha_contract)
        self.world = world
        self.providers = [
            member_samples,
            gap_route_samples,
            gap_settings_route_samples,
            contract_samples,
            kto_samples,
            simulation_samples,
            complaint_samples,
            audit_samples,
            meeting_samples,
            matrix_samples,
            webhook_route_samples,
        ]

    def __missing__(self, key):
        while self.providers:
            self.update(self.providers.pop(0)(self.world))
            if key in self:
                return self[key]
        raise KeyError(key)


def samples(world) -> Samples:
    return Samples(world)


def url_name(name: str) -> str:
    """The URL's name of a ROUTES key ("complaints:settings#save" walks "complaints:settings")."""
    return name.split("#")[0]


# Strings that exist only in tenant Beta or at supplier Southwind: none may appear in anything
# Alpha's users or Northwind's administrator get.
BETA_ONLY = ["Beta desk", "Beta hosting", "Southwind", "beta-canary@example.test", "dave@example"]


def plant_beta_canaries(world) -> None:
    """Beta's own member and pending invitation (Alpha's and Northwind's pages must not show
    them), besides Beta's contracts in conftest."""
    from governance.platform.members.services import token_hash

    with scopes_disabled():
        canary = get_user_model().objects.create_user(
            username="beta-canary@example.test", email="beta-canary@example.test"
        )
        Membership.objects.create(user=canary, organisation=world.beta, role=Role.VIEWER)
        Invitation.objects.create(
            organisation=world.beta,
            email="beta-canary@example.test",
            role=Role.AUDITOR,
            token_hash=token_hash("beta-canary"),
            expires_at="2999-01-01T00:00:00Z",
        )


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


def request(client, route: Route, url: str):
    if route.json or route.method in ("put", "patch"):
        return getattr(client, route.method)(url, route.data, content_type="application/json")
    if route.data is not None:
        return getattr(client, route.method)(url, route.data)
    return getattr(client, route.method)(url)


def undone(client, route: Route, url: str):
    """Request inside a savepoint that is rolled back, so every actor meets the same data (a
    manager's accepted report is still there to accept for the next role)."""
    with transaction.atomic():
        response = request(client, route, url)
        transaction.set_rollback(True)
    return response


def check_cell(name: str, route: Route, who: str, role: str | None, response) -> list[str]:
    """What is wrong with one cell: the status the matrix expects, no Beta canary, and shown
    text exactly for the roles holding its permission."""
    problems = []
    status = response.status_code
    admitted = role is not None and route.admits(role)
    if admitted and status not in route.ok:
        problems.append(f"{name} × {who}: {status}, expected one of {route.ok}")
    if not admitted and status not in (403, 404):
        problems.append(f"{name} × {who}: {status}, expected 403 or 404")
    body = response.content.decode(errors="replace")  # PDFs are binary
    if leaks := [leak for leak in BETA_ONLY if leak in body]:
        problems.append(f"{name} × {who}: leaks {leaks}")
    if route.shows:
        permission, text = route.shows
        expected = admitted and role is not None and roles.allowed(role, permission)
        if (text in body) != expected:
            problems.append(f"{name} × {who}: shows {text!r} is {text in body}")
    return problems
