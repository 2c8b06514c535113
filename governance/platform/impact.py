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
BatchImpactSource = Callable[..., dict[tuple[int, ...], list[ImpactFigure]]]
# In the order registered; a batched source carries `batched = True`.
_sources: list[Callable] = []


def register_impact_source(source: ImpactSource) -> None:
    """`source(*, organisation, service_ids: list[int], since: date, until: date)`."""
    if source not in _sources:
        _sources.append(source)


def register_batch_impact_source(source: BatchImpactSource) -> None:
    """`source(*, organisation, service_sets: list[tuple[int, ...]], since, until)` returning
    the figures of each set: a board with many distinct sets asks such a source once, and the
    source answers all of them from a few grouped queries."""
    source.batched = True
    if source not in _sources:
        _sources.append(source)


def end_user_impact_many(
    *, organisation, service_sets: list[tuple[int, ...]], since: date, until: date
) -> dict[tuple[int, ...], list[ImpactFigure]]:
    """Every registered source's figures for each set of services (sorted tuples of ids);
    call inside the tenant scope. Batched sources are asked once for all sets."""
    sets = list(dict.fromkeys(tuple(sorted(ids)) for ids in service_sets))
    figures: dict[tuple[int, ...], list[ImpactFigure]] = {ids: [] for ids in sets}
    for source in _sources:
        if getattr(source, "batched", False):
            answers = source(organisation=organisation, service_sets=sets, since=since, until=until)
            for ids in sets:
                figures[ids].extend(answers.get(ids, []))
        else:
            for ids in sets:
                figures[ids].extend(
                    source(
                        organisation=organisation, service_ids=list(ids), since=since, until=until
                    )
                )
    return figures


def end_user_impact(
    *, organisation, service_ids: list[int], since: date, until: date
) -> list[ImpactFigure]:
    """Every registered source's figures for these services; call inside the tenant scope."""
    key = tuple(sorted(service_ids))
    return end_user_impact_many(
        organisation=organisation, service_sets=[key], since=since, until=until
    )[key]


def impact_score(figures: list[ImpactFigure]) -> float:
    """One number for ranking: the largest severity (0 when nothing is known)."""
    return max((f.severity for f in figures), default=0.0)
