"""Writes of corrective actions: creating and updating them, effectiveness checks, reminders."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from audits.models import Audit, CorrectiveAction, EffectivenessCheck, Finding
from audits.permissions import may_respond
from audits.selectors import people_for_contract
from audits.services.findings import finding_close
from governance.platform.access import Access
from governance.platform.links import public_base_url
from governance.platform.outbox import outbox_enqueue
from governance.platform.webhooks import Event, webhook_emit
from governance.platform.workdays import add_working_days

# Days before the due date on which owners get a reminder of an unfinished action.
REMINDER_WORKING_DAYS = 3


def _check_owners(*, finding: Finding, supplier_owner, client_owner) -> None:
    people = people_for_contract(contract=finding.audit.contract)
    if supplier_owner is not None and supplier_owner.pk not in {p.pk for p in people["supplier"]}:
        raise ValidationError(
            {"supplier_owner": _("The supplier's owner must be a user of this supplier.")}
        )
    if client_owner is not None and client_owner.pk not in {p.pk for p in people["client"]}:
        raise ValidationError(
            {"client_owner": _("The client's owner must be a member of this organisation.")}
        )


def action_create(
    *,
    access: Access,
    finding: Finding,
    description: str,
    owner_side: str,
    due_date: date,
    supplier_owner=None,
    client_owner=None,
) -> CorrectiveAction:
    """A corrective action on an open finding; a joint action names an owner on both sides."""
    if not may_respond(access, finding):
        raise PermissionDenied
    if finding.status == Finding.Status.CLOSED:
        raise ValidationError(_("A closed finding takes no new actions."))
    action = CorrectiveAction(
        organisation=finding.organisation,
        finding=finding,
        description=description,
        owner_side=owner_side,
        supplier_owner=supplier_owner,
        client_owner=client_owner,
        due_date=due_date,
        created_by_id=access.user_id,
    )
    action.full_clean()
    _check_owners(finding=finding, supplier_owner=supplier_owner, client_owner=client_owner)
    action.save()
    return action


def may_update_action(access: Access, action: CorrectiveAction) -> bool:
    return may_respond(access, action.finding) or access.user_id in (
        action.supplier_owner_id,
        action.client_owner_id,
    )


def action_update(
    *, access: Access, action: CorrectiveAction, status: str, today: date | None = None
) -> CorrectiveAction:
    """Move an action on (open, in progress, done, cancelled); done records the day."""
    if not may_update_action(access, action):
        raise PermissionDenied
    if action.finding.status == Finding.Status.CLOSED:
        raise ValidationError(_("The finding is closed; its actions can no longer change."))
    if status not in CorrectiveAction.Status.values:
        raise ValidationError({"status": _("Choose a status.")})
    action.status = status
    action.completed_on = (
        (today or timezone.localdate()) if status == CorrectiveAction.Status.DONE else None
    )
    action.full_clean()
    action.save(update_fields=["status", "completed_on"])
    return action


@transaction.atomic
def effectiveness_check_record(
    *,
    access: Access,
    finding: Finding,
    verdict: str,
    evidence: str,
    checked_on: date | None = None,
    follow_up_audit: Audit | None = None,
    close: bool = True,
) -> EffectivenessCheck:
    """Record whether the actions worked. Every action must be finished first (and a
    nonconformity needs at least one). An effective verdict closes the finding (unless
    `close=False`); a not-effective one leaves it open for further actions."""
    if not may_respond(access, finding):
        raise PermissionDenied
    if finding.status == Finding.Status.CLOSED:
        raise ValidationError(_("This finding is already closed."))
    actions = list(finding.actions.all())
    if finding.is_nonconformity and not actions:
        raise ValidationError(
            _("A nonconformity needs a corrective action before its effectiveness is checked.")
        )
    unfinished = [a for a in actions if not a.is_finished]
    if unfinished:
        raise ValidationError(
            _("%(count)d corrective action(s) are not finished yet; check effectiveness after.")
            % {"count": len(unfinished)}
        )
    if follow_up_audit is not None and follow_up_audit.contract_id != finding.audit.contract_id:
        raise ValidationError({"follow_up_audit": _("The re-audit is of another contract.")})
    if not (evidence or "").strip():
        raise ValidationError({"evidence": _("Record the evidence of the check.")})
    check = EffectivenessCheck(
        organisation=finding.organisation,
        finding=finding,
        checked_by_id=access.user_id,
        checked_on=checked_on or timezone.localdate(),
        verdict=verdict,
        evidence=evidence,
        follow_up_audit=follow_up_audit,
    )
    check.full_clean()
    check.save()
    if close and verdict == EffectivenessCheck.Verdict.EFFECTIVE:
        finding_close(access=access, finding=finding)
    return check


# --- reminders --------------------------------------------------------------------------------


def _announce_due(action: CorrectiveAction, today: date) -> None:
    """A webhook event when the action first comes due, and again when it first is overdue."""
    overdue = action.due_date < today
    last = action.reminded_on
    if last is not None and (not overdue or last > action.due_date):
        return
    finding = action.finding
    path = reverse(
        "audits:finding_detail",
        kwargs={"org_slug": action.organisation.slug, "pk": finding.pk},
    )
    webhook_emit(
        organisation=action.organisation,
        event=Event.CORRECTIVE_ACTION_DUE,
        supplier_id=finding.audit.contract.supplier_id,
        data={
            "action": action.pk,
            "finding": finding.pk,
            "description": action.description,
            "due_date": action.due_date,
            "overdue": overdue,
            "status": action.status,
            "url": public_base_url() + path,
        },
    )


def action_reminders_send(*, organisation, today: date | None = None) -> int:
    """Mail the owners of every unfinished action that is due within REMINDER_WORKING_DAYS
    working days or overdue, at most once a day per action. Returns the number of mails."""
    today = today or timezone.localdate()
    horizon = add_working_days(today, REMINDER_WORKING_DAYS)
    actions = (
        CorrectiveAction.objects.filter(organisation=organisation, due_date__lte=horizon)
        .exclude(status__in=CorrectiveAction.FINISHED)
        .exclude(reminded_on=today)
        .exclude(finding__status=Finding.Status.CLOSED)
        .select_related(
            "organisation",
            "finding",
            "finding__audit",
            "finding__audit__contract",
            "supplier_owner",
            "client_owner",
        )
    )
    sent = 0
    with translation.override(organisation.default_language):
        for action in actions:
            with transaction.atomic():
                recipients = sorted(
                    {
                        u.email
                        for u in (action.supplier_owner, action.client_owner)
                        if u is not None and u.email
                    }
                )
                if recipients:
                    overdue = action.due_date < today
                    subject = (
                        _("Overdue corrective action: %(finding)s")
                        if overdue
                        else _("Corrective action due %(due)s: %(finding)s")
                    ) % {"finding": action.finding.title, "due": action.due_date.isoformat()}
                    text = _(
                        "Corrective action for the finding “%(finding)s” (audit %(audit)s):\n\n"
                        "%(description)s\n\nDue: %(due)s. Status: %(status)s.\n"
                    ) % {
                        "finding": action.finding.title,
                        "audit": action.finding.audit.display_title,
                        "description": action.description,
                        "due": action.due_date.isoformat(),
                        "status": action.get_status_display(),
                    }
                    outbox_enqueue(
                        to=recipients, subject=subject, text=text, organisation=organisation
                    )
                    sent += 1
                _announce_due(action, today)
                action.reminded_on = today
                action.save(update_fields=["reminded_on"])
    return sent
