"""Exact queueing results against the published values of REFERENCE.md §3."""

import pytest

from simulations import queueing

EXAMPLE = queueing.ERLANG_EXAMPLE


def published():
    return queueing.mmc(
        arrival_rate=EXAMPLE["arrival_rate"],
        mean_service=EXAMPLE["mean_service"],
        servers=EXAMPLE["servers"],
    )


def test_erlang_c_reproduces_published_probability_of_waiting():
    assert published().p_wait == pytest.approx(0.1741, abs=1e-4)


def test_erlang_c_reproduces_published_service_level_asa_and_occupancy():
    metrics = published()
    assert round(metrics.service_level(EXAMPLE["within"]) * 100, 1) == 88.8
    assert round(metrics.mean_wait, 2) == 7.84
    assert round(metrics.occupancy * 100, 1) == 71.4
    assert metrics.load == pytest.approx(10.0)


def test_fewest_agents_for_80_percent_in_20_seconds_is_14():
    agents = queueing.fewest_agents(
        arrival_rate=EXAMPLE["arrival_rate"],
        mean_service=EXAMPLE["mean_service"],
        within=20,
        target=0.8,
    )
    assert agents == 14


def test_thirteen_agents_miss_the_80_percent_target():
    metrics = queueing.mmc(
        arrival_rate=EXAMPLE["arrival_rate"], mean_service=EXAMPLE["mean_service"], servers=13
    )
    assert metrics.service_level(20) < 0.8


@pytest.mark.parametrize("rho", [0.1, 0.5, 0.8, 0.95])
def test_erlang_c_with_one_server_reduces_to_mm1(rho):
    service_rate = 1 / 60
    arrival_rate = rho * service_rate
    p_wait, mean_wait = queueing.mm1(arrival_rate=arrival_rate, service_rate=service_rate)
    metrics = queueing.mmc(arrival_rate=arrival_rate, mean_service=60, servers=1)
    assert p_wait == pytest.approx(rho, abs=1e-12)
    assert metrics.p_wait == pytest.approx(rho, abs=1e-12)
    assert metrics.mean_wait == pytest.approx(mean_wait, rel=1e-12)
    assert mean_wait == pytest.approx(rho / (service_rate - arrival_rate), rel=1e-12)


def test_erlang_b_recursion_matches_the_closed_form():
    import math

    load, servers = 10.0, 14
    closed = (load**servers / math.factorial(servers)) / sum(
        load**k / math.factorial(k) for k in range(servers + 1)
    )
    assert queueing.erlang_b(servers, load) == pytest.approx(closed, rel=1e-12)


def test_unstable_load_is_refused():
    with pytest.raises(queueing.UnstableQueueError):
        queueing.erlang_c(10, 10.0)
    with pytest.raises(queueing.UnstableQueueError):
        queueing.mm1(arrival_rate=2, service_rate=1)


def test_jackson_chain_reproduces_the_reference_mean():
    result = queueing.jackson_chain(**queueing.JACKSON_EXAMPLE)
    assert round(result.mean_end_to_end, 1) == 535.6
    assert [round(visit, 4) for _name, visit, _m in result.stations] == [1.0, 0.3, 0.03]
    assert [round(m.load, 6) for _n, _v, m in result.stations] == [10.0, 10.0, 6.0]
