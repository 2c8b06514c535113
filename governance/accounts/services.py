"""Writes of the accounts app that are not about one token (see tokens.py) or MFA (mfa.py)."""

import logging

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from governance.platform.access import Access

logger = logging.getLogger(__name__)


def organisation_mfa_set(*, access: Access, required: bool, verified: bool):
    """Require (or stop requiring) a second factor for the organisation. Only a contract
    manager may, and to turn it on only from a session that passed a second factor itself,
    so nobody locks the organisation's managers out without knowing the way back in."""
    access.require(access.can_manage)
    organisation = access.organisation
    if required and not verified:
        raise ValidationError(
            {
                "mfa_required": _(
                    "Set up two-factor authentication for yourself first, on your account page."
                )
            }
        )
    if organisation.mfa_required == required:
        return organisation  # nothing changed, nothing for the trail
    organisation.mfa_required = required
    organisation.full_clean()
    organisation.save(update_fields=["mfa_required"])
    logger.info(
        "Organisation %s: MFA %s by user %s",
        organisation.slug,
        "required" if required else "optional",
        access.user_id,
    )
    return organisation
