"""API tokens: scoped, expiring, stored hashed, listed, rotated and revoked; a password change
or a deactivation ends them."""

import hashlib
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from governance.accounts.models import ApiToken
from tests.conftest import PASSWORD, api_token_for


def contracts(slug):
    return reverse("api:contract-list", kwargs={"org_slug": slug})


def api_with(plain):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {plain}")
    return client


def test_endpoint_token_is_stored_hashed_and_expires_in_90_days(world):
    response = APIClient().post(
        reverse("api_token"),
        {"username": "alice", "password": PASSWORD, "name": "Reporting"},
        format="json",
    )
    assert response.status_code == 201
    plain = response.json()["token"]
    token = ApiToken.objects.get()
    prefix, key, secret = plain.split("_", 2)
    assert (prefix, key, token.name, token.organisation) == (
        "rg",
        token.key,
        "Reporting",
        world.alpha,
    )
    assert token.digest == hashlib.sha256(secret.encode()).hexdigest()
    stored = " ".join(str(value) for value in ApiToken.objects.values().get().values())
    assert secret not in stored and plain not in stored
    lifetime = token.expires_at - token.created_at
    assert timedelta(days=90) - timedelta(seconds=5) < lifetime <= timedelta(days=90)
    assert api_with(plain).get(contracts("alpha")).status_code == 200


def test_expired_token_is_401(world):
    plain = api_token_for(world.alice)
    ApiToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = api_with(plain).get(contracts("alpha"))
    assert (response.status_code, response["WWW-Authenticate"]) == (401, "Token")


def test_wrong_secret_with_a_real_key_is_401(world):
    plain = api_token_for(world.alice)
    forged = plain[:-4] + ("aaaa" if not plain.endswith("aaaa") else "bbbb")
    assert api_with(forged).get(contracts("alpha")).status_code == 401
    assert api_with(plain).get(contracts("alpha")).status_code == 200


def test_token_scoped_to_one_organisation_is_refused_elsewhere(world):
    alpha_only = api_with(api_token_for(world.bob, organisation=world.alpha))
    assert alpha_only.get(contracts("alpha")).status_code == 200
    assert alpha_only.get(contracts("beta")).status_code == 404
    whole_supplier = api_with(api_token_for(world.bob))
    assert [whole_supplier.get(contracts(slug)).status_code for slug in ("alpha", "beta")] == [
        200,
        200,
    ]
    # A supplier's token reaches only where its supplier works.
    assert api_with(api_token_for(world.dave)).get(contracts("alpha")).status_code == 404


def test_endpoint_scopes_to_the_named_organisation_only_where_the_user_has_access(world):
    client = APIClient()
    answer = client.post(
        reverse("api_token"),
        {"username": "bob", "password": PASSWORD, "organisation": "beta"},
        format="json",
    )
    assert (answer.status_code, answer.json()["organisation"]) == (201, "beta")
    refused = client.post(
        reverse("api_token"),
        {"username": "alice", "password": PASSWORD, "organisation": "beta"},
        format="json",
    )
    assert (refused.status_code, list(refused.json())) == (400, ["organisation"])
    assert ApiToken.objects.filter(user=world.alice).count() == 0


def test_token_page_shows_a_new_token_once_lists_rotates_and_revokes(world, client_as):
    client = client_as(world.alice)
    made = client.post(
        reverse("account"), {"name": "Power BI", "scope": f"o{world.alpha.pk}", "days": "30"}
    )
    plain = made.context["plain"]
    assert "no-store" in made["Cache-Control"]
    assert plain in made.content.decode()
    listing = client.get(reverse("account")).content.decode()
    token = ApiToken.objects.get()
    assert ("Power BI" in listing, token.key in listing, plain in listing) == (True, True, False)
    assert (token.expires_at - token.created_at).days == 29  # a few ms short of 30 days

    rotated = client.post(reverse("token_rotate", args=[token.pk]))
    new_plain = rotated.context["plain"]
    assert api_with(plain).get(contracts("alpha")).status_code == 401
    assert api_with(new_plain).get(contracts("alpha")).status_code == 200
    new = ApiToken.objects.get(revoked_at__isnull=True)
    assert (new.name, new.organisation, token.key != new.key) == ("Power BI", world.alpha, True)

    client.post(reverse("token_revoke", args=[new.pk]))
    assert api_with(new_plain).get(contracts("alpha")).status_code == 401
    assert ApiToken.objects.filter(revoked_at__isnull=False).count() == 2


def test_nobody_revokes_another_users_token(world, client_as):
    token = ApiToken.objects.get(key=api_token_for(world.alice).split("_")[1])
    response = client_as(world.charlie).post(reverse("token_revoke", args=[token.pk]))
    assert response.status_code == 404
    assert ApiToken.objects.get().revoked_at is None


def test_token_form_offers_only_what_the_user_can_reach(world, client_as):
    form = client_as(world.bob).get(reverse("account")).context["form"]
    assert [label for _key, label in form.fields["scope"].choices] == [
        "Northwind: every organisation it serves",
        "Alpha",
        "Beta",
    ]
    forged = client_as(world.bob).post(
        reverse("account"), {"name": "x", "scope": f"o{world.beta.pk + 100}", "days": "30"}
    )
    assert list(forged.context["form"].errors) == ["scope"]
    assert ApiToken.objects.count() == 0


def test_password_change_keeps_this_session_ends_the_others_and_revokes_tokens(
    world, client, django_user_model
):
    from django.test import Client

    other = Client()
    client.force_login(world.alice)
    other.force_login(world.alice)
    plain = api_token_for(world.alice)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "a-much-longer-passphrase",
            "new_password2": "a-much-longer-passphrase",
        },
    )
    assert response.status_code == 302
    assert client.get(reverse("organisation_home", args=["alpha"])).status_code == 200
    ended = other.get(reverse("organisation_home", args=["alpha"]))
    assert (ended.status_code, ended["Location"].startswith(reverse("login"))) == (302, True)
    assert api_with(plain).get(contracts("alpha")).status_code == 401
    assert ApiToken.objects.get().revoked_reason == "password changed"


def test_short_and_common_passwords_are_refused(world, client):
    client.force_login(world.alice)
    for password, code in (
        ("elevenchars", "password_too_short"),
        ("password1234", "password_too_common"),
    ):
        response = client.post(
            reverse("password_change"),
            {"old_password": PASSWORD, "new_password1": password, "new_password2": password},
        )
        errors = response.context["form"].errors.as_data()["new_password2"]
        assert [error.code for error in errors] == [code]
    # No composition rule: a long lowercase passphrase is fine.
    response = client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "plain lowercase words",
            "new_password2": "plain lowercase words",
        },
    )
    assert response.status_code == 302


def test_a_password_set_by_any_other_path_ends_tokens_too(world):
    plain = api_token_for(world.alice)
    world.alice.set_password("set-in-the-admin-or-shell")
    world.alice.save()
    assert api_with(plain).get(contracts("alpha")).status_code == 401


def test_deactivation_ends_tokens_and_sessions_at_once(world, client_as):
    client = client_as(world.alice)
    plain = api_token_for(world.alice)
    world.alice.is_active = False
    world.alice.save(update_fields=["is_active"])
    assert api_with(plain).get(contracts("alpha")).status_code == 401
    page = client.get(reverse("organisation_home", args=["alpha"]))
    assert (page.status_code, page["Location"].startswith(reverse("login"))) == (302, True)
    assert client.get(contracts("alpha")).status_code == 401
