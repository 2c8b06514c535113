"""Improvement proposals from simulations and exercises, and what the tactical meeting reads."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django_scopes import scopes_disabled

from governance.platform.access import access_for, system_access
from simulations import reports, selectors, services
from simulations.models import Proposal
from tests.simulations.helpers import QUICK_RUN, make_chain


def url(name, org, *args):
    return reverse(f"simulations:{name}", args=[org.slug, *args])


@pytest.fixture
def alpha(world):
    return make_chain(world.alpha, world.alpha_contract)


def _proposal(alpha, *, owner_side="joint", title="P", status=None):
    with scopes_disabled():
        proposal = services.proposal_create(
            access=system_access(alpha.chain.organisation),
            chain=alpha.chain,
            finding="bottleneck",
            run=alpha.run,
            title=title,
            rationale="Figures",
            owner_side=owner_side,
        )
        if status:
            for step in status:
                services.proposal_set_status(proposal=proposal, status=step)
    return proposal


def test_manager_turns_the_bottleneck_into_a_proposal(world, client_as, alpha):
    client = client_as(world.alice)
    page = client.get(url("run_detail", world.alpha, alpha.run.pk)).content.decode()
    assert url("run_propose", world.alpha, alpha.run.pk, "bottleneck") in page
    form = client.get(url("run_propose", world.alpha, alpha.run.pk, "bottleneck"))
    initial = form.context["form"].initial
    step = next(
        s for s in alpha.run.results["steps"] if s["key"] == alpha.run.results["bottleneck"]
    )
    assert initial["title"] == f"Relieve the bottleneck at {step['name']}"
    assert reports.percent(step["utilisation"]["mean"]) in initial["rationale"]
    assert "Current chain" in initial["rationale"]
    response = client.post(
        url("run_propose", world.alpha, alpha.run.pk, "bottleneck"),
        {"title": initial["title"], "rationale": initial["rationale"], "owner_side": "joint"},
    )
    with scopes_disabled():
        proposal = Proposal.objects.get()
    assert response.status_code == 302
    assert response["Location"] == proposal.get_absolute_url()
    assert (proposal.run, proposal.chain, proposal.finding) == (
        alpha.run,
        alpha.chain,
        "bottleneck",
    )
    assert proposal.status == "proposed"
    assert proposal.created_by == world.alice


def test_unreachable_finding_carries_the_weekly_figure(alpha):
    with scopes_disabled():
        assert "unreachable" in reports.run_findings(alpha.run)
        draft = reports.proposal_draft_from_run(alpha.run, "unreachable")
    weekly = round(alpha.run.results["unreachable_per_week"]["mean"])
    assert f"{weekly} contacts a week" in draft["rationale"]
    assert draft["title"] == "Reach the contacts now unreachable at Desk"
    assert draft["owner_side"] == "supplier"


def test_an_exercise_action_becomes_a_proposal_with_its_owner(world, client_as, alpha):
    client = client_as(world.alice)
    page = client.get(url("exercise_detail", world.alpha, alpha.exercise.pk)).content.decode()
    assert url("action_propose", world.alpha, alpha.action.pk) in page
    form = client.get(url("action_propose", world.alpha, alpha.action.pk))
    initial = form.context["form"].initial
    assert initial["title"] == "Extend hours"
    assert "Desk: Closed at 18:00" in initial["rationale"]
    assert initial["owner_side"] == "supplier"
    client.post(url("action_propose", world.alpha, alpha.action.pk), initial)
    with scopes_disabled():
        proposal = Proposal.objects.get()
    assert (proposal.exercise, proposal.action, proposal.finding) == (
        alpha.exercise,
        alpha.action,
        "exercise_action",
    )


def test_unknown_finding_is_404_and_only_managers_propose(world, client_as, alpha):
    assert (
        client_as(world.alice)
        .get(url("run_propose", world.alpha, alpha.run.pk, "nonsense"))
        .status_code
        == 404
    )
    for user in (world.bob, world.victor):
        client = client_as(user)
        assert (
            client.get(url("run_propose", world.alpha, alpha.run.pk, "bottleneck")).status_code
            == 403
        )
        assert client.get(url("action_propose", world.alpha, alpha.action.pk)).status_code == 403
    assert (
        "run_propose"
        not in client_as(world.bob)
        .get(url("run_detail", world.alpha, alpha.run.pk))
        .content.decode()
    )


def test_status_goes_proposed_agenda_then_decided(world, client_as, alpha):
    proposal = _proposal(alpha)
    with scopes_disabled(), pytest.raises(ValidationError):
        services.proposal_set_status(proposal=proposal, status="accepted")
    client = client_as(world.alice)
    client.post(url("proposal_status", world.alpha, proposal.pk), {"status": "on_agenda"})
    client.post(
        url("proposal_status", world.alpha, proposal.pk),
        {"status": "accepted", "note": "Agreed in the tactical meeting"},
    )
    with scopes_disabled():
        proposal.refresh_from_db()
    assert proposal.status == "accepted"
    assert proposal.decision_note == "Agreed in the tactical meeting"
    assert proposal.decided_at is not None
    assert client_as(world.bob).post(
        url("proposal_status", world.alpha, proposal.pk), {"status": "rejected"}
    ).status_code in (403, 404)


def test_agenda_proposals_by_side(world, alpha):
    joint = _proposal(alpha, owner_side="joint", title="Joint")
    supplier = _proposal(alpha, owner_side="supplier", title="Supplier", status=["on_agenda"])
    client_only = _proposal(alpha, owner_side="client", title="Client")
    _proposal(alpha, owner_side="joint", title="Done", status=["on_agenda", "accepted"])
    with scopes_disabled():
        alice = access_for(world.alice, world.alpha)
        bob = access_for(world.bob, world.alpha)
        charlie = access_for(world.charlie, world.beta)
        assert {p.title for p in selectors.proposals_for_agenda(access=alice)} == {
            "Joint",
            "Supplier",
            "Client",
        }
        # The supplier of the contract sees what it owns or shares, never the client's own.
        assert set(selectors.proposals_for_agenda(access=bob)) == {joint, supplier}
        assert selectors.proposals_for_agenda(access=charlie) == []
        assert client_only.get_absolute_url() == url("proposal_detail", world.alpha, client_only.pk)


def test_supplier_gets_404_on_the_clients_own_proposal(world, client_as, alpha):
    client_only = _proposal(alpha, owner_side="client", title="Client only")
    joint = _proposal(alpha, owner_side="joint", title="Shared one")
    bob = client_as(world.bob)
    assert bob.get(url("proposal_detail", world.alpha, client_only.pk)).status_code == 404
    assert bob.get(url("proposal_detail", world.alpha, joint.pk)).status_code == 200
    listing = bob.get(url("proposal_list", world.alpha)).content.decode()
    assert "Shared one" in listing and "Client only" not in listing
    for user, org in ((world.charlie, world.beta), (world.dave, world.alpha)):
        response = client_as(user).get(url("proposal_detail", org, joint.pk))
        assert response.status_code == 404


def test_results_for_agenda_latest_run_per_label(world, alpha):
    other = make_chain(world.alpha, world.alpha_contract, name="Other chain")
    make_chain(world.beta, world.beta_northwind_contract, name="Beta chain")
    with scopes_disabled():
        access = system_access(world.alpha)
        newer = services.simulation_run_execute(
            run=services.simulation_run_start(
                access=access, chain=alpha.chain, queue=False, **QUICK_RUN
            )
        )
        scenario_run = services.simulation_run_execute(
            run=services.simulation_run_start(
                access=access, chain=alpha.chain, scenario=alpha.scenario, queue=False, **QUICK_RUN
            )
        )
        services.simulation_run_start(access=access, chain=alpha.chain, queue=False, **QUICK_RUN)
        alice = access_for(world.alice, world.alpha)
        runs = selectors.results_for_agenda(access=alice)
        assert set(runs) == {newer, scenario_run, other.run}
        assert set(
            selectors.results_for_agenda(access=alice, contract=world.alpha_contract)
        ) == set(runs)
        assert (
            selectors.results_for_agenda(access=alice, contract=world.beta_northwind_contract) == []
        )
        bob = access_for(world.bob, world.alpha)
        assert set(selectors.results_for_agenda(access=bob)) == set(runs)
        headline = newer.headline()
    desk = newer.results["steps"][0]
    assert headline.startswith("Current chain: Desk: ")
    assert reports.percent(desk["service_level"]["mean"]) in headline
    assert "unreachable contacts a week" in headline
    assert newer.get_absolute_url() == url("run_detail", world.alpha, newer.pk)


def test_api_lists_proposals_by_side(world, client_as, alpha):
    _proposal(alpha, owner_side="joint", title="Shared one")
    _proposal(alpha, owner_side="client", title="Client only")
    endpoint = reverse("api:simulation-proposal-list", kwargs={"org_slug": "alpha"})
    titles = {
        user.username: sorted(p["title"] for p in client_as(user).get(endpoint).json()["results"])
        for user in (world.alice, world.bob)
    }
    assert titles == {"alice": ["Client only", "Shared one"], "bob": ["Shared one"]}
