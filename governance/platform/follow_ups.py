"""What other apps did about a gap flag, without the gap analysis importing them.

A flag's page (kto, layer 3) shows what followed from the flag, but those follow-ups live in
meetings (layer 4): the flag put on a tactical agenda, a SIP started from it. Meetings registers
providers here in its AppConfig.ready(); the flag page asks `gap_flag_follow_ups(...)` and gets
what is there. Without a provider the answer is empty.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class FollowUp:
    """One thing done about a flag, e.g. "On the agenda of Tactical A-1, 16 March 2026"."""

    flag_id: int
    kind: str  # "agenda", "sip", ...
    text: str  # translated, for display
    link: str  # URL of the follow-up


FollowUpProvider = Callable[..., list[FollowUp]]
_providers: list[FollowUpProvider] = []


def register_follow_up_provider(provider: FollowUpProvider) -> None:
    """`provider(*, access, flag_ids: list[int]) -> [FollowUp]`: what `access` may see of its
    follow-ups for all these flags, in one query whatever their number."""
    if provider not in _providers:
        _providers.append(provider)


def gap_flag_follow_ups(*, access, flag_ids: list[int]) -> dict[int, list[FollowUp]]:
    """Per flag id, every provider's follow-ups (providers in registration order); a flag
    without any is left out. Call inside the tenant scope."""
    found: dict[int, list[FollowUp]] = {}
    if not flag_ids:
        return found
    for provider in _providers:
        for follow_up in provider(access=access, flag_ids=list(flag_ids)):
            found.setdefault(follow_up.flag_id, []).append(follow_up)
    return found
