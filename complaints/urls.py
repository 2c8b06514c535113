from django.urls import path

from complaints import views

app_name = "complaints"
urlpatterns = [
    path("", views.complaint_list, name="complaint_list"),
    path("export/", views.complaint_export, name="complaint_export"),
    path("analysis/", views.analysis_page, name="analysis"),
    path("extension/", views.extension_case, name="extension"),
    path("proposals/", views.proposal_list, name="proposal_list"),
    path("proposals/<int:pk>/", views.proposal_detail, name="proposal_detail"),
    path("settings/", views.settings_page, name="settings"),
    path("settings/categories/", views.category_add, name="category_add"),
    path("settings/categories/<int:pk>/", views.category_toggle, name="category_toggle"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment"),
    path("<int:pk>/", views.complaint_detail, name="complaint_detail"),
    path("<int:pk>/assign/", views.complaint_assign, name="complaint_assign"),
    path("<int:pk>/transition/", views.complaint_transition, name="complaint_transition"),
    path("<int:pk>/note/", views.complaint_note, name="complaint_note"),
    path("<int:pk>/message/", views.complaint_message, name="complaint_message"),
]
