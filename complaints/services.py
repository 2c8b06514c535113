"""Writes of the complaint procedure: `<entity>_<verb>(*, …)`, validated, in one transaction,
e-mail through the outbox (so a request never waits for, or fails on, the broker)."""

from __future__ import annotations

import logging
import secrets
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from complaints import analysis, permissions, selectors
from complaints.models import (
    Attachment,
    Category,
    Complaint,
    ComplaintEvent,
    ComplaintSettings,
    EventKind,
    ImprovementProposal,
    ProposalStatus,
    ReferenceCounter,
    RegisterReport,
    Status,
    Verdict,
)
from complaints.uploads import CheckedFile
from contracts import selectors as contract_selectors
from governance.platform import service_links
from governance.platform.access import Access, system_access
from governance.platform.links import public_base_url
from governance.platform.models import Organisation, Supplier, SupplierMembership
from governance.platform.outbox import outbox_enqueue
from governance.platform.tasking import enqueue
from governance.platform.webhooks import Event, webhook_emit
from governance.platform.workdays import add_working_days

logger = logging.getLogger(__name__)

DEFAULT_CATEGORIES = [
    ("Bereikbaarheid", "Reachability"),
    ("Wachttijd", "Waiting time"),
    ("Oplossing", "Solution"),
    ("Bejegening", "Treatment by staff"),
    ("Communicatie", "Communication"),
    ("Anders", "Other"),
]


def tracking_url(complaint: Complaint, base_url: str | None = None) -> str:
    path = reverse("complaints_public:track", kwargs={"token": complaint.token})
    return (base_url or public_base_url()).rstrip("/") + path


# --- settings and categories ---------------------------------------------------------------


def complaint_intake_prepare(*, organisation: Organisation) -> None:
    """Give an organisation that never configured its procedure the default categories, so the
    public form always has something to choose (idempotent)."""
    if Category.objects.filter(organisation=organisation).exists():
        return
    for position, (name_nl, name_en) in enumerate(DEFAULT_CATEGORIES):
        Category.objects.get_or_create(
            organisation=organisation,
            name_nl=name_nl,
            defaults={"name_en": name_en, "position": position},
        )


def complaint_settings_update(*, access: Access, **fields) -> ComplaintSettings:
    """Change the organisation's procedure settings (managers only)."""
    access.require(access.may("complaints.manage") and not access.is_supplier)
    procedure = selectors.settings_for(organisation=access.organisation)
    for name, value in fields.items():
        setattr(procedure, name, value)
    procedure.full_clean()
    procedure.save()
    return procedure


def category_create(*, access: Access, name_nl: str, name_en: str) -> Category:
    access.require(access.may("complaints.manage") and not access.is_supplier)
    count = Category.objects.filter(organisation=access.organisation).count()
    category = Category(
        organisation=access.organisation, name_nl=name_nl, name_en=name_en, position=count
    )
    category.full_clean()
    category.save()
    return category


def category_toggle(*, access: Access, category: Category) -> Category:
    access.require(access.may("complaints.manage") and not access.is_supplier)
    category.active = not category.active
    category.save(update_fields=["active"])
    return category


# --- registration --------------------------------------------------------------------------


def next_reference(*, organisation: Organisation, year: int) -> str:
    """The next reference of the organisation in `year`, e.g. KL-2026-000123.

    One statement creates the year's counter or increments it and returns the new number. The
    upsert locks the counter row until the caller's transaction ends (PostgreSQL; SQLite locks
    the database): two submissions at the same moment get consecutive numbers, never the same
    one (the unique constraint on (organisation, reference) is the net)."""
    table = connection.ops.quote_name(ReferenceCounter._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (organisation_id, year, last) VALUES (%s, %s, 1) "  # noqa: S608
            f"ON CONFLICT (organisation_id, year) DO UPDATE SET last = {table}.last + 1 "
            "RETURNING last",
            [organisation.pk, year],
        )
        (last,) = cursor.fetchone()
    return f"KL-{year}-{last:06d}"


def deadlines(
    *, organisation: Organisation, received_at: datetime, procedure: ComplaintSettings | None = None
) -> tuple[date, date]:
    """(acknowledge by, resolve by): working days after the day of receipt, counted in the
    organisation's time zone across weekends and Dutch public holidays. `procedure` is the
    organisation's complaint settings when the caller has read them already."""
    procedure = procedure or selectors.settings_for(organisation=organisation)
    day = analysis.local_date(received_at, organisation.time_zone)
    return (
        add_working_days(day, procedure.acknowledge_days),
        add_working_days(day, procedure.resolve_days),
    )


def _event(complaint, kind, *, party, actor=None, text="", from_status="", to_status="", at=None):
    event = ComplaintEvent(
        organisation_id=complaint.organisation_id,
        complaint=complaint,
        kind=kind,
        at=at or timezone.now(),
        actor_id=getattr(actor, "pk", actor),
        party=party,
        text=text,
        from_status=from_status,
        to_status=to_status,
    )
    # The complaint (and so its organisation) is a stored row in hand: no query to prove it.
    event.full_clean(exclude=["complaint", "organisation"])
    event.save()
    return event


def _mail_complainant(complaint: Complaint, template: str, context: dict, base_url=None):
    """Mail the complainant when it left an address (in its own language)."""
    if not complaint.email:
        return
    with translation.override(complaint.language):
        context = {
            "complaint": complaint,
            "tracking_url": tracking_url(complaint, base_url),
            "organisation": complaint.organisation,
            **context,
        }
        subject = render_to_string(f"complaints/email/{template}_subject.txt", context)
        text = render_to_string(f"complaints/email/{template}.txt", context)
    outbox_enqueue(
        to=[complaint.email],
        subject=" ".join(subject.split()),
        text=text,
        organisation=complaint.organisation,
    )


@transaction.atomic
def complaint_register(
    *,
    organisation: Organisation,
    category: Category,
    description: str,
    occurred_at: datetime,
    channel: str,
    impact: str,
    service=None,
    name: str = "",
    email: str = "",
    phone: str = "",
    consent_to_contact: bool = False,
    attachments: list[CheckedFile] = (),
    language: str = "nl",
    now: datetime | None = None,
    base_url: str | None = None,
    procedure: ComplaintSettings | None = None,
) -> Complaint:
    """File a complaint from the public form or API: reference, tracking token, deadlines,
    the window check, attachments, the first timeline entry and the acknowledgement e-mail —
    all or nothing."""
    now = now or timezone.now()
    acknowledge_due, resolve_due = deadlines(
        organisation=organisation, received_at=now, procedure=procedure
    )
    complaint = Complaint(
        organisation=organisation,
        reference="pending",
        token=secrets.token_urlsafe(24),
        service=service,
        category=category,
        description=description.strip(),
        occurred_at=occurred_at,
        channel=channel,
        impact=impact,
        name=name.strip(),
        email=email.strip(),
        phone=phone.strip(),
        consent_to_contact=consent_to_contact,
        language=language if language in ("nl", "en") else "nl",
        outside_window=(
            None
            if service is None
            else not contract_selectors.service_is_open(
                service=service, at=occurred_at, time_zone=organisation.time_zone
            )
        ),
        received_at=now,
        acknowledge_due=acknowledge_due,
        resolve_due=resolve_due,
    )
    # The organisation, service and category come in as rows the caller read within the
    # organisation (the form's and the API's choices), and a fresh random token cannot clash:
    # checking them again would cost the public form a query each. The database constraints
    # remain the net; clean() still checks that the service belongs to the organisation.
    complaint.full_clean(
        exclude=["reference", "organisation", "service", "category", "token"],
        validate_constraints=False,
    )
    complaint.reference = next_reference(
        organisation=organisation, year=analysis.local_date(now, organisation.time_zone).year
    )
    complaint.save()
    for checked in attachments:
        Attachment.objects.create(
            organisation=organisation,
            complaint=complaint,
            filename=checked.filename,
            mime_type=checked.mime_type,
            size=len(checked.content),
            content=checked.content,
        )
    _event(complaint, EventKind.RECEIVED, party="complainant", to_status=Status.RECEIVED, at=now)
    _mail_complainant(complaint, "received", {}, base_url)
    return complaint


# --- the procedure -------------------------------------------------------------------------

# status → the statuses it may move to
TRANSITIONS = {
    Status.RECEIVED: {Status.ACKNOWLEDGED, Status.IN_PROGRESS, Status.RESOLVED, Status.REJECTED},
    Status.ACKNOWLEDGED: {Status.IN_PROGRESS, Status.RESOLVED, Status.REJECTED},
    Status.IN_PROGRESS: {Status.RESOLVED, Status.REJECTED},
    Status.REOPENED: {Status.IN_PROGRESS, Status.RESOLVED, Status.REJECTED},
    Status.RESOLVED: {Status.CLOSED, Status.REOPENED},
    Status.CLOSED: {Status.REOPENED},
    Status.REJECTED: {Status.REOPENED},
}


def _party(access: Access | None) -> str:
    if access is None or access.is_system:
        return "system"
    return "supplier" if access.is_supplier else "client"


@transaction.atomic
def complaint_transition(
    *,
    access: Access,
    complaint: Complaint,
    to: str,
    text: str = "",
    now: datetime | None = None,
    base_url: str | None = None,
) -> Complaint:
    """Move the complaint along the procedure. `text` is the resolution (resolved), the reason
    (rejected, reopened) or an optional remark. Refused moves raise ValidationError; moves the
    user may not make raise PermissionDenied."""
    access.require(permissions.may_transition(access, complaint, to))
    now = now or timezone.now()
    complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
    if to not in TRANSITIONS.get(complaint.status, set()):
        raise ValidationError(
            _("A complaint that is %(current)s cannot become %(next)s.")
            % {"current": complaint.get_status_display(), "next": Status(to).label}
        )
    text = (text or "").strip()
    if to in (Status.RESOLVED, Status.REJECTED, Status.REOPENED) and not text:
        field = {
            Status.RESOLVED: _("Describe the resolution for the complainant."),
            Status.REJECTED: _("Say why this is not a complaint."),
            Status.REOPENED: _("Say why the complaint is reopened."),
        }[to]
        raise ValidationError({"text": field})
    today = analysis.local_date(now, complaint.organisation.time_zone)
    previous = complaint.status
    complaint.status = to
    if to == Status.ACKNOWLEDGED or (
        to in (Status.IN_PROGRESS, Status.RESOLVED, Status.REJECTED)
        and complaint.acknowledged_at is None
    ):
        complaint.acknowledged_at = now
        complaint.acknowledged_on_time = today <= complaint.acknowledge_due
    if to == Status.RESOLVED:
        complaint.resolution = text
        complaint.resolved_at = now
        complaint.resolved_on_time = today <= complaint.resolve_due
    if to == Status.REJECTED:
        complaint.rejection_reason = text
    if to == Status.CLOSED:
        complaint.closed_at = now
    if to == Status.REOPENED:
        # A reopened complaint gets a fresh resolve deadline from today.
        procedure = selectors.settings_for(organisation=complaint.organisation)
        complaint.resolve_due = add_working_days(today, procedure.resolve_days)
        complaint.resolved_at = complaint.closed_at = None
        complaint.resolved_on_time = None
        complaint.reminded_for = ""
    complaint.full_clean()
    complaint.save()
    _event(
        complaint,
        EventKind.STATUS,
        party=_party(access),
        actor=access.user_id,
        text=text,
        from_status=previous,
        to_status=to,
        at=now,
    )
    if to in (Status.ACKNOWLEDGED, Status.RESOLVED, Status.REJECTED):
        # The resolved mail is the one request for the complainant's verdict (tracking page).
        _mail_complainant(complaint, to, {"text": text}, base_url)
    return complaint


@transaction.atomic
def complaint_assign(
    *, access: Access, complaint: Complaint, user=None, supplier: Supplier | None = None
) -> Complaint:
    """Assign the complaint to one of the client's team members or to a supplier engaged by the
    organisation (or to nobody)."""
    access.require(permissions.may_assign(access))
    if user is not None and supplier is not None:
        raise ValidationError(_("Assign to a team member or to a supplier, not both."))
    if (
        user is not None
        and not selectors.team_members(organisation=access.organisation).filter(pk=user.pk).exists()
    ):
        raise ValidationError({"assigned_user": _("Choose a member of the organisation.")})
    if (
        supplier is not None
        and not contract_selectors.supplier_list(access=access).filter(pk=supplier.pk).exists()
    ):
        raise ValidationError({"assigned_supplier": _("Choose a supplier of the organisation.")})
    complaint.assigned_user = user
    complaint.assigned_supplier = supplier
    complaint.reminded_for = ""
    complaint.full_clean()
    complaint.save(update_fields=["assigned_user", "assigned_supplier", "reminded_for"])
    if supplier is not None:
        _announce_assigned(complaint, supplier)
    if user is not None:
        label = user.get_full_name() or user.email
    elif supplier is not None:
        label = supplier.name
    else:
        label = ""  # assigned to nobody: the page says so in the reader's language
    _event(
        complaint,
        EventKind.ASSIGNED,
        party=_party(access),
        actor=access.user_id,
        text=label,
    )
    return complaint


def _announce_assigned(complaint: Complaint, supplier: Supplier) -> None:
    """The assignment as a webhook event, without the complainant's personal data."""
    path = reverse(
        "complaints:complaint_detail",
        kwargs={"org_slug": complaint.organisation.slug, "pk": complaint.pk},
    )
    webhook_emit(
        organisation=complaint.organisation,
        event=Event.COMPLAINT_ASSIGNED,
        supplier_id=supplier.pk,
        data={
            "complaint": complaint.pk,
            "reference": complaint.reference,
            "service": complaint.service.name if complaint.service_id else None,
            "acknowledge_due": complaint.acknowledge_due,
            "resolve_due": complaint.resolve_due,
            "url": public_base_url() + path,
        },
    )


def complaint_note_add(*, access: Access, complaint: Complaint, text: str) -> ComplaintEvent:
    """An internal note: the client's team only."""
    access.require(permissions.may_add_note(access))
    if not text.strip():
        raise ValidationError({"text": _("Write the note.")})
    return _event(
        complaint, EventKind.NOTE, party="client", actor=access.user_id, text=text.strip()
    )


@transaction.atomic
def complaint_message_send(
    *, access: Access, complaint: Complaint, text: str, base_url: str | None = None
) -> ComplaintEvent:
    """A message to the complainant: on the tracking page, and by e-mail when an address was
    left (the handler never needs to see the address for it)."""
    access.require(permissions.may_message(access, complaint))
    if not text.strip():
        raise ValidationError({"text": _("Write the message.")})
    event = _event(
        complaint, EventKind.MESSAGE, party=_party(access), actor=access.user_id, text=text.strip()
    )
    _mail_complainant(complaint, "message", {"text": text.strip()}, base_url)
    return event


@transaction.atomic
def verdict_submit(
    *,
    complaint: Complaint,
    resolved_for_me: bool,
    handling_score: int,
    kept_informed: int | None = None,
    comment: str = "",
    now: datetime | None = None,
) -> Verdict:
    """The complainant's verdict, once per complaint, after resolution. It changes nothing in
    the procedure: a closed complaint stays closed even when it was not resolved for them."""
    if complaint.status not in (Status.RESOLVED, Status.CLOSED):
        raise ValidationError(_("A verdict can be given once the complaint has been resolved."))
    if Verdict.objects.filter(complaint=complaint).exists():
        raise ValidationError(_("A verdict has already been given for this complaint."))
    now = now or timezone.now()
    verdict = Verdict(
        organisation_id=complaint.organisation_id,
        complaint=complaint,
        resolved_for_me=resolved_for_me,
        handling_score=handling_score,
        kept_informed=kept_informed,
        comment=(comment or "").strip(),
        given_at=now,
    )
    verdict.full_clean()
    verdict.save()
    answer = _("resolved") if resolved_for_me else _("not resolved")
    _event(
        complaint,
        EventKind.VERDICT,
        party="complainant",
        text=f"{answer} · {handling_score}/5",
        at=now,
    )
    return verdict


# --- deadlines -----------------------------------------------------------------------------


def complaint_reminders_send(*, organisation: Organisation, now: datetime | None = None) -> int:
    """Remind whoever holds each overdue complaint (the assignee, else the contract managers),
    once per overdue step. Returns the number of complaints reminded."""
    now = now or timezone.now()
    today = analysis.local_date(now, organisation.time_zone)
    managers = selectors.manager_emails(organisation=organisation)
    sent = 0
    overdue = selectors.complaint_list(
        access=system_access(organisation), overdue=True, today=today
    ).select_related("organisation")
    for complaint in overdue:
        step = complaint.overdue_step(today)
        if not step or complaint.reminded_for == step:
            continue
        with transaction.atomic():
            recipients = _reminder_recipients(complaint) or managers
            if recipients:
                with translation.override(organisation.default_language):
                    context = {
                        "complaint": complaint,
                        "step": step,
                        "url": public_base_url()
                        + reverse(
                            "complaints:complaint_detail",
                            kwargs={"org_slug": organisation.slug, "pk": complaint.pk},
                        ),
                    }
                    subject = render_to_string("complaints/email/reminder_subject.txt", context)
                    text = render_to_string("complaints/email/reminder.txt", context)
                outbox_enqueue(
                    to=recipients,
                    subject=" ".join(subject.split()),
                    text=text,
                    organisation=organisation,
                )
            complaint.reminded_for = step
            complaint.save(update_fields=["reminded_for"])
            _event(complaint, EventKind.REMINDER, party="system", text=step, at=now)
            sent += 1
    return sent


def _reminder_recipients(complaint: Complaint) -> list[str]:
    if complaint.assigned_user is not None and complaint.assigned_user.email:
        return [complaint.assigned_user.email]
    if complaint.assigned_supplier_id:
        return sorted(
            SupplierMembership.objects.filter(supplier_id=complaint.assigned_supplier_id)
            .exclude(user__email="")
            .values_list("user__email", flat=True)
        )
    return []


# --- improvement proposals -----------------------------------------------------------------


def extension_case_for(
    *,
    access: Access,
    service,
    weekdays: list[int],
    opens: time,
    closes: time,
    staff: int,
    period_start: date,
    period_end: date,
    hourly_rate: Decimal | None = None,
) -> analysis.ExtensionCase:
    """The cost case of opening `service` on `weekdays` from `opens` to `closes`, judged on the
    complaints about it in the period."""
    rate = (
        hourly_rate
        if hourly_rate is not None
        else selectors.settings_for(organisation=access.organisation).hourly_rate
    )
    candidate = [analysis.Interval(day, opens, closes) for day in sorted(set(weekdays))]
    current = [analysis.Interval(h.weekday, h.opens, h.closes) for h in service.opening_hours.all()]
    estimate = _contacts_in(
        access=access, service=service, extra=analysis.extra_intervals(current, candidate)
    )
    return analysis.extension_case(
        occurred=selectors.service_occurrences(
            access=access, service_id=service.pk, since=period_start, until=period_end
        ),
        current=current,
        candidate=candidate,
        open_on_holidays=service.open_on_holidays,
        time_zone=access.organisation.time_zone,
        staff=staff,
        hourly_rate=rate,
        period_days=(period_end - period_start).days + 1,
        contacts_per_week=(
            Decimal(str(estimate.contacts_per_week)) if estimate is not None else None
        ),
        contacts_source=estimate.source if estimate is not None else "",
        contacts_link=estimate.link if estimate is not None else "",
    )


def _contacts_in(*, access: Access, service, extra: list[analysis.Interval]):
    """The contacts a simulation model (through governance.platform.service_links) expects per
    week in the extra hours, summed over their stretches; None when there are no extra hours, when
    no model answers for every stretch, or when a model fails (the case stands without it)."""
    # One question per stretch of the day, for all weekdays that share it (usually one).
    stretches: dict[tuple[time, time], list[int]] = {}
    for part in extra:
        stretches.setdefault((part.opens, part.closes), []).append(part.weekday)
    if not stretches:
        return None
    total, first = 0.0, None
    for (opens, closes), days in stretches.items():
        try:
            with transaction.atomic():  # a failing provider must not break our transaction
                estimate = service_links.estimated_contacts(
                    access=access,
                    service_id=service.pk,
                    weekdays=sorted(days),
                    opens=opens,
                    closes=closes,
                )
        except Exception:  # noqa: BLE001 - another app's model; the complaints case stands
            logger.exception("Contact estimate for service %s failed", service.pk)
            return None
        if estimate is None:
            return None
        total += estimate.contacts_per_week
        first = first or estimate
    return service_links.ContactEstimate(
        contacts_per_week=total, source=first.source, link=first.link
    )


@transaction.atomic
def proposal_create(
    *,
    access: Access,
    service,
    title: str,
    weekdays: list[int],
    opens: time,
    closes: time,
    staff: int,
    period_start: date,
    period_end: date,
    benefit: str = "",
) -> ImprovementProposal:
    """Save an extension case as an improvement proposal, with its figures frozen."""
    access.require(permissions.may_propose(access))
    if service.organisation_id != access.organisation.pk:
        raise ValidationError({"service": _("Choose one of this organisation's services.")})
    rate = selectors.settings_for(organisation=access.organisation).hourly_rate
    proposal = ImprovementProposal(
        organisation=access.organisation,
        service=service,
        title=title.strip(),
        weekdays=sorted(set(weekdays)),
        opens=opens,
        closes=closes,
        staff=staff,
        period_start=period_start,
        period_end=period_end,
        benefit=benefit.strip(),
        hourly_rate=rate,
        created_by_id=access.user_id,
        complaints_total=0,
        complaints_outside=0,
        complaints_avoided=0,
        extra_hours_per_week=Decimal("0"),
        annual_cost=Decimal("0"),
        avoided_per_year=Decimal("0"),
    )
    proposal.full_clean()
    case = extension_case_for(
        access=access,
        service=service,
        weekdays=proposal.weekdays,
        opens=opens,
        closes=closes,
        staff=staff,
        period_start=period_start,
        period_end=period_end,
        hourly_rate=rate,
    )
    proposal.complaints_total = case.complaints_total
    proposal.complaints_outside = case.complaints_outside
    proposal.complaints_avoided = case.complaints_avoided
    proposal.extra_hours_per_week = case.extra_hours_per_week
    proposal.annual_cost = case.annual_cost
    proposal.avoided_per_year = case.avoided_per_year
    proposal.cost_per_avoided = case.cost_per_avoided
    proposal.contacts_per_week = case.contacts_per_week
    proposal.cost_per_contact = case.cost_per_contact
    proposal.contacts_source = case.contacts_source[:200]
    proposal.contacts_link = case.contacts_link[:500]
    proposal.full_clean()
    proposal.save()
    return proposal


PROPOSAL_TRANSITIONS = {
    ProposalStatus.PROPOSED: {
        ProposalStatus.ON_AGENDA,
        ProposalStatus.ACCEPTED,
        ProposalStatus.REJECTED,
    },
    ProposalStatus.ON_AGENDA: {ProposalStatus.ACCEPTED, ProposalStatus.REJECTED},
    ProposalStatus.ACCEPTED: set(),
    ProposalStatus.REJECTED: set(),
}


def proposal_decide(
    *, access: Access, proposal: ImprovementProposal, status: str, note: str = ""
) -> ImprovementProposal:
    """Put a proposal on the agenda, or accept or reject it (with the decision's reasoning)."""
    access.require(permissions.may_approve(access))
    if status not in PROPOSAL_TRANSITIONS.get(proposal.status, set()):
        raise ValidationError(
            _("A proposal that is %(current)s cannot become %(next)s.")
            % {"current": proposal.get_status_display(), "next": ProposalStatus(status).label}
        )
    if status in (ProposalStatus.ACCEPTED, ProposalStatus.REJECTED):
        if not note.strip():
            raise ValidationError({"note": _("Record the reasoning of the decision.")})
        proposal.decided_at = timezone.now()
    proposal.status = status
    if note.strip():
        proposal.decision_note = note.strip()
    proposal.full_clean()
    proposal.save()
    return proposal


# --- the register's quarterly PDF -----------------------------------------------------------

# A request still pending after this long lost its task (e.g. the broker was down): ask again.
# A failed rendering is tried again after the same pause, not at every page view.
REGISTER_REPORT_RETRY_AFTER = timedelta(minutes=15)


def register_report_request(
    *, organisation: Organisation, quarter: str, language: str, now: datetime | None = None
) -> RegisterReport | None:
    """Make sure the register PDF of a closed quarter gets rendered: the stored report when it
    exists, else a pending one whose rendering a task does after commit. None when the register
    is not published or the quarter is not one of the closed quarters on offer. Never renders
    itself, so a page may call it."""
    if not selectors.settings_for(organisation=organisation).register_public:
        return None
    now = now or timezone.now()
    today = selectors.local_today(organisation, now)
    if quarter not in selectors.register_report_quarters(organisation=organisation, today=today):
        return None
    language = "en" if language.startswith("en") else "nl"
    start, end = analysis.quarter_bounds(quarter)
    report, created = RegisterReport.objects.defer("pdf").get_or_create(
        organisation=organisation,
        quarter=quarter,
        language=language,
        defaults={"period_start": start, "period_end": end, "requested_at": now},
    )
    if not created:
        stale = report.requested_at < now - REGISTER_REPORT_RETRY_AFTER
        if report.is_ready or not stale:
            return report
        report.state = RegisterReport.State.PENDING
        report.requested_at = now
        report.save(update_fields=["state", "requested_at"])
    report_id, organisation_id = report.pk, organisation.pk
    transaction.on_commit(lambda: _enqueue_register_report(organisation_id, report_id))
    return report


def _enqueue_register_report(organisation_id: int, report_id: int) -> None:
    from complaints.tasks import task_render_register_report

    # When it is lost, the next request after the retry pause asks again.
    enqueue(
        task_render_register_report,
        kwargs={"organisation_id": organisation_id, "report_id": report_id},
        what=f"Register report {report_id}",
    )


def register_report_render(*, report: RegisterReport) -> RegisterReport:
    """Render and store the register PDF (called by the task, never in a request). A failure
    is recorded on the report and raised."""
    from complaints.register_report import register_report_pdf

    try:
        pdf, pages = register_report_pdf(
            organisation=report.organisation,
            quarter=report.quarter,
            period_start=report.period_start,
            period_end=report.period_end,
            language=report.language,
        )
    except Exception as error:
        report.state = RegisterReport.State.FAILED
        report.error = f"{type(error).__name__}: {error}"[:500]
        report.save(update_fields=["state", "error"])
        raise
    report.pdf = pdf
    report.pages = pages
    report.state = RegisterReport.State.READY
    report.rendered_at = timezone.now()
    report.error = ""
    report.save(update_fields=["pdf", "pages", "state", "rendered_at", "error"])
    return report


def register_reports_request_closed(*, organisation: Organisation) -> RegisterReport | None:
    """For the scheduler: the register PDF of the quarter that closed last, in the
    organisation's language, once the register is published."""
    quarters = selectors.register_report_quarters(organisation=organisation)
    return register_report_request(
        organisation=organisation, quarter=quarters[0], language=organisation.default_language
    )
