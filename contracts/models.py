"""Contracts, services, service levels and the supplier's SLA reports: data and invariants."""

import calendar
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from governance.platform.dimensions import Dimension
from governance.platform.history import audit_trail
from governance.platform.models import CreatedAt, TenantModel, tenant_manager
from governance.platform.workdays import previous_working_day


def add_months(day: date, months: int) -> date:
    """`day` shifted by whole months, clamped to the end of a shorter month."""
    month_index = day.year * 12 + day.month - 1 + months
    year, month = divmod(month_index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def month_period(day: date) -> tuple[date, date]:
    """The calendar month containing `day`: (first day, last day)."""
    return day.replace(day=1), day.replace(day=calendar.monthrange(day.year, day.month)[1])


def quarter_period(day: date) -> tuple[date, date]:
    """The calendar quarter containing `day`: (first day, last day)."""
    first_month = 3 * ((day.month - 1) // 3) + 1
    start = date(day.year, first_month, 1)
    return start, month_period(date(day.year, first_month + 2, 1))[1]


def year_period(day: date) -> tuple[date, date]:
    """The calendar year containing `day`: (first day, last day)."""
    return date(day.year, 1, 1), date(day.year, 12, 31)


class Contract(TenantModel, CreatedAt):
    """An outsourcing contract between a client organisation and a supplier."""

    class Renewal(models.TextChoices):
        NONE = "none", _("No renewal")
        TACIT = "tacit", _("Tacit renewal")
        EXPLICIT = "explicit", _("Explicit renewal")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        TRANSITION = "transition", _("Transition")
        ACTIVE = "active", _("Active")
        ENDING = "ending", _("Ending")
        ENDED = "ended", _("Ended")

    # TenantModel's key with a reverse name: the access policy finds a supplier's organisations
    # through `contracts` (governance.platform.access.organisations_for).
    organisation = models.ForeignKey(
        "governance.Organisation",
        on_delete=models.PROTECT,
        related_name="contracts",
        verbose_name=_("organisation"),
    )
    supplier = models.ForeignKey(
        "governance.Supplier",
        on_delete=models.PROTECT,
        related_name="contracts",
        verbose_name=_("supplier"),
    )
    reference = models.CharField(_("reference"), max_length=60)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    notice_period_months = models.PositiveSmallIntegerField(
        _("notice period (months)"), default=3, validators=[MaxValueValidator(60)]
    )
    renewal = models.CharField(
        _("renewal"), max_length=16, choices=Renewal.choices, default=Renewal.NONE
    )
    renewal_term_months = models.PositiveSmallIntegerField(
        _("renewal term (months)"),
        default=12,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
        help_text=_("How long each tacit or explicit renewal extends the contract."),
    )
    value = models.DecimalField(
        _("contract value"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    # The reporting calendar: a period's report window opens and closes this many days after the
    # period ends (e.g. days 1–10).
    report_window_opens_day = models.PositiveSmallIntegerField(
        _("report window opens (day after period end)"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(90)],
    )
    report_window_closes_day = models.PositiveSmallIntegerField(
        _("report window closes (day after period end)"),
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
    )
    late_reports_until_day = models.PositiveSmallIntegerField(
        _("late reports accepted until (day after period end)"),
        default=40,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text=_("After the window closes a report is still taken, marked late, until then."),
    )

    objects = tenant_manager(supplier="supplier")

    history = audit_trail()

    class Meta:
        ordering = ["reference"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "reference"], name="contract_reference_unique"
            )
        ]
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    def clean(self) -> None:
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("The end date lies before the start date.")})
        if self.report_window_closes_day < self.report_window_opens_day:
            raise ValidationError(
                {"report_window_closes_day": _("The report window closes before it opens.")}
            )
        if self.late_reports_until_day < self.report_window_closes_day:
            raise ValidationError(
                {
                    "late_reports_until_day": _(
                        "Late reports must be accepted until at least the day the window closes."
                    )
                }
            )

    def current_end_date(self, today: date) -> date | None:
        """The end date in force on `today`, after the tacit renewals that have taken effect."""
        if self.end_date is None:
            return None
        end = self.end_date
        if self.renewal == self.Renewal.TACIT:
            # Each missed notice deadline renews the contract for another term.
            while self._notice_deadline_for(end) < today:
                end = add_months(end, self.renewal_term_months)
        return end

    @property
    def current_term_end(self) -> date | None:
        """The end of the term running today: the agreed end date moved on by every tacit
        renewal whose notice deadline has passed. Pages show this, not the original end."""
        return self.current_end_date(date.today())

    @property
    def renewed(self) -> bool:
        """True when tacit renewals have moved the end beyond the agreed end date."""
        end = self.current_term_end
        return end is not None and end != self.end_date

    def next_notice_deadline(self, today: date | None = None) -> date | None:
        """The last working day on which notice can still be given (tacit renewal: to stop the
        renewal; explicit renewal: to decide on renewing), or None when nothing is due."""
        today = today or date.today()
        if self.end_date is None or self.renewal == self.Renewal.NONE:
            return None
        if self.status == self.Status.ENDED:
            return None
        end = self.current_end_date(today)
        deadline = self._notice_deadline_for(end)
        return deadline if deadline >= today else None

    def _notice_deadline_for(self, end: date) -> date:
        return previous_working_day(add_months(end, -self.notice_period_months))

    def report_window(self, period_end: date) -> tuple[date, date]:
        """First and last day on which the report for the period ending `period_end` is due."""
        return (
            period_end + timedelta(days=self.report_window_opens_day),
            period_end + timedelta(days=self.report_window_closes_day),
        )

    def late_report_limit(self, period_end: date) -> date:
        """The last day on which a late report for the period is still taken."""
        return period_end + timedelta(days=self.late_reports_until_day)


class Expectation(TenantModel):
    """An explicit expectation of the client: what it expects, how it is measured, who owns it."""

    contract = models.ForeignKey(
        Contract, on_delete=models.CASCADE, related_name="expectations", verbose_name=_("contract")
    )
    statement = models.TextField(_("expectation"))
    measured_by = models.TextField(_("how it is measured"))
    owner = models.CharField(_("owner"), max_length=200)

    objects = tenant_manager(supplier="contract__supplier")

    history = audit_trail()

    class Meta:
        ordering = ["contract", "pk"]
        verbose_name = _("expectation")
        verbose_name_plural = _("expectations")

    def __str__(self) -> str:
        return self.statement[:80]


class Frequency(models.TextChoices):
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")
    YEARLY = "yearly", _("Yearly")


class InformationNeed(TenantModel):
    """Information the client needs from the supplier (or the other way round), and when."""

    class Party(models.TextChoices):
        SUPPLIER = "supplier", _("Supplier")
        CLIENT = "client", _("Client")

    contract = models.ForeignKey(
        Contract,
        on_delete=models.CASCADE,
        related_name="information_needs",
        verbose_name=_("contract"),
    )
    what = models.CharField(_("information"), max_length=200)
    format = models.CharField(_("format"), max_length=100)
    frequency = models.CharField(
        _("frequency"), max_length=16, choices=Frequency.choices, default=Frequency.MONTHLY
    )
    delivered_by = models.CharField(
        _("delivered by"), max_length=16, choices=Party.choices, default=Party.SUPPLIER
    )
    recipient = models.CharField(_("delivered to"), max_length=200)
    due_days = models.PositiveSmallIntegerField(
        _("due (days after period end)"), default=10, validators=[MaxValueValidator(120)]
    )

    objects = tenant_manager(supplier="contract__supplier")

    history = audit_trail()

    class Meta:
        ordering = ["contract", "what"]
        verbose_name = _("information need")
        verbose_name_plural = _("information needs")

    def __str__(self) -> str:
        return self.what

    def period_containing(self, day: date) -> tuple[date, date]:
        """The delivery period (month, quarter or year, by the frequency) containing `day`."""
        if self.frequency == Frequency.QUARTERLY:
            return quarter_period(day)
        if self.frequency == Frequency.YEARLY:
            return year_period(day)
        return month_period(day)


class InformationDelivery(TenantModel):
    """One delivery (or a still missing one) of an information need for one period."""

    need = models.ForeignKey(
        InformationNeed,
        on_delete=models.CASCADE,
        related_name="deliveries",
        verbose_name=_("information need"),
    )
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    due_date = models.DateField(_("due"))
    delivered_on = models.DateField(_("delivered on"), null=True, blank=True)

    objects = tenant_manager(supplier="need__contract__supplier")

    history = audit_trail()

    class Meta:
        ordering = ["need", "-period_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["need", "period_start"], name="information_delivery_unique"
            )
        ]
        verbose_name = _("information delivery")
        verbose_name_plural = _("information deliveries")

    def __str__(self) -> str:
        return f"{self.need} {self.period_start:%Y-%m}"

    @property
    def on_time(self) -> bool | None:
        """True/False once delivered; None while outstanding."""
        if self.delivered_on is None:
            return None
        return self.delivered_on <= self.due_date


class Service(TenantModel):
    """A service delivered under a contract (e.g. "Servicedesk"), with its service window.

    The window is the weekly opening hours in `opening_hours`; without any, the service is
    always open. Dutch public holidays are closed unless `open_on_holidays` says otherwise.
    """

    class Criticality(models.TextChoices):
        LOW = "low", _("Low")
        MEDIUM = "medium", _("Medium")
        HIGH = "high", _("High")
        CRITICAL = "critical", _("Critical")

    contract = models.ForeignKey(
        Contract, on_delete=models.CASCADE, related_name="services", verbose_name=_("contract")
    )
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    criticality = models.CharField(
        _("criticality"), max_length=16, choices=Criticality.choices, default=Criticality.MEDIUM
    )
    open_on_holidays = models.BooleanField(_("open on public holidays"), default=False)

    objects = tenant_manager(supplier="contract__supplier")

    history = audit_trail()

    class Meta:
        ordering = ["contract", "name"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "name"], name="service_name_unique")
        ]
        verbose_name = _("service")
        verbose_name_plural = _("services")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        self.require_same(
            "organisation", contract=_("The contract belongs to another organisation.")
        )


class ServiceHours(TenantModel):
    """One opening interval of a service on one weekday, local time of the organisation."""

    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("Monday")
        TUESDAY = 1, _("Tuesday")
        WEDNESDAY = 2, _("Wednesday")
        THURSDAY = 3, _("Thursday")
        FRIDAY = 4, _("Friday")
        SATURDAY = 5, _("Saturday")
        SUNDAY = 6, _("Sunday")

    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, related_name="opening_hours", verbose_name=_("service")
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    opens = models.TimeField(_("opens"))
    closes = models.TimeField(_("closes"))

    objects = tenant_manager(supplier="service__contract__supplier")

    history = audit_trail()

    class Meta:
        ordering = ["service", "weekday", "opens"]
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"

    def clean(self) -> None:
        if self.opens is not None and self.closes is not None and self.closes <= self.opens:
            raise ValidationError({"closes": _("Closing time must be after opening time.")})

    def covers(self, moment: datetime) -> bool:
        return moment.weekday() == self.weekday and self.opens <= moment.time() < self.closes


def value_range_problem(metric_kind: str, value: Decimal) -> str | None:
    """Why `value` cannot be a figure of this metric kind (percentages 0–100, durations, counts
    and ratios 0 or more, counts whole), or None. Targets, thresholds and reported values alike."""
    kind = ServiceLevel.MetricKind
    if metric_kind == kind.PERCENTAGE and not Decimal(0) <= value <= Decimal(100):
        return gettext("A percentage must lie between 0 and 100.")
    if metric_kind == kind.DURATION and value < 0:
        return gettext("A duration cannot be negative.")
    if metric_kind == kind.COUNT and (value < 0 or value != value.to_integral()):
        return gettext("A count must be a whole number of 0 or more.")
    if metric_kind == kind.RATIO and value < 0:
        return gettext("A ratio cannot be negative.")
    if abs(value) >= Decimal(10) ** 10:
        return gettext("The value is too large.")
    return None


class ServiceLevel(TenantModel):
    """One version of an agreed service level. An amendment closes this version (`valid_to`) and
    creates the next with the same code, so each period is judged by the levels in force then."""

    class MetricKind(models.TextChoices):
        PERCENTAGE = "percentage", _("Percentage")
        DURATION = "duration", _("Duration")
        COUNT = "count", _("Count")
        RATIO = "ratio", _("Ratio")

    class Direction(models.TextChoices):
        HIGHER = "higher", _("Higher is better")
        LOWER = "lower", _("Lower is better")

    class Period(models.TextChoices):
        MONTHLY = "monthly", _("Monthly")
        QUARTERLY = "quarterly", _("Quarterly")

    contract = models.ForeignKey(
        Contract,
        on_delete=models.CASCADE,
        related_name="service_levels",
        verbose_name=_("contract"),
    )
    service = models.ForeignKey(
        Service,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="service_levels",
        verbose_name=_("service"),
    )
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=200)
    metric_kind = models.CharField(_("metric"), max_length=16, choices=MetricKind.choices)
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    direction = models.CharField(_("direction"), max_length=8, choices=Direction.choices)
    target = models.DecimalField(_("target"), max_digits=14, decimal_places=4)
    breach_threshold = models.DecimalField(
        _("breach threshold"),
        max_digits=14,
        decimal_places=4,
        null=True,
        blank=True,
        help_text=_(
            "Optional. A value worse than the target but not beyond this threshold is a near "
            "miss; beyond it the level is missed."
        ),
    )
    period = models.CharField(
        _("measurement period"), max_length=16, choices=Period.choices, default=Period.MONTHLY
    )
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)

    objects = tenant_manager(supplier="contract__supplier")

    history = audit_trail()

    class Meta:
        ordering = ["contract", "code", "valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "code", "valid_from"], name="service_level_version_unique"
            )
        ]
        indexes = [models.Index(fields=["contract", "valid_from", "valid_to"])]
        verbose_name = _("service level")
        verbose_name_plural = _("service levels")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def clean(self) -> None:
        errors = {}
        if self.valid_to and self.valid_from and self.valid_to < self.valid_from:
            errors["valid_to"] = _("Valid to lies before valid from.")
        for name in ("target", "breach_threshold"):
            value = getattr(self, name)
            if value is not None and (problem := value_range_problem(self.metric_kind, value)):
                errors[name] = problem
        if self.breach_threshold is not None and self.target is not None:
            worse = (
                self.breach_threshold > self.target
                if self.direction == self.Direction.HIGHER
                else self.breach_threshold < self.target
            )
            if worse:
                errors["breach_threshold"] = _(
                    "The breach threshold must be on the worse side of the target."
                )
        errors |= self.mismatched(
            "organisation", contract=_("The contract belongs to another organisation.")
        )
        errors |= self.mismatched("contract", service=_("The service belongs to another contract."))
        if self.contract_id and self.code and self.valid_from and not errors:
            overlapping = ServiceLevel.objects.filter(
                contract_id=self.contract_id, code=self.code
            ).exclude(pk=self.pk)
            overlapping = overlapping.filter(
                models.Q(valid_to__isnull=True) | models.Q(valid_to__gte=self.valid_from)
            )
            if self.valid_to:
                overlapping = overlapping.filter(valid_from__lte=self.valid_to)
            if overlapping.exists():
                errors["valid_from"] = _(
                    "Another version of this code is in force in the same period."
                )
        if errors:
            raise ValidationError(errors)

    def in_force(self, period_start: date, period_end: date) -> bool:
        return self.valid_from <= period_end and (
            self.valid_to is None or self.valid_to >= period_start
        )

    def judge(self, actual: Decimal) -> str:
        """The state of a measured value: met, near miss (worse than target, within the breach
        threshold) or missed."""
        better_or_equal = (
            actual >= self.target
            if self.direction == self.Direction.HIGHER
            else actual <= self.target
        )
        if better_or_equal:
            return Measurement.State.MET
        if self.breach_threshold is not None:
            within = (
                actual >= self.breach_threshold
                if self.direction == self.Direction.HIGHER
                else actual <= self.breach_threshold
            )
            if within:
                return Measurement.State.NEAR_MISS
        return Measurement.State.MISSED

    def margin(self, actual: Decimal) -> float | None:
        """Signed relative margin (REFERENCE.md §2): positive is better than target."""
        if self.target == 0:
            return None
        difference = actual - self.target
        if self.direction == self.Direction.LOWER:
            difference = -difference
        return float(difference / abs(self.target))


class ServiceLevelDimension(TenantModel):
    """A perception dimension a service level maps to, with its weight."""

    service_level = models.ForeignKey(
        ServiceLevel,
        on_delete=models.CASCADE,
        related_name="dimensions",
        verbose_name=_("service level"),
    )
    dimension = models.CharField(_("dimension"), max_length=32, choices=Dimension.choices)
    weight = models.DecimalField(
        _("weight"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("1.00"),
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("1.00"))],
    )

    objects = tenant_manager(supplier="service_level__contract__supplier")

    history = audit_trail()

    class Meta:
        ordering = ["service_level", "dimension"]
        constraints = [
            models.UniqueConstraint(
                fields=["service_level", "dimension"], name="service_level_dimension_unique"
            )
        ]
        verbose_name = _("dimension mapping")
        verbose_name_plural = _("dimension mappings")

    def __str__(self) -> str:
        return f"{self.service_level.code} → {self.get_dimension_display()} ({self.weight})"


class SLAReport(TenantModel, CreatedAt):
    """One version of the supplier's SLA report for one contract and period (a month).

    A resubmission creates the next version; the replaced one is kept with status superseded
    (or corrected, when it had been disputed).
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        ACCEPTED = "accepted", _("Accepted")
        DISPUTED = "disputed", _("Disputed")
        CORRECTED = "corrected", _("Corrected")
        APPEALED = "appealed", _("Appealed")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        SUPERSEDED = "superseded", _("Superseded")

    # A newer version replaces these.
    REPLACEABLE = (Status.DRAFT, Status.SUBMITTED, Status.DISPUTED, Status.WITHDRAWN)
    AWAITING_REVIEW = (Status.SUBMITTED, Status.APPEALED)

    contract = models.ForeignKey(
        Contract, on_delete=models.CASCADE, related_name="sla_reports", verbose_name=_("contract")
    )
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.SUBMITTED
    )
    is_current = models.BooleanField(_("current version"), default=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    is_late = models.BooleanField(_("late"), default=False)
    source_name = models.CharField(_("source file"), max_length=200, blank=True)
    source_content_type = models.CharField(_("content type"), max_length=100, blank=True)
    # Kept in the database with the report so the file and its figures commit together.
    source_file = models.BinaryField(_("source file content"), editable=False)
    checksum = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    appeal_reason = models.TextField(_("appeal"), blank=True)

    objects = tenant_manager(supplier="contract__supplier")

    history = audit_trail(excluded=["source_file"])

    class Meta:
        ordering = ["contract", "-period_start", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "period_start", "version"], name="sla_report_version_unique"
            ),
            models.UniqueConstraint(
                fields=["contract", "period_start"],
                condition=models.Q(is_current=True),
                name="sla_report_one_current",
            ),
        ]
        verbose_name = _("SLA report")
        verbose_name_plural = _("SLA reports")

    def __str__(self) -> str:
        return f"{self.contract.reference} {self.period_start:%Y-%m} v{self.version}"

    @property
    def period_label(self) -> str:
        return f"{self.period_start:%Y-%m}"


class Measurement(TenantModel):
    """A reported value of one service level in one report version, with its judged state and
    the supplier's deviation analysis (required when the target was not met)."""

    class State(models.TextChoices):
        MET = "met", _("Met")
        NEAR_MISS = "near_miss", _("Near miss")
        MISSED = "missed", _("Missed")

    report = models.ForeignKey(
        SLAReport, on_delete=models.CASCADE, related_name="measurements", verbose_name=_("report")
    )
    service_level = models.ForeignKey(
        ServiceLevel,
        on_delete=models.PROTECT,
        related_name="measurements",
        verbose_name=_("service level"),
    )
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=4)
    state = models.CharField(_("state"), max_length=16, choices=State.choices)
    deviation_cause = models.TextField(_("cause"), blank=True)
    deviation_impact = models.TextField(_("end-user impact"), blank=True)
    deviation_action = models.TextField(_("corrective action"), blank=True)
    dispute_reason = models.TextField(_("dispute reason"), blank=True)

    objects = tenant_manager(supplier="report__contract__supplier")

    history = audit_trail()

    class Meta:
        ordering = ["report", "service_level__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "service_level"], name="measurement_level_unique"
            )
        ]
        verbose_name = _("measurement")
        verbose_name_plural = _("measurements")

    def __str__(self) -> str:
        return f"{self.service_level.code}={self.value}"

    @property
    def needs_deviation_analysis(self) -> bool:
        return self.state != self.State.MET

    def clean(self) -> None:
        if self.needs_deviation_analysis and not (
            self.deviation_cause.strip()
            and self.deviation_impact.strip()
            and self.deviation_action.strip()
        ):
            raise ValidationError(
                _("A deviation analysis (cause, end-user impact, corrective action) is required.")
            )


class ReportReminder(TenantModel):
    """One reminder sent about one reporting period of a contract: the window opened, the report
    is late, or (to the contract managers) the late limit passed. The unique key makes a second
    run of the reminder job send nothing for a step already sent."""

    class Step(models.TextChoices):
        OPENED = "opened", _("Report window open")
        LATE = "late", _("Report late")
        ESCALATED = "escalated", _("Late limit passed")

    contract = models.ForeignKey(
        Contract, on_delete=models.CASCADE, related_name="+", verbose_name=_("contract")
    )
    period_start = models.DateField(_("period start"))
    step = models.CharField(_("step"), max_length=16, choices=Step.choices)
    sent_at = models.DateTimeField(_("sent"), auto_now_add=True)

    objects = tenant_manager(supplier="contract__supplier")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "period_start", "step"], name="report_reminder_once"
            )
        ]
        verbose_name = _("report reminder")
        verbose_name_plural = _("report reminders")

    def __str__(self) -> str:
        return f"{self.contract_id} {self.period_start:%Y-%m} {self.step}"
