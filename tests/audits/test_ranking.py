from datetime import timedelta

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from audits import selectors, services
from audits.models import Finding
from governance.platform import impact
from governance.platform.access import Access
from governance.platform.impact import ImpactFigure
from tests.audits.helpers import TODAY, make_setup, manager, supplier


@pytest.fixture
def no_sources(monkeypatch):
    monkeypatch.setattr(impact, "_sources", [])


@pytest.fixture
def fake_source(monkeypatch):
    """Severity per service id, known for the test's services only."""
    severities = {}
    calls = []

    def source(*, organisation, service_ids, since, until):
        calls.append((service_ids, until - since))
        return [
            ImpactFigure("fake", f"Complaints about {pk}", 10 * severities[pk], "", severities[pk])
            for pk in service_ids
            if pk in severities
        ]

    monkeypatch.setattr(impact, "_sources", [source])
    return severities, calls


def _finding(world, audit, title, grade, services_, priority):
    with scopes_disabled():
        finding = services.finding_create(
            access=supplier(world),
            audit=audit,
            title=title,
            description=title,
            grade=grade,
            services=services_,
        )
        if priority:
            services.finding_set_priority(access=manager(world), finding=finding, priority=priority)
    return finding


def test_ranking_order_on_fixed_impact_and_priority(world, fake_source):
    severities, calls = fake_source
    setup = make_setup(world)
    severities[setup.desk.pk] = 0.9
    severities[setup.hosting.pk] = 0.2
    audit = setup.audit
    with scopes_disabled():
        Finding.objects.filter(pk=setup.finding.pk).delete()
    # score = mean of priority/5 and impact, whichever are known
    _finding(world, audit, "A p5 hosting", "minor_nc", [setup.hosting], 5)  # (1.0+0.2)/2=0.6
    _finding(world, audit, "B p3 desk", "minor_nc", [setup.desk], 3)  # (0.6+0.9)/2=0.75
    _finding(world, audit, "C no priority desk", "observation", [setup.desk], None)  # 0.9
    _finding(world, audit, "D p1 no service", "major_nc", [], 1)  # 0.2
    _finding(world, audit, "E nothing", "improvement", [], None)  # no score
    _finding(world, audit, "F nothing major", "major_nc", [], None)  # no score, heavier
    _finding(world, audit, "G strength", "strength", [setup.desk], 5)  # not a bottleneck
    access = Access(organisation=world.alpha, user_id=world.alice.pk, role="contract_manager")
    with scopes_disabled():
        ranked = selectors.bottleneck_ranking(access=access)
    # Prioritised first (by score); C, unprioritised, follows them whatever its impact.
    assert [(r.finding.title[0], r.score) for r in ranked] == [
        ("B", pytest.approx(0.75)),
        ("A", pytest.approx(0.6)),
        ("D", pytest.approx(0.2)),
        ("C", pytest.approx(0.9)),
        ("F", None),
        ("E", None),
    ]
    assert ranked[3].figures == [
        ImpactFigure("fake", f"Complaints about {setup.desk.pk}", 9.0, "", 0.9)
    ]
    assert {window for _ids, window in calls} == {timedelta(days=selectors.IMPACT_WINDOW_DAYS)}


def test_without_impact_sources_the_board_says_no_data(world, client_as, no_sources):
    setup = make_setup(world)
    with scopes_disabled():
        ranked = selectors.rank_findings([setup.finding])
    assert (ranked[0].impact, ranked[0].figures, ranked[0].score) == (None, None, None)
    response = client_as(world.alice).get(
        reverse("audits:finding_board", args=["alpha"]), HTTP_ACCEPT_LANGUAGE="en"
    )
    body = response.content.decode()
    assert body.count('data-testid="impact-none"') == 1
    assert "No data yet" in body


def test_ranking_api_gives_figures_and_nulls(world, client_as, fake_source):
    severities, _calls = fake_source
    setup = make_setup(world)
    severities[setup.desk.pk] = 0.5
    rows = (
        client_as(world.bob)
        .get(reverse("api:audit-finding-ranking", kwargs={"org_slug": "alpha"}))
        .json()
    )
    assert [(r["rank"], r["title"], r["end_user_impact"], r["score"]) for r in rows] == [
        (1, "Escalation not followed", 0.5, 0.5)
    ]


def test_ranking_score_rule():
    assert selectors.ranking_score(priority=None, impact=None) is None
    assert selectors.ranking_score(priority=5, impact=None) == 1.0
    assert selectors.ranking_score(priority=None, impact=0.3) == 0.3
    assert selectors.ranking_score(priority=1, impact=0.0) == pytest.approx(0.1)
    assert TODAY  # the fixed audit date the impact window is measured back from


def test_board_lists_unprioritised_findings_apart(world, fake_source, client_as):
    # The case: an observation with full impact (score 100) and no priority, and a
    # major nonconformity of priority 5 on a service with impact 0.9 (score (1.0+0.9)/2 = 95).
    severities, _calls = fake_source
    setup = make_setup(world)
    severities[setup.desk.pk] = 0.9
    severities[setup.hosting.pk] = 1.0
    with scopes_disabled():
        Finding.objects.filter(pk=setup.finding.pk).delete()
    major = _finding(world, setup.audit, "Major p5", "major_nc", [setup.desk], 5)
    observation = _finding(world, setup.audit, "Observation", "observation", [setup.hosting], None)
    body = (
        client_as(world.alice)
        .get(reverse("audits:finding_board", args=["alpha"]), HTTP_ACCEPT_LANGUAGE="en")
        .content.decode()
    )
    ranking = body.split('data-testid="ranking"')[1].split("</table>")[0]
    apart = body.split('data-testid="to-prioritise"')[1].split("</section>")[0]
    assert f"/findings/{major.pk}/" in ranking and f"/findings/{observation.pk}/" not in ranking
    assert f"/findings/{observation.pk}/" in apart
    assert '<td class="num">95</td>' in ranking
    assert '<td class="num">100</td>' in apart
    export = client_as(world.alice).get(
        reverse("audits:finding_export", args=["alpha"]),
        {"format": "csv"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    rows = [line.split(",")[3] for line in export.content.decode("utf-8-sig").splitlines()[1:]]
    assert rows == ["Major p5", "Observation"]
