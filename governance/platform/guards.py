"""Checks that run once the access policy has let a request into an organisation.

The tenant middleware asks `refusal()` before it runs the view; an app registers a guard in its
`AppConfig.ready()` (e.g. the accounts app: a token scoped to another organisation, a second
factor the organisation requires). A guard returns the answer that stops the request, or None.
The platform names no app: the guards come to it.
"""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from governance.platform.access import Access

Guard = Callable[..., HttpResponse | None]
_guards: list[Guard] = []


def register(guard: Guard) -> Guard:
    """Add `guard(request, access, *, api: bool) -> HttpResponse | None` (once)."""
    if guard not in _guards:
        _guards.append(guard)
    return guard


def refusal(request: HttpRequest, access: Access, *, api: bool) -> HttpResponse | None:
    for guard in _guards:
        response = guard(request, access, api=api)
        if response is not None:
            return response
    return None
