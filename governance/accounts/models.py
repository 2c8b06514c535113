"""API tokens: named, scoped to one organisation or one supplier, expiring, stored hashed.

A token reads `rg_<key>_<secret>`. The key (public, 12 characters) finds the row; only the
SHA-256 digest of the 256-bit secret is stored, so the database holds nothing that
authenticates. A token is revoked, never deleted, so the list keeps its history.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from governance.platform.models import Organisation, Supplier


class ApiToken(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        verbose_name=_("user"),
    )
    name = models.CharField(_("name"), max_length=100)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("organisation"),
    )
    supplier = models.ForeignKey(
        Supplier,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("supplier"),
    )
    key = models.CharField(_("key"), max_length=16, unique=True, editable=False)
    digest = models.CharField(_("digest"), max_length=64, editable=False)
    # An HMAC of the user's password hash when the token was made: any change of password, by
    # whatever path (form, reset, admin, shell), makes every older token fail.
    password_stamp = models.CharField(max_length=64, editable=False)
    # Made after a second factor (a code at the token endpoint, or from a verified session):
    # only such tokens reach an organisation that requires MFA.
    mfa = models.BooleanField(_("made with a second factor"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_reason = models.CharField(_("reason"), max_length=100, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(organisation__isnull=True) | Q(supplier__isnull=True),
                name="apitoken_one_scope",
            ),
            models.CheckConstraint(
                condition=Q(organisation__isnull=False) | Q(supplier__isnull=False),
                name="apitoken_has_scope",
            ),
        ]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.key})"

    @property
    def scope_label(self) -> str:
        return str(self.organisation or self.supplier)

    def is_live(self, now=None) -> bool:
        return self.revoked_at is None and self.expires_at > (now or timezone.now())

    @property
    def state(self) -> str:
        if self.revoked_at is not None:
            return _("revoked")
        if self.expires_at <= timezone.now():
            return _("expired")
        return _("active")
