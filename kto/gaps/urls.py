from django.urls import path

from kto.gaps import views

app_name = "kto_gap"
urlpatterns = [
    path("", views.gap_matrix_view, name="matrix"),
    path("export/", views.gap_matrix_export, name="matrix_export"),
    path("contracts/<int:pk>/", views.gap_contract_view, name="contract"),
    path("flags/<int:pk>/", views.gap_flag_view, name="flag"),
    path("flags/<int:pk>/comments/", views.gap_flag_comment_add_view, name="flag_comment_add"),
    path("runs/", views.gap_run_list_view, name="runs"),
    path("runs/start/", views.gap_run_start_view, name="run_start"),
    path("runs/<int:pk>/", views.gap_run_detail_view, name="run_detail"),
    path("runs/<int:pk>/status/", views.gap_run_status_view, name="run_status"),
    path("runs/<int:pk>/report.pdf", views.gap_report_download_view, name="run_report"),
    path("settings/", views.gap_settings_view, name="settings"),
    path("settings/digest/", views.gap_digest_preview_view, name="digest_preview"),
    path("settings/digest/test/", views.gap_digest_test_view, name="digest_test"),
    path("settings/amber-margin/", views.gap_amber_margin_view, name="amber_margin"),
    path("settings/thresholds/", views.gap_threshold_add_view, name="threshold_add"),
    path("settings/thresholds/<int:pk>/", views.gap_threshold_edit_view, name="threshold_edit"),
    path(
        "settings/thresholds/<int:pk>/delete/",
        views.gap_threshold_delete_view,
        name="threshold_delete",
    ),
]
