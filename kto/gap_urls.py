from django.urls import path

from kto import gap_views

app_name = "kto_gap"
urlpatterns = [
    path("", gap_views.gap_matrix_view, name="matrix"),
    path("contracts/<int:pk>/", gap_views.gap_contract_view, name="contract"),
    path("flags/<int:pk>/", gap_views.gap_flag_view, name="flag"),
    path("runs/", gap_views.gap_run_list_view, name="runs"),
    path("runs/start/", gap_views.gap_run_start_view, name="run_start"),
    path("runs/<int:pk>/", gap_views.gap_run_detail_view, name="run_detail"),
    path("runs/<int:pk>/status/", gap_views.gap_run_status_view, name="run_status"),
    path("runs/<int:pk>/report.pdf", gap_views.gap_report_download_view, name="run_report"),
]
