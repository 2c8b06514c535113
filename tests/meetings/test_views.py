"""Forms and pages of the meetings app: series with roles and topics, bad input, editing."""

from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace

from django.urls import reverse
from django_scopes import scopes_disabled

import kto.selectors
from governance.platform.access import system_access
from meetings import services, sources
from meetings.models import Meeting, MeetingSeries, Source


def test_manager_creates_a_series_with_roles_and_its_own_topics(world, client_as):
    response = client_as(world.alice).post(
        reverse("meetings:series_create", args=["alpha"]),
        {
            "contract": world.alpha_contract.pk,
            "tier": "tactical",
            "title": "Tactisch overleg A-1",
            "preparation_days": 4,
            "escalate_after": 3,
            "topics": "Opening\nSLA-trend\n\nRondvraag",
            "roles": "client: Contractmanager\nsupplier: Servicemanager",
        },
    )
    with scopes_disabled():
        series = MeetingSeries.objects.get()
        roles = sorted((r.side, r.role) for r in series.required_roles.all())
    assert response.status_code == 302
    assert (series.cadence_months, series.agenda_template, series.preparation_days) == (
        3,
        ["Opening", "SLA-trend", "Rondvraag"],
        4,
    )
    assert roles == [("client", "Contractmanager"), ("supplier", "Servicemanager")]


def test_a_bad_roles_line_is_named_and_nothing_is_stored(world, client_as):
    response = client_as(world.alice).post(
        reverse("meetings:series_create", args=["alpha"]),
        {
            "tier": "strategic",
            "title": "Org",
            "preparation_days": 3,
            "escalate_after": 2,
            "roles": "client: Directeur\nboss",
        },
    )
    with scopes_disabled():
        count = MeetingSeries.objects.count()
    assert (response.status_code, count) == (200, 0)
    assert response.context["form"].errors["roles"] == [
        'Regel 2: schrijf "client: rol" of "supplier: rol".'
    ]


def test_forged_contract_of_another_organisation_is_refused(world, client_as):
    response = client_as(world.alice).post(
        reverse("meetings:series_create", args=["alpha"]),
        {
            "contract": world.beta_northwind_contract.pk,
            "tier": "tactical",
            "title": "x",
            "preparation_days": 3,
            "escalate_after": 2,
        },
    )
    with scopes_disabled():
        count = MeetingSeries.objects.count()
    assert (response.status_code, count, list(response.context["form"].errors)) == (
        200,
        0,
        ["contract"],
    )


def test_editing_a_meeting_without_an_end_keeps_its_length(world, client_as):
    with scopes_disabled():
        series = services.series_create(
            access=system_access(world.alpha),
            contract=world.alpha_contract,
            tier="operational",
            title="Ops",
        )
        meeting = services.meeting_schedule(
            series=series,
            starts_at=datetime(2026, 6, 1, 8, tzinfo=UTC),
            ends_at=datetime(2026, 6, 1, 9, 30, tzinfo=UTC),
        )
    response = client_as(world.alice).post(
        reverse("meetings:meeting_edit", args=["alpha", meeting.pk]),
        {"starts_at": "2026-06-08T10:00", "location": "Zaal 1"},
    )
    with scopes_disabled():
        meeting = Meeting.objects.get()
    assert response.status_code == 302
    assert (meeting.ends_at - meeting.starts_at, meeting.location) == (
        timedelta(hours=1, minutes=30),
        "Zaal 1",
    )


def test_strategic_agenda_shows_satisfaction_trend_and_triangle(world, monkeypatch):
    world.alpha.default_language = "en"
    world.alpha.save()
    today = date(2026, 11, 2)
    scores = {None: (40, 3.4), "end_users": (20, 3.1), "business": (12, 3.9), "it": (4, 4.4)}

    class Table:
        def __init__(self, group):
            self.group = group

        def cell(self, contract_id, dimension, period_start, period_end):
            if dimension != "reliability":
                return None
            if period_end < today - timedelta(days=182):
                return SimpleNamespace(n=30, mean=3.6)  # the half-year before
            n, mean = scores[self.group]
            return SimpleNamespace(n=n, mean=mean)

    monkeypatch.setattr(
        kto.selectors, "perception_table", lambda *, group=None, **_period: Table(group)
    )
    with scopes_disabled():
        series = services.series_create(
            access=system_access(world.alpha),
            contract=world.alpha_contract,
            tier="strategic",
            title="Strat",
        )
        meeting = services.meeting_schedule(
            series=series, starts_at=datetime(2026, 11, 9, 9, tzinfo=UTC)
        )
        services.agenda_generate(meeting=meeting, today=today)
        item = meeting.items.get(source=Source.KTO_TREND)
    # IT has 4 respondents, under the anonymity floor: left out of the triangle.
    assert item.detail == "Reliability: 3.40 (\u22120.20) — End users 3.10, Business 3.90"
    assert item.link == "/o/alpha/kto/"
    assert sources.kto_trends in sources.SOURCES["strategic"]


def test_manager_starts_a_sip_and_its_page_shows_progress(world, client_as):
    from tests.contracts.samples import contract_samples

    level = contract_samples(world)["service_level"]
    response = client_as(world.alice).post(
        reverse("meetings:sip_create", args=["alpha"]),
        {
            "contract": world.alpha_contract.pk,
            "title": "Bereikbaarheid",
            "goal": "Binnen 30 seconden",
            "client_owner": world.alice.pk,
            "supplier_owner": world.bob.pk,
            "service_level": level.pk,
            "sla_baseline": "85",
            "sla_target": "92",
            "dimension": "responsiveness",
            "perception_baseline": "3.1",
            "perception_target": "3.8",
            "baseline_period": "2024-12-01",
            "status": "active",
        },
    )
    with scopes_disabled():
        from meetings.models import SIP

        sip = SIP.objects.get()
    page = client_as(world.bob).get(reverse("meetings:sip_detail", args=["alpha", sip.pk]))
    assert (response.status_code, sip.supplier_owner_id, page.status_code) == (
        302,
        world.bob.pk,
        200,
    )
    # The sample report of January 2025 measured 95 after the 85 baseline.
    progress = page.context["progress"]
    assert (progress.sla.current, progress.sla.change) == (95.0, 10.0)
