"""The complaints' extension case asks the chain model for contacts in extra hours: a chain
that starts at the contract's service desk (no particular service) answers for the contract's
services, as the demo's "Incidentketen werkplek" does."""

from datetime import time

from django_scopes import scopes_disabled

from contracts.models import Service
from governance.platform import service_links
from governance.platform.access import access_for, system_access, tenant_scope
from simulations import services
from simulations.models import Chain


def evening_profile() -> list[float]:
    # 3 contacts an hour, plus 10 between 18:00 and 20:00 on weekdays.
    rates = [3.0] * 168
    for day in range(5):
        rates[day * 24 + 18] = rates[day * 24 + 19] = 10.0
    return rates


def make(world, *, service=None, contract=None, name="Incidentketen"):
    contract = contract or world.alpha_contract
    access = system_access(contract.organisation)
    chain = services.chain_create(access=access, contract=contract, name=name, service=service)
    services.chain_set_profile(
        chain=chain, rates=evening_profile(), source=Chain.ProfileSource.ENTERED
    )
    return chain


def estimate(access, service):
    with tenant_scope(access):
        return service_links.estimated_contacts(
            access=access,
            service_id=service.pk,
            weekdays=[0, 1, 2, 3, 4],
            opens=time(18),
            closes=time(20),
        )


def test_chain_of_the_whole_contract_estimates_for_its_services(world):
    with scopes_disabled():
        desk = Service.objects.create(
            organisation=world.alpha, contract=world.alpha_contract, name="Servicedesk"
        )
        other = Service.objects.create(
            organisation=world.beta, contract=world.beta_northwind_contract, name="Servicedesk"
        )
        chain = make(world)
    found = estimate(system_access(world.alpha), desk)
    # Five weekdays × two hours × 10 contacts an hour.
    assert (found.contacts_per_week, found.source) == (100.0, "Incidentketen")
    assert found.link == f"/o/alpha/simulations/chains/{chain.pk}/"
    # Another organisation's service: no chain of its contract, nothing estimated.
    assert estimate(system_access(world.beta), other) is None


def test_chain_of_the_service_itself_comes_first(world):
    with scopes_disabled():
        desk = Service.objects.create(
            organisation=world.alpha, contract=world.alpha_contract, name="Servicedesk"
        )
        make(world, name="Whole contract")
        own = make(world, service=desk, name="Desk chain")
        rates = [1.0] * 168
        services.chain_set_profile(chain=own, rates=rates, source=Chain.ProfileSource.ENTERED)
    found = estimate(access_for(world.alice, world.alpha), desk)
    assert (found.contacts_per_week, found.source) == (10.0, "Desk chain")
