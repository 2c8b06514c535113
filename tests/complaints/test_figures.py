"""Figures against hand-computed values on fixed data: the open register (with k-suppression),
the weekday × hour heatmap, the extension case, and what other apps read."""

from datetime import UTC, date, datetime, time
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from complaints import analysis, selectors, services
from governance.platform import service_links
from governance.platform.access import access_for, system_access, tenant_scope
from governance.platform.impact import end_user_impact
from tests.complaints.conftest import AMSTERDAM, file_complaint, office_service


def at(day, hour, minute=0):
    return datetime(
        2026, 3 if day < 40 else 4, day if day < 40 else day - 40, hour, minute, tzinfo=AMSTERDAM
    )


def test_register_equals_hand_computed_figures(register_data):
    world = register_data
    with tenant_scope(system_access(world.alpha)), translation.override("nl"):
        figures = selectors.register(
            organisation=world.alpha,
            period_start=date(2026, 3, 1),
            period_end=date(2026, 4, 30),
            k=3,
        )
    with tenant_scope(system_access(world.alpha)), translation.override("en"):
        english = selectors.register(
            organisation=world.alpha,
            period_start=date(2026, 3, 1),
            period_end=date(2026, 4, 30),
            k=3,
        )
    march, april = date(2026, 3, 1), date(2026, 4, 1)
    assert figures.months == [march, april]
    assert figures.categories == ["Bereikbaarheid", "Wachttijd"]
    assert english.categories == ["Reachability", "Waiting time"]
    assert english.cells[("Reachability", march)] == 4
    # (Bereikbaarheid, April) = 1 is below k; hiding only it would let 8 − 4 − 3 reveal it, so
    # the smallest shown group (Wachttijd, April) = 3 is hidden too.
    assert figures.cells == {
        ("Bereikbaarheid", march): 4,
        ("Bereikbaarheid", april): None,
        ("Wachttijd", march): 0,
        ("Wachttijd", april): None,
    }
    assert figures.handled == 8
    assert figures.median_handling_days == 3.5  # [2, 2, 3, 3, 4, 4, 5, 11]
    assert figures.within_deadline_percent == 87.5  # 7 of 8
    assert figures.verdicts == 6
    assert figures.verdict_scores == {1: None, 2: None, 3: 0, 4: None, 5: 3}
    # yes 4, no 2: "no" is below k, so "yes" is hidden with it.
    assert figures.verdict_resolved == {"yes": None, "no": None}


def test_register_hides_everything_below_k(register_data):
    world = register_data
    with tenant_scope(system_access(world.alpha)):
        figures = selectors.register(
            organisation=world.alpha,
            period_start=date(2026, 3, 1),
            period_end=date(2026, 4, 30),
            k=9,
        )
    assert (figures.handled, figures.median_handling_days, figures.within_deadline_percent) == (
        0,
        None,
        None,
    )
    assert set(figures.cells.values()) == {None}
    assert figures.verdict_scores == dict.fromkeys(range(1, 6))


def test_public_register_only_when_published_and_without_personal_data(register_data, client):
    world = register_data
    url = reverse("complaints_public:register", kwargs={"org_slug": "alpha"})
    assert client.get(url).status_code == 404
    with tenant_scope(system_access(world.alpha)):
        services.complaint_settings_update(
            access=system_access(world.alpha), register_public=True, min_group_size=3
        )
    response = client.get(url)
    assert response.status_code == 200
    assert response.context["register"].k == 3
    body = response.content.decode()
    assert "KL-2026" not in body
    assert "Opgelost." not in body
    api = client.get(reverse("complaints_public_api:register", kwargs={"org_slug": "alpha"}))
    assert api.status_code == 200
    assert api.json()["k"] == 3


def test_suppression_of_two_hidden_groups_needs_no_extra():
    assert analysis.suppress({"a": 1, "b": 2, "c": 7, "d": 0}, 5) == {
        "a": None,
        "b": None,
        "c": 7,
        "d": 0,
    }


@pytest.fixture
def evening(world):
    desk = office_service(world.alpha_contract)  # Mon–Fri 08:00–18:00
    office_service(world.alpha_contract, name="Werkplek")
    moments = [
        at(2, 19, 40),  # Monday 19:40, outside
        at(9, 20, 45),  # Monday 20:45, outside
        at(3, 19, 5),  # Tuesday 19:05, outside
        at(4, 10, 0),  # Wednesday 10:00, inside
        at(7, 11, 30),  # Saturday 11:30, outside
        datetime(2026, 3, 29, 2, 30, tzinfo=UTC),  # Sunday 04:30 summer time, outside
    ]
    for moment in moments:
        file_complaint(world.alpha, service=desk, occurred_at=moment)
    file_complaint(world.alpha, occurred_at=at(5, 20, 0))  # Thursday 20:00, service unknown
    return desk


def test_heatmap_equals_hand_computed_cells(world, evening):
    access = system_access(world.alpha)
    with tenant_scope(access):
        everything = selectors.hour_analysis(
            access=access, since=date(2026, 3, 1), until=date(2026, 3, 31)
        )
        desk = selectors.hour_analysis(
            access=access, since=date(2026, 3, 1), until=date(2026, 3, 31), service_id=evening.pk
        )
    assert everything.grid == {
        (0, 19): 1,
        (0, 20): 1,
        (1, 19): 1,
        (2, 10): 1,
        (5, 11): 1,
        (6, 4): 1,
        (3, 20): 1,
    }
    assert (everything.total, everything.judged, everything.outside) == (7, 6, 5)
    assert everything.outside_share == 83.3
    assert everything.window == set()
    assert desk.grid == {(0, 19): 1, (0, 20): 1, (1, 19): 1, (2, 10): 1, (5, 11): 1, (6, 4): 1}
    assert desk.window == {(d, h) for d in range(5) for h in range(8, 18)}


def test_heatmap_page_draws_the_window(world, evening, client_as):
    client = client_as(world.alice)
    url = reverse("complaints:analysis", kwargs={"org_slug": "alpha"})
    response = client.get(url + f"?service={evening.pk}&since=2026-03-01&until=2026-03-31")
    body = response.content.decode()
    assert response.context["figures"].outside_share == 83.3
    assert 'data-testid="outside-share"' in body
    # Mon–Fri 08–18 outlined as the window (one holds a complaint).
    assert body.count('rx="2" stroke="#2e7d32" stroke-width="3"') == 50
    # Six complaints, one per cell: every one on the darkest step of the scale (max is 1).
    assert body.count('fill="#a50f15" rx="2"') == 6
    assert body.count('fill="#f5f5f5" rx="2"') == 7 * 24 - 6
    # The legend: 0, 1 and the window's outline.
    assert body.count('<g class="legend">') == 3


def test_extension_case_equals_hand_computed_cost(world, evening):
    access = system_access(world.alpha)
    with tenant_scope(access):
        case = services.extension_case_for(
            access=access,
            service=evening,
            weekdays=[0, 1, 2, 3, 4],
            opens=time(18, 0),
            closes=time(20, 0),
            staff=2,
            period_start=date(2026, 3, 1),
            period_end=date(2026, 3, 31),
            hourly_rate=Decimal("55.00"),
        )
    assert (case.complaints_total, case.complaints_outside, case.complaints_avoided) == (6, 5, 2)
    assert case.extra_hours_per_week == Decimal("10.00")  # 5 evenings × 2 h
    assert case.annual_cost == Decimal("57200.00")  # 10 h × 2 staff × 52 weeks × € 55
    assert case.avoided_per_year == Decimal("23.5")  # 2 × 365 / 31
    assert case.cost_per_avoided == Decimal("2434.04")


def test_extension_case_counts_only_new_hours():
    current = [analysis.Interval(d, time(8), time(18)) for d in range(5)]
    candidate = [analysis.Interval(0, time(7), time(20)), analysis.Interval(5, time(9), time(13))]
    assert analysis.extra_minutes_per_week(current, candidate) == 60 + 120 + 240


def test_proposal_is_saved_with_frozen_figures_and_decided(world, evening, client_as):
    client = client_as(world.alice)
    url = reverse("complaints:extension", kwargs={"org_slug": "alpha"})
    case = {
        "service": evening.pk,
        "weekdays": [0, 1, 2, 3, 4],
        "opens": "18:00",
        "closes": "20:00",
        "staff": 2,
        "period_start": "2026-03-01",
        "period_end": "2026-03-31",
    }
    preview = client.get(url, case)
    assert preview.context["case"].complaints_avoided == 2
    saved = client.post(
        url, {**case, "title": "Servicedesk tot 20:00", "benefit": "Minder klachten"}
    )
    assert saved.status_code == 302
    with tenant_scope(system_access(world.alpha)):
        proposal = selectors.proposal_list(access=system_access(world.alpha)).get()
    assert (proposal.complaints_avoided, proposal.annual_cost, proposal.cost_per_avoided) == (
        2,
        Decimal("57200.00"),
        Decimal("2434.04"),
    )
    detail = reverse("complaints:proposal_detail", kwargs={"org_slug": "alpha", "pk": proposal.pk})
    refused = client.post(detail, {"status": "accepted", "note": ""})
    client.post(detail, {"status": "on_agenda"})
    client.post(detail, {"status": "accepted", "note": "Akkoord in tactisch overleg."})
    victor = client_as(world.victor).post(detail, {"status": "rejected", "note": "x"})
    proposal.refresh_from_db()
    assert refused.status_code == 200
    assert (proposal.status, proposal.decision_note) == ("accepted", "Akkoord in tactisch overleg.")
    assert victor.status_code == 403


@pytest.fixture
def chain_model(monkeypatch, evening):
    """A stand-in for the simulations app's contact estimator: 3.5 contacts an hour on the
    evening desk's weekdays, nothing for other services. Registered for this test only."""
    calls = []

    def estimator(*, access, service_id, weekdays, opens, closes):
        calls.append((service_id, tuple(weekdays), opens, closes))
        if service_id != evening.pk:
            return None
        hours = ((closes.hour - opens.hour) * 60 + closes.minute - opens.minute) / 60
        return service_links.ContactEstimate(
            contacts_per_week=3.5 * hours * len(weekdays),
            source="Keten servicedesk",
            link="/o/alpha/simulations/chains/7/",
        )

    monkeypatch.setattr(service_links, "_contact_estimators", [])
    service_links.register_contact_estimator(estimator)
    return calls


def case_for(world, service, weekdays, opens, closes, staff=2):
    access = system_access(world.alpha)
    with tenant_scope(access):
        return services.extension_case_for(
            access=access,
            service=service,
            weekdays=weekdays,
            opens=opens,
            closes=closes,
            staff=staff,
            period_start=date(2026, 3, 1),
            period_end=date(2026, 3, 31),
            hourly_rate=Decimal("55.00"),
        )


def test_extension_case_counts_the_contacts_a_chain_model_expects(world, evening, chain_model):
    case = case_for(world, evening, [0, 1, 2, 3, 4], time(18), time(20))
    assert chain_model == [(evening.pk, (0, 1, 2, 3, 4), time(18), time(20))]
    assert case.contacts_per_week == Decimal("35.0")  # 3.5 an hour × 2 h × 5 evenings
    assert case.contacts_per_year == Decimal("1820.0")  # × 52
    assert case.cost_per_contact == Decimal("31.43")  # € 57,200 / 1,820
    assert (case.contacts_source, case.contacts_link) == (
        "Keten servicedesk",
        "/o/alpha/simulations/chains/7/",
    )
    assert case.cost_per_avoided == Decimal("2434.04")  # the complaints' side is unchanged


def test_contacts_are_asked_for_the_extra_hours_only(world, evening, chain_model):
    # Monday 07:00–20:00 against 08:00–18:00: 07–08 and 18–20 are new.
    case = case_for(world, evening, [0], time(7), time(20), staff=1)
    assert sorted(chain_model) == [
        (evening.pk, (0,), time(7), time(8)),
        (evening.pk, (0,), time(18), time(20)),
    ]
    assert (case.extra_hours_per_week, case.contacts_per_week) == (Decimal("3.00"), Decimal("10.5"))
    assert analysis.extra_intervals(
        [analysis.Interval(0, time(8), time(18))], [analysis.Interval(0, time(7), time(20))]
    ) == [analysis.Interval(0, time(7), time(8)), analysis.Interval(0, time(18), time(20))]


def test_without_a_chain_model_the_case_stands_on_complaints(
    world, evening, monkeypatch, client_as
):
    monkeypatch.setattr(service_links, "_contact_estimators", [])
    case = case_for(world, evening, [0, 1, 2, 3, 4], time(18), time(20))
    assert (case.contacts_per_week, case.contacts_per_year, case.cost_per_contact) == (
        None,
        None,
        None,
    )
    assert case.cost_per_avoided == Decimal("2434.04")

    def broken(**kwargs):
        raise RuntimeError("model unavailable")

    service_links.register_contact_estimator(broken)
    page = client_as(world.alice).get(
        reverse("complaints:extension", kwargs={"org_slug": "alpha"}),
        {
            "service": evening.pk,
            "weekdays": [0, 1, 2, 3, 4],
            "opens": "18:00",
            "closes": "20:00",
            "staff": 2,
            "period_start": "2026-03-01",
            "period_end": "2026-03-31",
        },
    )
    body = page.content.decode()
    assert (page.status_code, page.context["case"].contacts_per_week) == (200, None)
    assert "not known: no chain model estimates the contacts" in body
    assert 'data-testid="cost-per-contact"' not in body


def test_proposal_freezes_the_contact_figures(world, evening, chain_model, client_as, monkeypatch):
    client = client_as(world.alice)
    case = {
        "service": evening.pk,
        "weekdays": [0, 1, 2, 3, 4],
        "opens": "18:00",
        "closes": "20:00",
        "staff": 2,
        "period_start": "2026-03-01",
        "period_end": "2026-03-31",
    }
    url = reverse("complaints:extension", kwargs={"org_slug": "alpha"})
    preview = client.get(url, case).content.decode()
    saved = client.post(url, {**case, "title": "Servicedesk tot 20:00"})
    with tenant_scope(system_access(world.alpha)):
        proposal = selectors.proposal_list(access=system_access(world.alpha)).get()
    assert saved.status_code == 302
    assert (proposal.contacts_per_week, proposal.cost_per_contact, proposal.contacts_source) == (
        Decimal("35.0"),
        Decimal("31.43"),
        "Keten servicedesk",
    )
    assert "35 per week, 1820 per year" in preview
    assert (
        '<a href="/o/alpha/simulations/chains/7/">from the chain model Keten servicedesk</a>'
        in (preview)
    )
    # The model changes its mind (or goes away): the saved proposal keeps its figures.
    monkeypatch.setattr(service_links, "_contact_estimators", [])
    detail = client.get(
        reverse("complaints:proposal_detail", kwargs={"org_slug": "alpha", "pk": proposal.pk})
    ).content.decode()
    api = client.get(
        reverse("api:complaint-proposal-detail", kwargs={"org_slug": "alpha", "pk": proposal.pk})
    ).json()
    assert "35 per week, 1820 per year" in detail and "€\u00a031.43" in detail
    assert (api["contacts_per_week"], api["cost_per_contact"], api["contacts_source"]) == (
        "35.0",
        "31.43",
        "Keten servicedesk",
    )


def test_statistics_api_equals_the_hand_computed_analysis(world, evening, client_as):
    url = reverse("api:complaint-statistics", kwargs={"org_slug": "alpha"})
    query = {"since": "2026-03-01", "until": "2026-03-31", "service": evening.pk}
    data = client_as(world.victor).get(url, query).json()
    assert (data["total"], data["judged"], data["outside_window"]) == (6, 6, 5)
    assert data["outside_share_percent"] == 83.3
    assert [(c["weekday"], c["hour"], c["count"], c["inside_window"]) for c in data["hours"]] == [
        (0, 19, 1, False),
        (0, 20, 1, False),
        (1, 19, 1, False),
        (2, 10, 1, True),
        (5, 11, 1, False),
        (6, 4, 1, False),
    ]
    assert data["by_service"] == [
        {"name": "Servicedesk", "count": 6},
        {"name": "Unknown service", "count": 1},
    ]
    assert data["headline"]["open"] == 7
    assert len(data["months"]) == 12
    everything = client_as(world.alice).get(url, {"since": "2026-03-01", "until": "2026-03-31"})
    assert (everything.json()["total"], everything.json()["hours"][0]["inside_window"]) == (
        7,
        None,
    )
    other = client_as(world.alice).get(url, {"service": evening.pk + 1000})
    assert (other.status_code, other.json()) == (400, {"service": ["Unknown service."]})
    assert client_as(world.bob).get(url).status_code == 403


def test_complaint_count_and_trends_for_other_apps(world, evening):
    access = access_for(world.alice, world.alpha)
    with tenant_scope(access):
        counts = selectors.complaint_counts_by_month(
            organisation=world.alpha,
            contract_ids=[world.alpha_contract.pk, world.beta_northwind_contract.pk],
            since=date(2026, 3, 1),
            until=date(2026, 4, 30),
        )
        trends = selectors.complaint_trends(access=access, months=2, today=date(2026, 4, 15))
    # The seventh complaint has no service, so no contract; April has none.
    assert counts == {(world.alpha_contract.pk, date(2026, 3, 1)): 6}
    assert trends.months == [date(2026, 3, 1), date(2026, 4, 1)]
    assert (trends.total, trends.outside_window) == ([7, 0], [5, 0])
    assert trends.by_service == {"Servicedesk": [6, 0], "Unknown service": [1, 0]}


def test_impact_source_is_registered_and_scaled_to_the_median(world, evening):
    with tenant_scope(system_access(world.alpha)):
        figures = end_user_impact(
            organisation=world.alpha,
            service_ids=[evening.pk],
            since=date(2026, 3, 1),
            until=date(2026, 3, 31),
        )
    mine = [f for f in figures if f.source == "complaints"]
    # 6 complaints where the median service has 3: 6 / (6 + 3).
    assert [(f.value, f.severity) for f in mine] == [(6.0, 0.667)]


def test_overdue_list_for_meetings(world, evening):
    access = access_for(world.alice, world.alpha)
    with tenant_scope(access):
        overdue = selectors.overdue_complaints(access=access, today=date(2026, 4, 15))
    assert len(overdue) == 7
