"""The URL map of Regie (composition root)."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from governance.accounts import account as account_views
from governance.accounts.api import ObtainTokenView
from governance.accounts.views import admin_login
from governance.platform import history_views, languages, privacy_views, views
from governance.platform.members import urls as members_urls
from governance.roof import dashboard, health_views, search

tenant_pages = [
    path("", dashboard.organisation_home, name="organisation_home"),
    path("search/", search.search, name="search"),
    path("my-work/", dashboard.my_work, name="my_work"),
    path("contracts/", include("contracts.urls")),
    path("contracts/<int:pk>/health/", health_views.contract_health_page, name="contract_health"),
    path(
        "contracts/<int:pk>/health/pdf/",
        health_views.contract_summary_request_view,
        name="contract_summary_request",
    ),
    path(
        "contracts/<int:pk>/health/pdf/download/",
        health_views.contract_summary_download,
        name="contract_summary_download",
    ),
    path("simulations/", include("simulations.urls")),
    path("kto/", include("kto.urls")),
    path("gaps/", include("kto.gaps.urls")),
    path("complaints/", include("complaints.urls")),
    path("audits/", include("audits.urls")),
    path("meetings/", include("meetings.urls")),
    path("webhooks/", include("governance.platform.webhook_urls")),
    path("privacy/", include("governance.platform.privacy_urls")),
    path("members/", include(members_urls.tenant_urls)),
    path("history/", history_views.trail_page, name="history"),
    path("history/export/", history_views.trail_export, name="history_export"),
    path("security/", account_views.organisation_security, name="organisation_security"),
]

tenant_api = [
    path("", include("contracts.api.urls")),
    path("", include("simulations.api.urls")),
    path("", include("kto.api.urls")),
    path("", include("kto.gaps.api")),
    path("", include("complaints.api.urls")),
    path("", include("audits.api.urls")),
    path("", include("meetings.api.urls")),
    path("", include("governance.platform.privacy_api")),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/", include("governance.accounts.urls")),
    path("i18n/setlang/", languages.set_language, name="set_language"),
    path("supplier/", dashboard.supplier_home, name="supplier_home"),
    path("supplier/members/", include(members_urls.supplier_urls)),
    path("invitation/", include(members_urls.public_urls)),
    path("survey/", include("kto.public_urls")),
    path(
        "k/<slug:org_slug>/privacy/",
        privacy_views.privacy_statement,
        name="privacy_statement",
    ),
    path("k/", include("complaints.public_urls")),
    path("api/v1/k/", include("complaints.api.public_urls")),
    path("o/<slug:org_slug>/", include(tenant_pages)),
    path("api/v1/auth/token/", ObtainTokenView.as_view(), name="api_token"),
    path("api/v1/o/<slug:org_slug>/", include((tenant_api, "api"), namespace="api")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api_schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api_schema"), name="api_docs"),
    # The admin logs in through Regie's own login: the same lockout and second factor.
    path("admin/login/", admin_login, name="admin_login"),
    path("admin/", admin.site.urls),
]

handler404 = "governance.platform.errors.page_not_found"
handler500 = "governance.platform.errors.server_error"
handler403 = "governance.platform.errors.permission_denied"
