"""Writes of audit programmes: a contract's yearly plan and the audits it plans."""

from __future__ import annotations

from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from audits.models import Audit, AuditProgramme, Level
from audits.permissions import may_plan_programme, may_propose_programme, may_record_audit
from audits.services.audits import audit_create
from governance.platform.access import Access
from governance.platform.texts import Said, register
from governance.platform.workdays import is_working_day

# A planned audit's title, in each reader's language until someone renames the audit.
PLANNED_TITLE = register(
    "audits.planned_title",
    gettext_noop("Operational audit %(number)d/%(count)d %(year)d · %(contract)s"),
)


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
    """The yearly programme of a contract, planned by the client; with `plan_audits` one
    planned audit per interval of the recurrence (e.g. quarterly: four, mid-quarter on a
    working day)."""
    if not may_plan_programme(access) or not may_record_audit(access, contract, audit_type):
        raise PermissionDenied
    programme = _new_programme(
        contract=contract,
        year=year,
        recurrence=recurrence,
        level=level,
        clauses=clauses,
        notes=notes,
        status=AuditProgramme.Status.PLANNED,
    )
    if plan_audits:
        _plan_audits(access=access, programme=programme, audit_type=audit_type)
    return programme


def _new_programme(*, contract, year, recurrence, level, clauses, notes, status):
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
        status=status,
    )
    programme.full_clean()
    programme.save()
    return programme


def _plan_audits(*, access: Access, programme: AuditProgramme, audit_type: str) -> None:
    contract = programme.contract
    dates = _planned_dates(year=programme.year, recurrence=programme.recurrence)
    for number, planned in enumerate(dates, start=1):
        said = Said(
            PLANNED_TITLE,
            {
                "number": number,
                "count": len(dates),
                "year": programme.year,
                "contract": contract.reference,
            },
        )
        audit_create(
            access=access,
            contract=contract,
            programme=programme,
            title=str(said),
            title_said=said,
            audit_type=audit_type,
            level=programme.level,
            clauses=list(programme.clauses),
            planned_date=planned,
        )


def _usual_type(programme: AuditProgramme) -> str:
    """The type most of the programme's audits have (supplier QA when it has none)."""
    types = list(programme.audits.values_list("audit_type", flat=True))
    return max(sorted(set(types)), key=types.count) if types else Audit.Type.SUPPLIER_QA


def planned_dates(*, programme: AuditProgramme, year: int | None = None) -> list[date]:
    """The dates the programme's recurrence plans in `year` (default its own year)."""
    return _planned_dates(year=year or programme.year, recurrence=programme.recurrence)


@transaction.atomic
def programme_next_year(*, access: Access, programme: AuditProgramme) -> AuditProgramme:
    """Next year's programme of the same contract, planned by the client: the same recurrence,
    level, clauses and notes, with its audits planned (of the type most of this year's audits
    have). A proposal the supplier made for that year is accepted instead."""
    proposal = AuditProgramme.objects.filter(
        contract=programme.contract, year=programme.year + 1, status=AuditProgramme.Status.PROPOSED
    ).first()
    if proposal is not None:
        return programme_accept(
            access=access, programme=proposal, audit_type=_usual_type(programme)
        )
    return programme_create(
        access=access,
        contract=programme.contract,
        year=programme.year + 1,
        recurrence=programme.recurrence,
        level=programme.level,
        clauses=list(programme.clauses),
        notes=programme.notes,
        audit_type=_usual_type(programme),
    )


@transaction.atomic
def programme_propose_next_year(*, access: Access, programme: AuditProgramme) -> AuditProgramme:
    """The supplier's proposal for next year's programme, like this year's; nothing is planned
    until the client accepts it (`programme_accept`)."""
    if not may_propose_programme(access, programme.contract):
        raise PermissionDenied
    return _new_programme(
        contract=programme.contract,
        year=programme.year + 1,
        recurrence=programme.recurrence,
        level=programme.level,
        clauses=programme.clauses,
        notes=programme.notes,
        status=AuditProgramme.Status.PROPOSED,
    )


@transaction.atomic
def programme_accept(
    *, access: Access, programme: AuditProgramme, audit_type: str | None = None
) -> AuditProgramme:
    """The client accepts the supplier's proposal: the programme is planned with its audits."""
    if not may_plan_programme(access):
        raise PermissionDenied
    locked = AuditProgramme.objects.select_for_update().get(pk=programme.pk)
    if locked.status != AuditProgramme.Status.PROPOSED:
        raise ValidationError({"status": _("This programme is planned already.")})
    previous = AuditProgramme.objects.filter(contract=locked.contract, year=locked.year - 1).first()
    audit_type = audit_type or (_usual_type(previous) if previous else Audit.Type.SUPPLIER_QA)
    if not may_record_audit(access, locked.contract, audit_type):
        raise PermissionDenied
    locked.status = AuditProgramme.Status.PLANNED
    locked.save(update_fields=["status"])
    _plan_audits(access=access, programme=locked, audit_type=audit_type)
    return locked
