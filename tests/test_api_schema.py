"""The API keeps to its published schema: schemathesis over every operation, as a contract
manager, a viewer and a supplier user, each on the demo data they can see.

Fixed seed and a bounded number of examples per operation and generation mode (valid and
invalid data), so the run is repeatable and stays within a few minutes. Any failure of
not_a_server_error, status_code_conformance, content_type_conformance,
response_schema_conformance, negative_data_rejection or ignored_auth fails the test, listing
each with a curl command to reproduce it.
"""

import re

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.core.management import call_command
from django.test import Client
from django_scopes import scopes_disabled

from governance.accounts.tokens import token_issue
from governance.platform.models import Organisation, SupplierMembership
from tests import schema_probe

SEED = 20261207
MAX_EXAMPLES = 3
ORG = "zuidrand"
ROLES = {
    # role: (demo login, token scope)
    "contract_manager": ("manager@zuidrand.example", "organisation"),
    "viewer": ("viewer@zuidrand.example", "organisation"),
    "supplier_user": ("supplier@noordlicht.example", "supplier"),
}


def issue_token(email: str, scope: str) -> str:
    from django.contrib.auth import get_user_model

    with scopes_disabled():
        user = get_user_model().objects.get(username=email)
        if scope == "organisation":
            return token_issue(
                user=user, name="schema", organisation=Organisation.objects.get(slug=ORG)
            )[1]
        supplier = SupplierMembership.objects.get(user=user).supplier
        return token_issue(user=user, name="schema", supplier=supplier)[1]


def visible_ids(schema, token: str) -> dict[str, int]:
    """The first id each list operation shows this token, by the list's path."""
    client = Client(HTTP_AUTHORIZATION=f"Token {token}")
    ids = {}
    for operation in schema_probe.operations(schema):
        if operation.method.upper() != "GET" or "{id}" in operation.path:
            continue
        if "{org_slug}" not in operation.path:
            continue
        response = client.get(operation.path.replace("{org_slug}", ORG))
        if response.status_code != 200:
            continue
        body = response.json()
        rows = body.get("results", []) if isinstance(body, dict) else body
        if rows and isinstance(rows[0], dict) and "id" in rows[0]:
            ids[operation.path] = rows[0]["id"]
    return ids


def fixed_parameters(ids: dict[str, int]):
    def parameters(operation) -> dict:
        fixed = {}
        if "{org_slug}" in operation.path:
            fixed["org_slug"] = ORG
        if "{id}" in operation.path:
            listing = re.sub(r"\{id\}/.*$", "", operation.path)
            if listing in ids:
                fixed["id"] = ids[listing]
        return fixed

    return parameters


# Requests go through Django's own WSGI handler, whose request signals close a database
# connection past its maximum age: with a transaction per test that would end the test's own
# transaction, so this test commits and the database is flushed after it.
@pytest.mark.django_db(transaction=True)
def test_every_operation_keeps_to_the_schema_for_each_role(capsys):
    with scopes_disabled():
        call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    schema = schema_probe.load_schema(WSGIHandler())
    total = len(schema_probe.operations(schema))
    assert total > 100, total
    report, failures = [], []
    for role, (email, scope) in ROLES.items():
        token = issue_token(email, scope)
        ids = visible_ids(schema, token)
        figures = schema_probe.probe(
            schema,
            token=token,
            path_parameters=fixed_parameters(ids),
            max_examples=MAX_EXAMPLES,
            seed=SEED,
        )
        assert figures.operations == total
        report.append(
            f"{role}: {figures.operations} operations, {figures.cases} cases, "
            f"{len(figures.failures)} failures, {figures.seconds:.0f}s "
            f"({figures.cpu_seconds:.0f}s CPU), "
            f"statuses {dict(sorted(figures.statuses.items()))}"
        )
        failures += [f"[{role}] {failure}" for failure in figures.failures]
    with capsys.disabled():
        print("\nschemathesis:", *report, sep="\n  ")
    assert not failures, "\n".join(failures)


@pytest.mark.django_db
def test_a_malformed_filter_is_a_400_naming_the_parameter(world):
    from tests.conftest import api_token_for

    client = Client(HTTP_AUTHORIZATION=f"Token {api_token_for(world.alice)}")
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    base = "/api/v1/o/alpha/audit-findings/"
    for url, name in [
        (f"{base}ranking/?contract=null", "contract"),
        (f"{base}?audit=1.5", "audit"),
        (f"{base}?status=nonsense", "status"),
        (f"{base}?contract={2**40}", "contract"),
    ]:
        response = client.get(url)
        assert response.status_code == 400, url
        assert list(response.json()) == [name], url
    assert client.get(f"{base}ranking/?contract={world.alpha_contract.pk}").status_code == 200
    assert client.get(f"{base}?contract=&status=").status_code == 200
