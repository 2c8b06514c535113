"""The agenda's complaint trend counts complete months: the month under way is not "0"."""

from datetime import date
from types import SimpleNamespace

from complaints.selectors import Trends
from meetings import sources


def test_complaint_trend_on_the_agenda_ends_with_the_last_complete_month(monkeypatch):
    asked = {}

    def trends(*, access, months, today):
        asked["today"], asked["months"] = today, months
        first = [date(2026, m, 1) for m in range(today.month - months + 1, today.month + 1)]
        return Trends(months=first, total=[3, 4, 5, 2, 6, 1])

    monkeypatch.setattr(sources.complaint_selectors, "complaint_trends", trends)
    context = SimpleNamespace(
        access=None,
        today=date(2026, 12, 7),
        contract_id=None,
        series=SimpleNamespace(contract=None),
        url=lambda *args: "/o/alpha/complaints/analysis/",
    )
    (proposal,) = sources.complaint_trend(context)
    assert asked == {"today": date(2026, 11, 30), "months": 6}
    assert proposal.detail == (
        "2026-06: 3 · 2026-07: 4 · 2026-08: 5 · 2026-09: 2 · 2026-10: 6 · 2026-11: 1"
    )
    assert "2026-12" not in proposal.detail
