"""The URL map of Regie (composition root)."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.authtoken.views import ObtainAuthToken

from governance.platform import history_views, languages, privacy_views, views
from governance.platform.forms import LoginForm
from governance.platform.members import urls as members_urls
from governance.roof import dashboard

tenant_pages = [
    path("", dashboard.organisation_home, name="organisation_home"),
    path("contracts/", include("contracts.urls")),
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

accounts = [
    path(
        "login/",
        auth_views.LoginView.as_view(form_class=LoginForm, redirect_authenticated_user=True),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"
    ),
    path("password/reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/", include(accounts)),
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
    path("api/v1/auth/token/", ObtainAuthToken.as_view(), name="api_token"),
    path("api/v1/o/<slug:org_slug>/", include((tenant_api, "api"), namespace="api")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api_schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api_schema"), name="api_docs"),
    path("admin/", admin.site.urls),
]

handler404 = "governance.platform.errors.page_not_found"
handler500 = "governance.platform.errors.server_error"
handler403 = "governance.platform.errors.permission_denied"
