"""The board ranks lean rows: no Finding is built as a model beyond the rows shown (the page of
the board; none for the ranking API), and the order is the one the full-instance ranking
(`rank_findings`) gives, checked against a hand-computed order."""

from contextlib import contextmanager

import pytest
from django.db.models.signals import post_init
from django.urls import reverse
from django_scopes import scopes_disabled

from audits import selectors, services
from audits.models import Finding
from audits.views.helpers import PAGE_SIZE
from governance.platform import impact
from governance.platform.impact import ImpactFigure
from tests.audits.helpers import make_setup, manager, supplier
from tests.audits.test_board import _findings


@contextmanager
def findings_built():
    """Counts the Finding instances built inside the block."""
    built = []

    def receiver(sender, instance, **kwargs):
        built.append(instance)

    post_init.connect(receiver, sender=Finding)
    try:
        yield built
    finally:
        post_init.disconnect(receiver, sender=Finding)


def test_board_builds_only_the_findings_of_its_page(world, client_as):
    assert PAGE_SIZE < 30
    _findings(world, 30)
    client = client_as(world.alice)
    url = reverse("audits:finding_board", args=["alpha"])
    with findings_built() as built:
        response = client.get(url)
    assert len(response.context["ranked"]) == PAGE_SIZE
    assert len(built) == PAGE_SIZE
    # 30 findings, every fourth prioritised (0, 4, …, 28): 22 still to prioritise in all.
    assert response.context["to_prioritise_total"] == 22
    assert len(response.context["prioritised"]) == 8
    with findings_built() as built:
        response = client.get(url, {"page": 2})
    assert len(response.context["ranked"]) == len(built) == 30 - PAGE_SIZE
    with findings_built() as built:
        response = client.get(reverse("api:audit-finding-ranking", kwargs={"org_slug": "alpha"}))
    assert (len(response.json()), len(built)) == (30, 0)
    with scopes_disabled(), findings_built() as built:
        ranked = selectors.bottleneck_ranking(access=manager(world))
        assert (len(ranked), len(built)) == (30, 0)
        assert len(ranked[3:6]) == 3
        assert len(built) == 3


@pytest.fixture
def fixed_impact(monkeypatch):
    """Severity per service id (a single-set source, as an app might still register)."""
    severities = {}

    def source(*, organisation, service_ids, since, until):
        return [
            ImpactFigure("fake", f"About {pk}", 10 * severities[pk], "", severities[pk])
            for pk in service_ids
            if pk in severities
        ]

    monkeypatch.setattr(impact, "_sources", [source])
    return severities


def test_lean_ranking_orders_as_the_full_ranking(world, client_as, fixed_impact):
    setup = make_setup(world)
    desk, hosting = setup.desk, setup.hosting
    fixed_impact[desk.pk] = 0.9
    fixed_impact[hosting.pk] = 0.2
    with scopes_disabled():
        Finding.objects.filter(pk=setup.finding.pk).delete()
        # title, grade, affected services, client's priority; score = mean of what is known
        # of priority/5 and impact (the largest severity of the services).
        for title, grade, affected, priority in [
            ("P", "minor_nc", [hosting], 5),  # (1.0 + 0.2) / 2 = 0.6
            ("Q", "minor_nc", [desk], 3),  # (0.6 + 0.9) / 2 = 0.75
            ("R", "major_nc", [desk, hosting], 3),  # 0.75, heavier grade than Q
            ("S", "major_nc", [desk], 3),  # 0.75, major like R but recorded later
            ("T", "observation", [], 1),  # 0.2
            ("U", "observation", [desk], None),  # impact 0.9 alone, to prioritise
            ("V", "minor_nc", [hosting], None),  # 0.2, to prioritise
            ("W", "improvement", [], None),  # nothing known
            ("X", "major_nc", [], None),  # nothing known, heavier than W
            ("Y", "strength", [desk], 5),  # no bottleneck: left out
        ]:
            finding = services.finding_create(
                access=supplier(world),
                audit=setup.audit,
                title=title,
                description=title,
                grade=grade,
                services=affected,
            )
            if priority:
                services.finding_set_priority(
                    access=manager(world), finding=finding, priority=priority
                )
        lean = list(selectors.bottleneck_ranking(access=manager(world)))
        full = selectors.rank_findings(
            Finding.objects.filter(organisation=world.alpha).exclude(grade="strength"),
            organisation=world.alpha,
        )
    expected = [
        ("R", 0.75, 0.9),
        ("S", 0.75, 0.9),
        ("Q", 0.75, 0.9),
        ("P", 0.6, 0.2),
        ("T", 0.2, None),
        ("U", 0.9, 0.9),
        ("V", 0.2, 0.2),
        ("X", None, None),
        ("W", None, None),
    ]
    for ranking in (lean, full):
        assert [(r.finding.title, r.score, r.impact) for r in ranking] == [
            (title, pytest.approx(score) if score is not None else None, impact_)
            for title, score, impact_ in expected
        ]
    assert [(r.finding.pk, r.priority, r.figures) for r in lean] == [
        (r.finding.pk, r.priority, r.figures) for r in full
    ]
    # The affected services in the order the model gives them (by name within the contract).
    assert [[s.name for s in r.services] for r in lean] == [
        [s.name for s in r.services] for r in full
    ]
    assert [s.name for s in lean[0].services] == ["Hosting", "Servicedesk"]
    assert lean[0].services == [hosting, desk]
    response = client_as(world.alice).get(reverse("audits:finding_board", args=["alpha"]))
    assert [r.finding.title for r in response.context["prioritised"]] == list("RSQPT")
    assert [r.finding.title for r in response.context["to_prioritise"]] == list("UVXW")
    assert response.context["to_prioritise_total"] == 4
