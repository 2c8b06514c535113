"""URLs of self-administration; the project's URL map mounts each list."""

from django.urls import path

from governance.platform.members import views

# Under /o/<org_slug>/members/ (namespace "members").
tenant_urls = (
    [
        path("", views.member_list, name="member_list"),
        path("invite/", views.member_invite, name="member_invite"),
        path("<int:pk>/role/", views.member_role, name="member_role"),
        path("<int:pk>/deactivate/", views.member_deactivate, name="member_deactivate"),
        path(
            "invitations/<int:pk>/withdraw/",
            views.invitation_withdraw,
            name="invitation_withdraw",
        ),
    ],
    "members",
)

# Under /supplier/members/ (namespace "supplier_members").
supplier_urls = (
    [
        path("", views.supplier_members, name="list"),
        path("invite/", views.supplier_member_invite, name="invite"),
        path("<int:pk>/remove/", views.supplier_member_remove, name="remove"),
    ],
    "supplier_members",
)

# Public: the link in the invitation e-mail.
public_urls = [
    path("<str:token>/", views.invitation_accept, name="invitation_accept"),
]
