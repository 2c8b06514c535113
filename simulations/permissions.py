"""Small predicates: who may change what in the simulations app."""

from governance.platform.access import Access


def may_manage(access: Access) -> bool:
    """Chains, scenarios, runs and exercise plans: the client's contract managers."""
    return access.may("simulations.manage")


def may_propose(access: Access) -> bool:
    """Turn a run's finding or an exercise's action into an improvement proposal."""
    return access.may("improvements.propose") and not access.is_supplier


def may_approve(access: Access) -> bool:
    """Move an improvement proposal on (agenda, accept, reject): the contract managers and the
    business owner, who pays for it."""
    return access.may("improvements.approve") and not access.is_supplier


def may_take_part(access: Access) -> bool:
    """Record what happened in an exercise (observations, actions, lessons, …): the client's
    contract managers and the supplier whose contract the exercise rehearses (the exercise is
    already limited to what the supplier may see)."""
    return access.may("simulations.take_part")
