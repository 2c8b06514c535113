from django.urls import reverse

from governance.platform.languages import language_of
from governance.platform.models import LanguagePreference


def test_dutch_browser_gets_dutch(world, client):
    response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="nl-NL,nl;q=0.9")
    html = response.content.decode()
    assert '<html lang="nl">' in html
    assert "Wachtwoord vergeten?" in html


def test_english_browser_gets_english(world, client):
    response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9")
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "Forgot your password?" in html


def test_language_switch_sticks(world, client):
    client.force_login(world.alice)
    client.post(reverse("set_language"), {"language": "en", "next": "/o/alpha/"})
    response = client.get("/o/alpha/", HTTP_ACCEPT_LANGUAGE="nl")
    assert "Your role here: Contract manager." in response.content.decode()
    client.post(reverse("set_language"), {"language": "nl", "next": "/o/alpha/"})
    response = client.get("/o/alpha/", HTTP_ACCEPT_LANGUAGE="en")
    assert "Uw rol hier: Contractmanager." in response.content.decode()


def test_a_signed_in_users_choice_is_kept_for_mail(world, client):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert not LanguagePreference.objects.exists()  # nobody signed in: only the cookie
    client.force_login(world.alice)
    client.post(reverse("set_language"), {"language": "en", "next": "/o/alpha/"})
    assert language_of(world.alice, default="nl") == "en"
    client.post(reverse("set_language"), {"language": "nl", "next": "/o/alpha/"})
    client.post(reverse("set_language"), {"language": "xx", "next": "/o/alpha/"})
    assert list(LanguagePreference.objects.values_list("user__username", "language")) == [
        (world.alice.username, "nl")
    ]
    assert language_of(world.bob, default="en") == "en"
