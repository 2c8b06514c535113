from datetime import date

from governance.platform import impact
from governance.platform.impact import (
    ImpactFigure,
    end_user_impact,
    impact_score,
    register_impact_source,
)


def test_sources_contribute_figures_and_the_score_is_the_worst(monkeypatch):
    monkeypatch.setattr(impact, "_sources", [])
    calls = []

    def complaints(*, organisation, service_ids, since, until):
        calls.append((organisation, service_ids, since, until))
        return [ImpactFigure("complaints", "Complaints", 14, "", 0.7)]

    def surveys(**kwargs):
        return [ImpactFigure("kto", "Below target", 0.55, "points", 0.4)]

    register_impact_source(complaints)
    register_impact_source(complaints)
    register_impact_source(surveys)
    figures = end_user_impact(
        organisation="org", service_ids=[1], since=date(2026, 1, 1), until=date(2026, 3, 31)
    )
    assert [f.source for f in figures] == ["complaints", "kto"]
    assert calls == [("org", [1], date(2026, 1, 1), date(2026, 3, 31))]
    assert impact_score(figures) == 0.7
    assert impact_score([]) == 0.0
