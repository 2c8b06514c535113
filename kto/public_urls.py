"""Public survey links (no account): /survey/…"""

from django.urls import path

from kto import public_views

app_name = "kto_public"
urlpatterns = [
    path("a/<str:token>/", public_views.answer, name="answer"),
    path("open/<str:token>/", public_views.open_answer, name="open"),
    path("thanks/", public_views.thanks, name="thanks"),
]
