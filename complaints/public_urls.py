"""Public complaint pages (no account): /k/<org>/ form and register, /k/t/<token>/ tracking."""

from django.urls import path

from complaints import public_views

app_name = "complaints_public"
urlpatterns = [
    path("t/<str:token>/", public_views.track, name="track"),
    path("t/<str:token>/erase/", public_views.track_erase, name="track_erase"),
    path("<slug:org_slug>/", public_views.complaint_form, name="form"),
    path("<slug:org_slug>/register/", public_views.register_page, name="register"),
    path(
        "<slug:org_slug>/register/<str:quarter>.pdf",
        public_views.register_pdf,
        name="register_pdf",
    ),
    path(
        "<slug:org_slug>/register/<str:quarter>/status/",
        public_views.register_report_status,
        name="register_report_status",
    ),
]
