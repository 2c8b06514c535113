"""Platform data: tenants, suppliers, who belongs where, job runs and the mail outbox.

Also the bases of the apps' tenant-owned models: `TenantModel` (the organisation key and the
scoped manager) and the stamps `CreatedAt` and `CreatedStamps`.
"""

import uuid
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from governance.platform.history import audit_trail


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("%(value)s is not a known time zone."), params={"value": value})


class Organisation(models.Model):
    """A client organisation: the tenant. Everything it owns carries its id."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="Europe/Amsterdam", validators=[validate_time_zone]
    )
    default_language = models.CharField(
        _("default language"), max_length=8, choices=settings.LANGUAGES, default="nl"
    )
    # Members and the users of engaged suppliers reach the organisation only after a second
    # factor (governance/accounts); contract managers set it on the security page.
    mfa_required = models.BooleanField(
        _("require two-factor authentication"),
        default=False,
        help_text=_(
            "Members and supplier users reach this organisation only after an authenticator "
            "code, and API tokens need one too."
        ),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    # Its settings (the second-factor rule among them) are in the trail.
    history = audit_trail()

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name


def tenant_manager(supplier: str | None = None) -> models.Manager:
    """The manager of a tenant-owned model: outside a scope it refuses every query; inside one it
    returns the rows of the scope's organisation and, when `supplier` names the path from the
    model to its supplier (e.g. "contract__supplier"), of the scope's supplier only."""
    if supplier is None:
        return ScopedManager(organisation="organisation")
    return ScopedManager(organisation="organisation", supplier=supplier)


class TenantModel(models.Model):
    """Base of every row an organisation owns: the `organisation` key and the scoped manager.

    The manager scopes by organisation only. A model that a supplier reaches through a contract
    declares `objects = tenant_manager(supplier="…")` with the path to that supplier. A model
    whose rows go with their organisation (on_delete CASCADE) overrides `organisation`.
    """

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("organisation"),
    )

    objects = tenant_manager()

    class Meta:
        abstract = True

    def mismatched(self, owner: str, **messages) -> dict:
        """The `messages`, by field, of the related objects that are set and belong to another
        `owner` ("organisation", "contract", …) than this row does: errors for `clean()`."""
        own = getattr(self, f"{owner}_id")
        return {
            field: message
            for field, message in messages.items()
            if getattr(self, f"{field}_id") and getattr(getattr(self, field), f"{owner}_id") != own
        }

    def require_same(self, owner: str, **messages) -> None:
        """Raise the errors of `mismatched`, if there are any."""
        if errors := self.mismatched(owner, **messages):
            raise ValidationError(errors)


class CreatedAt(models.Model):
    """When the row was made."""

    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        abstract = True


class CreatedStamps(CreatedAt):
    """When the row was made, and by whom (kept empty once that user is deleted)."""

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )

    class Meta:
        abstract = True


class Supplier(models.Model):
    """A company that delivers outsourced services, possibly to several organisations.

    Not tenant-owned: a supplier reaches an organisation only through its contracts there.
    """

    name = models.CharField(_("name"), max_length=200, unique=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("supplier")
        verbose_name_plural = _("suppliers")

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    CONTRACT_MANAGER = "contract_manager", _("Contract manager")
    BUSINESS_OWNER = "business_owner", _("Business owner")
    VIEWER = "viewer", _("Viewer")
    AUDITOR = "auditor", _("Auditor")


class Membership(models.Model):
    """A person's role in one client organisation."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)

    history = audit_trail()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="membership_unique")
        ]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")

    def __str__(self) -> str:
        return f"{self.user} · {self.organisation} · {self.get_role_display()}"

    def clean(self) -> None:
        if SupplierMembership.objects.filter(user_id=self.user_id).exists():
            raise ValidationError(
                {"user": _("A supplier's user cannot also be a member of a client organisation.")}
            )


class SupplierMembership(models.Model):
    """A person working for a supplier; one supplier per person."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="supplier_membership"
    )
    supplier = models.ForeignKey(Supplier, on_delete=models.CASCADE, related_name="members")
    # The supplier's administrator invites and removes its own supplier's users.
    is_admin = models.BooleanField(_("supplier administrator"), default=False)

    history = audit_trail()

    class Meta:
        verbose_name = _("supplier membership")
        verbose_name_plural = _("supplier memberships")

    def __str__(self) -> str:
        return f"{self.user} · {self.supplier}"

    def clean(self) -> None:
        if Membership.objects.filter(user_id=self.user_id).exists():
            raise ValidationError(
                {"user": _("A member of a client organisation cannot also be a supplier's user.")}
            )


class LanguagePreference(models.Model):
    """The language a person last chose in the portal: what Regie writes to them in."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="language_preference"
    )
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)

    class Meta:
        verbose_name = _("language preference")
        verbose_name_plural = _("language preferences")

    def __str__(self) -> str:
        return f"{self.user} · {self.language}"


class Invitation(models.Model):
    """A one-time link that makes the person at `email` a member: of an organisation with a
    role, or a user of a supplier. Only a hash of the link's token is stored."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, null=True, blank=True, related_name="invitations"
    )
    supplier = models.ForeignKey(
        Supplier, on_delete=models.CASCADE, null=True, blank=True, related_name="invitations"
    )
    email = models.EmailField(_("e-mail address"))
    role = models.CharField(_("role"), max_length=32, choices=Role.choices, blank=True)
    supplier_admin = models.BooleanField(_("supplier administrator"), default=False)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    expires_at = models.DateTimeField(_("expires"))
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("invited by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)

    history = audit_trail(excluded=["token_hash"])

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(organisation__isnull=False, supplier__isnull=True, supplier_admin=False)
                    & ~Q(role="")
                )
                | Q(organisation__isnull=True, supplier__isnull=False, role=""),
                name="invitation_one_target",
            )
        ]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self) -> str:
        return f"{self.email} → {self.organisation or self.supplier}"


class TaskRun(models.Model):
    """One run of a background job, so scheduled work can be audited."""

    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")

    name = models.CharField(_("task"), max_length=200)
    task_id = models.CharField(_("task id"), max_length=64, blank=True)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, null=True, blank=True, related_name="task_runs"
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices)
    arguments = models.JSONField(_("arguments"), default=dict, blank=True)
    started_at = models.DateTimeField(_("started"))
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    # The row is the truth about a job, the broker only delivers it: a running job renews its
    # heartbeat; one whose heartbeat stops is re-sent by the reaper and claimed again.
    heartbeat_at = models.DateTimeField(_("last heartbeat"), null=True, blank=True)
    requeued_at = models.DateTimeField(_("re-sent"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=1)

    class Meta:
        ordering = ["-started_at"]
        indexes = [
            models.Index(fields=["name", "-started_at"]),
            models.Index(fields=["status", "heartbeat_at"]),
        ]
        constraints = [
            # One row per Celery message: a redelivered message finds its row and its state.
            models.UniqueConstraint(
                fields=["task_id"], condition=~Q(task_id=""), name="taskrun_unique_task_id"
            )
        ]
        verbose_name = _("task run")
        verbose_name_plural = _("task runs")

    def __str__(self) -> str:
        return f"{self.name} {self.started_at:%Y-%m-%d %H:%M} {self.status}"


class OutboxMessage(models.Model):
    """An e-mail waiting to be sent, written in the transaction of the change that causes it.

    The relay claims a message (pending → sending) before talking to the mail server, so a
    retried or concurrent relay never sends it twice. A message left in *sending* by a crashed
    worker is marked failed rather than resent: a missing mail can be requeued by an operator,
    a duplicate cannot be taken back.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, null=True, blank=True, related_name="outbox"
    )
    to = models.JSONField(_("to"))
    subject = models.CharField(_("subject"), max_length=300)
    body_text = models.TextField(_("text body"))
    body_html = models.TextField(_("HTML body"), blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"))
    claimed_at = models.DateTimeField(_("claimed"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox messages")

    def __str__(self) -> str:
        return f"{self.subject} → {', '.join(self.to)} ({self.status})"


class OutboxAttachment(models.Model):
    """A file sent with an outbox message (e.g. a report PDF)."""

    message = models.ForeignKey(OutboxMessage, on_delete=models.CASCADE, related_name="attachments")
    filename = models.CharField(_("file name"), max_length=200)
    mime_type = models.CharField(_("type"), max_length=100)
    content = models.BinaryField(_("content"))

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.filename


class WebhookEndpoint(models.Model):
    """An address where an organisation, or a supplier working for it, receives Regie's events
    as signed JSON. A supplier's endpoint receives only the events of its own contracts."""

    class Event(models.TextChoices):
        SLA_REPORT_ACCEPTED = "sla_report.accepted", _("SLA report accepted")
        SLA_REPORT_DISPUTED = "sla_report.disputed", _("SLA report disputed")
        SLA_REPORT_APPEALED = "sla_report.appealed", _("SLA report appealed")
        COMPLAINT_ASSIGNED = "complaint.assigned", _("Complaint assigned to the supplier")
        FINDING_RAISED = "finding.raised", _("Audit finding raised")
        CORRECTIVE_ACTION_DUE = "corrective_action.due", _("Corrective action due")
        PRE_READ_DUE = "pre_read.due", _("Pre-read due")
        GAP_FLAG_CONFIRMED = "gap_flag.confirmed", _("Gap flag confirmed")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="webhook_endpoints"
    )
    supplier = models.ForeignKey(
        Supplier,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="webhook_endpoints",
        verbose_name=_("supplier"),
    )
    name = models.CharField(_("name"), max_length=100)
    url = models.URLField(_("URL"), max_length=500)
    # Kept to sign each delivery; shown once, when created or rotated.
    secret = models.CharField(max_length=64, editable=False)
    events = models.JSONField(_("events"), default=list)
    active = models.BooleanField(_("active"), default=True)
    consecutive_failures = models.PositiveIntegerField(_("failures in a row"), default=0)
    disabled_reason = models.CharField(_("why disabled"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = tenant_manager(supplier="supplier")

    # The secret stays out; the count of failures in a row is delivery bookkeeping (the
    # endpoint's switching off after too many is in the trail through `active`).
    history = audit_trail(excluded=["secret", "consecutive_failures"])

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")

    def __str__(self) -> str:
        return f"{self.name} → {self.url}"


class WebhookDelivery(models.Model):
    """One event on its way to one endpoint; claimed before it is sent, retried with backoff."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.CharField(_("event"), max_length=40, choices=WebhookEndpoint.Event.choices)
    payload = models.JSONField(_("payload"))
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"))
    claimed_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    response_status = models.PositiveSmallIntegerField(_("response"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"]),
            models.Index(fields=["endpoint", "-created_at"]),
        ]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")

    def __str__(self) -> str:
        return f"{self.event} → {self.endpoint_id} ({self.status})"


class PrivacySettings(models.Model):
    """How long one organisation keeps the personal data of people without an account
    (storage limitation, AVG/GDPR art. 5(1)(e)). The nightly retention job reads it."""

    organisation = models.OneToOneField(
        Organisation,
        on_delete=models.CASCADE,
        related_name="privacy_settings",
        verbose_name=_("organisation"),
    )
    complaint_contact_months = models.PositiveSmallIntegerField(
        _("complainants' contact details and attachments (months after closure)"),
        default=12,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
    )
    participant_email_months = models.PositiveSmallIntegerField(
        _("survey participants' e-mail addresses (months after the survey closes)"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
    )
    contact_name = models.CharField(
        _("privacy contact (name or office)"), max_length=200, blank=True
    )
    contact_email = models.EmailField(_("privacy contact e-mail"), blank=True)

    history = audit_trail()

    class Meta:
        verbose_name = _("privacy settings")
        verbose_name_plural = _("privacy settings")

    def __str__(self) -> str:
        return str(self.organisation)


class ErasureRecord(models.Model):
    """That personal data was erased or anonymised: who asked, when, how many rows per kind.
    Deliberately not whose data or what it was."""

    class Reason(models.TextChoices):
        COMPLAINANT = "complainant", _("Request of the complainant (tracking link)")
        MANAGER = "manager", _("Request handled by a contract manager")
        RETENTION = "retention", _("Retention period expired")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="+", verbose_name=_("organisation")
    )
    reason = models.CharField(_("reason"), max_length=16, choices=Reason.choices)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    at = models.DateTimeField(_("when"))
    counts = models.JSONField(_("rows anonymised per kind"), default=dict)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("erasure record")
        verbose_name_plural = _("erasure records")

    def __str__(self) -> str:
        return f"{self.get_reason_display()} {self.at:%Y-%m-%d %H:%M}"

    @property
    def total(self) -> int:
        return sum(self.counts.values())
