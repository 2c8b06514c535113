"""Self-administration: invitations, roles and leavers, for a client's contract managers and a
supplier's administrator.

An invitation is a one-time link: its token is shown only in the e-mail (sent through the
outbox in the same transaction) and stored as a SHA-256 hash; it expires after
`REGIE_INVITATION_DAYS` days and is used up with a conditional update, so two clicks cannot
both join.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from governance.platform.access import Access, supplier_link_of, supplier_may
from governance.platform.history import tracked_update
from governance.platform.links import public_base_url
from governance.platform.models import (
    Invitation,
    Membership,
    Organisation,
    Role,
    Supplier,
    SupplierMembership,
)
from governance.platform.outbox import outbox_enqueue
from governance.platform.privacy import normalise_email


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _user_by_email(email: str):
    return get_user_model().objects.filter(email__iexact=email).order_by("pk").first()


def _issue(invitation: Invitation, *, language: str) -> str:
    """Store the invitation with a fresh token and put its e-mail in the outbox; return the
    token (for the e-mail only)."""
    token = secrets.token_urlsafe(32)
    invitation.token_hash = token_hash(token)
    invitation.expires_at = timezone.now() + timedelta(days=settings.REGIE_INVITATION_DAYS)
    invitation.full_clean()
    invitation.save()
    link = public_base_url() + reverse("invitation_accept", kwargs={"token": token})
    with translation.override(language):
        context = {
            "invitation": invitation,
            "target": invitation.organisation or invitation.supplier,
            "role": invitation_role_label(invitation),
            "link": link,
            "days": settings.REGIE_INVITATION_DAYS,
        }
        outbox_enqueue(
            to=[invitation.email],
            subject=_("Invitation to Regie: %(target)s") % {"target": context["target"]},
            text=render_to_string("members/invitation_email.txt", context),
            organisation=invitation.organisation,
        )
    return token


def invitation_role_label(invitation: Invitation) -> str:
    if invitation.role:
        return Role(invitation.role).label
    return _("Supplier administrator") if invitation.supplier_admin else _("Supplier user")


def _withdraw_pending(queryset) -> None:
    tracked_update(
        queryset.filter(accepted_at__isnull=True, revoked_at__isnull=True),
        revoked_at=timezone.now(),
    )


# --- client members ------------------------------------------------------------------------


def member_invite(*, access: Access, email: str, role: str, invited_by) -> Invitation:
    """Invite `email` into the organisation with `role` (contract managers only). A newer
    invitation to the same address replaces a pending one."""
    access.require(access.may("members.manage"))
    email = normalise_email(email)
    if role not in Role.values:
        raise ValidationError({"role": _("Choose a role.")})
    existing = _user_by_email(email)
    if existing is not None:
        if Membership.objects.filter(user=existing, organisation=access.organisation).exists():
            raise ValidationError({"email": _("This person is already a member.")})
        if SupplierMembership.objects.filter(user=existing).exists():
            raise ValidationError(
                {"email": _("This address belongs to a supplier's user, who cannot be a member.")}
            )
    with transaction.atomic():
        _withdraw_pending(
            Invitation.objects.filter(organisation=access.organisation, email__iexact=email)
        )
        invitation = Invitation(
            organisation=access.organisation, email=email, role=role, invited_by=invited_by
        )
        _issue(invitation, language=access.organisation.default_language)
    return invitation


def _active_managers(organisation: Organisation):
    return Membership.objects.filter(
        organisation=organisation, role=Role.CONTRACT_MANAGER, user__is_active=True
    )


def _keeps_a_manager(membership: Membership) -> None:
    others = _active_managers(membership.organisation).exclude(pk=membership.pk)
    if membership.role == Role.CONTRACT_MANAGER and not others.exists():
        raise ValidationError(
            _("The organisation needs at least one active contract manager; appoint another first.")
        )


def member_set_role(*, access: Access, membership: Membership, role: str) -> Membership:
    """Change a member's role; the last active contract manager keeps the role."""
    access.require(access.may("members.manage"))
    if membership.organisation_id != access.organisation.pk:
        raise PermissionDenied
    if role not in Role.values:
        raise ValidationError({"role": _("Choose a role.")})
    with transaction.atomic():
        membership = Membership.objects.select_for_update().get(pk=membership.pk)
        if role != Role.CONTRACT_MANAGER:
            _keeps_a_manager(membership)
        membership.role = role
        membership.full_clean()
        membership.save()
    return membership


def member_deactivate(*, access: Access, membership: Membership) -> str:
    """A leaver: a person with no other membership is deactivated (can no longer log in; the
    membership stays, marked inactive); a person who is also a member elsewhere only loses this
    membership. Never the last active contract manager. Returns "deactivated" or "removed"."""
    access.require(access.may("members.manage"))
    if membership.organisation_id != access.organisation.pk:
        raise PermissionDenied
    with transaction.atomic():
        membership = Membership.objects.select_for_update().get(pk=membership.pk)
        user = membership.user
        if not user.is_active:
            raise ValidationError(_("This member is already deactivated."))
        _keeps_a_manager(membership)
        if Membership.objects.filter(user=user).exclude(pk=membership.pk).exists():
            membership.delete()
            return "removed"
        user.is_active = False
        user.save(update_fields=["is_active"])
        return "deactivated"


# --- a supplier's users --------------------------------------------------------------------


def supplier_admin_link(user) -> SupplierMembership:
    """The link of a supplier's administrator, or 404 for anybody else (the same answer as for
    a tenant the user cannot reach)."""
    if not supplier_may(user, "supplier_members.manage"):
        raise Http404
    return supplier_link_of(user)


def supplier_user_invite(
    *, admin: SupplierMembership, email: str, is_admin: bool = False
) -> Invitation:
    """The supplier's administrator invites a user of its own supplier."""
    supplier: Supplier = admin.supplier
    email = normalise_email(email)
    existing = _user_by_email(email)
    if existing is not None:
        if SupplierMembership.objects.filter(user=existing, supplier=supplier).exists():
            raise ValidationError({"email": _("This person is already one of your users.")})
        raise ValidationError(
            {"email": _("This address already has an account elsewhere in Regie.")}
        )
    with transaction.atomic():
        _withdraw_pending(Invitation.objects.filter(supplier=supplier, email__iexact=email))
        invitation = Invitation(
            supplier=supplier, email=email, supplier_admin=is_admin, invited_by=admin.user
        )
        _issue(invitation, language=translation.get_language() or settings.LANGUAGE_CODE)
    return invitation


def supplier_user_remove(*, admin: SupplierMembership, link: SupplierMembership) -> None:
    """Deactivate one of the supplier's own users (a supplier's user belongs to one supplier,
    so it keeps no access anywhere); never the last active administrator."""
    if link.supplier_id != admin.supplier_id:
        raise PermissionDenied
    with transaction.atomic():
        link = SupplierMembership.objects.select_for_update().select_related("user").get(pk=link.pk)
        if not link.user.is_active:
            raise ValidationError(_("This user is already deactivated."))
        admins = SupplierMembership.objects.filter(
            supplier_id=link.supplier_id, is_admin=True, user__is_active=True
        ).exclude(pk=link.pk)
        if link.is_admin and not admins.exists():
            raise ValidationError(
                _("The supplier needs at least one active administrator; appoint another first.")
            )
        link.user.is_active = False
        link.user.save(update_fields=["is_active"])


# --- accepting -----------------------------------------------------------------------------


class InvitationRefused(Exception):
    """A link that cannot be used: unknown, withdrawn, used or expired (the message says)."""

    def __init__(self, message: str, status: int = 410):
        super().__init__(message)
        self.message = message
        self.status = status


def invitation_for_token(token: str) -> Invitation:
    invitation = (
        Invitation.objects.select_related("organisation", "supplier")
        .filter(token_hash=token_hash(token or ""))
        .first()
    )
    if invitation is None:
        raise InvitationRefused(_("This invitation link is not valid."), status=404)
    if invitation.accepted_at is not None:
        raise InvitationRefused(_("This invitation has already been used."))
    if invitation.revoked_at is not None:
        raise InvitationRefused(_("This invitation has been withdrawn."))
    if invitation.expires_at <= timezone.now():
        raise InvitationRefused(
            _("This invitation has expired. Ask the person who invited you for a new one.")
        )
    return invitation


def invitation_has_account(invitation: Invitation) -> bool:
    return _user_by_email(invitation.email) is not None


def invitation_withdraw(*, invitation: Invitation) -> None:
    _withdraw_pending(Invitation.objects.filter(pk=invitation.pk))


def _use(invitation: Invitation, user) -> None:
    # Locked and re-checked in one step, so a link clicked twice at once is used once.
    used = tracked_update(
        Invitation.objects.filter(
            pk=invitation.pk, accepted_at__isnull=True, revoked_at__isnull=True
        ),
        accepted_at=timezone.now(),
        accepted_by=user,
    )
    if used != 1:
        raise InvitationRefused(_("This invitation has already been used."))


def _join(invitation: Invitation, user) -> None:
    if invitation.organisation_id:
        if SupplierMembership.objects.filter(user=user).exists():
            raise ValidationError(_("A supplier's user cannot also be a member of a client."))
        if Membership.objects.filter(user=user, organisation=invitation.organisation).exists():
            raise ValidationError(_("You are already a member of this organisation."))
        Membership.objects.create(
            user=user, organisation=invitation.organisation, role=invitation.role
        )
    else:
        if SupplierMembership.objects.filter(user=user).exists() or user.memberships.exists():
            raise ValidationError(_("Your account already belongs elsewhere in Regie."))
        SupplierMembership.objects.create(
            user=user, supplier=invitation.supplier, is_admin=invitation.supplier_admin
        )


def invitation_accept(*, token: str, user) -> Invitation:
    """A logged-in user whose e-mail address is the invited one joins."""
    invitation = invitation_for_token(token)
    if (user.email or "").lower() != invitation.email.lower():
        raise ValidationError(
            _("This invitation is for %(email)s; log in with that address.")
            % {"email": invitation.email}
        )
    with transaction.atomic():
        _use(invitation, user)
        _join(invitation, user)
    return invitation


def invitation_accept_new(*, token: str, first_name: str, last_name: str, password: str):
    """A newcomer sets a password (the settings' validators) and joins; returns the user."""
    invitation = invitation_for_token(token)
    if _user_by_email(invitation.email) is not None:
        raise ValidationError(_("An account with this address exists; log in to accept."))
    user_model = get_user_model()
    user = user_model(
        username=invitation.email,
        email=invitation.email,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
    )
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise ValidationError({"password1": error.messages}) from None
    user.set_password(password)
    with transaction.atomic():
        user.full_clean()
        user.save()
        _use(invitation, user)
        _join(invitation, user)
    return user
