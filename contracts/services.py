"""Writes of contracts, services, service levels and SLA reports: keyword-only, validated,
returning the object. Uploads are validated as a whole and stored in one transaction."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from contracts import uploads
from contracts.models import (
    Contract,
    Expectation,
    InformationDelivery,
    InformationNeed,
    Measurement,
    Service,
    ServiceHours,
    ServiceLevel,
    ServiceLevelDimension,
    SLAReport,
    month_period,
)
from contracts.permissions import (
    may_record_delivery,
    may_review_report,
    may_upload_report,
)
from governance.platform import events
from governance.platform.access import Access
from governance.platform.history import tracked_bulk_create, tracked_bulk_update
from governance.platform.links import public_base_url
from governance.platform.models import Organisation, Supplier
from governance.platform.webhooks import Event, webhook_emit

# --- contracts -----------------------------------------------------------------------------


def _update[M](obj: M, fields: dict) -> M:
    for name, value in fields.items():
        setattr(obj, name, value)
    obj.full_clean()
    obj.save()
    return obj


def _check_reference(contract: Contract) -> None:
    # The unique constraint says the same, but not which field the user has to change.
    taken = Contract.objects.filter(
        organisation_id=contract.organisation_id, reference=contract.reference
    ).exclude(pk=contract.pk)
    if taken.exists():
        raise ValidationError(
            {"reference": _("The organisation already has a contract with this reference.")}
        )


def contract_create(
    *, organisation: Organisation, supplier: Supplier, reference: str, title: str, **fields
) -> Contract:
    """Register a contract of `organisation` with `supplier`; `fields` are further model fields
    (dates, notice period, renewal, value, status, reporting calendar)."""
    contract = Contract(
        organisation=organisation, supplier=supplier, reference=reference, title=title, **fields
    )
    _check_reference(contract)
    contract.full_clean()
    contract.save()
    return contract


def contract_update(*, contract: Contract, **fields) -> Contract:
    """Change the contract's terms (reference, title, dates, notice, renewal, value, status,
    reporting calendar). Organisation and supplier stay: reports and access hang off them."""
    if {"organisation", "supplier"} & fields.keys():
        raise ValueError("a contract keeps its organisation and supplier")
    for name, value in fields.items():
        setattr(contract, name, value)
    _check_reference(contract)
    contract.full_clean()
    contract.save()
    return contract


def expectation_create(
    *, contract: Contract, statement: str, measured_by: str, owner: str
) -> Expectation:
    """Record an explicit expectation of the client."""
    expectation = Expectation(
        organisation=contract.organisation,
        contract=contract,
        statement=statement,
        measured_by=measured_by,
        owner=owner,
    )
    expectation.full_clean()
    expectation.save()
    return expectation


def expectation_update(
    *, expectation: Expectation, statement: str, measured_by: str, owner: str
) -> Expectation:
    """Reword an explicit expectation, how it is measured or who owns it."""
    return _update(
        expectation, {"statement": statement, "measured_by": measured_by, "owner": owner}
    )


def information_need_create(*, contract: Contract, **fields) -> InformationNeed:
    """Record an information need (what, format, frequency, by whom, to whom, when due)."""
    need = InformationNeed(organisation=contract.organisation, contract=contract, **fields)
    need.full_clean()
    need.save()
    return need


def information_need_update(*, need: InformationNeed, **fields) -> InformationNeed:
    """Change an information need. Deliveries already recorded keep their due date."""
    return _update(need, fields)


def information_delivery_record(
    *,
    access: Access,
    need: InformationNeed,
    day: date,
    delivered_on: date,
    today: date | None = None,
) -> InformationDelivery:
    """Record that the information of `need` for the period containing `day` (a month, quarter
    or year, by the need's frequency) was delivered on `delivered_on`; on time or late follows
    from the due date, the period's end plus the need's `due_days`.

    A contract manager records and corrects any delivery. The contract's supplier records the
    deliveries it makes itself, but cannot change a date once recorded: the client holds the
    record of what arrived when."""
    if not may_record_delivery(access, need):
        raise PermissionDenied
    today = today or local_today(need.organisation)
    period_start, period_end = need.period_containing(day)
    contract = need.contract
    errors = {}
    if (contract.start_date and period_end < contract.start_date) or (
        contract.end_date and period_start > contract.end_date
    ):
        errors["period"] = _("The period lies outside the contract.")
    if delivered_on > today:
        errors["delivered_on"] = _("A delivery can only be recorded once it has been made.")
    delivery = InformationDelivery.objects.filter(
        need=need, period_start=period_start
    ).first() or InformationDelivery(
        organisation=need.organisation, need=need, period_start=period_start
    )
    if access.is_supplier and delivery.delivered_on not in (None, delivered_on):
        errors["delivered_on"] = _(
            "This delivery is recorded as made on %(date)s; only the contract manager can "
            "change that."
        ) % {"date": delivery.delivered_on.isoformat()}
    if errors:
        raise ValidationError(errors)
    delivery.period_end = period_end
    delivery.due_date = period_end + timedelta(days=need.due_days)
    delivery.delivered_on = delivered_on
    delivery.full_clean()
    delivery.save()
    return delivery


# --- services ------------------------------------------------------------------------------


def _opening_hours(
    *, organisation: Organisation, hours: list[tuple[int, time, time]]
) -> list[ServiceHours]:
    """The weekly window as unsaved intervals, checked as a whole: each closes after it opens,
    and no two overlap on one day. Every problem is reported at once."""
    intervals: list[ServiceHours] = []
    problems = []
    for weekday, opens, closes in sorted(hours):
        interval = ServiceHours(
            organisation=organisation, weekday=weekday, opens=opens, closes=closes
        )
        try:
            interval.full_clean(exclude=["service"])
        except ValidationError as error:
            problems += [f"{interval}: {message}" for message in error.messages]
            continue
        previous = intervals[-1] if intervals else None
        if previous is not None and previous.weekday == weekday and opens < previous.closes:
            problems.append(
                _("%(interval)s overlaps %(other)s.") % {"interval": interval, "other": previous}
            )
            continue
        intervals.append(interval)
    if problems:
        raise ValidationError({"hours": problems})
    return intervals


def _service_save(service: Service, hours) -> Service:
    """Validate the service and (unless `hours` is None) its new window together, then store
    both; the window replaces the old one."""
    errors = {}
    intervals = None
    taken = Service.objects.filter(contract_id=service.contract_id, name=service.name)
    if taken.exclude(pk=service.pk).exists():
        errors["name"] = [_("The contract already has a service with this name.")]
    try:
        service.full_clean(validate_constraints=not errors)
    except ValidationError as error:
        errors.update(error.message_dict)
    if hours is not None:
        try:
            intervals = _opening_hours(organisation=service.organisation, hours=hours)
        except ValidationError as error:
            errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    service.save()
    if intervals is not None:
        service.opening_hours.all().delete()
        for interval in intervals:
            interval.service = service
        tracked_bulk_create(ServiceHours, intervals)
    return service


@transaction.atomic
def service_create(
    *,
    contract: Contract,
    name: str,
    description: str = "",
    criticality: str = Service.Criticality.MEDIUM,
    open_on_holidays: bool = False,
    hours: list[tuple[int, time, time]] = (),
) -> Service:
    """A service of the contract with its weekly opening hours (weekday 0 = Monday; no hours:
    always open)."""
    service = Service(
        organisation=contract.organisation,
        contract=contract,
        name=name,
        description=description,
        criticality=criticality,
        open_on_holidays=open_on_holidays,
    )
    return _service_save(service, list(hours))


@transaction.atomic
def service_update(
    *, service: Service, hours: list[tuple[int, time, time]] | None = None, **fields
) -> Service:
    """Change a service; `hours`, when given, replaces its weekly window."""
    for name, value in fields.items():
        setattr(service, name, value)
    return _service_save(service, hours)


# --- service levels ------------------------------------------------------------------------


@transaction.atomic
def service_level_create(
    *, contract: Contract, dimensions: dict[str, Decimal] | None = None, **fields
) -> ServiceLevel:
    """A service level version of the contract, mapped to perception dimensions
    ({dimension: weight})."""
    level = ServiceLevel(organisation=contract.organisation, contract=contract, **fields)
    level.full_clean()
    level.save()
    for dimension, weight in (dimensions or {}).items():
        mapping = ServiceLevelDimension(
            organisation=contract.organisation,
            service_level=level,
            dimension=dimension,
            weight=Decimal(weight),
        )
        mapping.full_clean()
        mapping.save()
    return level


def service_level_add(*, contract: Contract, code: str, **fields) -> ServiceLevel:
    """A new service level of the contract. Its code must be new to the contract: changing an
    agreed level is an amendment (`service_level_amend`), so the old target keeps its periods."""
    if ServiceLevel.objects.filter(contract=contract, code=code).exists():
        raise ValidationError(
            {"code": _("This code is already agreed in the contract; amend that level instead.")}
        )
    return service_level_create(contract=contract, code=code, **fields)


@transaction.atomic
def service_level_amend(*, level: ServiceLevel, valid_from: date, **changes) -> ServiceLevel:
    """Amend a service level from `valid_from`: the current version ends the day before and a
    new version with the same code takes over, keeping the dimension mappings unless
    `dimensions` is given. Earlier periods stay judged by the old version.

    Only the version in force can be amended, and not from a date on or before the end of a
    period that was already reported against it: those figures were judged by this version."""
    if level.valid_to is not None:
        raise ValidationError(_("This version has ended; amend the version in force."))
    if valid_from <= level.valid_from:
        raise ValidationError({"valid_from": _("An amendment must start after the version.")})
    reported = (
        Measurement.objects.filter(service_level=level, report__period_end__gte=valid_from)
        .order_by("-report__period_start")
        .values_list("report__period_start", flat=True)
        .first()
    )
    if reported is not None:
        raise ValidationError(
            {
                "valid_from": _(
                    "The report for %(period)s was judged by this version; an amendment starts "
                    "after the last reported period."
                )
                % {"period": f"{reported:%Y-%m}"}
            }
        )
    dimensions = changes.pop("dimensions", None)
    if dimensions is None:
        dimensions = {m.dimension: m.weight for m in level.dimensions.all()}
    fields = {
        name: getattr(level, name)
        for name in (
            "service",
            "code",
            "name",
            "metric_kind",
            "unit",
            "direction",
            "target",
            "breach_threshold",
            "period",
        )
    }
    fields.update(changes)
    level.valid_to = valid_from - timedelta(days=1)
    try:
        level.full_clean()
        level.save(update_fields=["valid_to"])
        return service_level_create(
            contract=level.contract, dimensions=dimensions, valid_from=valid_from, **fields
        )
    except ValidationError:
        level.valid_to = None  # the transaction rolls back; so does the caller's object
        raise


# --- SLA reports ---------------------------------------------------------------------------


@dataclass
class UploadResult:
    """The outcome of an upload or its dry run."""

    problems: list[uploads.Problem] = field(default_factory=list)
    rows: list[uploads.CleanRow] = field(default_factory=list)
    report: SLAReport | None = None
    created: bool = False
    dry_run: bool = True

    @property
    def ok(self) -> bool:
        return not self.problems


def local_today(organisation: Organisation, now: datetime | None = None) -> date:
    now = now or timezone.now()
    return now.astimezone(ZoneInfo(organisation.time_zone)).date()


def json_rows_content(rows: list[dict]) -> bytes:
    """A canonical byte form of JSON rows, so the same rows twice have the same checksum."""
    return json.dumps(rows, sort_keys=True, separators=(",", ":"), default=str).encode()


def _period_problems(
    *, contract: Contract, period_start: date, today: date, previous: SLAReport | None
) -> list[uploads.Problem]:
    problems = []

    def problem(message):
        problems.append(uploads.Problem(None, "period", f"{period_start:%Y-%m}", message))

    period_end = month_period(period_start)[1]
    if period_start != month_period(period_start)[0]:
        problem(_("A period starts on the first day of a month."))
        return problems
    if (contract.start_date and period_end < contract.start_date) or (
        contract.end_date and period_start > contract.end_date
    ):
        problem(_("The period lies outside the contract."))
        return problems
    opens, _closes = contract.report_window(period_end)
    if today < opens:
        problem(
            _("The report window for this period opens on %(date)s.") % {"date": opens.isoformat()}
        )
    correcting = previous is not None and previous.status in (
        SLAReport.Status.DISPUTED,
        SLAReport.Status.WITHDRAWN,
    )
    # A correction answers the client's dispute and is never refused for lateness.
    if not correcting and today > contract.late_report_limit(period_end):
        problem(
            _("The report window for this period has closed (late reports until %(date)s).")
            % {"date": contract.late_report_limit(period_end).isoformat()}
        )
    if previous is not None and previous.status not in SLAReport.REPLACEABLE:
        problem(
            _("The current version of this report is %(status)s and cannot be replaced.")
            % {"status": previous.get_status_display()}
        )
    return problems


def sla_report_upload(
    *,
    access: Access,
    contract: Contract,
    period_start: date,
    content: bytes,
    name: str,
    content_type: str = "",
    json_rows: list[dict] | None = None,
    dry_run: bool = True,
    submit: bool = True,
    now: datetime | None = None,
) -> UploadResult:
    """Validate an SLA report (a CSV/XLSX file, or JSON rows when `json_rows` is given) for the
    contract and month as a whole; unless `dry_run`, store it as the period's next version in
    one transaction — only when there is no problem at all.

    The same content for the same period twice creates nothing: the existing version is
    returned with `created=False`. Only the contract's supplier may upload.
    """
    if not may_upload_report(access, contract):
        raise PermissionDenied
    if contract.organisation_id != access.organisation.pk:
        raise PermissionDenied
    now = now or timezone.now()
    today = local_today(contract.organisation, now)
    if json_rows is not None:
        content = json_rows_content(json_rows)
    checksum = hashlib.sha256(content).hexdigest()
    result = UploadResult(dry_run=dry_run)

    existing = (
        SLAReport.objects.filter(contract=contract, period_start=period_start, checksum=checksum)
        .defer("source_file")
        .order_by("-version")
        .first()
    )
    if existing is not None:
        result.report = existing
        return result

    previous = (
        SLAReport.objects.filter(contract=contract, period_start=period_start, is_current=True)
        .defer("source_file")
        .first()
    )
    result.problems += _period_problems(
        contract=contract, period_start=period_start, today=today, previous=previous
    )
    # Outside the contract no level is in force: row checks would only repeat that.
    period_is_void = any(
        p.message == _("The period lies outside the contract.") for p in result.problems
    )
    try:
        if json_rows is not None:
            raw_rows, decimal_comma = uploads.rows_from_json(json_rows), False
        else:
            raw_rows, decimal_comma = uploads.read_file(name=name, content=content)
    except uploads.UploadRejected as rejected:
        result.problems += rejected.problems
        return result
    period_end = month_period(period_start)[1]
    if period_is_void:
        return result
    levels = list(ServiceLevel.objects.filter(contract=contract))
    problems, clean = uploads.validate_rows(
        rows=raw_rows,
        levels=levels,
        known_codes={level.code for level in levels},
        period_start=period_start,
        period_end=period_end,
        decimal_comma=decimal_comma,
    )
    result.problems += problems
    result.rows = clean
    if result.problems or dry_run:
        return result
    result.report = _store_report(
        access=access,
        contract=contract,
        period_start=period_start,
        period_end=period_end,
        rows=clean,
        content=content,
        name=name,
        content_type=content_type,
        checksum=checksum,
        submit=submit,
        now=now,
        today=today,
    )
    result.created = True
    return result


@transaction.atomic
def _store_report(
    *,
    access,
    contract,
    period_start,
    period_end,
    rows,
    content,
    name,
    content_type,
    checksum,
    submit,
    now,
    today,
) -> SLAReport:
    # Serialise concurrent uploads for the contract so versions stay consecutive.
    Contract.objects.select_for_update().filter(pk=contract.pk).first()
    versions = SLAReport.objects.filter(contract=contract, period_start=period_start)
    previous = versions.filter(is_current=True).defer("source_file").first()
    version = (versions.order_by("-version").values_list("version", flat=True).first() or 0) + 1
    if previous is not None:
        previous.status = (
            SLAReport.Status.CORRECTED
            if previous.status in (SLAReport.Status.DISPUTED, SLAReport.Status.WITHDRAWN)
            else SLAReport.Status.SUPERSEDED
        )
        previous.is_current = False
        previous.save(update_fields=["status", "is_current"])
    report = SLAReport(
        organisation=contract.organisation,
        contract=contract,
        period_start=period_start,
        period_end=period_end,
        version=version,
        status=SLAReport.Status.SUBMITTED if submit else SLAReport.Status.DRAFT,
        is_current=True,
        submitted_by_id=access.user_id,
        submitted_at=now if submit else None,
        is_late=version == 1 and submit and today > contract.report_window(period_end)[1],
        source_name=name[:200],
        source_content_type=content_type[:100],
        source_file=content,
        checksum=checksum,
    )
    report.save()
    tracked_bulk_create(
        Measurement,
        [
            Measurement(
                organisation_id=contract.organisation_id,
                report=report,
                service_level=row.level,
                value=row.value,
                state=row.state,
                deviation_cause=row.cause,
                deviation_impact=row.impact,
                deviation_action=row.corrective_action,
            )
            for row in rows
        ],
        batch_size=2000,
    )
    return report


def _transition(report: SLAReport, allowed: tuple, message: str) -> None:
    if report.status not in allowed or not report.is_current:
        raise ValidationError(message)


@transaction.atomic
def sla_report_submit(*, access: Access, report: SLAReport, now: datetime | None = None):
    """The supplier submits a draft version."""
    if not may_upload_report(access, report.contract):
        raise PermissionDenied
    _transition(report, (SLAReport.Status.DRAFT,), _("Only a draft can be submitted."))
    now = now or timezone.now()
    report.status = SLAReport.Status.SUBMITTED
    report.submitted_at = now
    report.submitted_by_id = access.user_id
    earlier = SLAReport.objects.filter(
        contract=report.contract, period_start=report.period_start, version__lt=report.version
    ).exists()
    report.is_late = (
        not earlier
        and local_today(report.organisation, now)
        > (report.contract.report_window(report.period_end)[1])
    )
    report.save(update_fields=["status", "submitted_at", "submitted_by", "is_late"])
    return report


def _announce_report(report: SLAReport, event: str) -> None:
    """The report's decision as a webhook event, to the client and to the report's supplier."""
    contract = report.contract
    path = reverse(
        "contracts:report_detail",
        kwargs={"org_slug": report.organisation.slug, "pk": report.pk},
    )
    webhook_emit(
        organisation=report.organisation,
        event=event,
        supplier_id=contract.supplier_id,
        data={
            "report": report.pk,
            "contract": contract.reference,
            "period_start": report.period_start,
            "status": report.status,
            "url": public_base_url() + path,
        },
    )


@transaction.atomic
def sla_report_accept(*, access: Access, report: SLAReport) -> SLAReport:
    """The client accepts a submitted report, or an appealed one (the appeal is granted)."""
    access.require(may_review_report(access))
    _transition(
        report,
        (SLAReport.Status.SUBMITTED, SLAReport.Status.APPEALED),
        _("Only a submitted or appealed report can be accepted."),
    )
    report.status = SLAReport.Status.ACCEPTED
    report.reviewed_by_id = access.user_id
    report.reviewed_at = timezone.now()
    report.save(update_fields=["status", "reviewed_by", "reviewed_at"])
    _announce_report(report, Event.SLA_REPORT_ACCEPTED)
    # Higher layers (the gap analysis) react after commit; contracts cannot import them.
    events.publish(
        events.SLA_REPORT_ACCEPTED,
        organisation_id=report.organisation_id,
        period_start=report.period_start,
    )
    return report


@transaction.atomic
def sla_report_dispute(*, access: Access, report: SLAReport, reasons: dict[int, str]) -> SLAReport:
    """The client disputes a submitted report with a reason per disputed measurement
    ({measurement id: reason}); at least one reason is required."""
    access.require(may_review_report(access))
    _transition(
        report, (SLAReport.Status.SUBMITTED,), _("Only a submitted report can be disputed.")
    )
    reasons = {int(pk): text.strip() for pk, text in reasons.items() if text and text.strip()}
    if not reasons:
        raise ValidationError(_("Give a reason for at least one disputed measurement."))
    measurements = {m.pk: m for m in report.measurements.filter(pk__in=list(reasons))}
    unknown = set(reasons) - set(measurements)
    if unknown:
        raise ValidationError(_("A disputed measurement does not belong to this report."))
    for pk, reason in reasons.items():
        measurements[pk].dispute_reason = reason
    tracked_bulk_update(Measurement, measurements.values(), ["dispute_reason"])
    report.status = SLAReport.Status.DISPUTED
    report.reviewed_by_id = access.user_id
    report.reviewed_at = timezone.now()
    report.save(update_fields=["status", "reviewed_by", "reviewed_at"])
    _announce_report(report, Event.SLA_REPORT_DISPUTED)
    return report


@transaction.atomic
def sla_report_appeal(*, access: Access, report: SLAReport, reason: str) -> SLAReport:
    """The supplier stands by a disputed report and says why."""
    if not may_upload_report(access, report.contract):
        raise PermissionDenied
    _transition(report, (SLAReport.Status.DISPUTED,), _("Only a disputed report can be appealed."))
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the report stands.")})
    report.status = SLAReport.Status.APPEALED
    report.appeal_reason = reason.strip()
    report.save(update_fields=["status", "appeal_reason"])
    _announce_report(report, Event.SLA_REPORT_APPEALED)
    return report


@transaction.atomic
def sla_report_withdraw(*, access: Access, report: SLAReport) -> SLAReport:
    """The client rejects an appeal: the report is withdrawn and a corrected version is due."""
    access.require(may_review_report(access))
    _transition(
        report, (SLAReport.Status.APPEALED,), _("Only an appealed report can be withdrawn.")
    )
    report.status = SLAReport.Status.WITHDRAWN
    report.reviewed_by_id = access.user_id
    report.reviewed_at = timezone.now()
    report.save(update_fields=["status", "reviewed_by", "reviewed_at"])
    return report
