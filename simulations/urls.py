from django.urls import path

from simulations import views

app_name = "simulations"
urlpatterns = [
    path("", views.chain_list, name="chain_list"),
    path("chains/new/", views.chain_create, name="chain_create"),
    path("chains/<int:pk>/", views.chain_detail, name="chain_detail"),
    path("chains/<int:pk>/edit/", views.chain_edit, name="chain_edit"),
    path("chains/<int:pk>/profile/", views.chain_profile, name="chain_profile"),
    path(
        "chains/<int:pk>/profile/complaints/",
        views.chain_profile_derive,
        name="chain_profile_derive",
    ),
    path("chains/<int:pk>/steps/new/", views.step_create, name="step_create"),
    path("chains/<int:pk>/scenarios/new/", views.scenario_create, name="scenario_create"),
    path("chains/<int:pk>/simulate/", views.run_start, name="run_start"),
    path("chains/<int:pk>/compare/", views.chain_compare, name="chain_compare"),
    path("chains/<int:pk>/exercises/new/", views.exercise_create, name="exercise_create"),
    path("steps/<int:pk>/edit/", views.step_edit, name="step_edit"),
    path("steps/<int:pk>/delete/", views.step_delete, name="step_delete"),
    path("scenarios/<int:pk>/edit/", views.scenario_edit, name="scenario_edit"),
    path("runs/<int:pk>/", views.run_detail, name="run_detail"),
    path("runs/<int:pk>/progress/", views.run_progress, name="run_progress"),
    path("exercises/", views.exercise_list, name="exercise_list"),
    path("exercises/lessons/", views.lesson_trend, name="lesson_trend"),
    path("exercises/lessons/export/", views.lesson_export, name="lesson_export"),
    path("exercises/<int:pk>/", views.exercise_detail, name="exercise_detail"),
    path("exercises/<int:pk>/edit/", views.exercise_edit, name="exercise_edit"),
    path("exercises/<int:pk>/held/", views.exercise_held, name="exercise_held"),
    path("exercises/<int:pk>/add/<slug:kind>/", views.exercise_part_add, name="exercise_part_add"),
    path("exercises/<int:pk>/report.pdf", views.exercise_pdf, name="exercise_pdf"),
    path(
        "exercises/<int:pk>/report/", views.exercise_report_request, name="exercise_report_request"
    ),
    path(
        "exercises/<int:pk>/report/status/",
        views.exercise_report_status,
        name="exercise_report_status",
    ),
    path("actions/<int:pk>/toggle/", views.action_toggle, name="action_toggle"),
    path("actions/<int:pk>/propose/", views.action_propose, name="action_propose"),
    path("runs/<int:pk>/propose/<slug:finding>/", views.run_propose, name="run_propose"),
    path("proposals/", views.proposal_list, name="proposal_list"),
    path("proposals/<int:pk>/", views.proposal_detail, name="proposal_detail"),
    path("proposals/<int:pk>/status/", views.proposal_status, name="proposal_status"),
]
