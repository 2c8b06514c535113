"""The accounts app's guards on tenant requests (registered in apps.py, run by the platform's
tenant middleware after the access policy): a token's scope, and the organisation's MFA rule."""

from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from governance.accounts.mfa import session_verified
from governance.accounts.models import ApiToken
from governance.accounts.tokens import token_allows


def token_scope_guard(request, access, *, api):
    """A token scoped to another organisation (or supplier) finds nothing here: 404, as for
    an organisation the user cannot reach."""
    token = getattr(request, "api_credential", None)
    if isinstance(token, ApiToken) and not token_allows(token, access):
        return JsonResponse({"detail": _("Not found.")}, status=404)
    return None


def mfa_guard(request, access, *, api):
    """An organisation that requires MFA is reached only with a second factor: a verified
    session, or a token made with one. A browser is sent to set it up or enter a code."""
    if not access.organisation.mfa_required or access.is_system:
        return None
    token = getattr(request, "api_credential", None)
    passed = token.mfa if isinstance(token, ApiToken) else session_verified(request)
    if passed:
        return None
    if api:
        return JsonResponse(
            {"detail": _("This organisation requires two-factor authentication.")}, status=403
        )
    messages.warning(
        request,
        _("%(organisation)s requires two-factor authentication. Set it up or enter a code first.")
        % {"organisation": access.organisation.name},
    )
    return redirect(f"{reverse('mfa_setup')}?{urlencode({'next': request.get_full_path()})}")
