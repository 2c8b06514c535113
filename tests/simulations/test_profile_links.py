"""The arrival profile derived from complaint timestamps, and the contact estimate the
complaints' extension case asks for. Every expected value is worked out by hand."""

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from contracts.models import Service
from governance.platform import service_links
from governance.platform.access import access_for, system_access
from simulations import selectors, services
from simulations.models import Chain
from tests.simulations.helpers import make_chain

AMS = ZoneInfo("Europe/Amsterdam")


def url(name, org, *args):
    return reverse(f"simulations:{name}", args=[org.slug, *args])


def local(*args):
    return datetime(*args, tzinfo=AMS)


# 2026-03-02 is a Monday. Ten days to Wednesday 2026-03-11: Monday, Tuesday and Wednesday come
# twice, Thursday to Sunday once.
SINCE, UNTIL = date(2026, 3, 2), date(2026, 3, 11)
MOMENTS = [
    datetime(2026, 3, 2, 18, 30, tzinfo=UTC),  # Monday 19:30 in Amsterdam (CET, UTC+1)
    local(2026, 3, 9, 19, 10),  # Monday 19:10
    local(2026, 3, 9, 19, 50),  # Monday 19:50
    local(2026, 3, 5, 10, 5),  # Thursday 10:05
    local(2026, 3, 12, 10, 0),  # Thursday after the period: not counted
]


def test_profile_is_the_mean_per_weekday_and_hour_times_the_factor():
    rates = services.profile_from_occurrences(
        MOMENTS, since=SINCE, until=UNTIL, time_zone="Europe/Amsterdam", factor=5
    )
    assert rates[0 * 24 + 19] == 7.5  # 3 complaints over 2 Mondays × 5
    assert rates[3 * 24 + 10] == 5.0  # 1 complaint over 1 Thursday × 5
    assert sum(rates) == 12.5
    assert sum(1 for r in rates if r) == 2


def test_profile_period_must_not_end_before_it_starts():
    with pytest.raises(Exception, match="ends before it starts"):
        services.profile_from_occurrences([], since=UNTIL, until=SINCE, time_zone="UTC")


@pytest.mark.parametrize(
    ("weekdays", "opens", "closes", "expected"),
    [
        ([0, 1, 2, 3, 4], time(18), time(20), 80.0),  # (10 + 6) × 5
        ([0, 1, 2, 3, 4], time(18, 30), time(20), 55.0),  # (5 + 6) × 5: half of 18–19
        ([5], time(18), time(20), 0.0),
        ([0, 0, 4], time(19), time(21), 16.0),  # (6 + 2) × 2, Monday counted once
        ([0], time(22), time(0), 3.0),  # 22–24: 1 + 2
        ([0], time(20), time(19), 0.0),
    ],
)
def test_contacts_in_weekly_hours(weekdays, opens, closes, expected):
    rates = [0.0] * 168
    for day in range(5):
        rates[day * 24 + 18], rates[day * 24 + 19], rates[day * 24 + 20] = 10, 6, 2
    rates[22], rates[23] = 1, 2
    assert selectors.contacts_in_hours(
        rates, weekdays=weekdays, opens=opens, closes=closes
    ) == pytest.approx(expected)


@pytest.fixture
def desk_service(world):
    with scopes_disabled():
        return Service.objects.create(
            organisation=world.alpha, contract=world.alpha_contract, name="Desk service"
        )


@pytest.fixture
def fake_complaints(monkeypatch, desk_service):
    """The complaints app's occurrence source, replaced by MOMENTS for the desk service."""
    calls = []

    def source(*, access, service_id, since, until):
        calls.append((service_id, since, until))
        return list(MOMENTS) if service_id == desk_service.pk else []

    monkeypatch.setattr(service_links, "_occurrence_sources", [source])
    return calls


def test_manager_previews_then_saves_the_derived_profile(
    world, client_as, desk_service, fake_complaints
):
    alpha = make_chain(world.alpha, world.alpha_contract, run=False)
    client = client_as(world.alice)
    form = {"service": desk_service.pk, "since": SINCE, "until": UNTIL, "factor": "5"}
    page = client.post(url("chain_profile_derive", world.alpha, alpha.chain.pk), form)
    assert page.status_code == 200
    assert page.context["preview"]["complaints"] == 4  # the fifth lies after the period
    assert page.context["preview"]["per_week"] == 12.5
    assert fake_complaints == [(desk_service.pk, SINCE, UNTIL)]
    with scopes_disabled():
        alpha.chain.refresh_from_db()
    assert alpha.chain.arrival_profile == [20.0] * 168  # a preview saves nothing
    saved = client.post(
        url("chain_profile_derive", world.alpha, alpha.chain.pk), {**form, "save": "1"}
    )
    assert saved.status_code == 302
    with scopes_disabled():
        alpha.chain.refresh_from_db()
    assert alpha.chain.arrival_profile[19] == 7.5
    assert alpha.chain.arrival_profile[3 * 24 + 10] == 5.0
    assert alpha.chain.profile_source == Chain.ProfileSource.COMPLAINTS
    assert alpha.chain.service == desk_service


def test_no_complaints_nothing_saved(world, client_as, desk_service, fake_complaints):
    alpha = make_chain(world.alpha, world.alpha_contract, run=False)
    form = {"service": desk_service.pk, "since": "2026-01-01", "until": "2026-01-31", "factor": "1"}
    fake_complaints.clear()
    with scopes_disabled():
        other = Service.objects.create(
            organisation=world.alpha, contract=world.alpha_contract, name="Other"
        )
    form["service"] = other.pk
    response = client_as(world.alice).post(
        url("chain_profile_derive", world.alpha, alpha.chain.pk), {**form, "save": "1"}
    )
    assert response.status_code == 200
    assert "No complaints about Other" in response.content.decode()


def test_only_managers_derive_and_others_get_404(world, client_as, desk_service):
    alpha = make_chain(world.alpha, world.alpha_contract, run=False)
    target = url("chain_profile_derive", world.alpha, alpha.chain.pk)
    assert client_as(world.alice).get(target).status_code == 200
    assert client_as(world.bob).get(target).status_code == 403
    assert client_as(world.victor).get(target).status_code == 403
    beta = make_chain(world.beta, world.beta_southwind_contract, name="Southwind", run=False)
    assert (
        client_as(world.bob).get(url("chain_profile_derive", world.beta, beta.chain.pk)).status_code
        == 404
    )


def test_contact_estimate_for_the_complaints_extension_case(world, desk_service):
    alpha = make_chain(world.alpha, world.alpha_contract, run=False)
    rates = [0.0] * 168
    for day in range(5):
        rates[day * 24 + 18], rates[day * 24 + 19] = 10, 6
    with scopes_disabled():
        alice = access_for(world.alice, world.alpha)
        hours = {"weekdays": [0, 1, 2, 3, 4], "opens": time(18, 30), "closes": time(20)}
        # A chain for no particular service speaks for every service of its contract.
        whole = service_links.estimated_contacts(access=alice, service_id=desk_service.pk, **hours)
        assert (whole.source, whole.link) == (
            "Alpha incident chain",
            url("chain_detail", world.alpha, alpha.chain.pk),
        )
        services.chain_update(chain=alpha.chain, service=desk_service)
        services.chain_set_profile(chain=alpha.chain, rates=rates, source="entered")
        estimate = service_links.estimated_contacts(
            access=alice, service_id=desk_service.pk, **hours
        )
        assert estimate.contacts_per_week == 55.0  # (10 × ½ + 6) × 5
        assert estimate.source == "Alpha incident chain"
        assert estimate.link == url("chain_detail", world.alpha, alpha.chain.pk)
        # The contract's supplier may ask too; another organisation gets nothing.
        bob = access_for(world.bob, world.alpha)
        assert service_links.estimated_contacts(access=bob, service_id=desk_service.pk, **hours)
        beta = system_access(world.beta)
        assert (
            service_links.estimated_contacts(access=beta, service_id=desk_service.pk, **hours)
            is None
        )


def test_chain_service_must_belong_to_its_contract(world):
    alpha = make_chain(world.alpha, world.alpha_contract, run=False)
    with scopes_disabled():
        foreign = Service.objects.create(
            organisation=world.beta, contract=world.beta_northwind_contract, name="Beta service"
        )
        with pytest.raises(Exception, match="another contract"):
            services.chain_update(chain=alpha.chain, service=foreign)
