from django.urls import path

from contracts import views

app_name = "contracts"
urlpatterns = [
    path("", views.ContractListView.as_view(), name="contract_list"),
    path("export/", views.contract_export, name="contract_export"),
    path("<int:pk>/", views.ContractDetailView.as_view(), name="contract_detail"),
    path("<int:pk>/template/", views.report_template, name="report_template"),
    path("<int:pk>/upload/", views.ReportUploadView.as_view(), name="report_upload"),
    path("<int:pk>/upload/confirm/", views.report_upload_confirm, name="report_upload_confirm"),
    path("reports/<int:pk>/", views.ReportDetailView.as_view(), name="report_detail"),
    path("reports/<int:pk>/source/", views.report_source, name="report_source"),
    path("reports/<int:pk>/submit/", views.report_submit, name="report_submit"),
    path("reports/<int:pk>/accept/", views.report_accept, name="report_accept"),
    path("reports/<int:pk>/dispute/", views.report_dispute, name="report_dispute"),
    path("reports/<int:pk>/appeal/", views.report_appeal, name="report_appeal"),
    path("reports/<int:pk>/withdraw/", views.report_withdraw, name="report_withdraw"),
    path("levels/<int:pk>/", views.LevelChartView.as_view(), name="level_chart"),
]
