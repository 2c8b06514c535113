"""Agenda sources: one small function per kind of data that belongs on a tier's table.

Each source reads another app only through its `selectors`, imported plainly at the top so
the architecture test sees every dependency, and returns proposals for agenda items with a link
to the data behind them. A renamed selector or route is an error that a test catches, not an
agenda that quietly loses items; at run time `proposals_for` logs a failing source and goes on.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from django.urls import reverse
from django.utils.translation import gettext_noop

from audits import selectors as audit_selectors
from complaints import selectors as complaint_selectors
from contracts import selectors as contract_selectors
from governance.platform.access import Access
from governance.platform.dimensions import Dimension
from governance.platform.texts import Said, choice_msgid, figure, msgid_of
from kto import selectors as kto_selectors
from meetings import selectors as meeting_selectors
from meetings import texts
from meetings.models import (
    TIER_ABOVE,
    ActionItem,
    AgendaItem,
    Meeting,
    MeetingSeries,
    Side,
    Source,
    Tier,
)
from meetings.preparation import series_timeliness
from simulations import selectors as simulation_selectors

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Proposal:
    """An agenda item proposed by a source."""

    source: str
    key: str
    title: str
    detail: str = ""
    link: str = ""
    needs_preparation: bool = False
    client_only: bool = False
    escalated_from_id: int | None = None
    # The title and detail as kinds of sentence with their parameters, rendered in each
    # reader's language (governance.platform.texts); `title`/`detail` are their text now.
    said: Said | None = None
    detail_parts: tuple = ()


def said_proposal(source: str, key: str, said: Said, *, detail=(), **fields) -> Proposal:
    """A proposal whose title is `said` and whose detail lines are sentences or plain text."""
    parts = tuple(
        part.stored() if isinstance(part, Said) else {"t": part} for part in detail if part
    )
    return Proposal(
        source=source,
        key=key,
        title=str(said),
        detail="\n".join(p.get("t", "") for p in parts),
        said=said,
        detail_parts=parts,
        **fields,
    )


@dataclass(frozen=True)
class Context:
    """What a source needs: who asks (system access for the organisation), the series, the
    meeting, and its local date."""

    access: Access
    series: MeetingSeries
    meeting: Meeting
    today: date

    @property
    def contract_id(self) -> int | None:
        return self.series.contract_id

    def url(self, name: str, *args) -> str:
        return link_to(self.access.organisation.slug, name, *args)


def link_to(org_slug: str, name: str, *args) -> str:
    """A link to the data. An unknown route raises NoReverseMatch: a renamed page must fail a
    test, not leave an item without its link."""
    return reverse(name, args=[org_slug, *args])


def _of_contract(context: Context, contract_id: int | None) -> bool:
    """An organisation-wide series takes everything; a contract's series its own data."""
    return context.contract_id is None or contract_id == context.contract_id


# --- operational ---------------------------------------------------------------------------


def missed_service_levels(context: Context) -> list[Proposal]:
    """Service levels not met in the latest reported month before the meeting, with the
    supplier's deviation analysis as the pre-read."""
    current = contract_selectors.sla_report_list(access=context.access).filter(
        is_current=True, period_end__lt=context.today
    )
    current = current.exclude(status__in=["draft", "withdrawn", "superseded", "corrected"])
    if context.contract_id:
        current = current.filter(contract_id=context.contract_id)
    latest = current.values_list("period_start", flat=True).first()
    if latest is None:
        return []
    rows = (
        contract_selectors.measurement_list(access=context.access)
        .filter(report__in=current.filter(period_start=latest))
        .exclude(state="met")
        .select_related("report__contract")
    )
    proposals = []
    for m in rows:
        level = m.service_level
        analysis = " · ".join(
            part
            for part in (m.deviation_cause, m.deviation_impact, m.deviation_action)
            if part.strip()
        )
        proposals.append(
            said_proposal(
                Source.SLA_MISSED,
                f"measurement:{m.report.contract_id}:{level.code}:{latest:%Y-%m}",
                Said(
                    texts.SLA_MISSED,
                    {
                        "code": level.code,
                        "state": choice_msgid(m, "state"),
                        "period": f"{latest:%Y-%m}",
                        "value": _number(m.value),
                        "target": _number(level.target),
                    },
                ),
                detail=[Said(texts.DEVIATION, {"text": analysis})] if analysis else [],
                link=context.url("contracts:report_detail", m.report_id),
                needs_preparation=True,
            )
        )
    return proposals


def overdue_corrective_actions(context: Context) -> list[Proposal]:
    """Corrective actions of audit findings past their due date and not finished."""
    proposals = []
    for action in audit_selectors.action_list(access=context.access, overdue_on=context.today):
        if not _of_contract(context, action.finding.audit.contract_id):
            continue
        proposals.append(
            said_proposal(
                Source.OVERDUE_ACTION,
                f"corrective_action:{action.pk}",
                Said(
                    texts.OVERDUE_ACTION,
                    {"due": action.due_date.isoformat(), "title": _short(str(action))},
                ),
                link=context.url("audits:finding_detail", action.finding_id),
            )
        )
    return proposals


def overdue_complaints(context: Context) -> list[Proposal]:
    """Complaints past their acknowledge or resolve deadline."""
    proposals = []
    for complaint in complaint_selectors.overdue_complaints(
        access=context.access, today=context.today
    ):
        contract_id = complaint.service.contract_id if complaint.service_id else None
        if not _of_contract(context, contract_id):
            continue
        proposals.append(
            said_proposal(
                Source.OVERDUE_COMPLAINT,
                f"complaint:{complaint.pk}",
                Said(
                    texts.OVERDUE_COMPLAINT,
                    {"reference": complaint.reference, "due": complaint.resolve_due.isoformat()},
                ),
                link=context.url("complaints:complaint_detail", complaint.pk),
                needs_preparation=True,
            )
        )
    return proposals


# --- tactical ------------------------------------------------------------------------------


def gap_flag_proposal(*, org_slug: str, flag, confirmed: bool = True) -> Proposal:
    """The agenda item of a gap flag. One per contract and dimension (the key), so a later
    month's flag, or the same flag put on the agenda by hand, updates the item instead of adding
    a second one; the link leads back to the flag."""
    values = {
        "flag": choice_msgid(flag, "flag"),
        "dimension": choice_msgid(flag, "dimension"),
        "period": f"{flag.period_start:%Y-%m}",
    }
    return said_proposal(
        Source.GAP_FLAG,
        f"gap_flag:{flag.contract_id}:{flag.dimension}",
        Said(texts.GAP_CONFIRMED if confirmed else texts.GAP, values),
        link=link_to(org_slug, "kto_gap:flag", flag.pk),
        needs_preparation=True,
    )


def confirmed_gap_flags(context: Context) -> list[Proposal]:
    """Watermelons and both-reds confirmed: held the month before on independent survey waves."""
    slug = context.access.organisation.slug
    return [
        gap_flag_proposal(org_slug=slug, flag=flag)
        for flag in kto_selectors.confirmed_flags(access=context.access, limit=50)
        if _of_contract(context, flag.contract_id)
    ]


def disputed_reports(context: Context) -> list[Proposal]:
    """SLA reports the client disputed (or the supplier appealed) and not yet settled."""
    rows = contract_selectors.sla_report_list(access=context.access).filter(
        is_current=True, status__in=["disputed", "appealed"]
    )
    if context.contract_id:
        rows = rows.filter(contract_id=context.contract_id)
    return [
        said_proposal(
            Source.DISPUTED_REPORT,
            f"sla_report:{r.contract_id}:{r.period_start:%Y-%m}",
            Said(
                texts.DISPUTED,
                {
                    "contract": r.contract.reference,
                    "period": f"{r.period_start:%Y-%m}",
                    "status": choice_msgid(r, "status"),
                },
            ),
            link=context.url("contracts:report_detail", r.pk),
            needs_preparation=True,
        )
        for r in rows
    ]


def complaint_trend(context: Context) -> list[Proposal]:
    """Complaints per month over the last six complete months (the contract's services only):
    the month under way would read as a drop."""
    result = complaint_selectors.complaint_trends(
        access=context.access, months=6, today=context.today.replace(day=1) - timedelta(days=1)
    )
    if context.contract_id:
        names = set(
            context.series.contract.services.values_list("name", flat=True)
            if context.series.contract
            else []
        )
        series = [v for name, v in result.by_service.items() if name in names]
        totals = [sum(column) for column in zip(*series, strict=True)] if series else []
    else:
        totals = list(result.total)
    if not totals or sum(totals) == 0:
        return []
    months = " · ".join(f"{m:%Y-%m}: {n}" for m, n in zip(result.months, totals, strict=True))
    return [
        said_proposal(
            Source.COMPLAINT_TREND,
            f"complaint_trend:{context.contract_id or 'all'}",
            Said(texts.COMPLAINT_TREND, {"total": sum(totals)}),
            detail=[months],
            link=context.url("complaints:analysis"),
            # Built from the organisation's own complaint analysis.
            client_only=context.contract_id is None,
        )
    ]


def reporting_on_time(context: Context) -> list[Proposal]:
    """Per supplier: SLA reports on time over the last six closed periods, month by month, and
    the reports outstanding now (a supplier KPI for the tactical table)."""
    today, cid = context.today, context.contract_id
    rows = contract_selectors.supplier_on_time(
        access=context.access, today=today, months=6, contract_id=cid
    )
    outstanding = contract_selectors.report_periods_due(access=context.access, today=today)
    link = context.url(
        *(("contracts:contract_detail", cid) if cid else ("contracts:contract_list",))
    )
    proposals = []
    for row in (r for r in rows if r["rate"].due):
        supplier, rate = row["supplier"], row["rate"]
        trend = " · ".join(f"{m:%Y-%m}: {r.on_time}/{r.due}" for m, r in row["trend"] if r.due)
        late = ", ".join(
            f"{p.contract.reference} {p.period_label}"
            for p in outstanding
            if p.contract.supplier_id == supplier.pk
            and p.overdue
            and _of_contract(context, p.contract.pk)
        )
        said = Said(
            texts.REPORTING_ON_TIME,
            {"supplier": supplier.name, "on_time": rate.on_time, "due": rate.due},
        )
        detail = [trend, Said(texts.REPORTING_LATE, {"periods": late}) if late else ""]
        key = f"reporting:{supplier.pk}:{cid or 'all'}"
        proposals.append(said_proposal(Source.REPORTING, key, said, detail=detail, link=link))
    return proposals


def improvement_proposals(context: Context) -> list[Proposal]:
    """The client's improvement proposals awaiting a decision (client-only business cases)."""
    result = []
    for proposal in complaint_selectors.proposals_for_agenda(access=context.access):
        if not _of_contract(context, proposal.service.contract_id):
            continue
        result.append(
            said_proposal(
                Source.PROPOSAL,
                f"proposal:{proposal.pk}",
                Said(texts.PROPOSAL, {"title": proposal.title}),
                link=context.url("complaints:proposal_detail", proposal.pk),
                client_only=True,
            )
        )
    return result


HIGH_PRIORITY = 4  # the client's priority 1 (low) … 5 (highest)


def audit_findings(context: Context) -> list[Proposal]:
    """Open findings that are major nonconformities or that the client ranked 4 or 5."""
    result = []
    findings = audit_selectors.finding_list(
        access=context.access, status="open", contract_id=context.contract_id
    )
    for finding in findings:
        priority = finding.client_priority or 0
        if priority < HIGH_PRIORITY and finding.grade != "major_nc":
            continue
        result.append(
            said_proposal(
                Source.AUDIT_FINDING,
                f"finding:{finding.pk}",
                Said(
                    texts.AUDIT_FINDING,
                    {
                        "grade": choice_msgid(finding, "grade"),
                        "priority": finding.client_priority or "–",
                        "title": finding.title,
                    },
                ),
                link=context.url("audits:finding_detail", finding.pk),
                needs_preparation=True,
            )
        )
    return result


def exercise_findings(context: Context) -> list[Proposal]:
    """Held exercises of the last year with actions not yet done."""
    since = context.today - timedelta(days=365)
    result = []
    rows = simulation_selectors.exercise_list(
        access=context.access, status="held"
    ).prefetch_related("actions")
    for exercise in rows:
        if exercise.scheduled_for < since:
            continue
        if not _of_contract(context, exercise.chain.contract_id):
            continue
        open_actions = [a for a in exercise.actions.all() if not a.done]
        if not open_actions:
            continue
        result.append(
            said_proposal(
                Source.EXERCISE,
                f"exercise:{exercise.pk}",
                Said(texts.EXERCISE, {"title": exercise.title, "count": len(open_actions)}),
                detail=[f"– {_short(a.action)}" for a in open_actions],
                link=context.url("simulations:exercise_detail", exercise.pk),
            )
        )
    return result


def simulation_results(context: Context) -> list[Proposal]:
    """The newest finished simulation per chain and scenario: what the chain is predicted to do
    (service level, bottleneck, unreachable contacts). One item per chain and scenario, so a
    newer run updates the item and its streak follows it across meetings."""
    proposals = []
    for run in simulation_selectors.results_for_agenda(
        access=context.access, contract=context.contract_id
    ):
        if not _of_contract(context, run.chain.contract_id):
            continue
        which = f"scenario-{run.scenario_id}" if run.scenario_id else f"current-{run.label}"
        finished = run.finished_at.date().isoformat() if run.finished_at else ""
        proposals.append(
            said_proposal(
                Source.SIMULATION,
                f"simulation:{run.chain_id}:{which}"[:100],
                Said(
                    texts.SIMULATION,
                    {
                        "chain": run.chain.name,
                        # A run of the current chain: its label in each reader's language.
                        "label": Said("simulations.current_chain").stored()
                        if run.is_current_chain
                        else run.label,
                    },
                ),
                detail=[
                    run.headline_said(),
                    Said(texts.SIMULATED_ON, {"date": finished}) if finished else "",
                ],
                link=run.get_absolute_url(),
            )
        )
    return proposals


def simulation_proposals(context: Context) -> list[Proposal]:
    """Improvement proposals made from simulations and exercises, awaiting the tactical
    meeting. The ones the client owns alone are client-only items; those the supplier owns or
    shares are discussed with it."""
    result = []
    for proposal in simulation_selectors.proposals_for_agenda(access=context.access):
        if not _of_contract(context, proposal.chain.contract_id):
            continue
        result.append(
            said_proposal(
                Source.SIMULATION_PROPOSAL,
                f"simulation_proposal:{proposal.pk}",
                Said(
                    texts.SIM_PROPOSAL,
                    {
                        "chain": proposal.chain.name,
                        "finding": choice_msgid(proposal, "finding"),
                        "title": proposal.title,
                    },
                ),
                detail=[
                    _short(proposal.rationale, 600),
                    Said(texts.OWNER, {"side": choice_msgid(proposal, "owner_side")}),
                ],
                link=proposal.get_absolute_url(),
                client_only=proposal.owner_side not in ("supplier", "joint"),
            )
        )
    return result


def sip_progress(context: Context) -> list[Proposal]:
    """Active SIPs with their measured progress (this app's own data)."""
    sips = [
        sip
        for sip in meeting_selectors.sip_list(access=context.access, status="active")
        if _of_contract(context, sip.contract_id)
    ]
    measured = meeting_selectors.sip_progress_for(
        sips=sips, access=context.access, today=context.today
    )
    result = []
    for sip in sips:
        progress = measured[sip.pk]
        result.append(
            said_proposal(
                Source.SIP,
                f"sip:{sip.pk}",
                Said(texts.SIP, {"title": sip.title}),
                detail=progress.said_lines(),
                link=context.url("meetings:sip_detail", sip.pk),
            )
        )
    return result


def preparation_timeliness(context: Context) -> list[Proposal]:
    """How often each side delivered its pre-reads on time in the series' meetings of the last
    twelve months (this app's own data); nothing when none were due."""
    tallies = series_timeliness(series=context.series, before=context.meeting, today=context.today)
    lines = [
        Said(
            texts.PREPARATION_SIDE,
            {
                "side": msgid_of(Side(side).label),
                "on_time": tally.on_time,
                "due": tally.due,
                "late": tally.late,
                "missing": tally.missing,
            },
        )
        for side, tally in tallies.items()
        if tally.due
    ]
    if not lines:
        return []
    return [
        said_proposal(
            Source.PREPARATION,
            f"preparation:{context.series.pk}",
            Said(texts.PREPARATION),
            detail=lines,
            link=context.url("meetings:series_detail", context.series.pk),
        )
    ]


# --- strategic -----------------------------------------------------------------------------

RENEWAL_LEAD_DAYS = 180


def contract_deadlines(context: Context) -> list[Proposal]:
    """Notice or renewal deadlines within six months, and whether a baseline KTO is due."""
    needs_baseline = {
        row["contract"].pk
        for row in kto_selectors.baseline_proposals(access=context.access, today=context.today)
    }
    result = []
    for contract in contract_selectors.contract_list(access=context.access):
        if not _of_contract(context, contract.pk):
            continue
        deadline = contract.next_notice_deadline(context.today)
        if deadline is None or (deadline - context.today).days > RENEWAL_LEAD_DAYS:
            continue
        detail = [Said(texts.BASELINE_DUE)] if contract.pk in needs_baseline else []
        result.append(
            said_proposal(
                Source.CONTRACT,
                f"contract_deadline:{contract.pk}:{deadline.isoformat()}",
                Said(
                    texts.CONTRACT_DEADLINE,
                    {
                        "contract": contract.reference,
                        "deadline": deadline.isoformat(),
                        "renewal": choice_msgid(contract, "renewal"),
                    },
                ),
                detail=detail,
                link=context.url("contracts:contract_detail", contract.pk),
            )
        )
    return result


GROUPS = [
    ("end_users", gettext_noop("End users")),
    ("business", gettext_noop("Business")),
    ("it", gettext_noop("IT organisation")),
]


def _score(value, sign: bool = False) -> dict:
    """A perception score (1–5) with two decimals, written for each reader."""
    return figure("number", round(value, 2), d=2, sign=sign)


def kto_trends(context: Context) -> list[Proposal]:
    """Per dimension, the perception of the last two half-years, and the stakeholder triangle
    (end users, business, IT) of the last half-year; five perception tables for all contracts."""
    recent = (context.today - timedelta(days=182), context.today)
    before = (recent[0] - timedelta(days=183), recent[0] - timedelta(days=1))
    chosen = [
        c
        for c in contract_selectors.contract_list(access=context.access)
        if _of_contract(context, c.pk)
    ]
    if not chosen:
        return []
    ids = [c.pk for c in chosen]

    def table(period, group=None):
        return kto_selectors.perception_table(
            contract_ids=ids, since=period[0], until=period[1], group=group
        )

    now_table, then_table = table(recent), table(before)
    group_tables = {group: table(recent, group) for group, _label in GROUPS}
    result = []
    for contract in chosen:
        lines = []
        for dimension in Dimension:
            now = now_table.cell(contract.pk, dimension, *recent)
            if now is None:
                continue
            then = then_table.cell(contract.pk, dimension, *before)
            triangle = []
            for group, label in GROUPS:
                score = group_tables[group].cell(contract.pk, dimension, *recent)
                if score is not None and score.n >= 5:  # the anonymity floor k
                    triangle.append(
                        Said(texts.KTO_GROUP, {"group": label, "score": _score(score.mean)})
                    )
            values = {"dimension": msgid_of(dimension.label), "score": _score(now.mean)}
            if then is not None:
                values["change"] = _score(now.mean - then.mean, sign=True)
            line = Said(texts.KTO_SCORE_CHANGE if then is not None else texts.KTO_SCORE, values)
            if triangle:
                line = Said(texts.KTO_TRIANGLE, {"line": line, "groups": triangle})
            lines.append(line)
        if lines:
            result.append(
                said_proposal(
                    Source.KTO_TREND,
                    f"kto_trend:{contract.pk}",
                    Said(texts.KTO_TREND, {"contract": contract.reference}),
                    detail=lines,
                    link=context.url("kto:survey_list"),
                )
            )
    return result


# --- this app's own: carried actions and escalations ---------------------------------------


def carried_actions(context: Context) -> list[Proposal]:
    """Open actions of earlier meetings of the series, until done."""
    rows = ActionItem.objects.filter(
        series=context.series, meeting__starts_at__lt=context.meeting.starts_at
    ).exclude(status__in=ActionItem.FINISHED)
    return [
        said_proposal(
            Source.CARRIED_ACTION,
            f"action:{a.pk}",
            Said(
                texts.ACTION,
                {
                    "title": a.title,
                    "side": choice_msgid(a, "owner_side"),
                    "owner": a.owner_name,
                    "due": a.due_date.isoformat(),
                },
            ),
            link=context.url("meetings:meeting_detail", a.meeting_id) + f"#action-{a.pk}",
        )
        for a in rows.order_by("due_date", "pk")
    ]


def escalations(context: Context) -> list[Proposal]:
    """Items that stood unresolved on `escalate_after` consecutive meetings of a series one tier
    below (same contract; any contract for an organisation-wide series)."""
    below = [tier for tier, above in TIER_ABOVE.items() if above == context.series.tier]
    if not below:
        return []
    lower = MeetingSeries.objects.filter(organisation=context.access.organisation, tier=below[0])
    if context.contract_id:
        lower = lower.filter(contract_id=context.contract_id)
    result = []
    seen = set()
    for series in lower:
        held = (
            Meeting.objects.filter(series=series, status__in=[Meeting.Status.HELD, "approved"])
            .filter(starts_at__lt=context.meeting.starts_at)
            .order_by("-starts_at")
            .first()
        )
        if held is None:
            continue
        items = AgendaItem.objects.filter(
            meeting=held, resolved=False, streak__gte=series.escalate_after
        ).exclude(key="")
        for item in items:
            if item.key in seen:
                continue
            seen.add(item.key)
            below_title = {"k": item.text_key, "p": item.text_params, "t": item.title}
            result.append(
                said_proposal(
                    Source.ESCALATED,
                    item.key,
                    Said(texts.ESCALATED, {"series": series.title, "title": below_title}),
                    detail=[Said(texts.UNRESOLVED, {"count": item.streak})],
                    link=item.link,
                    needs_preparation=item.needs_preparation,
                    client_only=item.client_only,
                    escalated_from_id=item.pk,
                )
            )
    return result


# The routing of data to tiers (DESIGN.md, issue 9).
SOURCES: dict[str, list[Callable[[Context], list[Proposal]]]] = {
    Tier.OPERATIONAL: [missed_service_levels, overdue_corrective_actions, overdue_complaints],
    Tier.TACTICAL: [
        escalations,
        confirmed_gap_flags,
        disputed_reports,
        reporting_on_time,
        complaint_trend,
        improvement_proposals,
        audit_findings,
        # Simulation and exercise findings.
        exercise_findings,
        simulation_results,
        simulation_proposals,
        sip_progress,
        preparation_timeliness,
    ],
    Tier.STRATEGIC: [escalations, contract_deadlines, kto_trends, sip_progress],
}


def proposals_for(context: Context) -> list[Proposal]:
    """Every proposal for the meeting's tier, then the series' carried actions. A source that
    fails is logged and skipped: one broken upstream app must not block an agenda."""
    proposals: list[Proposal] = []
    for source in SOURCES[context.series.tier]:
        try:
            proposals.extend(source(context))
        except Exception:  # noqa: BLE001 - degrade to "no data from this source"
            logger.exception("Agenda source %s failed", source.__name__)
    proposals.extend(carried_actions(context))
    return proposals


def _number(value) -> str:
    text = f"{value:f}".rstrip("0").rstrip(".") if "." in f"{value:f}" else f"{value:f}"
    return text


def _short(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
