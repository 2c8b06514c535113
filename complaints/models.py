"""Complaints of end users: the procedure, its timeline, the complainant's own verdict and the
improvement proposals that analysis of complaints leads to. Data and invariants only."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from governance.platform.history import audit_trail
from governance.platform.models import CreatedStamps, TenantModel, tenant_manager

DESCRIPTION_MAX = 4000
# Any control character (CR, LF, NUL …) in a one-line field is refused: such values end up in
# e-mail text and exports, and a name never needs them.
no_control_characters = RegexValidator(
    r"[\x00-\x1f\x7f]",
    inverse_match=True,
    message=_("Line breaks and control characters are not allowed here."),
)
phone_validator = RegexValidator(
    r"^\+?[0-9 ()\-]{6,20}$", message=_("Enter a phone number of digits, spaces, + ( ) or -.")
)


class ComplaintSettings(TenantModel):
    """How one organisation runs its complaint procedure."""

    # One per organisation, and CASCADE (not TenantModel's PROTECT): goes with its organisation.
    organisation = models.OneToOneField(
        "governance.Organisation",
        on_delete=models.CASCADE,
        related_name="complaint_settings",
        verbose_name=_("organisation"),
    )
    intake_open = models.BooleanField(
        _("public form open"), default=True, help_text=_("End users can file complaints.")
    )
    acknowledge_days = models.PositiveSmallIntegerField(
        _("acknowledge within (working days)"),
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(30)],
    )
    resolve_days = models.PositiveSmallIntegerField(
        _("resolve within (working days)"),
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
    )
    register_public = models.BooleanField(
        _("publish the open register"),
        default=False,
        help_text=_("Anyone can read the aggregated figures of handled complaints."),
    )
    min_group_size = models.PositiveSmallIntegerField(
        _("smallest group shown (k)"),
        default=5,
        validators=[MinValueValidator(2), MaxValueValidator(50)],
        help_text=_("Figures about fewer complaints than this are not published."),
    )
    hourly_rate = models.DecimalField(
        _("hourly rate of a staffed hour"),
        max_digits=8,
        decimal_places=2,
        default=Decimal("55.00"),
        validators=[MinValueValidator(Decimal("0"))],
    )

    history = audit_trail()

    class Meta:
        verbose_name = _("complaint settings")
        verbose_name_plural = _("complaint settings")

    def __str__(self) -> str:
        return str(self.organisation)


class Category(TenantModel):
    """A category end users choose on the form (organisation-configurable)."""

    # CASCADE, not TenantModel's PROTECT: the row goes with its organisation.
    organisation = models.ForeignKey(
        "governance.Organisation",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("organisation"),
    )
    name_nl = models.CharField(_("name (Dutch)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)
    active = models.BooleanField(_("active"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    history = audit_trail()

    class Meta:
        ordering = ["position", "name_nl"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name_nl"], name="category_name_unique")
        ]
        verbose_name = _("complaint category")
        verbose_name_plural = _("complaint categories")

    def __str__(self) -> str:
        return self.name_nl

    def label(self, language: str) -> str:
        return self.name_en if language == "en" else self.name_nl


class ReferenceCounter(TenantModel):
    """The last complaint number handed out per organisation and year (KL-2026-000123)."""

    # CASCADE, not TenantModel's PROTECT: the row goes with its organisation.
    organisation = models.ForeignKey(
        "governance.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "year"], name="reference_counter_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class Status(models.TextChoices):
    RECEIVED = "received", _("Received")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    IN_PROGRESS = "in_progress", _("In progress")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")
    REOPENED = "reopened", _("Reopened")
    REJECTED = "rejected", _("Rejected")


OPEN_STATUSES = (Status.RECEIVED, Status.ACKNOWLEDGED, Status.IN_PROGRESS, Status.REOPENED)
HANDLED_STATUSES = (Status.RESOLVED, Status.CLOSED)


class Channel(models.TextChoices):
    PHONE = "phone", _("Phone")
    EMAIL = "email", _("E-mail")
    PORTAL = "portal", _("Self-service portal")
    DESK = "desk", _("Desk in person")
    NONE = "none", _("None yet")


class Impact(models.TextChoices):
    LOW = "low", _("Inconvenient, I could carry on")
    MEDIUM = "medium", _("I could only partly do my work")
    HIGH = "high", _("I could not work at all")


class Complaint(TenantModel):
    """One complaint of an end user, from the public form to closing."""

    reference = models.CharField(_("reference"), max_length=20)
    # The private tracking link's secret: 192 random bits, never derived from the reference.
    token = models.CharField(max_length=64, unique=True, editable=False)
    service = models.ForeignKey(
        "contracts.Service",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("service"),
    )
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="complaints", verbose_name=_("category")
    )
    description = models.TextField(_("what happened"), max_length=DESCRIPTION_MAX)
    occurred_at = models.DateTimeField(_("when it happened"))
    channel = models.CharField(_("channel tried"), max_length=16, choices=Channel.choices)
    impact = models.CharField(_("impact"), max_length=16, choices=Impact.choices)
    name = models.CharField(
        _("name"), max_length=120, blank=True, validators=[no_control_characters]
    )
    email = models.EmailField(_("e-mail"), blank=True, validators=[no_control_characters])
    phone = models.CharField(_("phone"), max_length=20, blank=True, validators=[phone_validator])
    consent_to_contact = models.BooleanField(_("may be contacted"), default=False)
    language = models.CharField(_("language"), max_length=8, default="nl")
    # Inside or outside the service's window at `occurred_at`, judged when the complaint arrives
    # (the window in force then); None without a service.
    outside_window = models.BooleanField(_("outside the service window"), null=True, blank=True)

    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.RECEIVED
    )
    received_at = models.DateTimeField(_("received"))
    acknowledge_due = models.DateField(_("acknowledge by"))
    resolve_due = models.DateField(_("resolve by"))
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    # Whether the deadlines were met, fixed at the moment each step happened (register figures).
    acknowledged_on_time = models.BooleanField(null=True, editable=False)
    resolved_on_time = models.BooleanField(null=True, editable=False)
    resolution = models.TextField(_("resolution"), blank=True, max_length=DESCRIPTION_MAX)
    rejection_reason = models.TextField(_("reason for rejection"), blank=True, max_length=2000)
    assigned_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assigned to (team member)"),
    )
    assigned_supplier = models.ForeignKey(
        "governance.Supplier",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assigned to (supplier)"),
    )
    # The overdue step last reminded about ("acknowledge"/"resolve"), so a reminder goes once.
    reminded_for = models.CharField(max_length=16, blank=True, editable=False)

    # A supplier's user sees only the complaints assigned to its supplier.
    objects = tenant_manager(supplier="assigned_supplier")

    # The tracking secret and the complainant's own words and contact details stay out of the
    # trail (personal data of the public, erased with the complaint); the procedure is in it.
    history = audit_trail(
        excluded=["token", "name", "email", "phone", "description", "reminded_for"],
        private=["assigned_user"],
    )

    class Meta:
        ordering = ["-received_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "reference"], name="complaint_reference_unique"
            ),
            models.CheckConstraint(
                condition=~models.Q(assigned_user__isnull=False, assigned_supplier__isnull=False),
                name="complaint_one_assignee",
            ),
        ]
        # The list's default order (-received_at, -pk) per organisation, alone and under each
        # of its filters, so a page reads 50 rows from an index instead of sorting them all;
        # the first also serves the windows by received_at (trends, end-user impact).
        indexes = [
            models.Index(fields=["organisation", "status"]),
            models.Index(fields=["organisation", "occurred_at"]),
            models.Index(
                fields=["organisation", "-received_at", "-id"], name="complaint_org_received"
            ),
            models.Index(
                fields=["organisation", "status", "-received_at", "-id"],
                name="complaint_status_received",
            ),
            models.Index(
                fields=["organisation", "service", "-received_at", "-id"],
                name="complaint_service_received",
            ),
            models.Index(
                fields=["organisation", "category", "-received_at", "-id"],
                name="complaint_category_received",
            ),
        ]
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")

    def __str__(self) -> str:
        return self.reference

    def clean(self) -> None:
        self.require_same("organisation", service=_("Choose one of this organisation's services."))
        self.require_same(
            "organisation", category=_("Choose one of this organisation's categories.")
        )
        if self.status == Status.REJECTED and not self.rejection_reason.strip():
            raise ValidationError({"rejection_reason": _("Say why this is not a complaint.")})

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def overdue_step(self, today) -> str:
        """ "acknowledge" or "resolve" when that deadline has passed unmet on `today` (a date in
        the organisation's time zone), else ""."""
        if self.status == Status.RECEIVED and today > self.acknowledge_due:
            return "acknowledge"
        if self.status in OPEN_STATUSES and today > self.resolve_due:
            return "resolve"
        return ""

    @property
    def contact_shared(self) -> bool:
        """The complainant allowed its contact details to be used by whoever handles it."""
        return self.consent_to_contact


class Attachment(TenantModel):
    """A file the complainant sent along (PDF, PNG or JPEG, checked by content)."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="attachments")
    filename = models.CharField(_("file name"), max_length=200)
    mime_type = models.CharField(_("type"), max_length=40)
    size = models.PositiveIntegerField(_("size"))
    content = models.BinaryField(_("content"))

    objects = tenant_manager(supplier="complaint__assigned_supplier")

    class Meta:
        ordering = ["pk"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.filename


class EventKind(models.TextChoices):
    RECEIVED = "received", _("Received")
    STATUS = "status", _("Status changed")
    ASSIGNED = "assigned", _("Assigned")
    NOTE = "note", _("Internal note")
    MESSAGE = "message", _("Message to the complainant")
    VERDICT = "verdict", _("Verdict of the complainant")
    REMINDER = "reminder", _("Deadline reminder")


# Internal notes stay with the client's team: never shown to the supplier or the complainant.
SUPPLIER_HIDDEN_KINDS = (EventKind.NOTE,)
# What the complainant's tracking page shows of the timeline.
PUBLIC_KINDS = (EventKind.RECEIVED, EventKind.STATUS, EventKind.MESSAGE)


class ComplaintEvent(TenantModel):
    """One entry of a complaint's timeline."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("kind"), max_length=16, choices=EventKind.choices)
    at = models.DateTimeField(_("when"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    # "client", "supplier", "complainant" or "system": who acted, shown without naming people
    # to the complainant.
    party = models.CharField(_("party"), max_length=16)
    from_status = models.CharField(max_length=16, blank=True, choices=Status.choices)
    to_status = models.CharField(max_length=16, blank=True, choices=Status.choices)
    text = models.TextField(_("text"), blank=True, max_length=DESCRIPTION_MAX)

    objects = tenant_manager(supplier="complaint__assigned_supplier")

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("complaint event")
        verbose_name_plural = _("complaint events")

    def __str__(self) -> str:
        return f"{self.complaint} {self.kind} {self.at:%Y-%m-%d %H:%M}"


class Verdict(TenantModel):
    """The complainant's own judgement after resolution, kept apart from the procedure's status:
    a complaint can be closed by procedure and still unresolved for the one who filed it."""

    complaint = models.OneToOneField(Complaint, on_delete=models.CASCADE, related_name="verdict")
    resolved_for_me = models.BooleanField(_("resolved for me"))
    handling_score = models.PositiveSmallIntegerField(
        _("how it was handled (1–5)"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    # Optional, asked with the verdict on the tracking page (the one request after resolution).
    kept_informed = models.PositiveSmallIntegerField(
        _("kept informed (1–5)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    comment = models.TextField(_("anything to add"), blank=True, max_length=2000)
    given_at = models.DateTimeField(_("given"))

    objects = tenant_manager(supplier="complaint__assigned_supplier")

    class Meta:
        verbose_name = _("verdict")
        verbose_name_plural = _("verdicts")

    def __str__(self) -> str:
        return f"{self.complaint} {self.handling_score}"


class ProposalStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    ON_AGENDA = "on_agenda", _("On the agenda")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")


class ImprovementProposal(TenantModel, CreatedStamps):
    """A costed extension case: a longer service window for a service, with the complaints it
    would have avoided (and the contacts a simulation model expects in the extra hours, when
    one exists), the extra staffed hours, their cost and the cost per avoided complaint and
    contact. The figures are frozen when the proposal is saved; the decision follows."""

    service = models.ForeignKey(
        "contracts.Service", on_delete=models.PROTECT, related_name="+", verbose_name=_("service")
    )
    title = models.CharField(_("title"), max_length=200)
    weekdays = models.JSONField(_("weekdays"), default=list)  # 0 = Monday
    opens = models.TimeField(_("opens"))
    closes = models.TimeField(_("closes"))
    staff = models.PositiveSmallIntegerField(
        _("staff on duty in the extra hours"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(500)],
    )
    period_start = models.DateField(_("complaints from"))
    period_end = models.DateField(_("complaints until"))
    complaints_total = models.PositiveIntegerField(_("complaints about the service"))
    complaints_outside = models.PositiveIntegerField(_("outside the current window"))
    complaints_avoided = models.PositiveIntegerField(_("inside the candidate window"))
    extra_hours_per_week = models.DecimalField(
        _("extra staffed hours per week"), max_digits=8, decimal_places=2
    )
    hourly_rate = models.DecimalField(_("hourly rate"), max_digits=8, decimal_places=2)
    annual_cost = models.DecimalField(_("cost per year"), max_digits=12, decimal_places=2)
    avoided_per_year = models.DecimalField(
        _("avoided complaints per year"), max_digits=10, decimal_places=1
    )
    cost_per_avoided = models.DecimalField(
        _("cost per avoided complaint"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    # Contacts a simulation model expected in the extra hours, when one could say (frozen with
    # the rest; empty when no model estimated them).
    contacts_per_week = models.DecimalField(
        _("contacts expected in the extra hours per week"),
        max_digits=10,
        decimal_places=1,
        null=True,
        blank=True,
    )
    cost_per_contact = models.DecimalField(
        _("cost per avoided contact"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    contacts_source = models.CharField(_("contacts estimated by"), max_length=200, blank=True)
    contacts_link = models.CharField(max_length=500, blank=True, editable=False)
    benefit = models.TextField(_("expected benefit"), blank=True, max_length=4000)
    status = models.CharField(
        _("status"), max_length=16, choices=ProposalStatus.choices, default=ProposalStatus.PROPOSED
    )
    decision_note = models.TextField(_("decision"), blank=True, max_length=4000)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)

    objects = tenant_manager(supplier="service__contract__supplier")

    history = audit_trail()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("improvement proposal")
        verbose_name_plural = _("improvement proposals")

    def __str__(self) -> str:
        return self.title

    @property
    def contacts_per_year(self) -> Decimal | None:
        if self.contacts_per_week is None:
            return None
        return self.contacts_per_week * 52

    def clean(self) -> None:
        if self.opens is not None and self.closes is not None and self.closes <= self.opens:
            raise ValidationError({"closes": _("Closing time must be after opening time.")})
        if not self.weekdays or any(d not in range(7) for d in self.weekdays):
            raise ValidationError({"weekdays": _("Choose at least one weekday.")})
        if self.period_end and self.period_start and self.period_end < self.period_start:
            raise ValidationError({"period_end": _("The period ends before it starts.")})


class RegisterReport(TenantModel):
    """The open register of one closed quarter as a PDF, in one language: rendered by a task
    (never in a request) and kept for download. Aggregated and k-suppressed like the public
    page; no personal data."""

    class State(models.TextChoices):
        PENDING = "pending", _("Being prepared")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    # CASCADE, not TenantModel's PROTECT: the row goes with its organisation.
    organisation = models.ForeignKey(
        "governance.Organisation",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("organisation"),
    )
    quarter = models.CharField(_("quarter"), max_length=7)  # "2026-Q1"
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("until"))
    language = models.CharField(_("language"), max_length=8)
    state = models.CharField(
        _("state"), max_length=16, choices=State.choices, default=State.PENDING
    )
    requested_at = models.DateTimeField(_("requested"))
    rendered_at = models.DateTimeField(_("rendered"), null=True, blank=True)
    pdf = models.BinaryField(_("PDF"), blank=True, default=b"", editable=False)
    pages = models.PositiveSmallIntegerField(_("pages"), default=0)
    # Why the last rendering failed, for the operator (never shown on the public page).
    error = models.CharField(_("error"), max_length=500, blank=True)

    class Meta:
        ordering = ["-period_start", "language"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "quarter", "language"], name="register_report_unique"
            )
        ]
        verbose_name = _("register report")
        verbose_name_plural = _("register reports")

    def __str__(self) -> str:
        return f"{self.quarter} ({self.language})"

    @property
    def is_ready(self) -> bool:
        return self.state == self.State.READY
