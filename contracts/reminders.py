"""Reminders of the SLA reporting calendar: the supplier hears when a report window opens and
when its report is late; the client's contract managers hear when the late limit has passed.

Each (contract, period, step) is sent once: the reminder row and its mail are written in one
transaction, and the row's unique key stops a second run, or a second worker, from sending it
again. Mail goes through the outbox, in each recipient's language.
"""

from __future__ import annotations

import logging
from datetime import date

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from contracts.models import Contract, ReportReminder
from contracts.reporting import PeriodDue, Step, periods_due
from governance.platform.languages import emails_by_language
from governance.platform.links import public_base_url
from governance.platform.models import Organisation, Role
from governance.platform.outbox import outbox_enqueue

logger = logging.getLogger(__name__)

STEP_OF = {
    Step.DUE: ReportReminder.Step.OPENED,
    Step.LATE: ReportReminder.Step.LATE,
    Step.MISSED: ReportReminder.Step.ESCALATED,
}


def _recipients(period: PeriodDue, step: str):
    """Supplier users for the window and the late report; the contract managers after the late
    limit. Active people only."""
    users = get_user_model().objects.filter(is_active=True)
    if step == ReportReminder.Step.ESCALATED:
        return users.filter(
            memberships__organisation_id=period.contract.organisation_id,
            memberships__role=Role.CONTRACT_MANAGER,
        )
    return users.filter(supplier_membership__supplier_id=period.contract.supplier_id)


def _message(period: PeriodDue, step: str) -> tuple[str, str]:
    """Subject and text in the active language."""
    contract = period.contract
    values = {
        "contract": f"{contract.reference} {contract.title}",
        "organisation": contract.organisation.name,
        "supplier": contract.supplier.name,
        "period": period.period_label,
        "opens": period.opens.isoformat(),
        "closes": period.closes.isoformat(),
        "limit": period.late_until.isoformat(),
        "url": public_base_url()
        + reverse("contracts:contract_detail", args=[contract.organisation.slug, contract.pk]),
    }
    if step == ReportReminder.Step.OPENED:
        subject = _("SLA report window open: %(contract)s, %(period)s") % values
        text = _(
            "The report window for the SLA report of %(period)s on contract %(contract)s "
            "(%(organisation)s) is open from %(opens)s to %(closes)s.\n\n"
            "Upload the report here: %(url)s\n"
        )
    elif step == ReportReminder.Step.LATE:
        subject = _("SLA report late: %(contract)s, %(period)s") % values
        text = _(
            "The SLA report of %(period)s on contract %(contract)s (%(organisation)s) was due "
            "by %(closes)s and has not been submitted. A late report is still accepted until "
            "%(limit)s; after that the client's contract manager is told.\n\n"
            "Upload the report here: %(url)s\n"
        )
    else:
        subject = _("SLA report missing past its late limit: %(contract)s, %(period)s") % values
        text = _(
            "%(supplier)s has not submitted the SLA report of %(period)s on contract "
            "%(contract)s. The window closed on %(closes)s and late reports were accepted "
            "until %(limit)s.\n\nThe contract: %(url)s\n"
        )
    return subject, text % values


def _send(period: PeriodDue, step: str) -> bool:
    """Record the step and queue its mail in one transaction; False when it was sent before."""
    contract = period.contract
    try:
        with transaction.atomic():
            ReportReminder.objects.create(
                organisation_id=contract.organisation_id,
                contract=contract,
                period_start=period.period_start,
                step=step,
            )
            groups = emails_by_language(
                _recipients(period, step), default=contract.organisation.default_language
            )
            for language, emails in groups.items():
                with translation.override(language):
                    subject, text = _message(period, step)
                outbox_enqueue(
                    to=emails, subject=subject, text=text, organisation=contract.organisation
                )
    except IntegrityError:  # another run recorded this step first
        return False
    return True


def report_reminders_send(*, organisation: Organisation, today: date | None = None) -> int:
    """Send every reminder step due today for the organisation's contracts, each once. Returns
    the number of steps sent."""
    today = today or timezone.localdate()
    contracts = list(
        Contract.objects.filter(organisation=organisation).select_related(
            "organisation", "supplier"
        )
    )
    due = periods_due(contracts=contracts, today=today)
    if not due:
        return 0
    sent_before = set(
        ReportReminder.objects.filter(
            organisation=organisation, period_start__gte=min(p.period_start for p in due)
        ).values_list("contract_id", "period_start", "step")
    )
    sent = 0
    for period in due:
        step = STEP_OF[period.step]
        if (period.contract.pk, period.period_start, step) in sent_before:
            continue
        sent += _send(period, step)
    logger.info("Report reminders for %s: %d sent", organisation.slug, sent)
    return sent
