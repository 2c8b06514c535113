"""Reads of audits: keyword-only, tenant-scoped (call inside the request's or task's scope),
no side effects. The ranking of findings lives here because it is a read over the findings and
the end-user impact figures that other apps register with governance.platform.impact."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.contrib.auth import get_user_model
from django.db.models import Count, Prefetch, Q, QuerySet

from audits.models import (
    GRADE_WEIGHT,
    Audit,
    AuditProgramme,
    AuditReportPDF,
    ChecklistItem,
    CorrectiveAction,
    EffectivenessCheck,
    Finding,
    Result,
    SupplierReport,
)
from contracts.selectors import contract_list
from governance.platform.access import Access
from governance.platform.impact import ImpactFigure, end_user_impact_many, impact_score
from governance.platform.queries import filtered, searched

# The affected services' model (contracts.Service), reached through the relation: other apps'
# models are not imported here.
Service = Finding._meta.get_field("services").related_model

# End-user impact is measured over this many days up to today.
IMPACT_WINDOW_DAYS = 90
# How the client's priority and the measured impact weigh in the ranking score.
PRIORITY_WEIGHT = 0.5
IMPACT_WEIGHT = 0.5


# --- programmes and audits ------------------------------------------------------------------


def programme_list(
    *, access: Access, year: int | None = None, contract_id: int | None = None
) -> QuerySet[AuditProgramme]:
    """The programmes of the contracts the user may see."""
    queryset = AuditProgramme.objects.filter(
        organisation=access.organisation, contract__in=contract_list(access=access)
    )
    if year:
        queryset = queryset.filter(year=year)
    if contract_id:
        queryset = queryset.filter(contract_id=contract_id)
    return queryset.select_related("contract", "contract__supplier").order_by(
        "-year", "contract__reference"
    )


def audit_list(
    *,
    access: Access,
    search: str = "",
    status: str = "",
    audit_type: str = "",
    contract_id: int | None = None,
    year: int | None = None,
) -> QuerySet[Audit]:
    """Audits of the contracts the user may see, searched (title, contract, processes) and
    filtered; each with its counts of findings and open nonconformities."""
    queryset = Audit.objects.filter(
        organisation=access.organisation, contract__in=contract_list(access=access)
    )
    queryset = searched(
        queryset,
        search,
        "title__icontains",
        "contract__reference__icontains",
        "processes__icontains",
    )
    queryset = filtered(
        queryset,
        status=status,
        audit_type=audit_type,
        contract_id=contract_id,
        planned_date__year=year,
    )
    return (
        queryset.select_related("contract", "contract__supplier", "lead_auditor", "programme")
        .annotate(
            finding_count=Count("findings", distinct=True),
            open_nc_count=Count(
                "findings",
                filter=Q(
                    findings__status=Finding.Status.OPEN,
                    findings__grade__in=[Result.MAJOR, Result.MINOR],
                ),
                distinct=True,
            ),
        )
        .order_by("planned_date", "pk")
    )


def audit_calendar(*, audits: list[Audit], year: int) -> list[dict]:
    """The year's audits by month (1–12), for the programme calendar."""
    months = [{"month": date(year, m, 1), "audits": []} for m in range(1, 13)]
    for audit in audits:
        day = audit.actual_date or audit.planned_date
        if day.year == year:
            months[day.month - 1]["audits"].append(audit)
    return months


def checklist_for_audit(*, audit: Audit) -> QuerySet[ChecklistItem]:
    return audit.checklist.annotate(finding_count=Count("findings")).order_by("position", "pk")


def findings_for_audit(*, audit: Audit) -> QuerySet[Finding]:
    return (
        audit.findings.select_related("organisation", "checklist_item", "supplier_report")
        .defer("supplier_report__content")
        .prefetch_related("services", "actions")
        .order_by("pk")
    )


def supplier_reports_for_audit(*, audit: Audit) -> QuerySet[SupplierReport]:
    """The reports the supplier shared for the audit (without their files), each with the
    number of findings that came with it."""
    return (
        audit.supplier_reports.defer("content")
        .select_related("uploaded_by")
        .annotate(finding_count=Count("findings"))
    )


def supplier_report_list(*, access: Access) -> QuerySet[SupplierReport]:
    return SupplierReport.objects.filter(
        organisation=access.organisation, audit__in=audit_list(access=access).values("pk")
    )


def latest_pdf(*, audit: Audit) -> AuditReportPDF | None:
    return audit.pdf_reports.defer("pdf").order_by("-created_at").first()


def pdf_list(*, access: Access) -> QuerySet[AuditReportPDF]:
    return AuditReportPDF.objects.filter(
        organisation=access.organisation, audit__in=audit_list(access=access).values("pk")
    )


def people_for_contract(*, contract) -> dict[str, list]:
    """Who can take part in an audit or own an action: the organisation's client members and
    the users of the contract's supplier."""
    users = get_user_model().objects.order_by("first_name", "last_name", "username")
    return {
        "client": list(users.filter(memberships__organisation_id=contract.organisation_id)),
        "supplier": list(users.filter(supplier_membership__supplier_id=contract.supplier_id)),
    }


def person_side(*, user, contract) -> str | None:
    """ "client", "supplier" or None when the user takes no part in the contract."""
    if user is None:
        return None
    people = people_for_contract(contract=contract)
    if any(p.pk == user.pk for p in people["client"]):
        return "client"
    if any(p.pk == user.pk for p in people["supplier"]):
        return "supplier"
    return None


# --- findings, actions, checks --------------------------------------------------------------


def finding_list(
    *,
    access: Access,
    search: str = "",
    grade: str = "",
    status: str = "",
    contract_id: int | None = None,
    audit_id: int | None = None,
    with_actions: bool = True,
) -> QuerySet[Finding]:
    """Findings of the audits the user may see, with their affected services and (unless
    `with_actions` is false, for lists that show neither) their actions and checks."""
    queryset = _filtered_findings(
        access=access,
        search=search,
        grade=grade,
        status=status,
        contract_id=contract_id,
        audit_id=audit_id,
    )
    # The report's file stays in the database; only its name and size come along.
    queryset = (
        queryset.select_related(
            "organisation", "audit", "audit__contract", "checklist_item", "supplier_report"
        )
        .defer("supplier_report__content")
        .prefetch_related("services")
    )
    if with_actions:
        queryset = queryset.prefetch_related(*_actions_and_checks())
    return queryset


def _actions_and_checks():
    return (
        Prefetch("actions", queryset=CorrectiveAction.objects.order_by("due_date", "pk")),
        Prefetch("checks", queryset=EffectivenessCheck.objects.order_by("checked_on", "pk")),
    )


def _filtered_findings(
    *,
    access: Access,
    search: str = "",
    grade: str = "",
    status: str = "",
    contract_id: int | None = None,
    audit_id: int | None = None,
) -> QuerySet[Finding]:
    queryset = Finding.objects.filter(
        organisation=access.organisation, audit__contract__in=contract_list(access=access)
    )
    queryset = searched(
        queryset,
        search,
        "title__icontains",
        "description__icontains",
        "root_cause__icontains",
        "reference__iexact",
    )
    return filtered(
        queryset,
        grade=grade,
        status=status,
        audit__contract_id=contract_id,
        audit_id=audit_id,
    )


def open_major_findings(*, access: Access) -> QuerySet[Finding]:
    """Open major nonconformities, for the organisation home."""
    return finding_list(access=access, grade=Result.MAJOR, status=Finding.Status.OPEN).order_by(
        "audit__planned_date", "pk"
    )


def checklist_item_list(*, access: Access) -> QuerySet[ChecklistItem]:
    return ChecklistItem.objects.filter(
        organisation=access.organisation, audit__contract__in=contract_list(access=access)
    ).select_related("audit")


def action_list(
    *,
    access: Access,
    owner_side: str = "",
    status: str = "",
    overdue_on: date | None = None,
    finding_id: int | None = None,
) -> QuerySet[CorrectiveAction]:
    """Corrective actions of the findings the user may see; `overdue_on` keeps the unfinished
    ones due before that day."""
    queryset = CorrectiveAction.objects.filter(
        organisation=access.organisation,
        finding__audit__contract__in=contract_list(access=access),
    )
    if owner_side:
        queryset = queryset.filter(owner_side=owner_side)
    if status:
        queryset = queryset.filter(status=status)
    if overdue_on:
        queryset = queryset.filter(due_date__lt=overdue_on).exclude(
            status__in=CorrectiveAction.FINISHED
        )
    if finding_id:
        queryset = queryset.filter(finding_id=finding_id)
    return queryset.select_related(
        "finding", "finding__audit", "finding__audit__contract", "supplier_owner", "client_owner"
    ).order_by("due_date", "pk")


def finding_awaits_check(*, finding: Finding) -> bool:
    """Open, with corrective actions that are all finished, and no effective check yet."""
    actions = list(finding.actions.all())
    return (
        finding.status == Finding.Status.OPEN
        and bool(actions)
        and all(a.is_finished for a in actions)
    )


# --- end-user impact and the ranking ---------------------------------------------------------


def services_impact(
    *, organisation, service_ids: list[int], today: date | None = None
) -> list[ImpactFigure] | None:
    """Figures on how end users of these services fare, from every source registered with
    governance.platform.impact; None when nothing is known (no services, no source, or no figures) —
    never a made-up zero."""
    if not service_ids:
        return None
    key = tuple(sorted(service_ids))
    return services_impact_many(organisation=organisation, service_sets=[key], today=today)[key]


def services_impact_many(
    *, organisation, service_sets: list[tuple[int, ...]], today: date | None = None
) -> dict[tuple[int, ...], list[ImpactFigure] | None]:
    """services_impact for many sets of services (sorted tuples of ids) at once: every source
    is asked once for all of them."""
    today = today or date.today()
    known = [ids for ids in dict.fromkeys(service_sets) if ids]
    figures = (
        end_user_impact_many(
            organisation=organisation,
            service_sets=known,
            since=today - timedelta(days=IMPACT_WINDOW_DAYS),
            until=today,
        )
        if known
        else {}
    )
    return {ids: figures.get(ids) or None for ids in service_sets}


def finding_impact(*, finding: Finding, today: date | None = None) -> list[ImpactFigure] | None:
    """The end-user impact of the finding's affected services (see services_impact)."""
    return services_impact(
        organisation=finding.organisation,
        service_ids=[s.pk for s in finding.services.all()],
        today=today,
    )


@dataclass(frozen=True)
class RankedFinding:
    """One bottleneck in the ranking: the finding, its measured impact and the client's
    priority side by side, and the score they give together."""

    finding: Finding
    services: list  # the affected services
    figures: list[ImpactFigure] | None
    impact: float | None  # 0…1, None = no data yet
    priority: int | None  # 1…5, None = not set
    score: float | None  # None when neither is known

    @property
    def impact_percent(self) -> int | None:
        return None if self.impact is None else round(100 * self.impact)

    @property
    def score_percent(self) -> int | None:
        return None if self.score is None else round(100 * self.score)


def ranking_score(*, priority: int | None, impact: float | None) -> float | None:
    """The weighted mean of what is known: the client's priority (1–5 mapped to 0.2…1.0) and
    the end-user impact (0…1). One missing part leaves the other; both missing, None."""
    parts = []
    if priority is not None:
        parts.append((PRIORITY_WEIGHT, priority / 5))
    if impact is not None:
        parts.append((IMPACT_WEIGHT, impact))
    if not parts:
        return None
    return sum(w * v for w, v in parts) / sum(w for w, _v in parts)


def rank_findings(findings, *, today: date | None = None, organisation=None) -> list[RankedFinding]:
    """Findings ranked as bottlenecks: those the client has prioritised first, highest score
    first; then those still to prioritise (by measured impact), so measured impact alone can
    never put an unprioritised observation above a prioritised major nonconformity; findings
    without any score after those with one; ties broken by grade (major first), then the
    oldest first. The affected services come from `finding.affected_services` when the caller
    prefetched them there. (A board of many findings ranks lean rows instead: see
    bottleneck_ranking; both share `_scored`, so they order alike.)"""
    findings = list(findings)
    affected_of, entries, organisations = {}, [], {}
    for finding in findings:
        affected = getattr(finding, "affected_services", None)
        if affected is None:
            affected = list(finding.services.all())
        affected_of[finding.pk] = (finding, affected)
        entries.append(
            _Entry(
                pk=finding.pk,
                organisation_id=finding.organisation_id,
                grade=finding.grade,
                priority=finding.client_priority,
                created_at=finding.created_at,
                services=tuple(sorted(s.pk for s in affected)),
            )
        )
        if finding.organisation_id not in organisations:
            organisations[finding.organisation_id] = organisation or finding.organisation
    return [
        RankedFinding(
            finding=affected_of[s.entry.pk][0],
            services=affected_of[s.entry.pk][1],
            figures=s.figures,
            impact=s.impact,
            priority=s.entry.priority,
            score=s.score,
        )
        for s in _scored(entries, organisations=organisations, today=today)
    ]


@dataclass(frozen=True, slots=True)
class _Entry:
    """What ranking a finding needs: no model instance."""

    pk: int
    organisation_id: int
    grade: str
    priority: int | None
    created_at: datetime
    services: tuple[int, ...]  # the affected services' ids, sorted


@dataclass(frozen=True, slots=True)
class RankedRow:
    """One finding in the ranking without its model: the lean row and its figures."""

    entry: _Entry
    figures: list[ImpactFigure] | None
    impact: float | None
    score: float | None

    @property
    def priority(self) -> int | None:
        return self.entry.priority

    impact_percent = RankedFinding.impact_percent
    score_percent = RankedFinding.score_percent


def _scored(entries: list[_Entry], *, organisations: dict, today: date | None) -> list[RankedRow]:
    """The entries with their impact and score, in ranking order (see rank_findings).

    Findings about the same services share their figures, and every source is asked once for
    all distinct sets of affected services (per organisation), so the queries of a board do
    not grow with the findings or the sets."""
    today = today or date.today()
    sets_of = defaultdict(dict)
    for entry in entries:
        sets_of[entry.organisation_id][entry.services] = None
    figures_for: dict[tuple, list[ImpactFigure] | None] = {}
    for organisation_id, sets in sets_of.items():
        found = services_impact_many(
            organisation=organisations[organisation_id], service_sets=list(sets), today=today
        )
        figures_for.update({(organisation_id, *ids): value for ids, value in found.items()})
    scored = []
    for entry in entries:
        figures = figures_for[(entry.organisation_id, *entry.services)]
        impact = impact_score(figures) if figures else None
        score = ranking_score(priority=entry.priority, impact=impact)
        scored.append(RankedRow(entry=entry, figures=figures, impact=impact, score=score))
    scored.sort(
        key=lambda s: (
            s.entry.priority is None,
            s.score is None,
            -(s.score or 0.0),
            -GRADE_WEIGHT[s.entry.grade],
            s.entry.created_at,
            s.entry.pk,
        )
    )
    return scored


class Ranking(Sequence):
    """The ranked open findings of a board, as a sequence of RankedFinding.

    The ranking itself is done on lean rows (ids, grade, priority, date and the affected
    services' columns: one query, no model instances); the findings are loaded as models only
    for the rows asked for — a page of the board is one query for its findings (with audit
    and contract, and with the actions and checks when asked), and iterating loads them all
    at once."""

    def __init__(
        self,
        scored: list[RankedRow],
        services: dict,
        findings: QuerySet[Finding],
        *,
        with_actions: bool = False,
    ):
        self._scored = scored
        self._services = services  # finding id → the affected services' column values
        self._findings = findings  # the ranked findings' queryset (tenant-scoped, filtered)
        self._with_actions = with_actions
        self._loaded: dict[int, Finding] = {}

    def __len__(self) -> int:
        return len(self._scored)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return self._ranked(self._scored[index])
        return self._ranked([self._scored[index]])[0]

    def __iter__(self):
        return iter(self._ranked(self._scored))

    @property
    def unprioritised(self) -> int:
        """How many of the findings the client has not prioritised yet (without loading them)."""
        return sum(1 for s in self._scored if s.entry.priority is None)

    def values(self, *fields: str, **expressions) -> list[tuple[RankedRow, dict]]:
        """Each row of the ranking with these columns of its finding (`values()` names, e.g.
        "title", "audit__contract__reference", and aggregates by name): one query and no
        model instances, for lists that show every finding but only a few of its columns (the
        ranking API, the export)."""
        if not self._scored:
            return []
        rows = self._findings.values("pk", *fields)
        if expressions:
            rows = rows.annotate(**expressions)
        columns = {row["pk"]: row for row in rows}
        # A finding closed or removed since the ranking was read is left out.
        return [(s, columns[s.entry.pk]) for s in self._scored if s.entry.pk in columns]

    def service_names(self, scored: RankedRow) -> list[str]:
        """The names of the row's affected services, in the model's order, from the ranking's
        own rows (no query)."""
        name = [f.attname for f in Service._meta.concrete_fields].index("name")
        return [values[name] for values in self._services.get(scored.entry.pk, ())]

    def _ranked(self, scored: list[RankedRow]) -> list[RankedFinding]:
        missing = [s.entry.pk for s in scored if s.entry.pk not in self._loaded]
        if missing:
            queryset = self._findings.select_related("audit", "audit__contract")
            if self._with_actions:
                queryset = queryset.prefetch_related(*_actions_and_checks())
            if len(missing) < len(self._scored):
                queryset = queryset.filter(pk__in=missing)
            names = [f.attname for f in Service._meta.concrete_fields]
            for finding in queryset:
                finding.affected_services = [
                    Service.from_db(queryset.db, names, values)
                    for values in self._services.get(finding.pk, ())
                ]
                self._loaded[finding.pk] = finding
        return [
            RankedFinding(
                finding=self._loaded[s.entry.pk],
                services=self._loaded[s.entry.pk].affected_services,
                figures=s.figures,
                impact=s.impact,
                priority=s.entry.priority,
                score=s.score,
            )
            for s in scored
            # A finding closed or removed since the ranking was read is left out.
            if s.entry.pk in self._loaded
        ]


def bottleneck_ranking(
    *,
    access: Access,
    contract_id: int | None = None,
    grade: str = "",
    search: str = "",
    with_actions: bool = False,
    today: date | None = None,
) -> Ranking:
    """The open findings that point at a problem (not strengths), ranked; the findings loaded
    from it come with their actions and checks only when asked (`with_actions`).

    Every open finding is ranked (a page shows only some), so the ranking reads lean rows:
    the finding's ids, grade, priority and date with its affected services' columns, one row
    per finding and service (ordered as the services are). Only the findings of the rows
    asked for become model instances (see Ranking)."""
    findings = (
        _filtered_findings(access=access, contract_id=contract_id, grade=grade, search=search)
        .filter(status=Finding.Status.OPEN)
        .exclude(grade=Result.STRENGTH)
    )
    service_fields = [f.name for f in Service._meta.concrete_fields]
    id_at = service_fields.index(Service._meta.pk.name)
    rows = findings.order_by(*(f"services__{name}" for name in Service._meta.ordering))
    entries, services = {}, defaultdict(list)
    for pk, organisation_id, grade_, priority, created_at, *service in rows.values_list(
        "pk",
        "organisation_id",
        "grade",
        "client_priority",
        "created_at",
        *(f"services__{name}" for name in service_fields),
    ):
        if pk not in entries:
            entries[pk] = (organisation_id, grade_, priority, created_at)
        if service[id_at] is not None:
            services[pk].append(service)
    scored = _scored(
        [
            _Entry(
                pk=pk,
                organisation_id=organisation_id,
                grade=grade_,
                priority=priority,
                created_at=created_at,
                services=tuple(sorted(values[id_at] for values in services[pk])),
            )
            for pk, (organisation_id, grade_, priority, created_at) in entries.items()
        ],
        organisations={access.organisation.pk: access.organisation},
        today=today,
    )
    return Ranking(scored, services, findings, with_actions=with_actions)
