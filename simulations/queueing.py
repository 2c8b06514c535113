"""Exact queueing results the simulation is validated against (REFERENCE.md §3).

Pure functions, no Django: Erlang B and C (M/M/c), M/M/1 as the one-server case, the fewest
agents for a service level, and the mean end-to-end time of a Jackson chain of M/M/c stations.
Times are in seconds, rates per second unless a name says otherwise.
"""

import math
from dataclasses import dataclass


class UnstableQueueError(ValueError):
    """The offered load is not below the number of servers: the queue grows without bound."""


def erlang_b(servers: int, load: float) -> float:
    """Blocking probability of M/M/c/c by the stable recursion B_k = A·B_{k-1}/(k + A·B_{k-1})."""
    if servers < 0 or load < 0:
        raise ValueError("servers and load must not be negative")
    blocking = 1.0
    for k in range(1, servers + 1):
        blocking = load * blocking / (k + load * blocking)
    return blocking


def erlang_c(servers: int, load: float) -> float:
    """Probability that an arrival waits in M/M/c: N·B_N / (N − A(1 − B_N)); needs N > A."""
    if servers <= load:
        raise UnstableQueueError(f"{servers} servers cannot carry a load of {load:.3f} Erlang")
    blocking = erlang_b(servers, load)
    return servers * blocking / (servers - load * (1 - blocking))


@dataclass(frozen=True)
class StationMetrics:
    """Steady-state figures of one M/M/c station."""

    arrival_rate: float  # per second
    servers: int
    mean_service: float  # seconds
    load: float  # Erlang
    p_wait: float
    mean_wait: float  # over all arrivals (ASA), seconds
    occupancy: float

    def service_level(self, within: float) -> float:
        """Share of arrivals answered within `within` seconds: 1 − C·e^{−(N−A)t/AHT}."""
        return 1 - self.p_wait * math.exp(-(self.servers - self.load) * within / self.mean_service)

    @property
    def mean_sojourn(self) -> float:
        return self.mean_wait + self.mean_service


def mmc(*, arrival_rate: float, mean_service: float, servers: int) -> StationMetrics:
    """M/M/c figures for Poisson arrivals at `arrival_rate` per second and exponential service."""
    if arrival_rate < 0 or mean_service <= 0 or servers < 1:
        raise ValueError("rates and service time must be positive, servers at least 1")
    load = arrival_rate * mean_service
    if arrival_rate == 0:
        return StationMetrics(0.0, servers, mean_service, 0.0, 0.0, 0.0, 0.0)
    p_wait = erlang_c(servers, load)
    mean_wait = p_wait * mean_service / (servers - load)
    return StationMetrics(
        arrival_rate, servers, mean_service, load, p_wait, mean_wait, load / servers
    )


def mm1(*, arrival_rate: float, service_rate: float) -> tuple[float, float]:
    """M/M/1: (P(wait), mean wait in queue) = (ρ, ρ/(μ − λ))."""
    rho = arrival_rate / service_rate
    if rho >= 1:
        raise UnstableQueueError(f"utilisation {rho:.3f} is not below 1")
    return rho, rho / (service_rate - arrival_rate)


def fewest_agents(*, arrival_rate: float, mean_service: float, within: float, target: float) -> int:
    """The smallest number of agents whose service level within `within` s reaches `target`
    (a share, e.g. 0.8)."""
    if not 0 < target < 1:
        raise ValueError("target must be a share between 0 and 1")
    servers = max(1, math.floor(arrival_rate * mean_service) + 1)
    while True:
        metrics = mmc(arrival_rate=arrival_rate, mean_service=mean_service, servers=servers)
        if metrics.service_level(within) >= target:
            return servers
        servers += 1


@dataclass(frozen=True)
class JacksonStation:
    name: str
    servers: int
    mean_service: float  # seconds
    # Probability that a contact finishing here goes on to the next station in the list.
    onward: float = 0.0


@dataclass(frozen=True)
class JacksonResult:
    stations: list[tuple[str, float, StationMetrics]]  # name, visit probability, metrics
    mean_end_to_end: float  # seconds, over every external arrival


def jackson_chain(*, arrival_rate: float, stations: list[JacksonStation]) -> JacksonResult:
    """A serial chain with probabilistic escalation: by Jackson's theorem (and Burke's), each
    station is an independent M/M/c with arrival rate λ·(visit probability); the mean
    end-to-end time is Σ visit probability × (Wq + service time)."""
    visit = 1.0
    rows = []
    total = 0.0
    for station in stations:
        metrics = mmc(
            arrival_rate=arrival_rate * visit,
            mean_service=station.mean_service,
            servers=station.servers,
        )
        rows.append((station.name, visit, metrics))
        total += visit * metrics.mean_sojourn
        visit *= station.onward
    return JacksonResult(stations=rows, mean_end_to_end=total)


# The published examples of REFERENCE.md §3, shared by the tests and the self-test command.
ERLANG_EXAMPLE = {
    "arrival_rate": 100 / 1800,
    "mean_service": 180.0,
    "servers": 14,
    "within": 20.0,
}
JACKSON_EXAMPLE = {
    "arrival_rate": 200 / 3600,
    "stations": [
        JacksonStation("Servicedesk", 14, 180.0, 0.3),
        JacksonStation("Second line", 12, 600.0, 0.1),
        JacksonStation("Supplier", 8, 3600.0, 0.0),
    ],
}
