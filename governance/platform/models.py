"""Platform data: tenants, suppliers, who belongs where, job runs and the mail outbox.

Also the bases of the apps' tenant-owned models: `TenantModel` (the organisation key and the
scoped manager) and the stamps `CreatedAt` and `CreatedStamps`.
"""

import uuid
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager


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
