from django.urls import path

from contracts import views, views_exports, views_import, views_terms

app_name = "contracts"
urlpatterns = [
    path("", views.ContractListView.as_view(), name="contract_list"),
    path("export/", views.contract_export, name="contract_export"),
    path("import/", views_import.register_import_view, name="register_import"),
    path("import/template.xlsx", views_import.register_import_template, name="register_template"),
    path("<int:pk>/", views.ContractDetailView.as_view(), name="contract_detail"),
    path("<int:pk>/template/", views.report_template, name="report_template"),
    path("<int:pk>/upload/", views.ReportUploadView.as_view(), name="report_upload"),
    path("<int:pk>/upload/confirm/", views.report_upload_confirm, name="report_upload_confirm"),
    path("<int:pk>/reports/export/", views_exports.report_timeline_export, name="report_export"),
    path("reports/<int:pk>/", views.ReportDetailView.as_view(), name="report_detail"),
    path(
        "reports/<int:pk>/export/",
        views_exports.report_measurements_export,
        name="measurement_export",
    ),
    path("reports/<int:pk>/source/", views.report_source, name="report_source"),
    path("reports/<int:pk>/submit/", views.report_submit, name="report_submit"),
    path("reports/<int:pk>/accept/", views.report_accept, name="report_accept"),
    path("reports/<int:pk>/dispute/", views.report_dispute, name="report_dispute"),
    path("reports/<int:pk>/appeal/", views.report_appeal, name="report_appeal"),
    path("reports/<int:pk>/withdraw/", views.report_withdraw, name="report_withdraw"),
    path("levels/<int:pk>/", views.LevelChartView.as_view(), name="level_chart"),
    # The terms, written by the client's contract managers (views_terms).
    path("new/", views_terms.contract_create, name="contract_create"),
    path("<int:pk>/edit/", views_terms.contract_edit, name="contract_edit"),
    path("<int:pk>/services/new/", views_terms.service_create, name="service_create"),
    path("services/<int:pk>/edit/", views_terms.service_edit, name="service_edit"),
    path("<int:pk>/levels/new/", views_terms.service_level_create, name="service_level_create"),
    path("levels/<int:pk>/amend/", views_terms.service_level_amend, name="service_level_amend"),
    path("<int:pk>/expectations/new/", views_terms.expectation_create, name="expectation_create"),
    path("expectations/<int:pk>/edit/", views_terms.expectation_edit, name="expectation_edit"),
    path(
        "<int:pk>/information/new/",
        views_terms.information_need_create,
        name="information_need_create",
    ),
    path(
        "information/<int:pk>/edit/",
        views_terms.information_need_edit,
        name="information_need_edit",
    ),
    path("information/<int:pk>/delivery/", views_terms.delivery_record, name="delivery_record"),
]
