"""/accounts/…: logging in and out, passwords, the user's own account (MFA, API tokens)."""

from django.contrib.auth import views as auth_views
from django.urls import path

from governance.accounts import account, views

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("login/code/", views.login_code, name="login_code"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"
    ),
    path("password/reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("me/", account.account, name="account"),
    path("me/tokens/<int:pk>/rotate/", account.token_rotate_view, name="token_rotate"),
    path("me/tokens/<int:pk>/revoke/", account.token_revoke_view, name="token_revoke"),
    path("me/mfa/", account.mfa_setup, name="mfa_setup"),
    path("me/mfa/disable/", account.mfa_disable, name="mfa_disable"),
    path("me/mfa/recovery-codes/", account.recovery_codes, name="recovery_codes"),
]
