"""A leaver removed through the members pages loses every way in at once: the open session
in their browser and their API tokens, on the client side and on the supplier side."""

from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from governance.platform.models import Membership, SupplierMembership
from tests.accounts.test_tokens import api_with, contracts
from tests.conftest import api_token_for


def own_browser(user) -> Client:
    browser = Client()
    browser.force_login(user)
    return browser


def sessions_of(user) -> int:
    return sum(
        1 for s in Session.objects.all() if s.get_decoded().get("_auth_user_id") == str(user.pk)
    )


def test_a_member_deactivated_on_the_members_page_is_out_at_once(world, client_as):
    browser = own_browser(world.victor)
    plain = api_token_for(world.victor)
    assert browser.get(reverse("organisation_home", args=["alpha"])).status_code == 200
    assert api_with(plain).get(contracts("alpha")).status_code == 200
    membership = Membership.objects.get(user=world.victor, organisation=world.alpha)
    response = client_as(world.alice).post(
        reverse("members:member_deactivate", kwargs={"org_slug": "alpha", "pk": membership.pk})
    )
    assert response.status_code == 302
    page = browser.get(reverse("organisation_home", args=["alpha"]))
    assert (page.status_code, page["Location"].startswith(reverse("login"))) == (302, True)
    assert api_with(plain).get(contracts("alpha")).status_code == 401
    assert sessions_of(world.victor) == 0


def test_a_supplier_user_removed_by_its_administrator_is_out_at_once(world, cast, client_as):
    browser = own_browser(world.bob)
    plain = api_token_for(world.bob, supplier=world.northwind)
    assert browser.get(reverse("organisation_home", args=["alpha"])).status_code == 200
    link = SupplierMembership.objects.get(user=world.bob)
    response = client_as(cast["supplier_admin"]).post(
        reverse("supplier_members:remove", kwargs={"pk": link.pk})
    )
    assert response.status_code == 302
    page = browser.get(reverse("organisation_home", args=["alpha"]))
    assert (page.status_code, page["Location"].startswith(reverse("login"))) == (302, True)
    assert api_with(plain).get(contracts("alpha")).status_code == 401
    assert sessions_of(world.bob) == 0


def test_switching_a_deactivated_account_on_again_brings_no_session_or_token_back(world, client_as):
    browser = own_browser(world.victor)
    plain = api_token_for(world.victor)
    world.victor.is_active = False
    world.victor.save(update_fields=["is_active"])
    world.victor.is_active = True
    world.victor.save(update_fields=["is_active"])
    page = browser.get(reverse("organisation_home", args=["alpha"]))
    assert (page.status_code, page["Location"].startswith(reverse("login"))) == (302, True)
    assert api_with(plain).get(contracts("alpha")).status_code == 401
