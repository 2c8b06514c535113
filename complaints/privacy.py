"""The complainants' personal data: retention after closure and erasure on request.

Registered with the platform's privacy registry (governance.platform.privacy) in
ComplaintsConfig.ready(). The complaint, its category, dates, statuses and verdict figures stay
(the register and the analysis count them); the person goes: name, e-mail and phone blanked,
consent withdrawn, attachments deleted, and the person's name and address scrubbed from every
text of the complaint (its description, resolution, timeline and verdict remark)."""

from __future__ import annotations

import secrets
from datetime import datetime

from django.db import transaction
from django.db.models import Max, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from complaints.models import (
    Attachment,
    Complaint,
    ComplaintEvent,
    EventKind,
    Status,
    Verdict,
)
from governance.platform.access import system_access
from governance.platform.history import history_scrub
from governance.platform.models import ErasureRecord, Organisation
from governance.platform.privacy import Expired, PersonalData, person_erase, scrub_text

TEXT_FIELDS = ("description", "resolution", "rejection_reason")


def ended_before(*, organisation: Organisation, cutoff: datetime) -> QuerySet[Complaint]:
    """Complaints whose procedure ended before `cutoff`: closed, resolved and never closed,
    or rejected (the moment of the rejection)."""
    complaints = Complaint.objects.filter(organisation=organisation)
    rejected = (
        complaints.filter(status=Status.REJECTED)
        .annotate(
            rejected_at=Max(
                "events__at",
                filter=Q(events__kind=EventKind.STATUS, events__to_status=Status.REJECTED),
            )
        )
        .filter(rejected_at__lt=cutoff)
        .values("pk")
    )
    return complaints.filter(
        Q(status=Status.CLOSED, closed_at__lt=cutoff)
        | Q(status=Status.RESOLVED, resolved_at__lt=cutoff)
        | Q(pk__in=rejected)
    )


def _has_person(complaints: QuerySet[Complaint]) -> QuerySet[Complaint]:
    return complaints.filter(
        ~Q(name="") | ~Q(email="") | ~Q(phone="") | Q(attachments__isnull=False)
    ).distinct()


def anonymise(complaint: Complaint, *, needles: set[str], new_token: bool) -> dict[str, int]:
    """Take the person out of one complaint (see the module docstring). With `new_token` the
    old tracking link stops working too (an erasure request)."""
    needles = needles | {complaint.name, complaint.email, complaint.phone}
    counts = {"complaints": 1}
    for field in TEXT_FIELDS:
        setattr(complaint, field, scrub_text(getattr(complaint, field), needles))
    complaint.name = complaint.email = complaint.phone = ""
    complaint.consent_to_contact = False
    fields = ["name", "email", "phone", "consent_to_contact", *TEXT_FIELDS]
    if new_token:
        complaint.token = secrets.token_urlsafe(24)
        fields.append("token")
    complaint.save(update_fields=fields)
    counts["complaint_attachments"] = Attachment.objects.filter(complaint=complaint).delete()[0]
    counts["complaint_events"] = _scrub_events(
        ComplaintEvent.objects.filter(complaint=complaint), needles
    )
    # The trail keeps earlier wordings of the same texts: the person goes from those too.
    history_scrub(Complaint, [complaint.pk], lambda text: scrub_text(text, needles))
    history_scrub(
        ComplaintEvent,
        ComplaintEvent.objects.filter(complaint=complaint).values_list("pk", flat=True),
        lambda text: scrub_text(text, needles),
    )
    verdict = Verdict.objects.filter(complaint=complaint).first()
    if verdict is not None and verdict.comment:
        scrubbed = scrub_text(verdict.comment, needles)
        if scrubbed != verdict.comment:
            verdict.comment = scrubbed
            verdict.save(update_fields=["comment"])
    return counts


def _scrub_events(events: QuerySet[ComplaintEvent], needles: set[str]) -> int:
    changed = 0
    for event in events.exclude(text=""):
        scrubbed = scrub_text(event.text, needles)
        if scrubbed != event.text:
            event.text = scrubbed
            event.save(update_fields=["text"])
            changed += 1
    return changed


def _add(total: dict[str, int], counts: dict[str, int]) -> None:
    for kind, number in counts.items():
        total[kind] = total.get(kind, 0) + number


def expire(*, organisation: Organisation, cutoff: datetime) -> Expired:
    """Anonymise the complaints that ended before `cutoff` and still hold personal data."""
    total: dict[str, int] = {}
    addresses: set[str] = set()
    expired = _has_person(ended_before(organisation=organisation, cutoff=cutoff))
    for complaint in expired:
        if complaint.email:
            addresses.add(complaint.email.lower())
        _add(total, anonymise(complaint, needles=set(), new_token=False))
    return Expired(counts=total, addresses=addresses)


def names(*, organisation: Organisation, email: str) -> set[str]:
    """The names the person with this address left on complaints."""
    return set(
        Complaint.objects.filter(organisation=organisation, email__iexact=email)
        .exclude(name="")
        .values_list("name", flat=True)
    )


def erase(*, organisation: Organisation, email: str, names: set[str]) -> dict[str, int]:
    """Everything of the person with `email`: their complaints anonymised (new tracking
    tokens), and the address scrubbed from any other complaint's texts that mention it."""
    total: dict[str, int] = {}
    needles = {email, *names}
    for complaint in Complaint.objects.filter(organisation=organisation, email__iexact=email):
        _add(total, anonymise(complaint, needles=needles, new_token=True))
    mentioning = Complaint.objects.filter(organisation=organisation).filter(
        Q(description__icontains=email)
        | Q(resolution__icontains=email)
        | Q(rejection_reason__icontains=email)
    )
    for complaint in mentioning:
        for field in TEXT_FIELDS:
            setattr(complaint, field, scrub_text(getattr(complaint, field), {email}))
        complaint.save(update_fields=list(TEXT_FIELDS))
        _add(total, {"complaints": 1})
    _add(
        total,
        {
            "complaint_events": _scrub_events(
                ComplaintEvent.objects.filter(organisation=organisation, text__icontains=email),
                {email},
            )
        },
    )
    for verdict in Verdict.objects.filter(organisation=organisation, comment__icontains=email):
        verdict.comment = scrub_text(verdict.comment, {email})
        verdict.save(update_fields=["comment"])
    return total


HANDLER = PersonalData(
    key="complaints",
    kept=lambda: _(
        "Complaints: your name, e-mail address and phone number if you leave them, whether we "
        "may contact you, and the files you attach."
    ),
    purpose=lambda: _(
        "To handle your complaint, keep you informed and ask you afterwards whether it was "
        "resolved for you. Only the contract managers see your contact details, and the "
        "supplier handling the complaint only when you allow it."
    ),
    period_setting="complaint_contact_months",
    period_label=lambda months: (
        ngettext(
            "%(months)s month after the complaint is closed",
            "%(months)s months after the complaint is closed",
            months,
        )
        % {"months": months}
    ),
    expire=expire,
    erase=erase,
    names=names,
)


def complainant_erase(*, complaint: Complaint) -> ErasureRecord:
    """The complainant's own erasure request from the tracking page: everything held under the
    address it left (as a contract manager's request would), or, without an address, this
    complaint's person. The tracking link stops working."""
    organisation = complaint.organisation
    if complaint.email:
        return person_erase(
            access=system_access(organisation),
            email=complaint.email,
            reason=ErasureRecord.Reason.COMPLAINANT,
        )
    with transaction.atomic():
        counts = anonymise(complaint, needles=set(), new_token=True)
        return ErasureRecord.objects.create(
            organisation=organisation,
            reason=ErasureRecord.Reason.COMPLAINANT,
            at=timezone.now(),
            counts={kind: number for kind, number in counts.items() if number},
        )
