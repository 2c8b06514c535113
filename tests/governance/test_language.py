from django.urls import reverse


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
