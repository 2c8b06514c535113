"""Tenant from the URL: resolve the organisation, check access, run the request in scope."""

import re

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request
from rest_framework.settings import api_settings

from governance.platform import guards
from governance.platform.access import access_for, platform_scope, tenant_scope
from governance.platform.models import Organisation

TENANT_PATH = re.compile(r"^/(?P<api>api/v1/)?o/(?P<slug>[-a-zA-Z0-9_]+)/")


class TenantMiddleware:
    """For `/o/<slug>/…` and `/api/v1/o/<slug>/…`:

    - anonymous: the login page (browser) or 401 (API);
    - no access to this organisation, or no such organisation: 404, indistinguishably;
    - a registered guard may still stop it (`governance/platform/guards.py`: a token scoped to
      another organisation, a second factor the organisation requires);
    - otherwise `request.organisation` and `request.access` are set and the whole request,
      template rendering included, runs inside the tenant scope.

    The staff admin works across tenants on purpose and runs with the guard lifted.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.organisation = None
        request.access = None
        request.api_credential = None
        match = TENANT_PATH.match(request.path_info)
        if match is None:
            if request.path_info.startswith("/admin/") and request.user.is_staff:
                with platform_scope():
                    return self.get_response(request)
            return self.get_response(request)

        is_api = bool(match["api"])
        user = self._api_user(request) if is_api else request.user
        if user is None:
            return _api_error(401, _("Invalid token."))
        if not user.is_authenticated:
            if is_api:
                return _api_error(401, _("Authentication credentials were not provided."))
            return redirect_to_login(request.get_full_path())

        organisation = Organisation.objects.filter(slug=match["slug"]).first()
        access = access_for(user, organisation) if organisation else None
        if access is None:
            if is_api:
                return _api_error(404, _("Not found."))
            raise Http404

        refused = guards.refusal(request, access, api=is_api)
        if refused is not None:
            return refused
        request.organisation = organisation
        request.access = access
        with tenant_scope(access):
            return self.get_response(request)

    @staticmethod
    def _api_user(request):
        """The API user from the configured token authentication, else the session; None for a
        bad token. The credential (the token) is kept in `request.api_credential` for guards."""
        if not request.META.get("HTTP_AUTHORIZATION"):
            return request.user
        for authentication in api_settings.DEFAULT_AUTHENTICATION_CLASSES:
            if issubclass(authentication, SessionAuthentication):
                continue
            try:
                with scopes_disabled():
                    result = authentication().authenticate(Request(request))
            except AuthenticationFailed:
                return None
            if result:
                request.api_credential = result[1]
                return result[0]
        return request.user


def _api_error(status: int, detail: str) -> JsonResponse:
    response = JsonResponse({"detail": detail}, status=status)
    if status == 401:
        response["WWW-Authenticate"] = "Token"
    return response
