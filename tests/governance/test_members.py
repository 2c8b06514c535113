"""Self-administration: invitations, roles and leavers (client and supplier side)."""

import hashlib
import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from governance.platform.access import access_for
from governance.platform.models import (
    Invitation,
    Membership,
    OutboxMessage,
    Role,
    SupplierMembership,
)
from tests.conftest import make_user

NEW_PASSWORD = "lang-genoeg-wachtwoord"  # 22 characters
TWELVE = [
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    }
]


@pytest.fixture(autouse=True)
def english(client):
    """The messages are asserted in English; the portal's default language is Dutch."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def invite(client, email, role="business_owner", org="alpha"):
    return client.post(
        reverse("members:member_invite", kwargs={"org_slug": org}),
        {"email": email, "role": role},
    )


def token_from_mail(email) -> str:
    message = OutboxMessage.objects.filter(to=[email]).latest("created_at")
    return re.search(r"/invitation/([^/\s]+)/", message.body_text).group(1)


def accept_url(token) -> str:
    return reverse("invitation_accept", kwargs={"token": token})


def newcomer(password=NEW_PASSWORD):
    return {"first_name": "Nel", "last_name": "Nieuw", "password1": password, "password2": password}


def test_manager_invites_by_mail_with_a_hashed_link_that_expires_in_seven_days(world, client_as):
    before = timezone.now()
    response = invite(client_as(world.alice), "Nel@Example.test")
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    token = token_from_mail("nel@example.test")
    assert invitation.email == "nel@example.test"
    assert invitation.role == Role.BUSINESS_OWNER
    assert invitation.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in invitation.token_hash
    assert before + timedelta(days=7) <= invitation.expires_at
    assert invitation.expires_at <= timezone.now() + timedelta(days=7)


def test_newcomer_sets_a_password_and_gets_the_invited_role(world, client_as, client):
    invite(client_as(world.alice), "nel@example.test")
    client.logout()
    token = token_from_mail("nel@example.test")
    assert client.get(accept_url(token)).status_code == 200
    response = client.post(accept_url(token), newcomer())
    assert response.status_code == 302
    assert response["Location"] == reverse("organisation_home", kwargs={"org_slug": "alpha"})
    user = get_user_model().objects.get(email="nel@example.test")
    assert user.check_password(NEW_PASSWORD)
    assert access_for(user, world.alpha).role == Role.BUSINESS_OWNER
    assert access_for(user, world.alpha).may("improvements.approve")
    assert Invitation.objects.get().accepted_by == user


def test_used_link_is_refused(world, client_as, client):
    invite(client_as(world.alice), "nel@example.test")
    client.logout()
    token = token_from_mail("nel@example.test")
    client.post(accept_url(token), newcomer())
    client.logout()
    for response in (client.get(accept_url(token)), client.post(accept_url(token), newcomer())):
        assert response.status_code == 410
        assert "This invitation has already been used." in response.content.decode()
    assert get_user_model().objects.filter(email="nel@example.test").count() == 1


def test_expired_link_is_refused_and_joins_nobody(world, client_as, client):
    invite(client_as(world.alice), "nel@example.test")
    client.logout()
    Invitation.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    token = token_from_mail("nel@example.test")
    response = client.post(accept_url(token), newcomer())
    assert response.status_code == 410
    assert "This invitation has expired." in response.content.decode()
    assert not get_user_model().objects.filter(email="nel@example.test").exists()


def test_unknown_and_withdrawn_links_are_refused(world, client_as, client):
    response = client.get(accept_url("made-up-token"))
    assert response.status_code == 404
    assert "This invitation link is not valid." in response.content.decode()
    manager = client_as(world.alice)
    invite(manager, "nel@example.test")
    token = token_from_mail("nel@example.test")
    invitation = Invitation.objects.get()
    manager.post(
        reverse("members:invitation_withdraw", kwargs={"org_slug": "alpha", "pk": invitation.pk})
    )
    client.logout()
    response = client.get(accept_url(token))
    assert response.status_code == 410
    assert "This invitation has been withdrawn." in response.content.decode()


def test_a_new_invitation_replaces_the_pending_one(world, client_as, client):
    manager = client_as(world.alice)
    invite(manager, "nel@example.test", role="viewer")
    first = token_from_mail("nel@example.test")
    invite(manager, "nel@example.test", role="auditor")
    client.logout()
    assert client.get(accept_url(first)).status_code == 410
    second = token_from_mail("nel@example.test")
    assert client.post(accept_url(second), newcomer()).status_code == 302
    user = get_user_model().objects.get(email="nel@example.test")
    assert Membership.objects.get(user=user).role == Role.AUDITOR


@override_settings(AUTH_PASSWORD_VALIDATORS=TWELVE)
def test_password_follows_the_settings_validators(world, client_as, client):
    invite(client_as(world.alice), "nel@example.test")
    client.logout()
    token = token_from_mail("nel@example.test")
    response = client.post(accept_url(token), newcomer("elf-tekens!"))  # 11 characters
    assert response.status_code == 400
    assert "at least 12 characters" in response.content.decode()
    assert not get_user_model().objects.filter(email="nel@example.test").exists()
    assert Invitation.objects.get().accepted_at is None
    assert client.post(accept_url(token), newcomer("twaalf-tekens")).status_code == 302


def test_logged_in_user_with_the_invited_address_joins(world, client_as):
    invite(client_as(world.alice), "charlie@example.test", role="viewer")
    token = token_from_mail("charlie@example.test")
    client = client_as(world.charlie)
    assert client.post(accept_url(token)).status_code == 302
    assert access_for(world.charlie, world.alpha).role == Role.VIEWER
    assert access_for(world.charlie, world.beta).role == Role.CONTRACT_MANAGER


def test_another_logged_in_user_cannot_use_the_link(world, client_as):
    invite(client_as(world.alice), "nel@example.test")
    token = token_from_mail("nel@example.test")
    client = client_as(world.charlie)
    response = client.post(accept_url(token))
    assert response.status_code == 400
    assert access_for(world.charlie, world.alpha) is None
    assert Invitation.objects.get().accepted_at is None


def test_only_contract_managers_invite(world, cast, client):
    for role, user in cast.items():
        if role == "contract_manager":
            continue
        client.force_login(user)
        assert invite(client, f"{role}@example.test").status_code in (403, 404), role
    assert Invitation.objects.count() == 0
    assert OutboxMessage.objects.count() == 0


def test_inviting_a_member_again_says_why_and_stores_nothing(world, client_as):
    response = invite(client_as(world.alice), "victor@example.test")
    assert response.status_code == 400
    assert "This person is already a member." in response.content.decode()
    assert Invitation.objects.count() == 0


def role_change(client, membership, role):
    return client.post(
        reverse("members:member_role", kwargs={"org_slug": "alpha", "pk": membership.pk}),
        {"role": role},
    )


def deactivate(client, membership):
    return client.post(
        reverse("members:member_deactivate", kwargs={"org_slug": "alpha", "pk": membership.pk})
    )


def membership_of(user, org):
    return Membership.objects.get(user=user, organisation=org)


def test_manager_changes_a_role(world, client_as):
    victor = membership_of(world.victor, world.alpha)
    assert role_change(client_as(world.alice), victor, "auditor").status_code == 302
    assert access_for(world.victor, world.alpha).may("audits.record")


def test_the_last_manager_can_be_neither_demoted_nor_deactivated(world, client_as):
    alice = membership_of(world.alice, world.alpha)
    client = client_as(world.alice)
    response = role_change(client, alice, "viewer")
    assert (
        "at least one active contract manager" in client.get(response["Location"]).content.decode()
    )
    deactivate(client, alice)
    world.alice.refresh_from_db()
    assert world.alice.is_active
    assert membership_of(world.alice, world.alpha).role == Role.CONTRACT_MANAGER
    # With a second manager, the first may step down.
    role_change(client, membership_of(world.victor, world.alpha), "contract_manager")
    role_change(client, alice, "viewer")
    assert membership_of(world.alice, world.alpha).role == Role.VIEWER


def test_a_leaver_without_other_memberships_is_deactivated(world, client_as):
    assert (
        deactivate(client_as(world.alice), membership_of(world.victor, world.alpha)).status_code
        == 302
    )
    world.victor.refresh_from_db()
    assert not world.victor.is_active
    assert access_for(world.victor, world.alpha) is None


def test_a_leaver_with_another_membership_only_loses_this_one(world, client_as):
    Membership.objects.create(user=world.charlie, organisation=world.alpha, role=Role.VIEWER)
    deactivate(client_as(world.alice), membership_of(world.charlie, world.alpha))
    world.charlie.refresh_from_db()
    assert world.charlie.is_active
    assert access_for(world.charlie, world.alpha) is None
    assert access_for(world.charlie, world.beta).role == Role.CONTRACT_MANAGER


def test_a_manager_cannot_touch_another_organisations_member(world, client_as):
    charlie = membership_of(world.charlie, world.beta)
    client = client_as(world.alice)
    assert deactivate(client, charlie).status_code == 404
    assert role_change(client, charlie, "viewer").status_code == 404
    world.charlie.refresh_from_db()
    assert (
        world.charlie.is_active
        and membership_of(world.charlie, world.beta).role == "contract_manager"
    )


# --- a supplier's administrator ----------------------------------------------------------


def supplier_invite(client, email, is_admin=False):
    data = {"email": email} | ({"is_admin": "on"} if is_admin else {})
    return client.post(reverse("supplier_members:invite"), data)


def test_supplier_administrator_invites_a_user_of_its_own_supplier(world, cast, client_as, client):
    assert supplier_invite(client_as(cast["supplier_admin"]), "nw@example.test").status_code == 302
    invitation = Invitation.objects.get()
    assert (invitation.supplier, invitation.organisation) == (world.northwind, None)
    client.logout()
    response = client.post(accept_url(token_from_mail("nw@example.test")), newcomer())
    assert response.status_code == 302
    user = get_user_model().objects.get(email="nw@example.test")
    link = SupplierMembership.objects.get(user=user)
    assert (link.supplier, link.is_admin) == (world.northwind, False)
    # The new user reaches Alpha as Northwind's user does, and Beta only through Northwind.
    assert access_for(user, world.alpha).matrix_role == "supplier_user"


def test_a_supplier_user_who_is_no_administrator_cannot_invite(world, cast, client_as):
    client = client_as(world.bob)
    assert supplier_invite(client, "nw@example.test").status_code == 404
    assert client.get(reverse("supplier_members:list")).status_code == 404
    assert Invitation.objects.count() == 0


def test_supplier_administrator_removes_only_its_own_suppliers_users(world, cast, client_as):
    with scopes_disabled():
        sally = make_user("sally")
        SupplierMembership.objects.create(user=sally, supplier=world.southwind, is_admin=True)
    bob_link = SupplierMembership.objects.get(user=world.bob)
    remove = reverse("supplier_members:remove", kwargs={"pk": bob_link.pk})
    assert client_as(sally).post(remove).status_code == 404
    world.bob.refresh_from_db()
    assert world.bob.is_active
    page = client_as(sally).get(reverse("supplier_members:list")).content.decode()
    assert "bob@example.test" not in page and "sally@example.test" in page

    assert client_as(cast["supplier_admin"]).post(remove).status_code == 302
    world.bob.refresh_from_db()
    assert not world.bob.is_active
    assert access_for(world.bob, world.alpha) is None


def test_the_last_supplier_administrator_stays(world, cast, client_as):
    sam = cast["supplier_admin"]
    link = SupplierMembership.objects.get(user=sam)
    client = client_as(sam)
    client.post(reverse("supplier_members:remove", kwargs={"pk": link.pk}))
    sam.refresh_from_db()
    assert sam.is_active


@pytest.mark.parametrize("email", ["alice@example.test", "dave@example.test"])
def test_a_supplier_cannot_invite_an_address_that_has_an_account(world, cast, client_as, email):
    response = supplier_invite(client_as(cast["supplier_admin"]), email)
    assert response.status_code == 400
    assert "already has an account elsewhere in Regie" in response.content.decode()
    assert Invitation.objects.count() == 0
