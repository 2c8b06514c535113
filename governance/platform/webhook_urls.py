from django.urls import path

from governance.platform import webhook_views as views

app_name = "webhooks"

urlpatterns = [
    path("", views.webhook_list, name="list"),
    path("<int:pk>/", views.webhook_detail, name="detail"),
    path("<int:pk>/rotate/", views.webhook_rotate_view, name="rotate"),
    path("<int:pk>/enable/", views.webhook_enable_view, name="enable"),
    path("<int:pk>/delete/", views.webhook_delete_view, name="delete"),
]
