"""The public complaint API (no account): /api/v1/k/<org>/…"""

from django.urls import path

from complaints.api.views import PublicComplaintView, PublicRegisterView

app_name = "complaints_public_api"
urlpatterns = [
    path("<slug:org_slug>/complaints/", PublicComplaintView.as_view(), name="submit"),
    path("<slug:org_slug>/register/", PublicRegisterView.as_view(), name="register"),
]
