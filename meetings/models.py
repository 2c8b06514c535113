"""Meeting series per tier, meetings with agendas filled from data, preparation, minutes,
actions and Service Improvement Programmes (SIPs): data and invariants."""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from governance.platform import texts
from governance.platform.dimensions import Dimension
from governance.platform.history import audit_trail
from governance.platform.models import (
    CreatedAt,
    Membership,
    SupplierMembership,
    TenantModel,
    tenant_manager,
)


class Tier(models.TextChoices):
    OPERATIONAL = "operational", _("Operational")
    TACTICAL = "tactical", _("Tactical")
    STRATEGIC = "strategic", _("Strategic")


# Escalation goes one tier up; the strategic tier is the top.
TIER_ABOVE = {Tier.OPERATIONAL: Tier.TACTICAL, Tier.TACTICAL: Tier.STRATEGIC}
DEFAULT_CADENCE_MONTHS = {Tier.OPERATIONAL: 1, Tier.TACTICAL: 3, Tier.STRATEGIC: 6}


class Side(models.TextChoices):
    CLIENT = "client", _("Client")
    SUPPLIER = "supplier", _("Supplier")


class ActionSide(models.TextChoices):
    """Who owns a meeting action: one side, or both with an owner each (like a corrective
    action)."""

    CLIENT = "client", _("Client")
    SUPPLIER = "supplier", _("Supplier")
    JOINT = "joint", _("Joint")


def default_template(tier: str) -> list[str]:
    """The standard agenda (vaste agenda) of a tier: predefined topics, editable per series."""
    common_start = [str(_("Opening and agenda")), str(_("Minutes and actions of last meeting"))]
    common_end = [str(_("Any other business")), str(_("Closing"))]
    middle = {
        Tier.OPERATIONAL: [
            str(_("Service levels of the period and deviation analyses")),
            str(_("Incidents, changes and complaints")),
        ],
        Tier.TACTICAL: [
            str(_("Service level trend and satisfaction gap")),
            str(_("Complaint trends and improvement proposals")),
            str(_("Audit findings and exercises")),
            str(_("Service Improvement Programmes")),
        ],
        Tier.STRATEGIC: [
            str(_("Relationship and contract")),
            str(_("Satisfaction trends and the stakeholder triangle")),
            str(_("Service Improvement Programmes")),
        ],
    }[tier]
    return common_start + middle + common_end


def validate_topics(value) -> None:
    if not isinstance(value, list) or not all(isinstance(t, str) and t.strip() for t in value):
        raise ValidationError(_("The standard agenda is a list of topics, one per line."))
    if len(value) > 30:
        raise ValidationError(_("A standard agenda has at most 30 topics."))


class MeetingSeries(TenantModel, CreatedAt):
    """A recurring meeting of one tier, for one contract or for the whole organisation."""

    contract = models.ForeignKey(
        "contracts.Contract",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="meeting_series",
        verbose_name=_("contract"),
        help_text=_("Leave empty for an organisation-wide series (client only)."),
    )
    tier = models.CharField(_("tier"), max_length=16, choices=Tier.choices)
    title = models.CharField(_("title"), max_length=200)
    cadence_months = models.PositiveSmallIntegerField(
        _("cadence (months)"),
        validators=[MinValueValidator(1), MaxValueValidator(24)],
        help_text=_("Months between meetings, e.g. 1 operational, 3 tactical, 6 strategic."),
    )
    chair = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("chair"),
    )
    agenda_template = models.JSONField(
        _("standard agenda"), default=list, blank=True, validators=[validate_topics]
    )
    preparation_days = models.PositiveSmallIntegerField(
        _("preparation due (working days before)"),
        default=3,
        validators=[MaxValueValidator(30)],
    )
    escalate_after = models.PositiveSmallIntegerField(
        _("escalate after (meetings unresolved)"),
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
    )
    location = models.CharField(_("location"), max_length=200, blank=True)

    objects = tenant_manager(supplier="contract__supplier")

    history = audit_trail()

    class Meta:
        ordering = ["contract__reference", "tier", "title"]
        verbose_name = _("meeting series")
        verbose_name_plural = _("meeting series")

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        self.require_same(
            "organisation", contract=_("The contract belongs to another organisation.")
        )


class RequiredRole(TenantModel):
    """A role that must attend every meeting of the series, from one side."""

    series = models.ForeignKey(
        MeetingSeries, on_delete=models.CASCADE, related_name="required_roles"
    )
    side = models.CharField(_("side"), max_length=16, choices=Side.choices)
    role = models.CharField(_("role"), max_length=100)

    objects = tenant_manager(supplier="series__contract__supplier")

    history = audit_trail()

    class Meta:
        ordering = ["series", "side", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["series", "side", "role"], name="meetings_required_role_unique"
            )
        ]
        verbose_name = _("required role")
        verbose_name_plural = _("required roles")

    def __str__(self) -> str:
        return f"{self.get_side_display()}: {self.role}"


class Meeting(TenantModel, CreatedAt):
    """One meeting of a series."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        PUBLISHED = "published", _("Agenda published")
        HELD = "held", _("Held")
        APPROVED = "approved", _("Minutes approved")
        CANCELLED = "cancelled", _("Cancelled")

    series = models.ForeignKey(
        MeetingSeries, on_delete=models.CASCADE, related_name="meetings", verbose_name=_("series")
    )
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    location = models.CharField(_("location"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PLANNED
    )
    # Stable across exports so calendars update the event instead of adding a second one.
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    ical_sequence = models.PositiveIntegerField(default=0, editable=False)
    agenda_generated_at = models.DateTimeField(_("agenda generated"), null=True, blank=True)
    published_at = models.DateTimeField(_("agenda published"), null=True, blank=True)
    minutes_approved_at = models.DateTimeField(_("minutes approved"), null=True, blank=True)
    # When the chair was told that pre-reads are late (once per meeting).
    chair_reminded_at = models.DateTimeField(_("chair reminded"), null=True, blank=True)
    minutes_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("minutes approved by"),
    )

    objects = tenant_manager(supplier="series__contract__supplier")

    history = audit_trail()

    class Meta:
        ordering = ["series", "starts_at"]
        indexes = [models.Index(fields=["series", "starts_at"])]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")

    def __str__(self) -> str:
        return f"{self.series.title} {self.starts_at:%Y-%m-%d}"

    def clean(self) -> None:
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": _("The meeting must end after it starts.")})
        self.require_same("organisation", series=_("The series belongs to another organisation."))

    @property
    def is_past(self) -> bool:
        return self.status in (self.Status.HELD, self.Status.APPROVED)


class Source(models.TextChoices):
    """Where an agenda item came from."""

    TEMPLATE = "template", _("Standard agenda")
    MANUAL = "manual", _("Added by hand")
    SLA_MISSED = "sla_missed", _("Missed service level")
    OVERDUE_ACTION = "overdue_action", _("Overdue corrective action")
    OVERDUE_COMPLAINT = "overdue_complaint", _("Complaint past deadline")
    CARRIED_ACTION = "carried_action", _("Open action from an earlier meeting")
    GAP_FLAG = "gap_flag", _("Gap flag")  # confirmed from the data, or put on by hand
    DISPUTED_REPORT = "disputed_report", _("Disputed SLA report")
    COMPLAINT_TREND = "complaint_trend", _("Complaint trend")
    PROPOSAL = "proposal", _("Improvement proposal")
    AUDIT_FINDING = "audit_finding", _("High-priority audit finding")
    EXERCISE = "exercise", _("Exercise finding")
    SIMULATION = "simulation", _("Simulation result")
    SIMULATION_PROPOSAL = "sim_proposal", _("Simulation or exercise proposal")
    SIP = "sip", _("Service Improvement Programme")
    PREPARATION = "preparation", _("Pre-read timeliness")
    CONTRACT = "contract", _("Notice or renewal approaching")
    KTO_TREND = "kto_trend", _("Satisfaction trend")
    ESCALATED = "escalated", _("Escalated from a lower tier")
    REPORTING = "reporting", _("SLA reports on time")


class Outcome(models.TextChoices):
    NONE = "", _("Not yet discussed")
    INFORMATION = "information", _("Information")
    DECISION = "decision", _("Decision")
    ACTION = "action", _("Action")


class AgendaItem(TenantModel):
    """One item on a meeting's agenda, with its preparation and minutes.

    `key` names the data behind a generated item (e.g. "measurement:12"), so regenerating an
    agenda updates items instead of duplicating them and an item can be followed across the
    meetings of a series: `streak` counts the consecutive meetings it has stood unresolved.
    """

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="items", verbose_name=_("meeting")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    title = models.CharField(_("title"), max_length=300)
    detail = models.TextField(_("detail"), blank=True)
    # A generated title as its kind and parameters (governance.platform.texts), rendered in the
    # reader's language; `title` keeps the text as written, for typed items and as fallback.
    text_key = models.CharField(_("kind of text"), max_length=60, blank=True)
    text_params = models.JSONField(_("text parameters"), default=dict, blank=True)
    # A generated detail as lines of such sentences (or plain text); empty: `detail` as typed.
    detail_parts = models.JSONField(_("detail parts"), default=list, blank=True)
    source = models.CharField(_("source"), max_length=24, choices=Source.choices)
    key = models.CharField(_("data key"), max_length=100, blank=True)
    link = models.CharField(_("link to the data"), max_length=500, blank=True)
    # Items built from client-only data (e.g. improvement proposals): never shown to suppliers.
    client_only = models.BooleanField(_("client only"), default=False)
    streak = models.PositiveSmallIntegerField(_("meetings on the agenda"), default=1)
    escalated_from = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="escalations",
        verbose_name=_("escalated from"),
    )
    # Preparation (pre-reads): the supplier's results and deviation analysis, the client's
    # end-user impact analysis, due `prep_due` (working days before the meeting).
    needs_preparation = models.BooleanField(_("needs preparation"), default=False)
    prep_due = models.DateField(_("preparation due"), null=True, blank=True)
    supplier_results = models.TextField(_("supplier's results and deviation analysis"), blank=True)
    supplier_delivered_at = models.DateTimeField(null=True, blank=True)
    client_impact = models.TextField(_("client's end-user impact analysis"), blank=True)
    client_delivered_at = models.DateTimeField(null=True, blank=True)
    supplier_reminded_at = models.DateTimeField(null=True, blank=True, editable=False)
    client_reminded_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The client's own preparation: never visible to the supplier (templates, API, PDFs).
    client_notes = models.TextField(_("internal preparation notes"), blank=True)
    minutes = models.TextField(_("minutes"), blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=16, choices=Outcome.choices, default=Outcome.NONE, blank=True
    )
    resolved = models.BooleanField(_("resolved"), default=False)

    objects = tenant_manager(supplier="meeting__series__contract__supplier")

    history = audit_trail(private=["client_notes"], excluded=["position"])

    class Meta:
        ordering = ["meeting", "position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "key"],
                condition=~models.Q(key=""),
                name="meetings_item_key_unique",
            )
        ]
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")

    def __str__(self) -> str:
        return self.display_title

    @property
    def display_title(self) -> str:
        """The title in the active language (generated items), or as typed."""
        return texts.render(self.text_key, self.text_params, self.title) or self.title

    @property
    def display_detail(self) -> str:
        """The detail in the active language (generated items), or as typed."""
        return texts.render_parts(self.detail_parts, self.detail)

    @property
    def supplier_missing(self) -> bool:
        return self.needs_preparation and not self.supplier_results.strip()

    @property
    def client_missing(self) -> bool:
        return self.needs_preparation and not self.client_impact.strip()


class Attendance(TenantModel):
    """A person invited to a meeting in a role, and whether they attended."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    side = models.CharField(_("side"), max_length=16, choices=Side.choices)
    role = models.CharField(_("role"), max_length=100)
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("e-mail"), blank=True)
    invited = models.BooleanField(_("invited"), default=True)
    attended = models.BooleanField(_("attended"), null=True, blank=True)

    objects = tenant_manager(supplier="meeting__series__contract__supplier")

    history = audit_trail()

    class Meta:
        ordering = ["meeting", "side", "role", "name"]
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")

    def __str__(self) -> str:
        return f"{self.name} ({self.role})"


class ActionItem(TenantModel, CreatedAt):
    """An action agreed in a meeting; carried over to the series' next meetings until done."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    FINISHED = (Status.DONE, Status.CANCELLED)

    series = models.ForeignKey(MeetingSeries, on_delete=models.CASCADE, related_name="actions")
    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="actions", verbose_name=_("agreed in")
    )
    item = models.ForeignKey(
        AgendaItem,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="actions",
        verbose_name=_("agenda item"),
    )
    title = models.CharField(_("action"), max_length=300)
    owner_side = models.CharField(_("owner side"), max_length=16, choices=ActionSide.choices)
    owner_name = models.CharField(
        _("owner"), max_length=200, help_text=_("For a joint action: the client's owner.")
    )
    supplier_owner_name = models.CharField(
        _("supplier's owner"),
        max_length=200,
        blank=True,
        help_text=_("Only for a joint action: the owner on the supplier's side."),
    )
    due_date = models.DateField(_("due"))
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.OPEN
    )
    done_at = models.DateTimeField(_("done"), null=True, blank=True)

    objects = tenant_manager(supplier="series__contract__supplier")

    history = audit_trail()

    class Meta:
        ordering = ["due_date", "pk"]
        indexes = [models.Index(fields=["series", "status"])]
        verbose_name = _("action item")
        verbose_name_plural = _("action items")

    def __str__(self) -> str:
        return self.title

    @property
    def is_finished(self) -> bool:
        return self.status in self.FINISHED

    @property
    def supplier_owns(self) -> bool:
        """The supplier owns it, alone or jointly: its users may change its status."""
        return self.owner_side in (ActionSide.SUPPLIER, ActionSide.JOINT)

    @property
    def owner_label(self) -> str:
        if self.owner_side != ActionSide.JOINT:
            return self.owner_name
        return _("%(client)s (client) and %(supplier)s (supplier)") % {
            "client": self.owner_name,
            "supplier": self.supplier_owner_name,
        }

    def clean(self) -> None:
        if self.meeting_id and self.series_id and self.meeting.series_id != self.series_id:
            raise ValidationError({"meeting": _("The meeting belongs to another series.")})
        joint = self.owner_side == ActionSide.JOINT
        if joint and not self.supplier_owner_name.strip():
            raise ValidationError(
                {"supplier_owner_name": _("A joint action has an owner on each side.")}
            )
        if not joint and self.supplier_owner_name.strip():
            raise ValidationError(
                {"supplier_owner_name": _("Only a joint action has a second owner.")}
            )


class MeetingDocument(TenantModel, CreatedAt):
    """A rendered PDF of a meeting: the agenda pack or the minutes (rendered by a worker)."""

    class Kind(models.TextChoices):
        AGENDA = "agenda", _("Agenda pack")
        MINUTES = "minutes", _("Minutes")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    class Audience(models.TextChoices):
        CLIENT = "client", _("Client")
        SUPPLIER = "supplier", _("Supplier")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    # The client's copy holds its internal notes; the supplier's copy never does.
    audience = models.CharField(_("audience"), max_length=16, choices=Audience.choices)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.QUEUED
    )
    pdf = models.BinaryField(_("PDF"), blank=True, editable=False)
    pages = models.PositiveSmallIntegerField(default=0)

    objects = tenant_manager(supplier="meeting__series__contract__supplier")

    class Meta:
        ordering = ["meeting", "-created_at"]
        verbose_name = _("meeting document")
        verbose_name_plural = _("meeting documents")

    def __str__(self) -> str:
        return f"{self.meeting} {self.kind}"


class SIP(TenantModel, CreatedAt):
    """A Service Improvement Programme: one accountable owner on each side, targets on an SLA
    metric and on a perception score, progress measured from the periods after the baseline."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ACTIVE = "active", _("Active")
        COMPLETED = "completed", _("Completed")
        STOPPED = "stopped", _("Stopped")

    contract = models.ForeignKey(
        "contracts.Contract",
        on_delete=models.CASCADE,
        related_name="sips",
        verbose_name=_("contract"),
    )
    title = models.CharField(_("title"), max_length=200)
    goal = models.TextField(_("goal"))
    client_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("accountable owner (client)"),
    )
    supplier_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("accountable owner (supplier)"),
    )
    service_level = models.ForeignKey(
        "contracts.ServiceLevel",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("SLA metric"),
    )
    sla_baseline = models.DecimalField(_("SLA baseline"), max_digits=14, decimal_places=4)
    sla_target = models.DecimalField(_("SLA target"), max_digits=14, decimal_places=4)
    dimension = models.CharField(
        _("perception dimension"), max_length=32, choices=Dimension.choices
    )
    perception_baseline = models.DecimalField(
        _("perception baseline"), max_digits=5, decimal_places=2
    )
    perception_target = models.DecimalField(_("perception target"), max_digits=5, decimal_places=2)
    baseline_period = models.DateField(
        _("baseline month"), help_text=_("Progress is measured from the months after this one.")
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.ACTIVE
    )

    objects = tenant_manager(supplier="contract__supplier")

    history = audit_trail()

    class Meta:
        ordering = ["contract__reference", "title"]
        verbose_name = _("Service Improvement Programme")
        verbose_name_plural = _("Service Improvement Programmes")

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        errors = self.mismatched(
            "organisation", contract=_("The contract belongs to another organisation.")
        )
        if (
            self.service_level_id
            and self.contract_id
            and self.service_level.contract_id != self.contract_id
        ):
            errors["service_level"] = _("The service level belongs to another contract.")
        if self.baseline_period and self.baseline_period.day != 1:
            errors["baseline_period"] = _("The baseline month starts on the first day.")
        if (
            self.client_owner_id
            and not Membership.objects.filter(
                user_id=self.client_owner_id, organisation_id=self.organisation_id
            ).exists()
        ):
            errors["client_owner"] = _("The client's owner must be a member of the organisation.")
        if (
            self.supplier_owner_id
            and self.contract_id
            and not SupplierMembership.objects.filter(
                user_id=self.supplier_owner_id, supplier_id=self.contract.supplier_id
            ).exists()
        ):
            errors["supplier_owner"] = _(
                "The supplier's owner must work for the contract's supplier."
            )
        for field in ("perception_baseline", "perception_target"):
            value = getattr(self, field)
            if value is not None and not 1 <= value <= 5:
                errors[field] = _("A perception score lies between 1 and 5.")
        if errors:
            raise ValidationError(errors)


class SIPMilestone(TenantModel):
    sip = models.ForeignKey(SIP, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("milestone"), max_length=200)
    due_date = models.DateField(_("due"))
    done = models.BooleanField(_("done"), default=False)

    objects = tenant_manager(supplier="sip__contract__supplier")

    history = audit_trail()

    class Meta:
        ordering = ["sip", "due_date", "pk"]
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")

    def __str__(self) -> str:
        return self.title


class SIPLink(TenantModel):
    """Data the SIP answers to: a gap flag, complaint, audit finding or proposal, by link (the
    other apps own the rows; a link survives their changes)."""

    class Kind(models.TextChoices):
        GAP_FLAG = "gap_flag", _("Gap flag")
        COMPLAINT = "complaint", _("Complaint")
        FINDING = "finding", _("Audit finding")
        PROPOSAL = "proposal", _("Improvement proposal")

    sip = models.ForeignKey(SIP, on_delete=models.CASCADE, related_name="links")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    label = models.CharField(_("label"), max_length=300)
    # A label Regie writes (a gap flag's) as its kind and parameters, rendered in the reader's
    # language (governance.platform.texts); `label` keeps the text, the fallback.
    text_key = models.CharField(_("kind of text"), max_length=60, blank=True)
    text_params = models.JSONField(_("text parameters"), default=dict, blank=True)
    link = models.CharField(_("link"), max_length=500)

    objects = tenant_manager(supplier="sip__contract__supplier")

    history = audit_trail()

    class Meta:
        ordering = ["sip", "kind", "pk"]
        verbose_name = _("SIP link")
        verbose_name_plural = _("SIP links")

    def __str__(self) -> str:
        return self.display_label

    @property
    def display_label(self) -> str:
        """The label in the active language (a generated one), or as typed."""
        return texts.render(self.text_key, self.text_params, self.label) or self.label
