"""Shared actors (healthchecks style) and data that could leak between tenants.

alice   contract manager of Alpha
bob     user of supplier Northwind, which has contracts in Alpha and Beta
charlie contract manager of Beta
dave    user of supplier Southwind, which has a contract in Beta only
victor  viewer in Alpha (reads everything of Alpha, changes nothing)

The `cast` fixture adds one actor for each role of the role matrix that `world` lacks:
olga    business owner in Alpha
audrey  auditor in Alpha
sam     administrator of supplier Northwind
root    platform operator (superuser, no membership anywhere)
"""

from dataclasses import dataclass

import pytest
from django.contrib.auth import get_user_model
from django_scopes import scopes_disabled

from contracts.models import Contract
from governance.platform.models import Membership, Organisation, Role, Supplier, SupplierMembership

pytest_plugins = ["tests.browser_fixtures"]

PASSWORD = "correct-horse-battery"


@dataclass
class World:
    alpha: Organisation
    beta: Organisation
    northwind: Supplier
    southwind: Supplier
    alice: object
    bob: object
    charlie: object
    dave: object
    victor: object
    alpha_contract: Contract
    beta_northwind_contract: Contract
    beta_southwind_contract: Contract


def make_user(username: str):
    return get_user_model().objects.create_user(
        username=username, email=f"{username}@example.test", password=PASSWORD
    )


@pytest.fixture
def world(db) -> World:
    with scopes_disabled():
        alpha = Organisation.objects.create(name="Alpha", slug="alpha")
        beta = Organisation.objects.create(name="Beta", slug="beta")
        northwind = Supplier.objects.create(name="Northwind")
        southwind = Supplier.objects.create(name="Southwind")
        alice, bob, charlie, dave, victor = (
            make_user(n) for n in ("alice", "bob", "charlie", "dave", "victor")
        )
        Membership.objects.create(user=victor, organisation=alpha, role=Role.VIEWER)
        Membership.objects.create(user=alice, organisation=alpha, role=Role.CONTRACT_MANAGER)
        Membership.objects.create(user=charlie, organisation=beta, role=Role.CONTRACT_MANAGER)
        SupplierMembership.objects.create(user=bob, supplier=northwind)
        SupplierMembership.objects.create(user=dave, supplier=southwind)
        return World(
            alpha=alpha,
            beta=beta,
            northwind=northwind,
            southwind=southwind,
            alice=alice,
            bob=bob,
            charlie=charlie,
            dave=dave,
            victor=victor,
            alpha_contract=Contract.objects.create(
                organisation=alpha, supplier=northwind, reference="A-1", title="Alpha desk"
            ),
            beta_northwind_contract=Contract.objects.create(
                organisation=beta, supplier=northwind, reference="B-1", title="Beta desk"
            ),
            beta_southwind_contract=Contract.objects.create(
                organisation=beta, supplier=southwind, reference="B-2", title="Beta hosting"
            ),
        )


def api_token_for(user, *, organisation=None, supplier=None, mfa=False) -> str:
    """A live API token for `user`: scoped to `organisation`, else to its supplier, else to its
    only organisation. Returns the plain token to send as `Authorization: Token …`."""
    from governance.accounts.tokens import token_issue
    from governance.platform.access import organisations_for, supplier_of

    if organisation is None and supplier is None:
        supplier = supplier_of(user)
        if supplier is None:
            organisation = organisations_for(user)[0]
    return token_issue(
        user=user, name="test", organisation=organisation, supplier=supplier, mfa=mfa
    )[1]


@pytest.fixture
def cast(world) -> dict:
    """The actor of each role of the role matrix (`governance/platform/roles.py`), by role."""
    with scopes_disabled():
        olga, audrey, sam = (make_user(n) for n in ("olga", "audrey", "sam"))
        Membership.objects.create(user=olga, organisation=world.alpha, role=Role.BUSINESS_OWNER)
        Membership.objects.create(user=audrey, organisation=world.alpha, role=Role.AUDITOR)
        SupplierMembership.objects.create(user=sam, supplier=world.northwind, is_admin=True)
        root = get_user_model().objects.create_superuser(
            username="root", email="root@example.test", password=PASSWORD
        )
    return {
        "contract_manager": world.alice,
        "business_owner": olga,
        "viewer": world.victor,
        "auditor": audrey,
        "supplier_user": world.bob,
        "supplier_admin": sam,
        "platform_operator": root,
    }


@pytest.fixture
def client_as(client):
    """Log the Django test client in as one of the actors: `client_as(world.alice)`."""

    def login(user):
        client.force_login(user)
        return client

    return login
