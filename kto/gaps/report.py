"""The gap report: per contract a dimensions × periods matrix, charts and the reasons.

The same context feeds the contract's gap page and the PDF (rendered by a task only).
"""

from datetime import date

from django.utils import translation
from django.utils.formats import date_format

from governance.platform.access import Access
from governance.platform.charts import Bar, bar_chart
from governance.platform.dimensions import Dimension
from governance.platform.pdf import render_pdf_with_pages
from kto.gaps.models import GapFlag
from kto.gaps.rules import Flag, SlaState
from kto.gaps.selectors import ATTENTION, gap_flag_list

HISTORY = 6
SLA_COLOUR = {
    SlaState.GREEN: "good",
    SlaState.AMBER: "warn",
    SlaState.RED: "bad",
    SlaState.NO_SLA: "none",
}


def period_label(day: date) -> str:
    return date_format(day, "M Y")


def dimension_chart(flags: list[GapFlag], dimension: str):
    """Perception mean with its 95 % interval per period, bars coloured by the SLA state."""
    ordered = sorted(flags, key=lambda f: f.period_start)
    target = next((f.target for f in reversed(ordered) if f.target is not None), None)
    bars = [
        Bar(
            label=period_label(f.period_start),
            value=f.mean if f.n >= f.k else None,
            low=f.ci_low if f.n >= f.k else None,
            high=f.ci_high if f.n >= f.k else None,
            state=SLA_COLOUR.get(f.sla_state, "none"),
            # No answers at all is a month without a survey, not a suppressed group.
            missing="" if f.n else translation.gettext("no survey"),
        )
        for f in ordered
    ]
    return bar_chart(
        bars=bars, target=target, y_min=1, y_max=5, title=str(Dimension(dimension).label)
    )


def contract_gap_context(*, access: Access, contract, until: date | None = None) -> dict:
    """Matrix, charts and reasons for one contract over the last periods."""
    flags = list(gap_flag_list(access=access, contract_id=contract.pk))
    periods = sorted({f.period_start for f in flags if until is None or f.period_start <= until})
    periods = periods[-HISTORY:]
    by_cell = {(f.dimension, f.period_start): f for f in flags}
    matrix = [
        {
            "dimension": Dimension(d).label,
            "value": d,
            "cells": [by_cell.get((d, p)) for p in periods],
        }
        for d in Dimension.values
    ]
    charts = [
        {
            "dimension": Dimension(d).label,
            "svg": dimension_chart([by_cell[(d, p)] for p in periods if (d, p) in by_cell], d),
        }
        for d in Dimension.values
        if any((d, p) in by_cell for p in periods)
    ]
    latest = periods[-1] if periods else None
    attention = [
        by_cell[(d, latest)]
        for d in Dimension.values
        if latest and (d, latest) in by_cell and by_cell[(d, latest)].flag in ATTENTION
    ]
    return {
        "contract": contract,
        "periods": [period_label(p) for p in periods],
        "matrix": matrix,
        "charts": charts,
        "attention": attention,
        "latest": latest,
    }


def gap_report_pdf(
    *, access: Access, contracts, period_start: date, language: str
) -> tuple[bytes, int]:
    """The report for `contracts` up to `period_start`, in `language`: (PDF, pages)."""
    with translation.override(language):
        sections = [
            contract_gap_context(access=access, contract=c, until=period_start) for c in contracts
        ]
        confirmed = [
            f
            for s in sections
            for f in s["attention"]
            if f.confirmed and f.period_start == period_start
        ]
        return render_pdf_with_pages(
            "kto/gap/report_pdf.html",
            {
                "organisation": access.organisation,
                "period": period_label(period_start),
                "sections": sections,
                "confirmed": confirmed,
                "flag_labels": dict(Flag.choices),
                "language": language,
            },
        )
