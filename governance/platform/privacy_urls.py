"""The contract managers' privacy page under /o/<org>/privacy/."""

from django.urls import path

from governance.platform import privacy_views

app_name = "privacy"
urlpatterns = [
    path("", privacy_views.privacy_settings, name="settings"),
    path("erase/", privacy_views.privacy_erase, name="erase"),
]
