"""Small predicates: who may change what in the simulations app."""

from governance.platform.access import Access


def may_manage(access: Access) -> bool:
    """Chains, scenarios, runs and exercise plans: the client's contract managers."""
    return access.can_manage


def may_take_part(access: Access) -> bool:
    """Record what happened in an exercise (observations, actions, lessons, …): the client's
    contract managers and the supplier whose contract the exercise rehearses (the exercise is
    already limited to what the supplier may see)."""
    return access.can_manage or access.is_supplier
