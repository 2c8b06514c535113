"""Platform views: landing after login, the organisation chooser, health, and the tenant mixin."""

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from governance.access import Access, organisations_for, supplier_of
from governance.forms import OutboxPasswordResetForm


class TenantMixin:
    """For views under /o/<org_slug>/: the middleware has resolved `request.access`."""

    @property
    def access(self) -> Access:
        return self.request.access

    @property
    def organisation(self):
        return self.request.access.organisation


@login_required
def home(request):
    """Land the user where its work is: its organisation, a chooser, or the supplier home."""
    if supplier_of(request.user) is not None:
        return redirect("supplier_home")
    organisations = organisations_for(request.user)
    if len(organisations) == 1:
        return redirect("organisation_home", org_slug=organisations[0].slug)
    return render(request, "governance/choose_organisation.html", {"organisations": organisations})


class PasswordResetView(auth_views.PasswordResetView):
    form_class = OutboxPasswordResetForm


@never_cache
def healthz(request):
    """Liveness and database reachability for the container platform."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:  # noqa: BLE001 - any database failure means "not healthy"
        return JsonResponse({"status": "database unavailable"}, status=503)
    return HttpResponse("ok", content_type="text/plain")
