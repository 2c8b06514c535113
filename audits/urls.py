from django.urls import path

from audits import views

app_name = "audits"
urlpatterns = [
    path("", views.audit_list, name="audit_list"),
    path("new/", views.audit_create, name="audit_create"),
    path("programmes/new/", views.programme_create, name="programme_create"),
    path(
        "programmes/<int:pk>/next-year/",
        views.programme_next_year,
        name="programme_next_year",
    ),
    path("<int:pk>/", views.audit_detail, name="audit_detail"),
    path("<int:pk>/edit/", views.audit_edit, name="audit_edit"),
    path("<int:pk>/status/", views.audit_transition, name="audit_transition"),
    path("<int:pk>/checklist/generate/", views.checklist_generate, name="checklist_generate"),
    path("<int:pk>/checklist/add/", views.checklist_add, name="checklist_add"),
    path("<int:pk>/findings/new/", views.finding_create, name="finding_create"),
    path("<int:pk>/upload/", views.report_upload, name="report_upload"),
    path("<int:pk>/shared-report/", views.shared_report, name="shared_report"),
    path(
        "shared-report/template/",
        views.shared_report_template,
        name="shared_report_template",
    ),
    path("<int:pk>/pdf/", views.pdf_request, name="pdf_request"),
    path("<int:pk>/pdf/download/", views.pdf_download, name="pdf_download"),
    path("items/<int:pk>/", views.checklist_item_record, name="checklist_item_record"),
    path("findings/", views.finding_board, name="finding_board"),
    path("findings/export/", views.finding_export, name="finding_export"),
    path("findings/<int:pk>/", views.finding_detail, name="finding_detail"),
    path("findings/<int:pk>/respond/", views.finding_respond, name="finding_respond"),
    path("findings/<int:pk>/priority/", views.finding_priority, name="finding_priority"),
    path("findings/<int:pk>/actions/", views.action_create, name="action_create"),
    path("findings/<int:pk>/check/", views.check_create, name="check_create"),
    path("findings/<int:pk>/close/", views.finding_close, name="finding_close"),
    path("actions/", views.action_board, name="action_board"),
    path("actions/<int:pk>/", views.action_update, name="action_update"),
    path("reports/<int:pk>/", views.supplier_report_download, name="supplier_report_download"),
]
