"""Figures against hand-computed values on fixed data: the open register (with k-suppression),
the weekday × hour heatmap, the extension case, and what other apps read."""

from datetime import UTC, date, datetime, time
from decimal import Decimal

import pytest
from django.urls import reverse

from complaints import analysis, selectors, services
from complaints.models import Category, Status
from governance.access import access_for, system_access, tenant_scope
from governance.impact import end_user_impact
from tests.complaints.conftest import AMSTERDAM, file_complaint, office_service


def at(day, hour, minute=0):
    return datetime(
        2026, 3 if day < 40 else 4, day if day < 40 else day - 40, hour, minute, tzinfo=AMSTERDAM
    )


def handle(complaint, resolved_at, verdict=None):
    access = system_access(complaint.organisation)
    with tenant_scope(access):
        complaint = services.complaint_transition(
            access=access,
            complaint=complaint,
            to=Status.RESOLVED,
            text="Opgelost.",
            now=resolved_at,
        )
        if verdict:
            services.verdict_submit(
                complaint=complaint,
                resolved_for_me=verdict[0],
                handling_score=verdict[1],
                now=resolved_at,
            )
    return complaint


@pytest.fixture
def register_data(world):
    with tenant_scope(system_access(world.alpha)):
        services.complaint_intake_prepare(organisation=world.alpha)
        reach = Category.objects.get(organisation=world.alpha, name_nl="Bereikbaarheid")
        wait = Category.objects.get(organisation=world.alpha, name_nl="Wachttijd")
    march = datetime(2026, 3, 2, 10, tzinfo=AMSTERDAM)  # Monday
    april = datetime(2026, 4, 1, 10, tzinfo=AMSTERDAM)  # Wednesday before Easter
    rows = [
        # category, received, resolved (local), verdict (resolved for me, score)
        (reach, march, datetime(2026, 3, 4, 12, tzinfo=AMSTERDAM), (True, 5)),  # 2 working days
        (reach, march, datetime(2026, 3, 5, 12, tzinfo=AMSTERDAM), (True, 5)),  # 3
        (reach, march, datetime(2026, 3, 6, 12, tzinfo=AMSTERDAM), (True, 4)),  # 4
        (reach, march, datetime(2026, 3, 9, 12, tzinfo=AMSTERDAM), (False, 2)),  # 5
        (reach, april, datetime(2026, 4, 7, 12, tzinfo=AMSTERDAM), (False, 1)),  # 2 (Easter)
        (wait, april, datetime(2026, 4, 8, 12, tzinfo=AMSTERDAM), (True, 5)),  # 3
        (wait, april, datetime(2026, 4, 9, 12, tzinfo=AMSTERDAM), None),  # 4
        (wait, april, datetime(2026, 4, 20, 12, tzinfo=AMSTERDAM), None),  # 11: late (due 17th)
    ]
    for category, received, resolved, verdict in rows:
        handle(file_complaint(world.alpha, category=category, now=received), resolved, verdict)
    # Still open, and rejected: neither counts in the register.
    file_complaint(world.alpha, category=reach, now=march)
    rejected = file_complaint(world.alpha, category=wait, now=march)
    with tenant_scope(system_access(world.alpha)):
        services.complaint_transition(
            access=system_access(world.alpha), complaint=rejected, to=Status.REJECTED, text="Vraag"
        )
    return world


def test_register_equals_hand_computed_figures(register_data):
    world = register_data
    with tenant_scope(system_access(world.alpha)):
        figures = selectors.register(
            organisation=world.alpha,
            period_start=date(2026, 3, 1),
            period_end=date(2026, 4, 30),
            k=3,
        )
    march, april = date(2026, 3, 1), date(2026, 4, 1)
    assert figures.months == [march, april]
    assert figures.categories == ["Bereikbaarheid", "Wachttijd"]
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
    assert body.count('fill="#2e7d32" rx="2"') == 50  # Mon–Fri 08–18, one holds a complaint
    assert body.count('fill="#c62828" rx="2"') == 5  # complaints outside the window


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


def test_complaint_count_and_trends_for_other_apps(world, evening):
    access = access_for(world.alice, world.alpha)
    with tenant_scope(access):
        count = selectors.complaint_count(
            contract=world.alpha_contract,
            period_start=date(2026, 3, 1),
            period_end=date(2026, 3, 31),
        )
        only_other = selectors.complaint_count(
            contract=world.alpha_contract,
            period_start=date(2026, 3, 1),
            period_end=date(2026, 3, 31),
            service_ids=[evening.pk + 1],
        )
        april = selectors.complaint_count(
            contract=world.alpha_contract,
            period_start=date(2026, 4, 1),
            period_end=date(2026, 4, 30),
        )
        trends = selectors.complaint_trends(access=access, months=2, today=date(2026, 4, 15))
    assert (count, only_other, april) == (6, 0, 0)
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


def test_quarterly_register_pdf(register_data, client):
    world = register_data
    with tenant_scope(system_access(world.alpha)):
        services.complaint_settings_update(
            access=system_access(world.alpha), register_public=True, min_group_size=3
        )

    def pdf(quarter):
        return client.get(
            reverse(
                "complaints_public:register_pdf",
                kwargs={"org_slug": "alpha", "quarter": quarter},
            )
        )

    first = pdf("2026-Q1")
    assert (first.status_code, first["Content-Type"]) == (200, "application/pdf")
    assert first.content.startswith(b"%PDF-")
    assert [pdf(q).status_code for q in ("2026-Q5", "26-Q1", "2099-Q1")] == [404, 404, 404]
