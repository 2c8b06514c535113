"""Simulation results and simulation/exercise proposals on the tactical agenda: on fixed data
they land on the tactical table only, link to their data, follow the contract of the series,
and the client's own proposals stay away from the supplier."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import translation
from django_scopes import scopes_disabled

from governance.platform.access import access_for, system_access
from meetings import selectors, services
from meetings.models import Source, Tier
from simulations import services as simulation_services
from tests.meetings.helpers import at
from tests.simulations.helpers import QUICK_RUN, make_chain

TODAY = date(2026, 11, 16)


def propose(chain_set, *, title, owner_side, status=()):
    proposal = simulation_services.proposal_create(
        access=system_access(chain_set.chain.organisation),
        chain=chain_set.chain,
        finding="bottleneck",
        run=chain_set.run,
        title=title,
        rationale="Desk utilisation 97 % in the simulation",
        owner_side=owner_side,
    )
    for step in status:
        simulation_services.proposal_set_status(proposal=proposal, status=step)
    return proposal


@pytest.fixture
def simulated(world):
    """A2's chain with a run of the current chain and one of its scenario; proposals owned by
    the client, jointly, and one already decided; another contract's chain in Beta."""
    world.alpha.default_language = "en"
    world.alpha.save()
    alpha = make_chain(world.alpha, world.alpha_contract)
    make_chain(world.beta, world.beta_northwind_contract, name="Beta desk chain")
    with scopes_disabled():
        scenario_run = simulation_services.simulation_run_execute(
            run=simulation_services.simulation_run_start(
                access=system_access(world.alpha),
                chain=alpha.chain,
                scenario=alpha.scenario,
                queue=False,
                **QUICK_RUN,
            )
        )
        proposals = {
            "client": propose(alpha, title="Budget for a night shift", owner_side="client"),
            "joint": propose(alpha, title="Extend the desk hours", owner_side="joint"),
            "decided": propose(
                alpha, title="Old idea", owner_side="joint", status=["on_agenda", "accepted"]
            ),
        }
        series = {
            tier: services.series_create(
                access=system_access(world.alpha),
                contract=world.alpha_contract,
                tier=tier,
                title=f"A-1 {tier}",
            )
            for tier in Tier.values
        }
    return alpha, scenario_run, proposals, series


def agenda(series):
    with scopes_disabled():
        meeting = services.meeting_schedule(
            series=series, starts_at=at(2026, 11, 30) + timedelta(days=7)
        )
        services.agenda_generate(meeting=meeting, today=TODAY)
    return meeting


def simulation_items(meeting):
    with scopes_disabled():
        return sorted(
            (i.source, i.key, i.link, i.client_only)
            for i in meeting.items.filter(
                source__in=[Source.SIMULATION, Source.SIMULATION_PROPOSAL]
            )
        )


def test_simulation_results_and_proposals_land_on_the_tactical_agenda_only(world, simulated):
    alpha, scenario_run, proposals, series = simulated
    chain = alpha.chain
    tactical = simulation_items(agenda(series[Tier.TACTICAL]))
    assert tactical == sorted(
        [
            (
                Source.SIMULATION,
                f"simulation:{chain.pk}:current-{alpha.run.label}",
                f"/o/alpha/simulations/runs/{alpha.run.pk}/",
                False,
            ),
            (
                Source.SIMULATION,
                f"simulation:{chain.pk}:scenario-{alpha.scenario.pk}",
                f"/o/alpha/simulations/runs/{scenario_run.pk}/",
                False,
            ),
            (
                Source.SIMULATION_PROPOSAL,
                f"simulation_proposal:{proposals['client'].pk}",
                proposals["client"].get_absolute_url(),
                True,
            ),
            (
                Source.SIMULATION_PROPOSAL,
                f"simulation_proposal:{proposals['joint'].pk}",
                proposals["joint"].get_absolute_url(),
                False,
            ),
        ]
    )
    assert simulation_items(agenda(series[Tier.OPERATIONAL])) == []
    assert simulation_items(agenda(series[Tier.STRATEGIC])) == []


def test_simulation_item_reads_the_runs_headline(world, simulated):
    alpha, _scenario_run, _proposals, series = simulated
    meeting = agenda(series[Tier.TACTICAL])
    with scopes_disabled():
        item = meeting.items.get(key=f"simulation:{alpha.chain.pk}:current-{alpha.run.label}")
        with translation.override("en"):  # the organisation's language
            headline = alpha.run.headline()
    assert headline
    # The run of the current chain is labelled in the organisation's language, whoever ran it.
    assert item.title == "Simulation of Alpha incident chain: Current chain"
    assert item.detail.splitlines()[0] == headline


def test_a_newer_run_updates_the_same_item(world, simulated):
    alpha, _scenario_run, _proposals, series = simulated
    meeting = agenda(series[Tier.TACTICAL])
    with scopes_disabled():
        newer = simulation_services.simulation_run_execute(
            run=simulation_services.simulation_run_start(
                access=system_access(world.alpha), chain=alpha.chain, queue=False, **QUICK_RUN
            )
        )
        before = meeting.items.count()
        services.agenda_generate(meeting=meeting, today=TODAY)
        links = list(
            meeting.items.filter(
                key__startswith=f"simulation:{alpha.chain.pk}:current"
            ).values_list("link", flat=True)
        )
        after = meeting.items.count()
    assert (before, links) == (after, [f"/o/alpha/simulations/runs/{newer.pk}/"])


def test_supplier_does_not_see_the_clients_own_proposal(world, simulated, client_as):
    _alpha, _scenario_run, proposals, series = simulated
    meeting = agenda(series[Tier.TACTICAL])
    with scopes_disabled():
        bob = access_for(world.bob, world.alpha)
        alice = access_for(world.alice, world.alpha)
        seen_by_bob = {i.key for i in selectors.item_list(access=bob, meeting=meeting)}
        seen_by_alice = {i.key for i in selectors.item_list(access=alice, meeting=meeting)}
    client_key = f"simulation_proposal:{proposals['client'].pk}"
    joint_key = f"simulation_proposal:{proposals['joint'].pk}"
    assert (client_key in seen_by_alice, client_key in seen_by_bob) == (True, False)
    assert joint_key in seen_by_bob
    page = client_as(world.bob).get(reverse("meetings:meeting_detail", args=["alpha", meeting.pk]))
    api = client_as(world.bob).get(
        reverse("api:agenda-item-list", args=["alpha"]), {"meeting": meeting.pk}
    )
    body = page.content.decode()
    assert "Budget for a night shift" not in body and "Extend the desk hours" in body
    assert [i["title"] for i in api.json()["results"] if "night shift" in i["title"]] == []


def test_another_contracts_chain_stays_off_a_contracts_agenda(world, simulated):
    with scopes_disabled():
        other = services.series_create(
            access=system_access(world.beta),
            contract=world.beta_northwind_contract,
            tier=Tier.TACTICAL,
            title="B-1 tactical",
        )
        alpha_only = services.series_create(
            access=system_access(world.alpha), contract=None, tier=Tier.TACTICAL, title="Org"
        )
    beta_items = simulation_items(agenda(other))
    # Beta's chain has a run; Alpha's chain and proposals never reach Beta's table.
    assert [(source, link.split("/")[2]) for source, _k, link, _c in beta_items] == [
        (Source.SIMULATION, "beta")
    ]
    # An organisation-wide series takes every contract's simulations of the organisation.
    assert len(simulation_items(agenda(alpha_only))) == 4
