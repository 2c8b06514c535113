"""Audit programmes, audits, checklists, findings, corrective actions and effectiveness checks:
data and invariants. The flows (state changes, who may do what) live in services.py."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from audits.clauses import CLAUSES
from governance.platform import texts
from governance.platform.history import audit_trail
from governance.platform.models import CreatedAt, CreatedStamps, TenantModel, tenant_manager


class Level(models.TextChoices):
    MANAGEMENT = "management", _("Management")
    STAFF = "staff", _("Operational staff")
    BOTH = "both", _("Management and staff")


class Side(models.TextChoices):
    SUPPLIER = "supplier", _("Supplier")
    CLIENT = "client", _("Client")


def validate_clauses(value) -> None:
    if not isinstance(value, list) or not all(isinstance(code, str) for code in value):
        raise ValidationError(_("Clauses must be a list of clause codes."))
    unknown = [code for code in value if code not in CLAUSES]
    if unknown:
        raise ValidationError(
            _("Unknown ISO 9001 clause: %(codes)s."), params={"codes": ", ".join(unknown)}
        )


class AuditProgramme(TenantModel, CreatedAt):
    """The yearly audit plan for one contract (and so one supplier), with its recurrence."""

    class Recurrence(models.TextChoices):
        YEARLY = "yearly", _("Once a year")
        HALF_YEARLY = "half_yearly", _("Twice a year")
        QUARTERLY = "quarterly", _("Every quarter")
        MONTHLY = "monthly", _("Every month")

    PER_YEAR = {"yearly": 1, "half_yearly": 2, "quarterly": 4, "monthly": 12}

    class Status(models.TextChoices):
        # Planning the programme is the client's; the supplier may propose one, which plans
        # nothing until the client accepts it.
        PLANNED = "planned", _("Planned")
        PROPOSED = "proposed", _("Proposed by the supplier")

    contract = models.ForeignKey(
        "contracts.Contract",
        on_delete=models.CASCADE,
        related_name="audit_programmes",
        verbose_name=_("contract"),
    )
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    recurrence = models.CharField(
        _("recurrence"), max_length=16, choices=Recurrence.choices, default=Recurrence.QUARTERLY
    )
    level = models.CharField(_("level"), max_length=16, choices=Level.choices, default=Level.BOTH)
    clauses = models.JSONField(
        _("ISO 9001 clauses"), default=list, blank=True, validators=[validate_clauses]
    )
    notes = models.TextField(_("notes"), blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PLANNED
    )

    objects = tenant_manager(supplier="contract__supplier")

    history = audit_trail()

    class Meta:
        ordering = ["-year", "contract__reference"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "year"], name="audit_programme_unique")
        ]
        verbose_name = _("audit programme")
        verbose_name_plural = _("audit programmes")

    def __str__(self) -> str:
        return f"{self.contract.reference} {self.year}"

    def clean(self) -> None:
        self.require_same(
            "organisation", contract=_("The contract belongs to another organisation.")
        )


class Audit(TenantModel, CreatedStamps):
    """One audit: who, what (level, scope, clauses), when, and how far it has come."""

    class Type(models.TextChoices):
        SUPPLIER_QA = "supplier_qa", _("Operational audit by the supplier's QA")
        CLIENT_LED = "client_led", _("Client-led audit")
        SHARED_REPORT = "shared_report", _("Supplier's internal audit report (shared)")

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        IN_PROGRESS = "in_progress", _("In progress")
        REPORTED = "reported", _("Reported")
        CLOSED = "closed", _("Closed")

    # The only ways forward; there is no way back once reported.
    TRANSITIONS = {
        Status.PLANNED: (Status.IN_PROGRESS,),
        Status.IN_PROGRESS: (Status.REPORTED,),
        Status.REPORTED: (Status.CLOSED,),
        Status.CLOSED: (),
    }
    SUPPLIER_TYPES = (Type.SUPPLIER_QA, Type.SHARED_REPORT)

    contract = models.ForeignKey(
        "contracts.Contract",
        on_delete=models.CASCADE,
        related_name="audits",
        verbose_name=_("contract"),
    )
    programme = models.ForeignKey(
        AuditProgramme,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="audits",
        verbose_name=_("programme"),
    )
    title = models.CharField(_("title"), max_length=200)
    # A title Regie generated (a programme's planned audits): its kind and parameters, so it
    # reads in each reader's language; empty once someone renames the audit.
    title_key = models.CharField(_("kind of title"), max_length=60, blank=True)
    title_params = models.JSONField(_("title parameters"), default=dict, blank=True)
    audit_type = models.CharField(
        _("type"), max_length=16, choices=Type.choices, default=Type.SUPPLIER_QA
    )
    level = models.CharField(_("level"), max_length=16, choices=Level.choices, default=Level.BOTH)
    services = models.ManyToManyField(
        "contracts.Service", blank=True, related_name="audits", verbose_name=_("services in scope")
    )
    processes = models.TextField(
        _("processes in scope"),
        blank=True,
        help_text=_("E.g. incident handling, change management, one per line."),
    )
    clauses = models.JSONField(
        _("ISO 9001 clauses"), default=list, blank=True, validators=[validate_clauses]
    )
    planned_date = models.DateField(_("planned date"))
    actual_date = models.DateField(_("actual date"), null=True, blank=True)
    lead_auditor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("lead auditor"),
    )
    observers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="+", verbose_name=_("observers")
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PLANNED
    )
    summary = models.TextField(_("summary"), blank=True)
    follow_up_of = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="follow_ups",
        verbose_name=_("follow-up of"),
    )

    objects = tenant_manager(supplier="contract__supplier")

    history = audit_trail(m2m=["services", "observers"])

    class Meta:
        ordering = ["planned_date", "pk"]
        indexes = [models.Index(fields=["organisation", "planned_date"])]
        verbose_name = _("audit")
        verbose_name_plural = _("audits")

    def __str__(self) -> str:
        return self.display_title

    @property
    def display_title(self) -> str:
        """The title in the active language (generated titles), or as typed."""
        return self.display_title_of(self.title_key, self.title_params, self.title)

    @staticmethod
    def display_title_of(title_key: str, title_params: dict, title: str) -> str:
        """display_title from the three columns, for lists read as values."""
        return texts.render(title_key, title_params, title) or title

    def clean(self) -> None:
        errors = {}
        errors |= self.mismatched(
            "organisation", contract=_("The contract belongs to another organisation.")
        )
        errors |= self.mismatched(
            "contract", programme=_("The programme belongs to another contract.")
        )
        if self.follow_up_of_id and (
            self.follow_up_of.contract_id != self.contract_id or self.follow_up_of_id == self.pk
        ):
            errors["follow_up_of"] = _("A follow-up audits the same contract as the original.")
        if self.actual_date and self.actual_date > self.latest_actual_date:
            errors["actual_date"] = _("The actual date lies more than a year after the plan.")
        if errors:
            raise ValidationError(errors)

    @property
    def latest_actual_date(self):
        """An audit is held at most a year after its plan (29 February counts to 28)."""
        planned = self.planned_date
        try:
            return planned.replace(year=planned.year + 1)
        except ValueError:
            return planned.replace(year=planned.year + 1, day=28)

    @property
    def is_supplier_type(self) -> bool:
        return self.audit_type in self.SUPPLIER_TYPES

    @property
    def process_list(self) -> list[str]:
        return [line.strip() for line in self.processes.splitlines() if line.strip()]


class Result(models.TextChoices):
    CONFORM = "conform", _("Conform")
    MINOR = "minor_nc", _("Minor nonconformity")
    MAJOR = "major_nc", _("Major nonconformity")
    OBSERVATION = "observation", _("Observation")
    IMPROVEMENT = "improvement", _("Opportunity for improvement")
    STRENGTH = "strength", _("Strength")


# Results that are worth a finding, and how heavily each weighs when ranks tie.
FINDING_GRADES = [r for r in Result if r != Result.CONFORM]
GRADE_WEIGHT = {
    Result.MAJOR: 5,
    Result.MINOR: 4,
    Result.OBSERVATION: 3,
    Result.IMPROVEMENT: 2,
    Result.STRENGTH: 1,
    Result.CONFORM: 0,
}
NONCONFORMITIES = (Result.MAJOR, Result.MINOR)


class ChecklistItem(TenantModel):
    """One question of an audit's checklist, from the contract's agreed way of working or the
    standard set, with what was found. Interviewees are recorded by role only."""

    class Source(models.TextChoices):
        EXPECTATION = "expectation", _("Explicit expectation")
        SERVICE_LEVEL = "service_level", _("Service level")
        PROCEDURE = "procedure", _("Agreed procedure")
        STANDARD = "standard", _("Standard question")
        OWN = "own", _("Added by the auditor")

    audit = models.ForeignKey(
        Audit, on_delete=models.CASCADE, related_name="checklist", verbose_name=_("audit")
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    source = models.CharField(_("source"), max_length=16, choices=Source.choices)
    # Stable key of what the item was generated from, so regenerating never duplicates.
    source_key = models.CharField(_("source key"), max_length=80, blank=True)
    level = models.CharField(_("level"), max_length=16, choices=Level.choices, default=Level.BOTH)
    clause = models.CharField(_("ISO 9001 clause"), max_length=8, blank=True)
    question = models.TextField(_("question"))
    guidance = models.TextField(_("what to look for"), blank=True)
    # A generated question and its guidance as kinds of sentence with parameters
    # (governance.platform.texts), read in each reader's language; `question` and `guidance`
    # keep the text as written (an auditor's own question, and the fallback).
    text_key = models.CharField(_("kind of text"), max_length=60, blank=True)
    text_params = models.JSONField(_("text parameters"), default=dict, blank=True)
    guidance_parts = models.JSONField(_("guidance parts"), default=list, blank=True)
    result = models.CharField(_("result"), max_length=16, choices=Result.choices, blank=True)
    evidence = models.TextField(_("evidence"), blank=True)
    interviewee_role = models.CharField(
        _("interviewee's role"),
        max_length=120,
        blank=True,
        help_text=_("A role such as “service desk agent”; no names."),
    )

    objects = tenant_manager(supplier="audit__contract__supplier")

    history = audit_trail()

    class Meta:
        ordering = ["audit", "position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["audit", "source_key", "level"],
                condition=~models.Q(source_key=""),
                name="checklist_item_source_unique",
            )
        ]
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")

    def __str__(self) -> str:
        return self.question[:80]

    @property
    def display_question(self) -> str:
        """The question in the active language (generated items), or as typed."""
        return texts.render(self.text_key, self.text_params, self.question) or self.question

    @property
    def display_guidance(self) -> str:
        return texts.render_parts(self.guidance_parts, self.guidance)

    def clean(self) -> None:
        if self.clause and self.clause not in CLAUSES:
            raise ValidationError({"clause": _("Unknown ISO 9001 clause.")})
        if self.result and self.result != Result.CONFORM and not self.evidence.strip():
            raise ValidationError(
                {"evidence": _("Record the evidence for any result other than conform.")}
            )


class Finding(TenantModel):
    """A graded finding of an audit, with the client's priority and its way to closure."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    audit = models.ForeignKey(
        Audit, on_delete=models.CASCADE, related_name="findings", verbose_name=_("audit")
    )
    checklist_item = models.ForeignKey(
        ChecklistItem,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="findings",
        verbose_name=_("checklist item"),
    )
    # Set when the finding came with the supplier's own internal audit report.
    supplier_report = models.ForeignKey(
        "SupplierReport",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="findings",
        verbose_name=_("from the supplier's report"),
    )
    reference = models.CharField(
        _("supplier's reference"),
        max_length=40,
        blank=True,
        help_text=_("The finding's number in the supplier's own report."),
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"))
    grade = models.CharField(_("grade"), max_length=16, choices=Result.choices)
    clause = models.CharField(_("ISO 9001 clause"), max_length=8, blank=True)
    root_cause = models.TextField(_("root cause"), blank=True)
    services = models.ManyToManyField(
        "contracts.Service",
        blank=True,
        related_name="audit_findings",
        verbose_name=_("affected services"),
    )
    client_priority = models.PositiveSmallIntegerField(
        _("client's priority"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text=_("1 (low) to 5 (highest)."),
    )
    # Client-internal: why the priority was set; never shown to the supplier.
    client_note = models.TextField(_("internal note (client only)"), blank=True)
    priority_set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("priority set by"),
    )
    priority_set_at = models.DateTimeField(_("priority set"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.OPEN
    )
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    objects = tenant_manager(supplier="audit__contract__supplier")

    history = audit_trail(private=["client_note"], m2m=["services"])

    class Meta:
        ordering = ["audit", "pk"]
        indexes = [models.Index(fields=["organisation", "status", "grade"])]
        constraints = [
            models.UniqueConstraint(
                fields=["audit", "reference"],
                condition=~models.Q(reference=""),
                name="finding_reference_unique",
                violation_error_message=_(
                    "A finding with this reference is already recorded for this audit."
                ),
            )
        ]
        verbose_name = _("finding")
        verbose_name_plural = _("findings")

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        errors = {}
        if self.grade == Result.CONFORM:
            errors["grade"] = _("A conform result is not a finding.")
        if self.clause and self.clause not in CLAUSES:
            errors["clause"] = _("Unknown ISO 9001 clause.")
        errors |= self.mismatched(
            "audit",
            checklist_item=_("The checklist item belongs to another audit."),
            supplier_report=_("The supplier's report belongs to another audit."),
        )
        if errors:
            raise ValidationError(errors)

    @property
    def is_nonconformity(self) -> bool:
        return self.grade in NONCONFORMITIES


class CorrectiveAction(TenantModel, CreatedStamps):
    """What someone will do about a finding, owned by the supplier, the client, or both."""

    class OwnerSide(models.TextChoices):
        SUPPLIER = "supplier", _("Supplier")
        CLIENT = "client", _("Client")
        JOINT = "joint", _("Joint")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    FINISHED = (Status.DONE, Status.CANCELLED)

    finding = models.ForeignKey(
        Finding, on_delete=models.CASCADE, related_name="actions", verbose_name=_("finding")
    )
    description = models.TextField(_("description"))
    owner_side = models.CharField(_("owner side"), max_length=16, choices=OwnerSide.choices)
    supplier_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner at the supplier"),
    )
    client_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner at the client"),
    )
    due_date = models.DateField(_("due date"))
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.OPEN
    )
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    reminded_on = models.DateField(_("last reminder"), null=True, blank=True, editable=False)

    objects = tenant_manager(supplier="finding__audit__contract__supplier")

    history = audit_trail()

    class Meta:
        ordering = ["due_date", "pk"]
        indexes = [models.Index(fields=["organisation", "status", "due_date"])]
        verbose_name = _("corrective action")
        verbose_name_plural = _("corrective actions")

    def __str__(self) -> str:
        return self.description[:80]

    def clean(self) -> None:
        errors = {}
        needs_supplier = self.owner_side in (self.OwnerSide.SUPPLIER, self.OwnerSide.JOINT)
        needs_client = self.owner_side in (self.OwnerSide.CLIENT, self.OwnerSide.JOINT)
        if self.owner_side == self.OwnerSide.JOINT and not (
            self.supplier_owner_id and self.client_owner_id
        ):
            errors["owner_side"] = _(
                "A joint action needs an owner on both sides: one at the supplier and one at "
                "the client."
            )
        else:
            if needs_supplier and not self.supplier_owner_id:
                errors["supplier_owner"] = _("Name the owner at the supplier.")
            if needs_client and not self.client_owner_id:
                errors["client_owner"] = _("Name the owner at the client.")
        if not needs_supplier and self.supplier_owner_id:
            errors["supplier_owner"] = _("Only a supplier or joint action has a supplier owner.")
        if not needs_client and self.client_owner_id:
            errors["client_owner"] = _("Only a client or joint action has a client owner.")
        if errors:
            raise ValidationError(errors)

    @property
    def is_finished(self) -> bool:
        return self.status in self.FINISHED

    def is_overdue(self, today) -> bool:
        return not self.is_finished and self.due_date < today


class EffectivenessCheck(TenantModel):
    """Whether the corrective actions of a finding worked: who checked, when, the verdict and
    the evidence. A finding closes only on an effective check."""

    class Verdict(models.TextChoices):
        EFFECTIVE = "effective", _("Effective")
        NOT_EFFECTIVE = "not_effective", _("Not effective")

    finding = models.ForeignKey(
        Finding, on_delete=models.CASCADE, related_name="checks", verbose_name=_("finding")
    )
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("checked by"),
    )
    checked_on = models.DateField(_("checked on"))
    verdict = models.CharField(_("verdict"), max_length=16, choices=Verdict.choices)
    evidence = models.TextField(_("evidence"))
    follow_up_audit = models.ForeignKey(
        Audit,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="effectiveness_checks",
        verbose_name=_("re-audit"),
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    objects = tenant_manager(supplier="finding__audit__contract__supplier")

    history = audit_trail()

    class Meta:
        ordering = ["finding", "checked_on", "pk"]
        verbose_name = _("effectiveness check")
        verbose_name_plural = _("effectiveness checks")

    def __str__(self) -> str:
        return f"{self.finding} · {self.get_verdict_display()}"


class SupplierReport(TenantModel):
    """The supplier's own internal audit report (PDF), shared with the client for an audit."""

    audit = models.ForeignKey(
        Audit, on_delete=models.CASCADE, related_name="supplier_reports", verbose_name=_("audit")
    )
    name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveIntegerField(_("size (bytes)"))
    checksum = models.CharField(_("SHA-256"), max_length=64)
    # Kept in the database so the file and the audit commit together.
    content = models.BinaryField(_("content"), editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    objects = tenant_manager(supplier="audit__contract__supplier")

    class Meta:
        ordering = ["audit", "-uploaded_at"]
        verbose_name = _("supplier's audit report")
        verbose_name_plural = _("supplier's audit reports")

    def __str__(self) -> str:
        return self.name


class AuditReportPDF(TenantModel):
    """The audit report rendered as PDF by a task (never in a request)."""

    audit = models.ForeignKey(
        Audit, on_delete=models.CASCADE, related_name="pdf_reports", verbose_name=_("audit")
    )
    language = models.CharField(_("language"), max_length=8)
    pdf = models.BinaryField(_("PDF"), editable=False)
    pages = models.PositiveSmallIntegerField(_("pages"))
    created_at = models.DateTimeField(_("rendered"), auto_now_add=True)

    objects = tenant_manager(supplier="audit__contract__supplier")

    class Meta:
        ordering = ["audit", "-created_at"]
        verbose_name = _("audit report PDF")
        verbose_name_plural = _("audit report PDFs")

    def __str__(self) -> str:
        return f"{self.audit} ({self.created_at:%Y-%m-%d %H:%M})"
