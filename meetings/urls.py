from django.urls import path

from meetings import views

app_name = "meetings"
urlpatterns = [
    path("", views.index, name="index"),
    path("series/new/", views.series_create, name="series_create"),
    path("series/<int:pk>/", views.series_detail, name="series_detail"),
    path("series/<int:pk>/edit/", views.series_edit, name="series_edit"),
    path("series/<int:pk>/calendar.ics", views.series_ics, name="series_ics"),
    path("series/<int:pk>/meetings/new/", views.meeting_create, name="meeting_create"),
    path("<int:pk>/", views.meeting_detail, name="meeting_detail"),
    path("<int:pk>/edit/", views.meeting_edit, name="meeting_edit"),
    path("<int:pk>/generate/", views.meeting_generate, name="meeting_generate"),
    path("<int:pk>/publish/", views.meeting_publish, name="meeting_publish"),
    path("<int:pk>/held/", views.meeting_held, name="meeting_held"),
    path("<int:pk>/approve/", views.minutes_approve, name="minutes_approve"),
    path("<int:pk>/calendar.ics", views.meeting_ics, name="meeting_ics"),
    path("<int:pk>/items/new/", views.item_add, name="item_add"),
    path("<int:pk>/attendance/new/", views.attendance_add, name="attendance_add"),
    path("<int:pk>/attendance/", views.attendance_record, name="attendance_record"),
    path("<int:pk>/actions/new/", views.action_create, name="action_create"),
    path("<int:pk>/pdf/", views.document_request, name="document_request"),
    path("documents/<int:pk>/", views.document_download, name="document_download"),
    path("items/<int:pk>/prepare/", views.item_prepare, name="item_prepare"),
    path("items/<int:pk>/minutes/", views.item_record, name="item_record"),
    path("actions/<int:pk>/status/", views.action_status, name="action_status"),
    path("sips/", views.sip_list, name="sip_list"),
    path("sips/new/", views.sip_create, name="sip_create"),
    path("sips/<int:pk>/", views.sip_detail, name="sip_detail"),
    path("sips/<int:pk>/edit/", views.sip_edit, name="sip_edit"),
    path("sips/<int:pk>/milestones/", views.milestone_add, name="milestone_add"),
    path("sips/<int:pk>/links/", views.sip_link_add, name="sip_link_add"),
    path("milestones/<int:pk>/toggle/", views.milestone_toggle, name="milestone_toggle"),
    path("gap-flags/<int:pk>/agenda/", views.gap_flag_agenda, name="gap_flag_agenda"),
    path("gap-flags/<int:pk>/sip/", views.gap_flag_sip, name="gap_flag_sip"),
]
