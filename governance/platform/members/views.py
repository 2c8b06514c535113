"""Pages of self-administration: a client's members (/o/<org>/members/), a supplier's users
(/supplier/members/) and the public page that accepts an invitation."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from governance.platform.forms import apply_errors
from governance.platform.members import services
from governance.platform.members.forms import AcceptForm, InviteForm, RoleForm, SupplierInviteForm
from governance.platform.models import Invitation, Membership, SupplierMembership


def _fail(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


def _people(membership_model, **owner):
    """The memberships of the organisation or supplier in `owner` (active users first) and the
    invitations to it still open."""
    people = (
        membership_model.objects.filter(**owner)
        .select_related("user")
        .order_by("-user__is_active", "user__email")
    )
    pending = Invitation.objects.filter(
        **owner, accepted_at__isnull=True, revoked_at__isnull=True
    ).order_by("email")
    return people, pending


# --- a client's members --------------------------------------------------------------------


def _members_page(request, invite_form=None):
    access = request.access
    access.require(access.may("members.manage"))
    members, pending = _people(Membership, organisation=access.organisation)
    return render(
        request,
        "members/member_list.html",
        {
            "members": [(m, RoleForm(initial={"role": m.role}, auto_id=False)) for m in members],
            "pending": pending,
            "invite_form": invite_form or InviteForm(),
            "invitation_days": settings.REGIE_INVITATION_DAYS,
        },
        status=400 if invite_form is not None else 200,
    )


def member_list(request, org_slug):
    return _members_page(request)


@require_POST
def member_invite(request, org_slug):
    access = request.access
    access.require(access.may("members.manage"))
    form = InviteForm(request.POST)
    if form.is_valid():
        try:
            invitation = services.member_invite(
                access=access, invited_by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request, _("Invitation sent to %(email)s.") % {"email": invitation.email}
            )
            return redirect("members:member_list", org_slug=org_slug)
    return _members_page(request, invite_form=form)


def _membership(request, pk) -> Membership:
    return get_object_or_404(Membership, organisation=request.access.organisation, pk=pk)


@require_POST
def member_role(request, org_slug, pk):
    access = request.access
    access.require(access.may("members.manage"))
    membership = _membership(request, pk)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a role."))
        return redirect("members:member_list", org_slug=org_slug)
    try:
        services.member_set_role(
            access=access, membership=membership, role=form.cleaned_data["role"]
        )
    except ValidationError as error:
        _fail(request, error)
    else:
        messages.success(request, _("Role changed."))
    return redirect("members:member_list", org_slug=org_slug)


@require_POST
def member_deactivate(request, org_slug, pk):
    access = request.access
    access.require(access.may("members.manage"))
    membership = _membership(request, pk)
    try:
        outcome = services.member_deactivate(access=access, membership=membership)
    except ValidationError as error:
        _fail(request, error)
    else:
        if outcome == "removed":
            messages.success(request, _("The member has been removed from this organisation."))
        else:
            messages.success(request, _("The member has been deactivated."))
    return redirect("members:member_list", org_slug=org_slug)


@require_POST
def invitation_withdraw(request, org_slug, pk):
    access = request.access
    access.require(access.may("members.manage"))
    invitation = get_object_or_404(Invitation, organisation=access.organisation, pk=pk)
    services.invitation_withdraw(invitation=invitation)
    messages.success(request, _("Invitation withdrawn."))
    return redirect("members:member_list", org_slug=org_slug)


# --- a supplier's users --------------------------------------------------------------------


def _supplier_page(request, admin, invite_form=None):
    users, pending = _people(SupplierMembership, supplier=admin.supplier)
    return render(
        request,
        "members/supplier_members.html",
        {
            "supplier": admin.supplier,
            "users": users,
            "pending": pending,
            "invite_form": invite_form or SupplierInviteForm(),
        },
        status=400 if invite_form is not None else 200,
    )


@login_required
def supplier_members(request):
    return _supplier_page(request, services.supplier_admin_link(request.user))


@login_required
@require_POST
def supplier_member_invite(request):
    admin = services.supplier_admin_link(request.user)
    form = SupplierInviteForm(request.POST)
    if form.is_valid():
        try:
            invitation = services.supplier_user_invite(admin=admin, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request, _("Invitation sent to %(email)s.") % {"email": invitation.email}
            )
            return redirect("supplier_members:list")
    return _supplier_page(request, admin, invite_form=form)


@login_required
@require_POST
def supplier_member_remove(request, pk):
    admin = services.supplier_admin_link(request.user)
    link = get_object_or_404(SupplierMembership, supplier=admin.supplier, pk=pk)
    try:
        services.supplier_user_remove(admin=admin, link=link)
    except ValidationError as error:
        _fail(request, error)
    else:
        messages.success(request, _("The user has been deactivated."))
    return redirect("supplier_members:list")


# --- accepting an invitation (public) ------------------------------------------------------


def invitation_accept(request, token):
    try:
        invitation = services.invitation_for_token(token)
    except services.InvitationRefused as refused:
        return render(
            request, "members/invitation.html", {"refused": refused.message}, status=refused.status
        )
    user = request.user if request.user.is_authenticated else None
    exists = user is None and services.invitation_has_account(invitation)
    form = AcceptForm(request.POST or None) if user is None and not exists else None
    if request.method == "POST" and (user is not None or (form is not None and form.is_valid())):
        try:
            user = _accept(request, token, user, form)
        except services.InvitationRefused as refused:
            return render(
                request,
                "members/invitation.html",
                {"refused": refused.message},
                status=refused.status,
            )
        except ValidationError as error:
            if form is not None:
                apply_errors(form, error)
            else:
                _fail(request, error)
        else:
            messages.success(request, _("Welcome to %(target)s.") % {"target": _target(invitation)})
            if invitation.organisation_id:
                return redirect("organisation_home", org_slug=invitation.organisation.slug)
            return redirect("home")
    return render(
        request,
        "members/invitation.html",
        {
            "invitation": invitation,
            "target": _target(invitation),
            "role": services.invitation_role_label(invitation),
            "form": form,
            "has_account": exists,
            "wrong_user": user is not None and user.email.lower() != invitation.email.lower(),
        },
        status=400 if request.method == "POST" else 200,
    )


def _accept(request, token, user, form):
    """Join as the logged-in user, or as a newcomer with the form's name and password."""
    if user is not None:
        services.invitation_accept(token=token, user=user)
        return user
    user = services.invitation_accept_new(
        token=token,
        first_name=form.cleaned_data["first_name"],
        last_name=form.cleaned_data["last_name"],
        password=form.cleaned_data["password1"],
    )
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    return user


def _target(invitation):
    return invitation.organisation or invitation.supplier
