"""Service figures shared sideways between complaints and simulations, without importing either.

Complaints and simulations are both layer 2. A simulation chain's arrival profile can be derived
from when complaints about a service happened, and the complaints extension case can ask the
simulation model how many contacts would fall inside a longer service window. Each app registers
its provider in AppConfig.ready(); a caller gets an empty answer when no provider is registered.
Call inside the tenant scope.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time


@dataclass(frozen=True)
class ContactEstimate:
    """Contacts a simulation model expects in some weekly hours, e.g. 42.5 per week."""

    contacts_per_week: float
    source: str  # what the estimate comes from, for display: the chain's name
    link: str  # URL of that model


OccurrenceSource = Callable[..., list[datetime]]
ContactEstimator = Callable[..., ContactEstimate | None]
_occurrence_sources: list[OccurrenceSource] = []
_contact_estimators: list[ContactEstimator] = []


def register_occurrence_source(source: OccurrenceSource) -> None:
    """`source(*, access, service_id: int, since: date, until: date) -> [aware datetime]`."""
    if source not in _occurrence_sources:
        _occurrence_sources.append(source)


def register_contact_estimator(estimator: ContactEstimator) -> None:
    """`estimator(*, access, service_id, weekdays: list[int], opens: time, closes: time)`
    returns the expected contacts per week in those hours, or None without a model. A model
    of the whole contract (e.g. a chain that starts at its service desk) answers for each of
    the contract's services."""
    if estimator not in _contact_estimators:
        _contact_estimators.append(estimator)


def service_occurrences(*, access, service_id: int, since: date, until: date) -> list[datetime]:
    """When things happened to end users of a service (e.g. complaints), from every source."""
    found: list[datetime] = []
    for source in _occurrence_sources:
        found.extend(source(access=access, service_id=service_id, since=since, until=until))
    return sorted(found)


def estimated_contacts(
    *, access, service_id: int, weekdays: list[int], opens: time, closes: time
) -> ContactEstimate | None:
    """The first model that can estimate contacts for these weekly hours, or None."""
    for estimator in _contact_estimators:
        estimate = estimator(
            access=access, service_id=service_id, weekdays=weekdays, opens=opens, closes=closes
        )
        if estimate is not None:
            return estimate
    return None
