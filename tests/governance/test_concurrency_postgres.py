"""Two saves of one version at the same moment, on PostgreSQL (row locks; the in-memory SQLite
test database refuses a second connection's write instead of letting it wait). CI runs on
PostgreSQL; elsewhere the test is skipped unless REGIE_REQUIRE_INTEGRATION=1 demands it."""

import os
import threading
import time

import pytest
from django.db import connection, transaction
from django.urls import reverse
from django_scopes import scopes_disabled

from contracts import services as contract_services
from contracts.forms import ContractForm
from governance.platform.concurrency import locked_version, version_of
from tests.governance.test_concurrency import as_posted, browser, fresh


@pytest.fixture
def postgres() -> None:
    if connection.vendor != "postgresql":
        reason = f"the database is {connection.vendor}, not PostgreSQL (set DATABASE_URL)"
        if os.environ.get("REGIE_REQUIRE_INTEGRATION") == "1":
            pytest.fail(f"REGIE_REQUIRE_INTEGRATION=1 but {reason}", pytrace=False)
        pytest.skip(reason)


@pytest.mark.django_db(transaction=True)
def test_a_save_waits_for_a_simultaneous_one_and_is_then_refused(postgres, world):
    """While another save holds the record (checked, not yet committed), a second save of the
    same version waits for it, then sees the new version and is refused."""
    contract = world.alpha_contract
    seen = version_of(contract)
    with scopes_disabled():
        base = as_posted(ContractForm(instance=contract, organisation=world.alpha))
    url = reverse("contracts:contract_edit", args=["alpha", contract.pk])
    alice = browser(world.alice)
    locked, done = threading.Event(), []

    def first_save():
        try:
            with scopes_disabled(), transaction.atomic():
                assert locked_version(contract) == seen
                locked.set()
                time.sleep(1)
                contract_services.contract_update(contract=fresh(contract), title="First")
            done.append(time.monotonic())
        finally:
            locked.set()
            connection.close()

    thread = threading.Thread(target=first_save)
    thread.start()
    assert locked.wait(10)
    response = alice.post(url, {**base, "title": "Second", "version": seen})
    answered = time.monotonic()
    thread.join(10)
    assert done and done[0] <= answered
    assert response.status_code == 400
    assert fresh(contract).title == "First"
