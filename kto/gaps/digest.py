"""The scheduled gap digest: HTML and text e-mail with the report PDF, exactly once."""

import logging
from datetime import date

from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from contracts import selectors as contract_selectors
from governance.platform.access import Access, supplier_system_access, system_access, tenant_scope
from governance.platform.models import Membership, Organisation, Role, SupplierMembership
from governance.platform.outbox import outbox_enqueue
from kto.gaps.models import GapDigest, GapDigestSchedule
from kto.gaps.report import gap_report_pdf, period_label
from kto.gaps.rules import Flag
from kto.gaps.selectors import ATTENTION, gap_flag_list

logger = logging.getLogger(__name__)


def digest_schedule(*, organisation: Organisation) -> GapDigestSchedule:
    """The organisation's schedule; monthly on the 12th when it never chose one."""
    schedule = GapDigestSchedule.objects.filter(organisation=organisation).first()
    return schedule or GapDigestSchedule(organisation=organisation)


def digest_due_key(*, schedule: GapDigestSchedule, today: date) -> str | None:
    """The key of the digest due today, or None. One key per schedule slot keeps it once."""
    if schedule.frequency == GapDigestSchedule.Frequency.WEEKLY:
        if today.weekday() != schedule.weekday:
            return None
        year, week, _day = today.isocalendar()
        return f"weekly-{year}-W{week:02d}"
    if today.day != schedule.day_of_month:
        return None
    return "monthly"


def _flags_for_digest(access: Access, period_start: date):
    flags = list(gap_flag_list(access=access, period_start=period_start).filter(flag__in=ATTENTION))
    confirmed = [f for f in flags if f.confirmed]
    new = [f for f in flags if not f.confirmed and f.first_period_start == period_start]
    return confirmed, new


def _client_recipients(organisation, schedule) -> list[str]:
    roles = []
    if schedule.include_contract_managers:
        roles.append(Role.CONTRACT_MANAGER)
    if schedule.include_business_owners:
        roles.append(Role.BUSINESS_OWNER)
    if not roles:
        return []
    return sorted(
        set(
            Membership.objects.filter(
                organisation=organisation, role__in=roles, user__is_active=True
            )
            .exclude(user__email="")
            .values_list("user__email", flat=True)
        )
    )


def _message(*, access: Access, period_start: date, to: list[str], contracts, language: str):
    confirmed, new = _flags_for_digest(access, period_start)
    with translation.override(language):
        context = {
            "organisation": access.organisation,
            "period": period_label(period_start),
            "confirmed": confirmed,
            "new": new,
            "reason_field": "reason_nl" if language == "nl" else "reason_en",
            "flag_labels": dict(Flag.choices),
        }
        subject = _("Regie gap digest %(organisation)s, %(period)s") % {
            "organisation": access.organisation.name,
            "period": context["period"],
        }
        text = render_to_string("kto/gap/digest_email.txt", context)
        html = render_to_string("kto/gap/digest_email.html", context)
    pdf, _pages = gap_report_pdf(
        access=access, contracts=contracts, period_start=period_start, language=language
    )
    filename = f"regie-gaps-{access.organisation.slug}-{period_start:%Y-%m}.pdf"
    outbox_enqueue(
        to=to,
        subject=subject,
        text=text,
        html=html,
        organisation=access.organisation,
        attachments=[(filename, pdf, "application/pdf")],
    )


def gap_digest_send(
    *, organisation: Organisation, period_start: date, schedule_key: str
) -> GapDigest | None:
    """Send the digest for (organisation, period, schedule slot) once: the marker row and the
    outbox messages commit together, so a doubled or retried task finds the marker and stops."""
    with tenant_scope(system_access(organisation)):
        return _send_once(organisation, period_start, schedule_key)


def _send_once(organisation, period_start, schedule_key) -> GapDigest | None:
    schedule = digest_schedule(organisation=organisation)
    language = organisation.default_language
    with transaction.atomic():
        digest, created = GapDigest.objects.get_or_create(
            organisation=organisation, period_start=period_start, schedule_key=schedule_key
        )
        if not created:
            logger.info("Gap digest %s already sent", digest)
            return None
        access = system_access(organisation)
        contracts = list(contract_selectors.contract_list(access=access))
        recipients = _client_recipients(organisation, schedule)
        count = 0
        if recipients:
            _message(
                access=access,
                period_start=period_start,
                to=recipients,
                contracts=contracts,
                language=language,
            )
            count += len(recipients)
        if schedule.include_suppliers:
            count += _send_to_suppliers(organisation, contracts, period_start, language)
        digest.recipients = count
        digest.save(update_fields=["recipients"])
    return digest


def _send_to_suppliers(organisation, contracts, period_start, language) -> int:
    """Each supplier gets a digest about its own contracts only."""
    count = 0
    by_supplier = {}
    for contract in contracts:
        by_supplier.setdefault(contract.supplier, []).append(contract)
    for supplier, own in by_supplier.items():
        emails = sorted(
            SupplierMembership.objects.filter(supplier=supplier, user__is_active=True)
            .exclude(user__email="")
            .values_list("user__email", flat=True)
        )
        if not emails:
            continue
        access = supplier_system_access(organisation, supplier)
        _message(
            access=access, period_start=period_start, to=emails, contracts=own, language=language
        )
        count += len(emails)
    return count
