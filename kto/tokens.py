"""Link tokens: 256 bits, derived with the secret key from a stored random salt; only their
SHA-256 is stored and looked up. The database alone cannot open a survey in anyone's name,
and reminders can repeat the same link without keeping the token."""

import base64
import hashlib
import hmac
import secrets

from django.conf import settings

INVITATION = "kto-invitation"
OPEN_LINK = "kto-open-link"


def derive_token(purpose: str, salt: str) -> str:
    """HMAC-SHA256(secret key, purpose:salt), URL-safe base64 without padding (43 chars)."""
    digest = hmac.new(
        settings.SECRET_KEY.encode(), f"{purpose}:{salt}".encode(), hashlib.sha256
    ).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_salt() -> str:
    return secrets.token_hex(16)


def invitation_token(invitation) -> str:
    """The invitation's link token (never stored)."""
    return derive_token(INVITATION, invitation.salt)


def open_link_token(survey) -> str:
    """The survey's open link token, or "" when the open link is off."""
    return derive_token(OPEN_LINK, survey.open_link_salt) if survey.open_link_salt else ""
