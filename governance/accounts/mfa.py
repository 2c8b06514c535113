"""Two-factor authentication: a TOTP authenticator (django-otp) and ten recovery codes.

Recovery codes live in django-otp's static device, stored as a keyed digest (never the code):
they are checked here, not through django-otp's `match_token`, which would compare plain text.
"""

import logging
import secrets
from base64 import b32encode

import segno
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from governance.platform.models import Organisation

logger = logging.getLogger(__name__)

RECOVERY_CODES = 10
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread


def mfa_enabled(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def mfa_required_for_supplier(supplier) -> bool:
    """Does any organisation the supplier serves require a second factor?"""
    return Organisation.objects.filter(contracts__supplier=supplier, mfa_required=True).exists()


def session_verified(request) -> bool:
    """Has this session passed the second factor (django-otp's middleware)?"""
    is_verified = getattr(request.user, "is_verified", None)
    return bool(is_verified and is_verified())


def qr_data_uri(device: TOTPDevice) -> str:
    """The authenticator's otpauth:// link as an SVG QR code (the page's CSP allows data:)."""
    return segno.make(device.config_url, error="m").svg_data_uri(scale=5, border=2)


def secret_text(device: TOTPDevice) -> str:
    """The key in base32, in groups of four, for typing into an app without a camera."""
    text = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def totp_start(*, user) -> TOTPDevice:
    """The unconfirmed authenticator being set up (a new key the first time)."""
    if mfa_enabled(user):
        raise ValidationError(_("Two-factor authentication is already on."))
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)
    return device


def _code_digest(code: str) -> str:
    # StaticToken.token holds 16 characters: 64 bits of an HMAC under the secret key.
    normalised = "".join(code.lower().split()).replace("-", "")
    return salted_hmac("regie.recovery-code", normalised, algorithm="sha256").hexdigest()[:16]


def _new_code() -> str:
    raw = "".join(secrets.choice(_ALPHABET) for _ in range(10))
    return f"{raw[:5]}-{raw[5:]}"


@transaction.atomic
def totp_confirm(*, request, code: str) -> list[str]:
    """Confirm the authenticator with a code from it: MFA is on, this session counts as
    verified, and the ten recovery codes are returned to be shown once."""
    user = request.user
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        raise ValidationError(_("Start the set-up again."))
    if not device.verify_token(_digits(code)):
        raise ValidationError({"code": _("That code is not right. Check the time on your phone.")})
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = _recovery_codes_replace(user)
    otp_login(request, device)
    logger.info("Two-factor authentication enabled for user %s", user.pk)
    return codes


def _recovery_codes_replace(user) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="recovery codes", confirmed=True)
    codes = [_new_code() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(
        StaticToken(device=device, token=_code_digest(code)) for code in codes
    )
    return codes


def _digits(code: str) -> str:
    return "".join(ch for ch in (code or "") if not ch.isspace())


@transaction.atomic
def mfa_check(*, user, code: str):
    """The device that accepts `code` (an authenticator code, or a recovery code, which is then
    used up), or None."""
    code = _digits(code)
    if not code:
        return None
    if code.isdigit():
        for device in TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True):
            if device.verify_token(code):
                return device
        return None
    token = (
        StaticToken.objects.select_for_update()
        .filter(device__user=user, device__confirmed=True, token=_code_digest(code))
        .select_related("device")
        .first()
    )
    if token is None:
        return None
    token.delete()
    logger.info("Recovery code used by user %s", user.pk)
    return token.device


@transaction.atomic
def recovery_codes_regenerate(*, user, password: str = "", code: str = "") -> list[str]:
    """Ten new recovery codes, shown once; the old ones stop working. Asks for the password
    or a code from the authenticator (not a recovery code: a lost list must not make a new
    one)."""
    if not mfa_enabled(user):
        raise ValidationError(_("Two-factor authentication is off."))
    if password:
        if not check_password(password, user.password):
            raise ValidationError({"password": _("That password is not right.")})
    else:
        code = _digits(code)
        devices = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True)
        if not code.isdigit() or not any(device.verify_token(code) for device in devices):
            raise ValidationError(
                {"code": _("That code is not right. Check the time on your phone.")}
            )
    codes = _recovery_codes_replace(user)
    logger.info("Recovery codes replaced for user %s", user.pk)
    return codes


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user).count()


@transaction.atomic
def mfa_disable(*, user, password: str) -> None:
    """Turn MFA off after the password is given again."""
    if not check_password(password, user.password):
        raise ValidationError({"password": _("That password is not right.")})
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    logger.info("Two-factor authentication disabled for user %s", user.pk)
