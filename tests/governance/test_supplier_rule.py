"""The supplier rule on the demo data: a supplier reaches an organisation only through its
own contracts there, and sees only those."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse
from django_scopes import scopes_disabled

from contracts.models import Contract
from governance.platform.models import Organisation
from tests.test_route_isolation import ROUTES, TENANT, tenant_url


@pytest.fixture
def demo(db):
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    with scopes_disabled():
        return {
            "zuidrand": Organisation.objects.get(slug="zuidrand"),
            "deltabank": Organisation.objects.get(slug="deltabank"),
            "deltabank_contract": Contract.objects.get(reference="DB-2023-017"),
        }


def login(client, email):
    client.force_login(get_user_model().objects.get(username=email))
    return client


# Routes that need no object besides a contract, read with GET (the route walk covers the rest).
# One test over all of them: loading the demo is the expensive part, so it happens once.
DELTABANK_ROUTES = sorted(
    n
    for n, r in ROUTES.items()
    if r.kind == TENANT and r.method == "get" and r.object in (None, "contract")
)


def test_supplier_rule_on_the_demo_data(demo, client):
    """One test, because loading the demo is the expensive part: it happens once."""
    cloudkern_gets_404_everywhere_under_deltabank(demo, client)
    noordlicht_sees_its_contracts_in_both_organisations_and_nothing_else(demo, client)
    noordlicht_cannot_open_cloudkerns_contract_in_a_shared_organisation(demo, client)
    supplier_home_lists_contracts_across_organisations(demo, client)


def cloudkern_gets_404_everywhere_under_deltabank(demo, client):
    login(client, "supplier@cloudkern.example")
    answers = {
        name: client.get(
            tenant_url(name, demo["deltabank"], {"contract": demo["deltabank_contract"]})
        ).status_code
        for name in DELTABANK_ROUTES
    }
    assert len(answers) > 50
    assert {name: status for name, status in answers.items() if status != 404} == {}


def noordlicht_sees_its_contracts_in_both_organisations_and_nothing_else(demo, client):
    login(client, "supplier@noordlicht.example")
    seen = {}
    for slug in ("zuidrand", "deltabank"):
        response = client.get(reverse("api:contract-list", kwargs={"org_slug": slug}))
        assert response.status_code == 200
        seen[slug] = sorted(row["reference"] for row in response.json()["results"])
    assert seen == {"zuidrand": ["ZR-2024-001"], "deltabank": ["DB-2023-017"]}


def noordlicht_cannot_open_cloudkerns_contract_in_a_shared_organisation(demo, client):
    with scopes_disabled():
        cloudkern_contract = Contract.objects.get(reference="ZR-2025-004")
    login(client, "supplier@noordlicht.example")
    for name in ("contracts:contract_detail", "api:contract-detail"):
        url = tenant_url(name, demo["zuidrand"], {"contract": cloudkern_contract})
        assert client.get(url).status_code == 404


def supplier_home_lists_contracts_across_organisations(demo, client):
    login(client, "supplier@noordlicht.example")
    response = client.get(reverse("supplier_home"))
    body = response.content.decode()
    assert response.status_code == 200
    assert ("ZR-2024-001" in body, "DB-2023-017" in body, "ZR-2025-004" in body) == (
        True,
        True,
        False,
    )
