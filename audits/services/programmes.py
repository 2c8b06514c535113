"""Writes of audit programmes: a contract's yearly plan and the audits it plans."""

from __future__ import annotations

from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from audits.models import Audit, AuditProgramme, Level
from audits.permissions import may_plan, may_record_audit
from audits.services.audits import audit_create
from governance.platform.access import Access
from governance.platform.workdays import is_working_day


def _planned_dates(*, year: int, recurrence: str) -> list[date]:
    """Mid-interval dates spread over the year, moved to the next working day."""
    per_year = AuditProgramme.PER_YEAR[recurrence]
    step = 12 // per_year
    dates = []
    for n in range(per_year):
        month = n * step + (step + 1) // 2
        day = date(year, month, 15)
        while not is_working_day(day):
            day += timedelta(days=1)
        dates.append(day)
    return dates


@transaction.atomic
def programme_create(
    *,
    access: Access,
    contract,
    year: int,
    recurrence: str = AuditProgramme.Recurrence.QUARTERLY,
    level: str = Level.BOTH,
    clauses: list[str] = (),
    notes: str = "",
    audit_type: str = Audit.Type.SUPPLIER_QA,
    plan_audits: bool = True,
) -> AuditProgramme:
    """The yearly programme of a contract; with `plan_audits` one planned audit per interval
    of the recurrence (e.g. quarterly: four, mid-quarter on a working day)."""
    if not may_plan(access, contract) or not may_record_audit(access, contract, audit_type):
        raise PermissionDenied
    if AuditProgramme.objects.filter(contract=contract, year=year).exists():
        raise ValidationError({"year": _("This contract already has a programme for that year.")})
    programme = AuditProgramme(
        organisation=contract.organisation,
        contract=contract,
        year=year,
        recurrence=recurrence,
        level=level,
        clauses=list(clauses),
        notes=notes,
    )
    programme.full_clean()
    programme.save()
    if plan_audits:
        dates = _planned_dates(year=year, recurrence=recurrence)
        for number, planned in enumerate(dates, start=1):
            title = _("Operational audit %(number)d/%(count)d %(year)d · %(contract)s") % {
                "number": number,
                "count": len(dates),
                "year": year,
                "contract": contract.reference,
            }
            audit_create(
                access=access,
                contract=contract,
                programme=programme,
                title=title,
                audit_type=audit_type,
                level=level,
                clauses=list(clauses),
                planned_date=planned,
            )
    return programme


def programme_next_year(*, access: Access, programme: AuditProgramme) -> AuditProgramme:
    """Next year's programme of the same contract: the same recurrence, level, clauses and
    notes, with its audits planned (of the type most of this year's audits have)."""
    types = list(programme.audits.values_list("audit_type", flat=True))
    audit_type = max(sorted(set(types)), key=types.count) if types else Audit.Type.SUPPLIER_QA
    return programme_create(
        access=access,
        contract=programme.contract,
        year=programme.year + 1,
        recurrence=programme.recurrence,
        level=programme.level,
        clauses=list(programme.clauses),
        notes=programme.notes,
        audit_type=audit_type,
    )
