"""Two-factor authentication: enrolment on the account page, the second login step, recovery
codes, and an organisation that requires it — through pages and the API."""

from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from governance.accounts.models import ApiToken
from tests.accounts.conftest import code_for
from tests.conftest import PASSWORD, api_token_for


def enrol(client, user) -> list[str]:
    """Set up an authenticator through the pages; returns the recovery codes shown."""
    page = client.get(reverse("mfa_setup"))
    assert page.context["qr"].startswith("data:image/svg+xml")
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    shown = client.post(reverse("mfa_setup"), {"code": code_for(device)})
    assert "no-store" in shown["Cache-Control"]
    return shown.context["codes"]


def home(slug="alpha"):
    return reverse("organisation_home", args=[slug])


def test_a_wrong_code_does_not_confirm_the_authenticator(world, client_as):
    client = client_as(world.alice)
    client.get(reverse("mfa_setup"))
    device = TOTPDevice.objects.get(user=world.alice)
    wrong = "000000" if code_for(device) != "000000" else "111111"
    response = client.post(reverse("mfa_setup"), {"code": wrong})
    assert list(response.context["form"].errors) == ["code"]
    assert TOTPDevice.objects.get(user=world.alice).confirmed is False
    assert StaticToken.objects.count() == 0


def test_enrolment_shows_ten_recovery_codes_once_and_stores_them_hashed(world, client_as):
    client = client_as(world.alice)
    codes = enrol(client, world.alice)
    assert (len(codes), len(set(codes))) == (10, 10)
    stored = set(StaticToken.objects.values_list("token", flat=True))
    assert len(stored) == 10 and stored.isdisjoint(codes)
    assert stored.isdisjoint(code.replace("-", "") for code in codes)
    assert TOTPDevice.objects.get(user=world.alice).confirmed is True
    account = client.get(reverse("account")).content.decode()
    assert [code for code in codes if code in account] == []


def log_in(client, username="alice"):
    return client.post(reverse("login"), {"username": username, "password": PASSWORD})


def test_login_asks_for_the_code_before_the_session_is_logged_in(world, client_as):
    enrol(client_as(world.alice), world.alice)
    device = TOTPDevice.objects.get(user=world.alice)
    browser = Client()
    first = log_in(browser)
    assert (first.status_code, first["Location"]) == (302, reverse("login_code"))
    assert "_auth_user_id" not in browser.session
    assert browser.get(home()).status_code == 302  # still anonymous: to the login page
    # (A wrong recovery code; a wrong authenticator code would also start django-otp's
    # growing delay before the next try.)
    wrong = browser.post(reverse("login_code"), {"code": "wrong-code1"})
    assert (wrong.status_code, "_auth_user_id" in browser.session) == (200, False)
    right = browser.post(reverse("login_code"), {"code": code_for(device, offset=1)})
    assert right.status_code == 302
    assert browser.session["_auth_user_id"] == str(world.alice.pk)
    assert browser.get(home()).status_code == 200


def test_a_recovery_code_logs_in_once(world, client_as):
    codes = enrol(client_as(world.alice), world.alice)
    first = Client()
    log_in(first)
    assert first.post(reverse("login_code"), {"code": codes[3].upper()}).status_code == 302
    assert StaticToken.objects.count() == 9
    again = Client()
    log_in(again)
    response = again.post(reverse("login_code"), {"code": codes[3]})
    assert (response.status_code, "_auth_user_id" in again.session) == (200, False)


def test_disabling_needs_the_password(world, client_as):
    client = client_as(world.alice)
    enrol(client, world.alice)
    refused = client.post(reverse("mfa_disable"), {"password": "not-my-password"})
    assert list(refused.context["form"].errors) == ["password"]
    assert TOTPDevice.objects.filter(user=world.alice).count() == 1
    client.post(reverse("mfa_disable"), {"password": PASSWORD})
    assert (TOTPDevice.objects.count(), StaticToken.objects.count()) == (0, 0)


def require_mfa(organisation):
    organisation.mfa_required = True
    organisation.save(update_fields=["mfa_required"])


def test_members_and_supplier_users_reach_a_requiring_organisation_only_after_mfa(world, client_as):
    require_mfa(world.alpha)
    for user in (world.alice, world.bob, world.victor):
        client = client_as(user)
        response = client.get(reverse("contracts:contract_list", args=["alpha"]))
        assert response.status_code == 302, user
        assert response["Location"] == reverse("mfa_setup") + "?next=%2Fo%2Falpha%2Fcontracts%2F"
        api = client.get(reverse("api:contract-list", kwargs={"org_slug": "alpha"}))
        assert api.status_code == 403, user
    # Beta does not require it: its manager goes on as before.
    assert client_as(world.charlie).get(home("beta")).status_code == 200
    client = client_as(world.bob)
    enrol(client, world.bob)
    assert client.get(home()).status_code == 200


def test_an_enrolled_user_whose_session_is_not_verified_enters_a_code(world, client_as):
    enrol(client_as(world.alice), world.alice)
    require_mfa(world.alpha)
    other = Client()
    other.force_login(world.alice)  # e.g. a session from before the enrolment
    response = other.get(home())
    assert response["Location"].startswith(reverse("mfa_setup"))
    device = TOTPDevice.objects.get(user=world.alice)
    verified = other.post(
        reverse("mfa_setup"), {"code": code_for(device, offset=1), "next": home()}
    )
    assert verified["Location"] == home()
    assert other.get(home()).status_code == 200


def obtain(username, **extra):
    return APIClient().post(
        reverse("api_token"), {"username": username, "password": PASSWORD, **extra}, format="json"
    )


def test_api_tokens_need_a_second_factor_where_it_is_required(world, client_as):
    require_mfa(world.alpha)
    refused = obtain("alice")
    assert refused.status_code == 403
    assert ApiToken.objects.count() == 0
    # An older token made without a second factor no longer reaches the organisation.
    old = APIClient()
    old.credentials(HTTP_AUTHORIZATION=f"Token {api_token_for(world.alice)}")
    assert old.get(reverse("api:contract-list", kwargs={"org_slug": "alpha"})).status_code == 403

    enrol(client_as(world.alice), world.alice)
    device = TOTPDevice.objects.get(user=world.alice)
    assert list(obtain("alice").json()) == ["otp"]
    assert list(obtain("alice", otp="wrong-code1").json()) == ["otp"]
    issued = obtain("alice", otp=code_for(device, offset=1))
    assert issued.status_code == 201
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {issued.json()['token']}")
    assert client.get(reverse("api:contract-list", kwargs={"org_slug": "alpha"})).status_code == 200


def test_a_supplier_token_needs_mfa_when_any_organisation_it_serves_requires_it(world):
    require_mfa(world.beta)
    assert obtain("bob").status_code == 403
    assert obtain("bob", organisation="alpha").status_code == 201


def test_only_a_verified_contract_manager_turns_the_requirement_on(world, client_as):
    client = client_as(world.alice)
    url = reverse("organisation_security", args=["alpha"])
    refused = client.post(url, {"mfa_required": "on"})
    assert list(refused.context["form"].errors) == ["mfa_required"]
    world.alpha.refresh_from_db()
    assert world.alpha.mfa_required is False
    enrol(client, world.alice)
    assert client.post(url, {"mfa_required": "on"}).status_code == 302
    world.alpha.refresh_from_db()
    assert world.alpha.mfa_required is True
    assert client_as(world.victor).get(url).status_code in (302, 403)


def test_a_manager_turns_the_requirement_off_again(world, client_as):
    require_mfa(world.alpha)
    client = client_as(world.alice)
    enrol(client, world.alice)
    response = client.post(reverse("organisation_security", args=["alpha"]), {})
    assert response.status_code == 302
    world.alpha.refresh_from_db()
    assert world.alpha.mfa_required is False
