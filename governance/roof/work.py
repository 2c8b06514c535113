"""What is due from whom, gathered from every app: the supplier's work queue across the
organisations it serves, and a client user's "My work" in one organisation.

Reads only, inside the caller's scope. Each kind of item is one query whatever the number of
contracts, so the pages cost the same at one contract as at forty.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.urls import reverse
from django.utils.translation import gettext as _

from audits.models import Audit, AuditProgramme, CorrectiveAction, Finding
from complaints.models import OPEN_STATUSES, Complaint
from complaints.models import Status as ComplaintStatus
from contracts.models import Contract, SLAReport
from contracts.reporting import REPORTING, Step, on_time_rates, periods_due
from governance.platform.access import Access
from governance.platform.charts import Series, line_chart
from governance.platform.models import Organisation, Supplier
from meetings.models import SIP, ActionItem, AgendaItem, Meeting, SIPMilestone
from meetings.models import Side as MeetingSide
from simulations.models import Action as ExerciseAction
from simulations.models import OwnerSide as ExerciseOwnerSide

# From this month on a contract without next year's audit programme awaits the supplier's
# proposal (the client plans the year ahead in the last quarter).
PROGRAMME_PROPOSAL_FROM_MONTH = 10


@dataclass(frozen=True)
class WorkItem:
    """One thing someone has to do, with its deadline and where to do it."""

    kind: str
    title: str
    due: date | None
    link: str
    organisation: str = ""
    contract: str = ""
    detail: str = ""
    overdue: bool = False


def _sorted(items: list[WorkItem]) -> list[WorkItem]:
    """By due date, the undated last; overdue items come first by their date."""
    return sorted(items, key=lambda i: (i.due is None, i.due or date.max, i.kind, i.title))


# --- the supplier's queue ---------------------------------------------------------------------


def supplier_contracts(*, supplier: Supplier, organisations: list[Organisation]) -> list[Contract]:
    """The supplier's contracts in the organisations it reaches (call inside a scope of those
    organisations and this supplier)."""
    return list(
        Contract.objects.filter(supplier=supplier, organisation__in=organisations)
        .select_related("organisation", "supplier")
        .order_by("organisation__name", "reference")
    )


def supplier_queue(*, supplier: Supplier, contracts: list[Contract], today: date) -> list[WorkItem]:
    """Everything due from the supplier on `contracts`, sorted by due date."""
    ids = [c.pk for c in contracts]
    items = []
    for period in periods_due(contracts=contracts, today=today):
        contract = period.contract
        label = {
            Step.DUE: _("SLA report due"),
            Step.LATE: _("SLA report late"),
            Step.MISSED: _("SLA report missing"),
        }[period.step]
        items.append(
            WorkItem(
                kind=label,
                title=period.period_label,
                due=period.closes if period.step == Step.DUE else period.late_until,
                link=reverse(
                    "contracts:report_upload", args=[contract.organisation.slug, contract.pk]
                ),
                organisation=contract.organisation.name,
                contract=contract.reference,
                detail=_("window %(opens)s – %(closes)s, late reports until %(limit)s")
                % {
                    "opens": period.opens.isoformat(),
                    "closes": period.closes.isoformat(),
                    "limit": period.late_until.isoformat(),
                },
                overdue=period.overdue,
            )
        )
    disputed = (
        SLAReport.objects.filter(
            contract__in=ids, is_current=True, status=SLAReport.Status.DISPUTED
        )
        .select_related("contract", "contract__organisation")
        .defer("source_file")
    )
    for report in disputed:
        contract = report.contract
        items.append(
            WorkItem(
                kind=_("Disputed report: correct or appeal"),
                title=report.period_label,
                due=contract.late_report_limit(report.period_end),
                link=reverse(
                    "contracts:report_detail", args=[contract.organisation.slug, report.pk]
                ),
                organisation=contract.organisation.name,
                contract=contract.reference,
                overdue=contract.late_report_limit(report.period_end) < today,
            )
        )
    complaints = Complaint.objects.filter(
        assigned_supplier=supplier,
        organisation__in={c.organisation_id for c in contracts},
        status__in=OPEN_STATUSES,
    ).select_related("organisation")
    items += [
        _complaint_item(complaint, complaint.organisation, today, organisation_name=True)
        for complaint in complaints
    ]
    actions = (
        CorrectiveAction.objects.filter(
            finding__audit__contract__in=ids,
            owner_side__in=[CorrectiveAction.OwnerSide.SUPPLIER, CorrectiveAction.OwnerSide.JOINT],
        )
        .exclude(status__in=CorrectiveAction.FINISHED)
        .exclude(finding__status=Finding.Status.CLOSED)
        .select_related("finding", "finding__audit__contract__organisation")
    )
    for action in actions:
        contract = action.finding.audit.contract
        items.append(
            WorkItem(
                kind=_("Corrective action"),
                title=action.finding.title,
                due=action.due_date,
                link=reverse(
                    "audits:finding_detail", args=[contract.organisation.slug, action.finding_id]
                ),
                organisation=contract.organisation.name,
                contract=contract.reference,
                detail=action.description[:120],
                overdue=action.due_date < today,
            )
        )
    prereads = AgendaItem.objects.filter(
        meeting__series__contract__in=ids,
        needs_preparation=True,
        client_only=False,
        supplier_results="",
        meeting__status__in=[Meeting.Status.PLANNED, Meeting.Status.PUBLISHED],
        meeting__starts_at__date__gte=today,
    ).select_related("meeting", "meeting__series__contract__organisation")
    for item in prereads:
        contract = item.meeting.series.contract
        due = item.prep_due or item.meeting.starts_at.date()
        items.append(
            WorkItem(
                kind=_("Pre-read due"),
                title=item.display_title,
                due=due,
                link=reverse(
                    "meetings:meeting_detail", args=[contract.organisation.slug, item.meeting_id]
                ),
                organisation=contract.organisation.name,
                contract=contract.reference,
                detail=item.meeting.series.title,
                overdue=due < today,
            )
        )
    audits = Audit.objects.filter(
        contract__in=ids,
        audit_type__in=Audit.SUPPLIER_TYPES,
        status__in=[Audit.Status.PLANNED, Audit.Status.IN_PROGRESS],
    ).select_related("contract__organisation")
    for audit in audits:
        contract = audit.contract
        kind = (
            _("Shared audit report expected")
            if audit.audit_type == Audit.Type.SHARED_REPORT
            else _("Audit by your QA expected")
        )
        items.append(
            WorkItem(
                kind=kind,
                title=audit.display_title,
                due=audit.planned_date,
                link=reverse("audits:audit_detail", args=[contract.organisation.slug, audit.pk]),
                organisation=contract.organisation.name,
                contract=contract.reference,
                overdue=audit.planned_date < today,
            )
        )
    if today.month >= PROGRAMME_PROPOSAL_FROM_MONTH:
        planned = set(
            AuditProgramme.objects.filter(contract__in=ids, year=today.year + 1).values_list(
                "contract_id", flat=True
            )
        )
        for contract in contracts:
            if contract.status in REPORTING and contract.pk not in planned:
                items.append(
                    WorkItem(
                        kind=_("Audit programme to propose"),
                        title=str(today.year + 1),
                        due=date(today.year, 12, 31),
                        link=reverse("audits:audit_list", args=[contract.organisation.slug]),
                        organisation=contract.organisation.name,
                        contract=contract.reference,
                    )
                )
    return _sorted(items)


def supplier_rates(*, contracts: list[Contract], today: date, months: int = 12) -> dict:
    """The supplier's on-time reporting rate per client organisation and per month."""
    rates = on_time_rates(contracts=contracts, today=today, months=months)
    organisations = {c.organisation_id: c.organisation for c in contracts}
    rates["per_organisation"] = [
        (organisations[pk], rates["organisations"][pk])
        for pk in sorted(organisations, key=lambda pk: organisations[pk].name)
    ]
    return rates


# --- a client user's work ---------------------------------------------------------------------


def my_work(*, access: Access, user, today: date) -> list[WorkItem]:
    """What `user` owns or has to review in the organisation, sorted by due date."""
    organisation = access.organisation
    slug = organisation.slug
    items = []
    actions = (
        CorrectiveAction.objects.filter(organisation=organisation, client_owner=user)
        .exclude(status__in=CorrectiveAction.FINISHED)
        .exclude(finding__status=Finding.Status.CLOSED)
        .select_related("finding", "finding__audit__contract")
    )
    for action in actions:
        items.append(
            WorkItem(
                kind=_("Corrective action"),
                title=action.finding.title,
                due=action.due_date,
                link=reverse("audits:finding_detail", args=[slug, action.finding_id]),
                contract=action.finding.audit.contract.reference,
                detail=action.description[:120],
                overdue=action.due_date < today,
            )
        )
    # Meeting actions name their owner as typed in the minutes: the user's full name or e-mail.
    names = {n for n in (user.get_full_name().strip(), user.email, user.get_username()) if n}
    meeting_actions = (
        ActionItem.objects.filter(
            organisation=organisation,
            owner_side=MeetingSide.CLIENT,
            owner_name__in=names,
        )
        .exclude(status__in=ActionItem.FINISHED)
        .select_related("series", "series__contract")
    )
    for action in meeting_actions:
        items.append(
            WorkItem(
                kind=_("Meeting action"),
                title=action.title,
                due=action.due_date,
                link=reverse("meetings:meeting_detail", args=[slug, action.meeting_id]),
                contract=action.series.contract.reference if action.series.contract else "",
                detail=action.series.title,
                overdue=action.due_date < today,
            )
        )
    # An exercise's actions name a side, not a person: the client's fall to those who run
    # exercises.
    if access.may("simulations.manage"):
        exercise_actions = ExerciseAction.objects.filter(
            organisation=organisation,
            done=False,
            owner_side__in=[ExerciseOwnerSide.CLIENT, ExerciseOwnerSide.JOINT],
        ).select_related("exercise", "exercise__chain__contract")
        for action in exercise_actions:
            items.append(
                WorkItem(
                    kind=_("Exercise action"),
                    title=action.action[:120],
                    due=action.due,
                    link=reverse("simulations:exercise_detail", args=[slug, action.exercise_id]),
                    contract=action.exercise.chain.contract.reference,
                    detail=action.exercise.title,
                    overdue=action.due is not None and action.due < today,
                )
            )
    milestones = SIPMilestone.objects.filter(
        organisation=organisation,
        sip__client_owner=user,
        done=False,
        sip__status__in=[SIP.Status.DRAFT, SIP.Status.ACTIVE],
    ).select_related("sip", "sip__contract")
    for milestone in milestones:
        items.append(
            WorkItem(
                kind=_("SIP milestone"),
                title=milestone.title,
                due=milestone.due_date,
                link=reverse("meetings:sip_detail", args=[slug, milestone.sip_id]),
                contract=milestone.sip.contract.reference,
                detail=milestone.sip.title,
                overdue=milestone.due_date < today,
            )
        )
    complaints = Complaint.objects.filter(
        organisation=organisation, assigned_user=user, status__in=OPEN_STATUSES
    )
    items += [_complaint_item(complaint, organisation, today) for complaint in complaints]
    if access.may("sla.review"):
        reports = (
            SLAReport.objects.filter(
                organisation=organisation,
                is_current=True,
                status__in=SLAReport.AWAITING_REVIEW,
            )
            .select_related("contract")
            .defer("source_file")
        )
        for report in reports:
            # A review is due by the end of the report window (or when it arrived, if later).
            due = report.contract.report_window(report.period_end)[1]
            items.append(
                WorkItem(
                    kind=_("SLA report to review"),
                    title=report.period_label,
                    due=due,
                    link=reverse("contracts:report_detail", args=[slug, report.pk]),
                    contract=report.contract.reference,
                    detail=report.get_status_display(),
                    overdue=due < today,
                )
            )
    return _sorted(items)


def trend_chart(trend: list) -> str:
    """The monthly on-time rate as a line chart (months without a period due left empty)."""
    return line_chart(
        x_labels=[f"{month:%Y-%m}" for month, _rate in trend],
        series=[Series(_("Reports on time"), [rate.percent for _month, rate in trend])],
        y_min=0,
        y_max=100,
        unit="%",
        title=_("Reports on time per month"),
    )


def _complaint_item(complaint, organisation, today, *, organisation_name=False) -> WorkItem:
    """A complaint assigned to the reader, due at its next deadline (acknowledge, resolve)."""
    due = (
        complaint.acknowledge_due
        if complaint.status == ComplaintStatus.RECEIVED
        else complaint.resolve_due
    )
    return WorkItem(
        kind=_("Complaint assigned to you"),
        title=complaint.reference,
        due=due,
        link=reverse("complaints:complaint_detail", args=[organisation.slug, complaint.pk]),
        organisation=organisation.name if organisation_name else "",
        detail=complaint.get_status_display(),
        overdue=due < today,
    )
