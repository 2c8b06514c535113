"""Writes of the meetings app: `<entity>_<verb>(*, ...)`, full_clean, save, return the object.
E-mail goes through the outbox inside the caller's transaction; PDFs are rendered by a worker
after commit."""

from __future__ import annotations

import calendar
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from governance.platform.access import Access, system_access
from governance.platform.history import tracked_update
from governance.platform.languages import language_of
from governance.platform.links import public_base_url
from governance.platform.models import SupplierMembership
from governance.platform.outbox import outbox_enqueue
from governance.platform.texts import Said, choice_msgid
from governance.platform.webhooks import Event, webhook_emit
from governance.platform.workdays import add_working_days
from kto import selectors as kto_selectors
from meetings import agenda_order, ical, selectors, sources
from meetings import texts as meeting_texts
from meetings.models import (
    DEFAULT_CADENCE_MONTHS,
    SIP,
    ActionItem,
    AgendaItem,
    Attendance,
    Meeting,
    MeetingDocument,
    MeetingSeries,
    Outcome,
    RequiredRole,
    Side,
    SIPLink,
    SIPMilestone,
    Source,
    default_template,
)
from meetings.preparation import late_sides

DEFAULT_DURATION = timedelta(hours=2)
# Reminders go out this many working days before the preparation deadline (and once only).
REMIND_DAYS_BEFORE = 2


def _local_date(organisation, moment: datetime) -> date:
    return moment.astimezone(ZoneInfo(organisation.time_zone)).date()


def _save(instance):
    instance.full_clean()
    instance.save()
    return instance


# --- series --------------------------------------------------------------------------------


@transaction.atomic
def series_create(
    *,
    access: Access,
    tier: str,
    title: str,
    contract=None,
    cadence_months: int | None = None,
    chair=None,
    agenda_template: list[str] | None = None,
    preparation_days: int = 3,
    escalate_after: int = 2,
    location: str = "",
    required_roles: list[tuple[str, str]] = (),
) -> MeetingSeries:
    """A series for a contract (or the organisation) and tier; the standard agenda of the tier
    unless another is given, and the roles that must attend from each side."""
    series = MeetingSeries(
        organisation=access.organisation,
        contract=contract,
        tier=tier,
        title=title,
        cadence_months=cadence_months or DEFAULT_CADENCE_MONTHS.get(tier, 3),
        chair=chair,
        agenda_template=list(agenda_template) if agenda_template else None,
        preparation_days=preparation_days,
        escalate_after=escalate_after,
        location=location,
    )
    if series.agenda_template is None:
        # The topics are stored text, in the organisation's language.
        with translation.override(access.organisation.default_language):
            series.agenda_template = default_template(tier)
    _save(series)
    series_set_roles(series=series, roles=required_roles)
    return series


@transaction.atomic
def series_update(*, series: MeetingSeries, roles: list[tuple[str, str]] | None = None, **fields):
    """Change the series' settings (and, when given, its required roles)."""
    for name, value in fields.items():
        setattr(series, name, value)
    _save(series)
    if roles is not None:
        series_set_roles(series=series, roles=roles)
    return series


def series_set_roles(*, series: MeetingSeries, roles) -> list[RequiredRole]:
    """Replace the series' required roles by `roles` [(side, role)]."""
    series.required_roles.all().delete()
    created = []
    for side, role in roles:
        created.append(
            _save(
                RequiredRole(
                    organisation=series.organisation, series=series, side=side, role=role.strip()
                )
            )
        )
    return created


def parse_roles(text: str) -> list[tuple[str, str]]:
    """Lines "client: Contract manager" / "supplier: Service manager" → [(side, role)]."""
    roles = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        side, _sep, role = line.partition(":")
        side = side.strip().lower()
        if side not in Side.values or not role.strip():
            raise ValidationError(
                _('Line %(number)s: write "client: role" or "supplier: role".') % {"number": number}
            )
        roles.append((side, role.strip()))
    return roles


# --- meetings ------------------------------------------------------------------------------


def meeting_schedule(
    *, series: MeetingSeries, starts_at: datetime, ends_at: datetime | None = None, location=""
) -> Meeting:
    """Plan a meeting of the series."""
    meeting = Meeting(
        organisation=series.organisation,
        series=series,
        starts_at=starts_at,
        ends_at=ends_at or starts_at + DEFAULT_DURATION,
        location=location or series.location,
    )
    return _save(meeting)


def meeting_schedule_next(*, series: MeetingSeries, after: Meeting) -> Meeting:
    """The next meeting one cadence after `after`: same local time and length."""
    zone = ZoneInfo(series.organisation.time_zone)
    local = after.starts_at.astimezone(zone)
    month_index = local.year * 12 + local.month - 1 + series.cadence_months
    year, month = divmod(month_index, 12)
    day = min(local.day, calendar.monthrange(year, month + 1)[1])
    starts = local.replace(year=year, month=month + 1, day=day)
    return meeting_schedule(
        series=series, starts_at=starts, ends_at=starts + (after.ends_at - after.starts_at)
    )


def meeting_update(*, meeting: Meeting, **fields) -> Meeting:
    """Move or relocate a meeting; a published one's calendar sequence rises so calendars
    update the event. Without an end, the meeting keeps its length."""
    if fields.get("ends_at") is None:
        length = (
            meeting.ends_at - meeting.starts_at
            if meeting.ends_at and meeting.starts_at
            else DEFAULT_DURATION
        )
        fields["ends_at"] = fields.get("starts_at", meeting.starts_at) + length
    for name, value in fields.items():
        setattr(meeting, name, value)
    if meeting.status == Meeting.Status.PUBLISHED and {"starts_at", "ends_at", "location"} & set(
        fields
    ):
        meeting.ical_sequence += 1
    return _save(meeting)


def previous_meeting(*, meeting: Meeting) -> Meeting | None:
    """The latest held meeting of the series before this one."""
    return (
        Meeting.objects.filter(
            series=meeting.series,
            starts_at__lt=meeting.starts_at,
            status__in=[Meeting.Status.HELD, Meeting.Status.APPROVED],
        )
        .order_by("-starts_at")
        .first()
    )


@transaction.atomic
def agenda_generate(*, meeting: Meeting, today: date | None = None) -> list[AgendaItem]:
    """Fill the agenda from the standard topics and the data routed to the series' tier, plus
    the open actions of earlier meetings and what lower tiers escalated. Regenerating updates
    items with the same data key (keeping their preparation) and adds new ones; an item that
    stood unresolved at the previous meeting continues its streak."""
    if meeting.is_past:
        raise ValidationError(_("The agenda of a held meeting cannot be regenerated."))
    organisation = meeting.organisation
    today = today or timezone.localdate()
    series = meeting.series
    context = sources.Context(
        access=system_access(organisation), series=series, meeting=meeting, today=today
    )
    # Items are stored text: written in the organisation's language, whoever generates them.
    with translation.override(organisation.default_language):
        proposals = sources.proposals_for(context)
    previous = previous_meeting(meeting=meeting)
    previous_items = (
        {i.key: i for i in previous.items.exclude(key="")} if previous is not None else {}
    )
    prep_due = add_working_days(
        _local_date(organisation, meeting.starts_at), -series.preparation_days
    )
    existing = {i.key: i for i in meeting.items.exclude(key="")}
    position = 0
    items = []
    if not meeting.items.filter(source=Source.TEMPLATE).exists():
        for topic in series.agenda_template:
            position += 10
            # A standard topic in the default wording reads in each reader's language.
            msgid = agenda_order.topic_msgid(topic)
            items.append(
                _save(
                    AgendaItem(
                        organisation=organisation,
                        meeting=meeting,
                        position=position,
                        title=topic,
                        text_key=meeting_texts.TOPIC if msgid else "",
                        text_params={"topic": msgid} if msgid else {},
                        source=Source.TEMPLATE,
                    )
                )
            )
    position = (meeting.items.aggregate(last=Max("position"))["last"] or position) + 10
    for proposal in proposals:
        before = previous_items.get(proposal.key)
        streak = before.streak + 1 if before is not None and not before.resolved else 1
        item = existing.get(proposal.key)
        if item is None:
            item = AgendaItem(
                organisation=organisation, meeting=meeting, position=position, key=proposal.key
            )
            position += 10
        _write_text(item, proposal)
        item.source = proposal.source
        item.link = proposal.link[:500]
        item.client_only = proposal.client_only
        item.needs_preparation = proposal.needs_preparation
        item.prep_due = prep_due if proposal.needs_preparation else None
        item.streak = streak
        item.escalated_from_id = proposal.escalated_from_id
        items.append(_save(item))
        existing[proposal.key] = item
    agenda_order.arrange_positions(meeting=meeting)
    meeting.agenda_generated_at = timezone.now()
    meeting.save(update_fields=["agenda_generated_at"])
    return items


def _write_text(item: AgendaItem, proposal) -> None:
    """The generated title and detail: their kinds and parameters (rendered for each reader)
    and their text in the organisation's language (the fallback)."""
    item.title = proposal.title[:300]
    item.detail = proposal.detail
    said = proposal.said
    item.text_key = said.key if said is not None else ""
    item.text_params = said.stored_params() if said is not None else {}
    item.detail_parts = list(proposal.detail_parts)


def agenda_item_add(
    *, meeting: Meeting, title: str, detail: str = "", needs_preparation: bool = False
) -> AgendaItem:
    """An item added by hand (never escalates: it has no data key)."""
    if meeting.is_past:
        raise ValidationError(_("The meeting has been held."))
    last = meeting.items.aggregate(last=Max("position"))["last"] or 0
    prep_due = None
    if needs_preparation:
        prep_due = add_working_days(
            _local_date(meeting.organisation, meeting.starts_at), -meeting.series.preparation_days
        )
    item = _save(
        AgendaItem(
            organisation=meeting.organisation,
            meeting=meeting,
            position=last + 10,
            title=title,
            detail=detail,
            source=Source.MANUAL,
            needs_preparation=needs_preparation,
            prep_due=prep_due,
        )
    )
    agenda_order.arrange_positions(meeting=meeting)
    item.refresh_from_db(fields=["position"])
    return item


def recipients(*, meeting: Meeting, side: str | None = None) -> list[str]:
    """E-mail addresses of the invited attendees (of one side), and for the supplier side the
    supplier's users, without duplicates."""
    emails = [
        a.email
        for a in meeting.attendance.all()
        if a.invited and a.email and (side is None or a.side == side)
    ]
    contract = meeting.series.contract
    if side in (None, Side.SUPPLIER) and contract is not None:
        emails += list(
            SupplierMembership.objects.filter(supplier_id=contract.supplier_id)
            .exclude(user__email="")
            .values_list("user__email", flat=True)
        )
    if side in (None, Side.CLIENT) and meeting.series.chair and meeting.series.chair.email:
        emails.append(meeting.series.chair.email)
    return sorted(set(emails))


@transaction.atomic
def agenda_publish(*, meeting: Meeting) -> Meeting:
    """Publish the agenda: both sides are invited by e-mail with the calendar event attached."""
    if meeting.status != Meeting.Status.PLANNED:
        raise ValidationError(_("Only a planned meeting's agenda can be published."))
    if not meeting.items.exists():
        raise ValidationError(_("Generate or add the agenda before publishing it."))
    meeting.status = Meeting.Status.PUBLISHED
    meeting.published_at = timezone.now()
    _save(meeting)
    to = recipients(meeting=meeting)
    if to:
        with translation.override(meeting.organisation.default_language):
            context = {"meeting": meeting, "url": _meeting_url(meeting)}
            outbox_enqueue(
                to=to,
                subject=_("Agenda published: %(meeting)s") % {"meeting": meeting},
                text=render_to_string("meetings/email/invitation.txt", context),
                organisation=meeting.organisation,
                attachments=[("meeting.ics", ical.meeting_calendar([meeting]), "text/calendar")],
            )
    return meeting


def _meeting_url(meeting: Meeting) -> str:
    return reverse("meetings:meeting_detail", args=[meeting.organisation.slug, meeting.pk])


# --- preparation ---------------------------------------------------------------------------


def item_prepare(
    *,
    item: AgendaItem,
    access: Access,
    supplier_results: str | None = None,
    client_impact: str | None = None,
    client_notes: str | None = None,
) -> AgendaItem:
    """Deliver a pre-read: the supplier its results and deviation analysis, the client its
    end-user impact analysis and internal notes. Each side writes only its own part."""
    if item.meeting.is_past:
        raise ValidationError(_("The meeting has been held."))
    now = timezone.now()
    if supplier_results is not None:
        if not access.is_supplier:
            raise PermissionDenied
        item.supplier_results = supplier_results
        item.supplier_delivered_at = now if supplier_results.strip() else None
    if client_impact is not None or client_notes is not None:
        if not access.may("meetings.manage"):
            raise PermissionDenied
        if client_impact is not None:
            item.client_impact = client_impact
            item.client_delivered_at = now if client_impact.strip() else None
        if client_notes is not None:
            item.client_notes = client_notes
    return _save(item)


@transaction.atomic
def _announce_pre_reads(meeting: Meeting, side: str, items: list[AgendaItem]) -> None:
    """A webhook event per side and meeting when its pre-reads come due (once, as the mail);
    the supplier's endpoints hear of their own side's only."""
    contract = meeting.series.contract
    webhook_emit(
        organisation=meeting.organisation,
        event=Event.PRE_READ_DUE,
        supplier_id=contract.supplier_id if contract and side == Side.SUPPLIER else None,
        data={
            "meeting": meeting.pk,
            "title": str(meeting),
            "starts_at": meeting.starts_at,
            "side": side,
            "items": [{"agenda_item": item.pk, "due": item.prep_due} for item in items],
            "url": public_base_url() + _meeting_url(meeting),
        },
    )


def preparation_reminders_send(*, organisation, today: date | None = None) -> int:
    """Remind each side once of its missing pre-reads, from REMIND_DAYS_BEFORE working days
    before the preparation deadline until the meeting. Returns the number of messages."""
    today = today or _local_date(organisation, timezone.now())
    horizon = add_working_days(today, REMIND_DAYS_BEFORE)
    items = (
        AgendaItem.objects.filter(
            organisation=organisation,
            needs_preparation=True,
            prep_due__lte=horizon,
            meeting__status__in=[Meeting.Status.PLANNED, Meeting.Status.PUBLISHED],
            meeting__starts_at__gte=timezone.now(),
        )
        .select_related("meeting", "meeting__series", "meeting__series__contract")
        .order_by("meeting", "position")
    )
    pending: dict[tuple[int, str], list[AgendaItem]] = {}
    for item in items:
        supplier_side = not item.client_only and item.meeting.series.contract_id
        if supplier_side and item.supplier_missing and item.supplier_reminded_at is None:
            pending.setdefault((item.meeting_id, Side.SUPPLIER), []).append(item)
        if item.client_missing and item.client_reminded_at is None:
            pending.setdefault((item.meeting_id, Side.CLIENT), []).append(item)
    sent = 0
    now = timezone.now()
    for (_meeting_id, side), group in pending.items():
        meeting = group[0].meeting
        to = recipients(meeting=meeting, side=side)
        if to:
            with translation.override(organisation.default_language):
                outbox_enqueue(
                    to=to,
                    subject=_("Preparation due %(due)s: %(meeting)s")
                    % {"due": group[0].prep_due.isoformat(), "meeting": meeting},
                    text=render_to_string(
                        "meetings/email/reminder.txt",
                        {
                            "meeting": meeting,
                            "items": group,
                            "side": side,
                            "url": _meeting_url(meeting),
                        },
                    ),
                    organisation=organisation,
                )
            sent += 1
        _announce_pre_reads(meeting, side, group)
        field = "supplier_reminded_at" if side == Side.SUPPLIER else "client_reminded_at"
        tracked_update(AgendaItem.objects.filter(pk__in=[i.pk for i in group]), **{field: now})
    return sent + chair_reminders_send(organisation=organisation, today=today)


def chair_reminders_send(*, organisation, today: date) -> int:
    """Tell the chair of each coming meeting once that pre-reads are past their due date, with
    the late items per side. Returns the number of messages."""
    items = (
        AgendaItem.objects.filter(
            organisation=organisation,
            needs_preparation=True,
            prep_due__lt=today,
            meeting__status__in=[Meeting.Status.PLANNED, Meeting.Status.PUBLISHED],
            meeting__starts_at__gte=timezone.now(),
            meeting__chair_reminded_at__isnull=True,
            meeting__series__chair__isnull=False,
        )
        .exclude(meeting__series__chair__email="")
        .select_related("meeting", "meeting__series", "meeting__series__chair")
        .order_by("meeting", "position")
    )
    late: dict[int, list[tuple[AgendaItem, list[str]]]] = {}
    for item in items:
        if sides := late_sides(item, today):
            late.setdefault(item.meeting_id, []).append((item, sides))
    for rows in late.values():
        meeting = rows[0][0].meeting
        chair = meeting.series.chair
        with translation.override(language_of(chair, default=organisation.default_language)):
            outbox_enqueue(
                to=[chair.email],
                subject=_("Pre-reads late for %(meeting)s") % {"meeting": meeting},
                text=render_to_string(
                    "meetings/email/late_pre_reads.txt",
                    {"meeting": meeting, "rows": rows, "url": _meeting_url(meeting)},
                ),
                organisation=organisation,
            )
    tracked_update(Meeting.objects.filter(pk__in=list(late)), chair_reminded_at=timezone.now())
    return len(late)


# --- the meeting itself --------------------------------------------------------------------


def attendance_add(
    *, meeting: Meeting, side: str, role: str, name: str, email: str = ""
) -> Attendance:
    return _save(
        Attendance(
            organisation=meeting.organisation,
            meeting=meeting,
            side=side,
            role=role.strip(),
            name=name.strip(),
            email=email.strip(),
        )
    )


@transaction.atomic
def attendance_record(*, meeting: Meeting, attended_ids: set[int]) -> list[Attendance]:
    """Who of the invited attended (everybody else did not)."""
    rows = list(meeting.attendance.all())
    for row in rows:
        row.attended = row.pk in attended_ids
        row.save(update_fields=["attended"])
    return rows


def item_record(*, item: AgendaItem, minutes: str, outcome: str, resolved: bool) -> AgendaItem:
    """The minutes of one item and its outcome (information, decision, action)."""
    if item.meeting.status == Meeting.Status.APPROVED:
        raise ValidationError(_("The minutes have been approved and can no longer change."))
    item.minutes = minutes
    item.outcome = outcome
    item.resolved = resolved
    return _save(item)


def action_create(
    *,
    meeting: Meeting,
    title: str,
    owner_side: str,
    owner_name: str,
    due_date: date,
    item: AgendaItem | None = None,
    supplier_owner_name: str = "",
) -> ActionItem:
    """An action agreed in the meeting; its item's outcome becomes "action"."""
    if item is not None and item.meeting_id != meeting.pk:
        raise ValidationError({"item": _("The item belongs to another meeting.")})
    action = _save(
        ActionItem(
            organisation=meeting.organisation,
            series=meeting.series,
            meeting=meeting,
            item=item,
            title=title,
            owner_side=owner_side,
            owner_name=owner_name,
            supplier_owner_name=supplier_owner_name,
            due_date=due_date,
        )
    )
    if item is not None and item.outcome in (Outcome.NONE, Outcome.INFORMATION):
        item.outcome = Outcome.ACTION
        item.save(update_fields=["outcome"])
    return action


def action_set_status(*, action: ActionItem, status: str) -> ActionItem:
    action.status = status
    action.done_at = timezone.now() if status == ActionItem.Status.DONE else None
    return _save(action)


def meeting_mark_held(*, meeting: Meeting) -> Meeting:
    if meeting.status not in (Meeting.Status.PLANNED, Meeting.Status.PUBLISHED):
        raise ValidationError(_("The meeting is not planned."))
    meeting.status = Meeting.Status.HELD
    return _save(meeting)


def minutes_approve(*, meeting: Meeting, access: Access) -> Meeting:
    """Approve the minutes of a held meeting; they cannot change afterwards."""
    if meeting.status != Meeting.Status.HELD:
        raise ValidationError(_("Only the minutes of a held meeting can be approved."))
    meeting.status = Meeting.Status.APPROVED
    meeting.minutes_approved_at = timezone.now()
    meeting.minutes_approved_by_id = access.user_id
    return _save(meeting)


# --- documents -----------------------------------------------------------------------------


@transaction.atomic
def document_request(*, meeting: Meeting, kind: str, access: Access) -> MeetingDocument:
    """Queue the agenda pack or the minutes for rendering by a worker (never in a request)."""
    if kind == MeetingDocument.Kind.MINUTES and not meeting.is_past:
        raise ValidationError(_("Minutes exist once the meeting has been held."))
    audience = (
        MeetingDocument.Audience.SUPPLIER if access.is_supplier else MeetingDocument.Audience.CLIENT
    )
    document = _save(
        MeetingDocument(
            organisation=meeting.organisation, meeting=meeting, kind=kind, audience=audience
        )
    )

    def enqueue():
        from meetings.tasks import task_render_meeting_document

        task_render_meeting_document.delay(
            organisation_id=meeting.organisation_id, document_id=document.pk
        )

    transaction.on_commit(enqueue)
    return document


def document_render(*, document: MeetingDocument) -> MeetingDocument:
    """Render the PDF for its audience: the supplier's copy leaves out client-only items and the
    client's internal notes."""
    from meetings import documents

    pdf, pages = documents.render(document=document)
    document.pdf = pdf
    document.pages = pages
    document.status = MeetingDocument.Status.READY
    document.save(update_fields=["pdf", "pages", "status"])
    return document


# --- SIPs ----------------------------------------------------------------------------------


@transaction.atomic
def sip_create(*, access: Access, **fields) -> SIP:
    sip = SIP(organisation=access.organisation, **fields)
    return _save(sip)


def sip_update(*, sip: SIP, **fields) -> SIP:
    for name, value in fields.items():
        setattr(sip, name, value)
    return _save(sip)


def milestone_add(*, sip: SIP, title: str, due_date: date) -> SIPMilestone:
    return _save(
        SIPMilestone(organisation=sip.organisation, sip=sip, title=title, due_date=due_date)
    )


def milestone_update(*, milestone: SIPMilestone, **fields) -> SIPMilestone:
    """Rename or move a milestone, or mark it done (or open again)."""
    for name, value in fields.items():
        setattr(milestone, name, value)
    return _save(milestone)


def milestone_toggle(*, milestone: SIPMilestone) -> SIPMilestone:
    milestone.done = not milestone.done
    return _save(milestone)


def sip_link_add(*, sip: SIP, kind: str, label: str, link: str, said=None) -> SIPLink:
    """Link data to the SIP; a generated label comes as `said` (its kind and parameters) with
    `label` its text now."""
    return _save(
        SIPLink(
            organisation=sip.organisation,
            sip=sip,
            kind=kind,
            label=label,
            text_key=said.key if said is not None else "",
            text_params=said.stored_params() if said is not None else {},
            link=link,
        )
    )


# --- acting from a gap flag ----------------------------------------------------------------


def _require_flag_manager(access: Access) -> None:
    # Acting on a flag is the client's contract managers' business (or a job of its own).
    access.require(access.may("meetings.manage") and not access.is_supplier)


@transaction.atomic
def agenda_item_from_gap_flag(*, access: Access, flag_id: int, today: date | None = None):
    """Put a gap flag on the next tactical meeting of its contract
    (`selectors.next_tactical_meeting`) as the item the tactical agenda's own gap source makes
    (`sources.gap_flag_proposal`), linking back to the flag and asking both sides to prepare.
    Never twice: the meeting's item for the flag's contract and dimension, put there by hand or
    from the data, is brought up to this flag instead. Without an upcoming tactical meeting a
    ValidationError (code "no_meeting") says so and nothing is stored."""
    _require_flag_manager(access)
    flag = kto_selectors.gap_flag_list(access=access).get(pk=flag_id)
    organisation = access.organisation
    today = today or _local_date(organisation, timezone.now())
    meeting = selectors.next_tactical_meeting(
        access=access, contract_id=flag.contract_id, today=today
    )
    if meeting is None:
        raise ValidationError(
            _(
                "There is no upcoming tactical meeting for %(contract)s. Plan one on the "
                "meetings page, then put the flag on its agenda."
            )
            % {"contract": flag.contract.reference},
            code="no_meeting",
        )
    # Two clicks at once wait for each other here, so the second finds the first's item.
    Meeting.objects.select_for_update().filter(pk=meeting.pk).values_list("pk").get()
    # Items are stored text: written in the organisation's language, whoever adds them.
    with translation.override(organisation.default_language):
        proposal = sources.gap_flag_proposal(
            org_slug=organisation.slug, flag=flag, confirmed=flag.confirmed
        )
    item = meeting.items.filter(key=proposal.key).first()
    if item is None:
        last = meeting.items.aggregate(last=Max("position"))["last"] or 0
        previous = previous_meeting(meeting=meeting)
        before = previous.items.filter(key=proposal.key).first() if previous else None
        item = AgendaItem(
            organisation=organisation,
            meeting=meeting,
            position=last + 10,
            key=proposal.key,
            # As on a generated agenda: still unresolved at the previous meeting, it continues.
            streak=before.streak + 1 if before is not None and not before.resolved else 1,
        )
    _write_text(item, proposal)
    item.source = proposal.source
    item.link = proposal.link[:500]
    item.needs_preparation = proposal.needs_preparation
    item.prep_due = add_working_days(
        _local_date(organisation, meeting.starts_at), -meeting.series.preparation_days
    )
    item = _save(item)
    agenda_order.arrange_positions(meeting=meeting)
    item.refresh_from_db(fields=["position"])
    return item


@transaction.atomic
def sip_create_from_gap_flag(*, access: Access, flag_id: int, **fields) -> SIP:
    """Start a SIP from a gap flag, on the flag's contract and linked to the flag. It begins
    with what `selectors.sip_initial_from_gap_flag` proposes (the SLA metric and perception
    dimension behind the flag, the month's figures as baselines, the targets, a title and the
    reason as goal); `fields` change any of it and must name the two accountable owners."""
    _require_flag_manager(access)
    flag = kto_selectors.gap_flag_list(access=access).get(pk=flag_id)
    organisation = access.organisation
    said = Said(
        meeting_texts.GAP_FLAG_LINK,
        {
            "flag": choice_msgid(flag, "flag"),
            "dimension": choice_msgid(flag, "dimension"),
            "month": f"{flag.period_start:%Y-%m}",
        },
    )
    with translation.override(organisation.default_language):
        proposed = selectors.sip_initial_from_gap_flag(access=access, flag=flag)["initial"]
        label = str(said)
    sip = sip_create(access=access, **(proposed | fields | {"contract": flag.contract}))
    sip_link_add(
        sip=sip,
        kind=SIPLink.Kind.GAP_FLAG,
        label=label,
        said=said,
        link=sources.link_to(organisation.slug, "kto_gap:flag", flag.pk),
    )
    return sip
