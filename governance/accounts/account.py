"""The user's own account page (MFA, API tokens) and the organisation's security setting."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from governance.accounts import mfa
from governance.accounts.forms import (
    CodeForm,
    OrganisationSecurityForm,
    PasswordConfirmForm,
    RecoveryCodesForm,
    TokenForm,
)
from governance.accounts.models import ApiToken
from governance.accounts.services import organisation_mfa_set
from governance.accounts.tokens import token_issue, token_revoke, token_rotate
from governance.platform.forms import apply_errors, saved


def _shown_once(request, token, plain):
    response = render(request, "accounts/token_created.html", {"token": token, "plain": plain})
    response["Cache-Control"] = "no-store"
    return response


def _requires_mfa(scope: dict) -> bool:
    if "organisation" in scope:
        return scope["organisation"].mfa_required
    return mfa.mfa_required_for_supplier(scope["supplier"])


@never_cache
@login_required
def account(request):
    """MFA state and the API tokens; a POST makes a token and shows it once."""
    user = request.user
    form = TokenForm(request.POST or None, user=user)
    verified = mfa.session_verified(request)
    if request.method == "POST" and form.is_valid():
        scope = form.cleaned_data["scope"]
        if _requires_mfa(scope) and not verified:
            form.add_error("scope", _("This organisation requires two-factor authentication."))
        else:
            try:
                token, plain = token_issue(
                    user=user,
                    name=form.cleaned_data["name"],
                    mfa=verified,
                    days=form.cleaned_data["days"],
                    **scope,
                )
            except ValidationError as error:
                apply_errors(form, error)
            else:
                return _shown_once(request, token, plain)
    tokens = ApiToken.objects.filter(user=user).select_related("organisation", "supplier")
    context = {
        "form": form,
        "tokens": tokens,
        "mfa_on": mfa.mfa_enabled(user),
        "verified": verified,
        "codes_left": mfa.recovery_codes_left(user),
    }
    return render(request, "accounts/account.html", context)


@require_POST
@login_required
def token_rotate_view(request, pk):
    token = get_object_or_404(ApiToken, pk=pk, user=request.user, revoked_at__isnull=True)
    new, plain = token_rotate(token=token, mfa=mfa.session_verified(request))
    return _shown_once(request, new, plain)


@require_POST
@login_required
def token_revoke_view(request, pk):
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    token_revoke(token=token)
    messages.success(request, _("The token %(name)s is revoked.") % {"name": token.name})
    return redirect("account")


def _next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return ""


@never_cache
@login_required
def mfa_setup(request):
    """Not on: set up an authenticator (QR code, confirm with a code, recovery codes once).
    On but this session not verified: enter a code. On and verified: the state."""
    user, next_url = request.user, _next(request)
    form = CodeForm(request.POST or None)
    enabled = mfa.mfa_enabled(user)
    if enabled and not mfa.session_verified(request):
        if request.method == "POST" and form.is_valid():
            device = mfa.mfa_check(user=user, code=form.cleaned_data["code"])
            if device is not None:
                otp_login(request, device)
                return redirect(next_url or "account")
            form.add_error("code", _("That code is not right."))
        return render(request, "accounts/mfa_verify.html", {"form": form, "next": next_url})
    if enabled:
        return redirect("account")
    device = mfa.totp_start(user=user)
    if request.method == "POST" and form.is_valid():
        try:
            codes = mfa.totp_confirm(request=request, code=form.cleaned_data["code"])
        except ValidationError as error:
            apply_errors(form, error)
        else:
            response = render(
                request, "accounts/recovery_codes.html", {"codes": codes, "next": next_url}
            )
            response["Cache-Control"] = "no-store"
            return response
    context = {
        "form": form,
        "qr": mfa.qr_data_uri(device),
        "secret": mfa.secret_text(device),
        "next": next_url,
    }
    return render(request, "accounts/mfa_setup.html", context)


@never_cache
@login_required
def recovery_codes(request):
    """New recovery codes after the password or an authenticator code; shown once."""
    if not mfa.mfa_enabled(request.user):
        return redirect("account")
    form = RecoveryCodesForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = mfa.recovery_codes_regenerate(
                user=request.user,
                password=form.cleaned_data["password"],
                code=form.cleaned_data["code"],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            response = render(
                request, "accounts/recovery_codes.html", {"codes": codes, "renewed": True}
            )
            response["Cache-Control"] = "no-store"
            return response
    return render(request, "accounts/recovery_codes_new.html", {"form": form})


@never_cache
@login_required
def mfa_disable(request):
    form = PasswordConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            mfa.mfa_disable(user=request.user, password=form.cleaned_data["password"])
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Two-factor authentication is off."))
            return redirect("account")
    return render(request, "accounts/mfa_disable.html", {"form": form})


@never_cache
def organisation_security(request, org_slug):
    """Contract managers set whether the organisation requires MFA."""
    access = request.access
    access.require(access.may("members.manage"))
    organisation = access.organisation
    form = OrganisationSecurityForm(
        request.POST if request.method == "POST" else None,
        initial={"mfa_required": organisation.mfa_required},
    )
    saved_organisation = saved(
        request,
        form,
        lambda data: organisation_mfa_set(
            access=access,
            required=data["mfa_required"],
            verified=mfa.session_verified(request),
        ),
    )
    if saved_organisation is not None:
        messages.success(request, _("Security settings saved."))
        return redirect("organisation_security", org_slug=organisation.slug)
    return render(request, "accounts/organisation_security.html", {"form": form})
