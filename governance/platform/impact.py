"""End-user impact from whichever apps can measure it, without importing them.

Audits (layer 2) rank findings by end-user impact, but the figures live in complaints (same
layer) and the KTO gap analysis (above it). Those apps register a source here in their
AppConfig.ready(); audits asks `end_user_impact(...)` and gets what is available.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class ImpactFigure:
    """One figure about how end users are affected, e.g. 14 complaints in 90 days."""

    source: str  # "complaints", "kto", ...
    label: str  # translated, for display: "Complaints in the last 90 days"
    value: float
    unit: str  # "", "%", "points" ...
    # 0 (no impact) … 1 (severe), comparable across sources, used for ranking.
    severity: float


ImpactSource = Callable[..., list[ImpactFigure]]
_sources: list[ImpactSource] = []


def register_impact_source(source: ImpactSource) -> None:
    """`source(*, organisation, service_ids: list[int], since: date, until: date)`."""
    if source not in _sources:
        _sources.append(source)


def end_user_impact(
    *, organisation, service_ids: list[int], since: date, until: date
) -> list[ImpactFigure]:
    """Every registered source's figures for these services; call inside the tenant scope."""
    figures: list[ImpactFigure] = []
    for source in _sources:
        figures.extend(
            source(organisation=organisation, service_ids=service_ids, since=since, until=until)
        )
    return figures


def impact_score(figures: list[ImpactFigure]) -> float:
    """One number for ranking: the largest severity (0 when nothing is known)."""
    return max((f.severity for f in figures), default=0.0)
