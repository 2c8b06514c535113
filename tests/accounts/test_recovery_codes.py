"""New recovery codes from the user's own page: the password or an authenticator code is
needed, the old codes stop working, the new ones are shown once and stored as digests."""

from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.accounts.conftest import code_for
from tests.accounts.test_mfa import enrol, log_in
from tests.conftest import PASSWORD

URL = reverse("recovery_codes")


def renew(client, **data):
    return client.post(URL, data)


def logs_in_with(code) -> bool:
    browser = Client()
    log_in(browser)
    browser.post(reverse("login_code"), {"code": code})
    return "_auth_user_id" in browser.session


def test_new_codes_with_the_password_replace_the_old_ones(world, client_as):
    client = client_as(world.alice)
    old = enrol(client, world.alice)
    assert "Make new recovery codes" in client.get(reverse("account")).content.decode()
    response = renew(client, password=PASSWORD)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    new = response.context["codes"]
    assert (len(new), len(set(new)), set(new) & set(old)) == (10, 10, set())
    stored = set(StaticToken.objects.values_list("token", flat=True))
    assert len(stored) == 10 and stored.isdisjoint(new)
    assert logs_in_with(old[0]) is False
    assert logs_in_with(new[0]) is True
    assert StaticToken.objects.count() == 9
    # Shown once: the account page does not show them again.
    account = client.get(reverse("account")).content.decode()
    assert [code for code in new if code in account] == []


def test_new_codes_with_an_authenticator_code(world, client_as):
    client = client_as(world.alice)
    old = enrol(client, world.alice)
    device = TOTPDevice.objects.get(user=world.alice)
    response = renew(client, code=code_for(device, offset=1))
    assert response.status_code == 200
    assert len(response.context["codes"]) == 10
    assert logs_in_with(old[1]) is False


def test_a_wrong_password_or_code_changes_nothing(world, client_as):
    client = client_as(world.alice)
    old = enrol(client, world.alice)
    before = set(StaticToken.objects.values_list("token", flat=True))
    device = TOTPDevice.objects.get(user=world.alice)
    wrong_code = "000000" if code_for(device, offset=1) != "000000" else "111111"
    wrong_password = renew(client, password="not-my-password")
    assert list(wrong_password.context["form"].errors) == ["password"]
    wrong = renew(client, code=wrong_code)
    assert list(wrong.context["form"].errors) == ["code"]
    # A recovery code does not make new recovery codes.
    recovery = renew(client, code=old[0])
    assert list(recovery.context["form"].errors) == ["code"]
    nothing = renew(client)
    assert nothing.context["form"].non_field_errors() == [
        "Enter your password or a code from your authenticator app."
    ]
    assert set(StaticToken.objects.values_list("token", flat=True)) == before


def test_without_two_factor_authentication_there_is_nothing_to_renew(world, client_as):
    client = client_as(world.alice)
    response = renew(client, password=PASSWORD)
    assert (response.status_code, response["Location"]) == (302, reverse("account"))
    assert StaticToken.objects.count() == 0


def test_anonymous_visitors_are_sent_to_log_in(world, client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
