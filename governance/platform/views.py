"""Platform views: landing after login, the organisation chooser, health, and the tenant mixin."""

import logging

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from governance.platform.access import Access, organisations_for, supplier_of

logger = logging.getLogger(__name__)


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


def _database_ok() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _cache_ok() -> None:
    cache.set("healthz", "ok", timeout=10)
    if cache.get("healthz") != "ok":
        raise RuntimeError("the cache did not keep a value")


def _broker_ok() -> None:
    from governance.celery import app

    with app.connection_for_write() as broker:
        broker.ensure_connection(max_retries=1, timeout=2)


HEALTH_PROBES = {"database": _database_ok, "cache": _cache_ok, "broker": _broker_ok}


@never_cache
def healthz(request):
    """Database, cache and broker, each named in the body. 200 while the database answers:
    without the cache or the broker the portal still takes complaints and answers (rate limits
    count in process memory, mail waits in the outbox), so it is degraded, not down."""
    parts = {}
    for name, probe in HEALTH_PROBES.items():
        try:
            probe()
        except Exception as error:  # noqa: BLE001 - any failure means "unavailable"
            logger.warning(
                "Health check: %s unavailable (%s: %s)", name, type(error).__name__, error
            )
            parts[name] = "unavailable"
        else:
            parts[name] = "ok"
    if parts["database"] != "ok":
        status, code = "down", 503
    elif all(state == "ok" for state in parts.values()):
        status, code = "ok", 200
    else:
        status, code = "degraded", 200
    return JsonResponse({"status": status, **parts}, status=code)
