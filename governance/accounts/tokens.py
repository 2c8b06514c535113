"""API tokens: issue, rotate, revoke, and authenticate (DRF) — see models.ApiToken."""

import hashlib
import hmac
import logging
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from governance.accounts.models import ApiToken
from governance.platform.access import Access

logger = logging.getLogger(__name__)

PREFIX = "rg"
KEYWORD = "Token"
# Writing last_used_at on every call would make every API read a write.
LAST_USED_PRECISION = timedelta(minutes=1)


def digest_of(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def password_stamp(user) -> str:
    return salted_hmac("regie.api-token.password", user.password, algorithm="sha256").hexdigest()


def token_issue(
    *, user, name: str, organisation=None, supplier=None, mfa: bool = False, days: int | None = None
) -> tuple[ApiToken, str]:
    """Make a token for `user` scoped to `organisation` or `supplier`; returns the row and the
    plain token, which is shown once and never stored."""
    if (organisation is None) == (supplier is None):
        raise ValidationError(_("A token is scoped to one organisation or one supplier."))
    days = settings.REGIE_API_TOKEN_DAYS if days is None else days
    if not 1 <= days <= 366:
        raise ValidationError({"days": _("A token lasts between 1 and 366 days.")})
    key, secret = secrets.token_hex(6), secrets.token_urlsafe(32)
    token = ApiToken(
        user=user,
        name=(name or "").strip() or _("API"),
        organisation=organisation,
        supplier=supplier,
        key=key,
        digest=digest_of(secret),
        password_stamp=password_stamp(user),
        mfa=mfa,
        expires_at=timezone.now() + timedelta(days=days),
    )
    token.full_clean()
    token.save()
    logger.info("API token %s issued to user %s (%s)", key, user.pk, token.scope_label)
    return token, f"{PREFIX}_{key}_{secret}"


def token_revoke(*, token: ApiToken, reason: str = "revoked") -> ApiToken:
    """End a token now; a revoked token stays listed."""
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.revoked_reason = reason
        token.save(update_fields=["revoked_at", "revoked_reason"])
        logger.info("API token %s revoked (%s)", token.key, reason)
    return token


@transaction.atomic
def token_rotate(*, token: ApiToken, mfa: bool) -> tuple[ApiToken, str]:
    """Replace a token by a new one with the same name and scope and a fresh lifetime."""
    token_revoke(token=token, reason="rotated")
    return token_issue(
        user=token.user,
        name=token.name,
        organisation=token.organisation,
        supplier=token.supplier,
        mfa=mfa,
    )


def tokens_revoke_for_user(*, user, reason: str) -> int:
    """Revoke every live token of `user` (password change, deactivation)."""
    count = ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_reason=reason
    )
    if count:
        logger.info("%s API token(s) of user %s revoked (%s)", count, user.pk, reason)
    return count


def token_allows(token: ApiToken, access: Access) -> bool:
    """May this token act in the organisation `access` is for? Its scope must name it."""
    if token.organisation_id is not None:
        return token.organisation_id == access.organisation.pk
    return access.supplier is not None and access.supplier.pk == token.supplier_id


def token_find(raw: str) -> ApiToken | None:
    """The live token `raw` stands for, or None (unknown, wrong secret, expired, revoked, its
    user inactive or its password changed since)."""
    parts = raw.split("_", 2)  # the secret may itself hold "_"
    if len(parts) != 3 or parts[0] != PREFIX:
        return None
    token = ApiToken.objects.select_related("user").filter(key=parts[1]).first()
    if token is None or not hmac.compare_digest(token.digest, digest_of(parts[2])):
        return None
    if not token.is_live() or not token.user.is_active:
        return None
    if not hmac.compare_digest(token.password_stamp, password_stamp(token.user)):
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_PRECISION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


class ApiTokenAuthentication(BaseAuthentication):
    """`Authorization: Token rg_<key>_<secret>`; anything wrong with the token answers 401."""

    failed = gettext_lazy("Invalid or expired token.")

    def authenticate(self, request):
        header = get_authorization_header(request).split()
        if not header or header[0].lower() != KEYWORD.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(self.failed)
        django_request = getattr(request, "_request", request)
        # The tenant middleware has checked this header already in this request.
        cached = getattr(django_request, "_regie_api_token", None)
        if cached is not None and cached[0] == header[1]:
            token = cached[1]
        else:
            try:
                token = token_find(header[1].decode())
            except UnicodeDecodeError:
                token = None
            django_request._regie_api_token = (header[1], token)
        if token is None:
            raise exceptions.AuthenticationFailed(self.failed)
        return token.user, token

    def authenticate_header(self, request):
        return KEYWORD
