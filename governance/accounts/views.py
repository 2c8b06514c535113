"""Logging in (with the second step for MFA) and the password flows."""

import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django_otp import login as otp_login

from governance.accounts import lockout
from governance.accounts.forms import CodeForm
from governance.accounts.mfa import mfa_check, mfa_enabled
from governance.accounts.tokens import tokens_revoke_for_user
from governance.platform import ratelimit
from governance.platform.forms import LoginForm, OutboxPasswordResetForm

logger = logging.getLogger(__name__)

PENDING = "regie_mfa_pending"
PENDING_SECONDS = 300
CODE_ATTEMPTS = 5


class LoginView(auth_views.LoginView):
    """Password first; a user with MFA then gives a code before the session is logged in
    (the session holds only the pending user for a few minutes)."""

    form_class = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        user = form.get_user()
        if not mfa_enabled(user):
            return super().form_valid(form)
        self.request.session.cycle_key()
        self.request.session[PENDING] = {
            "user": user.pk,
            "backend": user.backend,
            "at": int(timezone.now().timestamp()),
            "next": self.get_success_url(),
        }
        return redirect("login_code")


def _pending_user(request):
    pending = request.session.get(PENDING)
    if not pending:
        return None, None
    if timezone.now().timestamp() - pending["at"] > PENDING_SECONDS:
        del request.session[PENDING]
        return None, None
    user = get_user_model().objects.filter(pk=pending["user"], is_active=True).first()
    return user, pending


@never_cache
def login_code(request):
    """The second step of logging in: an authenticator or recovery code."""
    user, pending = _pending_user(request)
    if user is None:
        messages.info(request, _("Log in again, please."))
        return redirect("login")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        window = settings.REGIE_LOGIN_WINDOW_MINUTES * 60
        if not ratelimit.hit(ratelimit.Limit(f"mfa-code:{user.pk}", CODE_ATTEMPTS, window)):
            del request.session[PENDING]
            logger.warning("Too many wrong codes for user %s; login step dropped", user.pk)
            return render(
                request, "accounts/locked.html", {"message": lockout.lockout_message()}, status=429
            )
        device = mfa_check(user=user, code=form.cleaned_data["code"])
        if device is not None:
            del request.session[PENDING]
            auth_login(request, user, backend=pending["backend"])
            otp_login(request, device)
            return redirect(pending["next"])
        logger.warning("Wrong second-factor code for user %s", user.pk)
        form.add_error("code", _("That code is not right."))
    return render(request, "accounts/login_code.html", {"form": form})


class PasswordResetView(auth_views.PasswordResetView):
    """Throttled per address and per account; the answer is the same whether the address is
    known, unknown or throttled."""

    form_class = OutboxPasswordResetForm

    def form_valid(self, form):
        if lockout.reset_allowed(self.request, form.cleaned_data["email"]):
            return super().form_valid(form)
        return redirect(self.get_success_url())


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    def form_valid(self, form):
        response = super().form_valid(form)
        tokens_revoke_for_user(user=form.user, reason="password reset")
        return response


class PasswordChangeView(auth_views.PasswordChangeView):
    """Keeps this session (Django's update_session_auth_hash); the user's other sessions end
    because their stored password hash no longer matches, and its API tokens are revoked."""

    def form_valid(self, form):
        response = super().form_valid(form)
        count = tokens_revoke_for_user(user=form.user, reason="password changed")
        if count:
            messages.info(
                self.request,
                _("Your API tokens were revoked with the old password; make new ones if needed."),
            )
        return response


def admin_login(request):
    """The admin's login page sends to Regie's own login: the same lockout and second step."""
    target = request.GET.get("next") or reverse("admin:index")
    return redirect_to_login(target)
