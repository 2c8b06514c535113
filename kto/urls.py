from django.urls import path

from kto import campaign_views, views

app_name = "kto"
urlpatterns = [
    path("", views.SurveyListView.as_view(), name="survey_list"),
    path("new/", views.SurveyCreateView.as_view(), name="survey_create"),
    path("settings/", campaign_views.KtoSettingsView.as_view(), name="settings"),
    path("questions/", views.QuestionListView.as_view(), name="question_list"),
    path("questions/new/", views.QuestionCreateView.as_view(), name="question_create"),
    path("<int:pk>/", views.SurveyDetailView.as_view(), name="survey_detail"),
    path("<int:pk>/edit/", views.SurveyEditView.as_view(), name="survey_edit"),
    path("<int:pk>/plan/", views.SurveyPlanView.as_view(), name="survey_plan"),
    path("<int:pk>/repeat/", campaign_views.SurveyRepeatView.as_view(), name="survey_repeat"),
    path(
        "<int:pk>/participants/", views.ParticipantImportView.as_view(), name="participant_import"
    ),
    path("<int:pk>/launch/", views.SurveyActionView.as_view(action="launch"), name="survey_launch"),
    path("<int:pk>/close/", views.SurveyActionView.as_view(action="close"), name="survey_close"),
    path(
        "<int:pk>/open-link/",
        views.SurveyActionView.as_view(action="open_link"),
        name="survey_open_link",
    ),
    path("<int:pk>/results/", views.SurveyResultsView.as_view(), name="survey_results"),
    path("<int:pk>/results/export/", views.survey_results_export, name="survey_results_export"),
]
