from django.urls import path

from audits.views import actions, audits, findings, programmes, shared_reports

app_name = "audits"
urlpatterns = [
    path("", programmes.audit_list, name="audit_list"),
    path("new/", audits.audit_create, name="audit_create"),
    path("programmes/new/", programmes.programme_create, name="programme_create"),
    path(
        "programmes/<int:pk>/next-year/",
        programmes.programme_next_year,
        name="programme_next_year",
    ),
    path(
        "programmes/<int:pk>/propose-next-year/",
        programmes.programme_propose,
        name="programme_propose",
    ),
    path("programmes/<int:pk>/accept/", programmes.programme_accept, name="programme_accept"),
    path("<int:pk>/", audits.audit_detail, name="audit_detail"),
    path("<int:pk>/edit/", audits.audit_edit, name="audit_edit"),
    path("<int:pk>/status/", audits.audit_transition, name="audit_transition"),
    path("<int:pk>/checklist/generate/", audits.checklist_generate, name="checklist_generate"),
    path("<int:pk>/checklist/add/", audits.checklist_add, name="checklist_add"),
    path("<int:pk>/findings/new/", findings.finding_create, name="finding_create"),
    path("<int:pk>/upload/", shared_reports.report_upload, name="report_upload"),
    path("<int:pk>/shared-report/", shared_reports.shared_report, name="shared_report"),
    path(
        "shared-report/template/",
        shared_reports.shared_report_template,
        name="shared_report_template",
    ),
    path("<int:pk>/pdf/", audits.pdf_request, name="pdf_request"),
    path("<int:pk>/pdf/download/", audits.pdf_download, name="pdf_download"),
    path("items/<int:pk>/", audits.checklist_item_record, name="checklist_item_record"),
    path("findings/", findings.finding_board, name="finding_board"),
    path("findings/export/", findings.finding_export, name="finding_export"),
    path("findings/<int:pk>/", findings.finding_detail, name="finding_detail"),
    path("findings/<int:pk>/respond/", findings.finding_respond, name="finding_respond"),
    path("findings/<int:pk>/priority/", findings.finding_priority, name="finding_priority"),
    path("findings/<int:pk>/actions/", actions.action_create, name="action_create"),
    path("findings/<int:pk>/check/", actions.check_create, name="check_create"),
    path("findings/<int:pk>/close/", findings.finding_close, name="finding_close"),
    path("actions/", actions.action_board, name="action_board"),
    path("actions/<int:pk>/", actions.action_update, name="action_update"),
    path(
        "reports/<int:pk>/",
        shared_reports.supplier_report_download,
        name="supplier_report_download",
    ),
]
