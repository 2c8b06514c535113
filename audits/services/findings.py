"""Writes of findings: recording them, the supplier's response, the client's priority, closing."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from audits.models import Audit, ChecklistItem, EffectivenessCheck, Finding
from audits.permissions import may_edit_audit, may_respond, may_set_priority
from audits.services.audits import _check_services
from governance.platform.access import Access
from governance.platform.links import public_base_url
from governance.platform.webhooks import Event, webhook_emit


@transaction.atomic
def finding_create(
    *,
    access: Access,
    audit: Audit,
    title: str,
    description: str,
    grade: str,
    clause: str = "",
    root_cause: str = "",
    services=(),
    checklist_item: ChecklistItem | None = None,
) -> Finding:
    """A finding of the audit, from a checklist item or entered directly."""
    if not may_edit_audit(access, audit):
        raise PermissionDenied
    if audit.status not in (Audit.Status.IN_PROGRESS, Audit.Status.REPORTED):
        raise ValidationError(
            _("Findings are recorded while the audit is in progress or reported.")
        )
    services = list(services)
    _check_services(contract=audit.contract, services=services)
    if checklist_item is not None and not clause:
        clause = checklist_item.clause
    finding = Finding(
        organisation=audit.organisation,
        audit=audit,
        checklist_item=checklist_item,
        title=title,
        description=description,
        grade=grade,
        clause=clause,
        root_cause=root_cause,
        created_by_id=access.user_id,
    )
    finding.full_clean()
    finding.save()
    finding.services.set(services)
    path = reverse(
        "audits:finding_detail", kwargs={"org_slug": audit.organisation.slug, "pk": finding.pk}
    )
    webhook_emit(
        organisation=audit.organisation,
        event=Event.FINDING_RAISED,
        supplier_id=audit.contract.supplier_id,
        data={
            "finding": finding.pk,
            "title": finding.title,
            "grade": finding.grade,
            "audit": audit.pk,
            "contract": audit.contract.reference,
            "url": public_base_url() + path,
        },
    )
    return finding


@transaction.atomic
def finding_respond(*, access: Access, finding: Finding, root_cause: str, services=None) -> Finding:
    """The root cause (and, if given, the affected services) of an open finding."""
    if not may_respond(access, finding):
        raise PermissionDenied
    if finding.status == Finding.Status.CLOSED:
        raise ValidationError(_("A closed finding can no longer be changed."))
    finding.root_cause = root_cause
    finding.full_clean()
    finding.save(update_fields=["root_cause"])
    if services is not None:
        services = list(services)
        _check_services(contract=finding.audit.contract, services=services)
        finding.services.set(services)
    return finding


def finding_set_priority(
    *, access: Access, finding: Finding, priority: int | None, note: str | None = None
) -> Finding:
    """The client's priority (1–5, or None to clear), with an internal note on why."""
    if not may_set_priority(access):
        raise PermissionDenied
    if finding.status == Finding.Status.CLOSED:
        raise ValidationError(_("A closed finding can no longer be changed."))
    finding.client_priority = priority
    if note is not None:
        finding.client_note = note
    finding.priority_set_by_id = access.user_id
    finding.priority_set_at = timezone.now()
    finding.full_clean()
    finding.save(
        update_fields=["client_priority", "client_note", "priority_set_by", "priority_set_at"]
    )
    return finding


def finding_close(*, access: Access, finding: Finding) -> Finding:
    """Close a finding; only after an effectiveness check whose latest verdict is effective."""
    if not may_respond(access, finding):
        raise PermissionDenied
    if finding.status == Finding.Status.CLOSED:
        raise ValidationError(_("This finding is already closed."))
    latest = finding.checks.order_by("-checked_on", "-pk").first()
    if latest is None:
        raise ValidationError(
            _(
                "A finding closes only after an effectiveness check: record who checked, when, "
                "the verdict and the evidence first."
            )
        )
    if latest.verdict != EffectivenessCheck.Verdict.EFFECTIVE:
        raise ValidationError(
            _(
                "The latest effectiveness check found the actions not effective; plan further "
                "actions and check again before closing."
            )
        )
    finding.status = Finding.Status.CLOSED
    finding.closed_at = timezone.now()
    finding.save(update_fields=["status", "closed_at"])
    return finding
