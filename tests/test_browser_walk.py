"""Every role's main journey on a desk (1366 px) and on a phone (390 px), in Dutch and English:
no page scrolls sideways, and no Dutch page shows a catalogue text in English.

The pages are those a user reaches by following links from the overview (breadth first, at
most one or two of each shape), on the demo data."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from django_scopes import scopes_disabled

from tests.browser_fixtures import log_in
from tests.browser_pages import crawl, overflow, untranslated, widest

pytestmark = pytest.mark.browser

WIDTHS = (390, 1366)
LANGUAGES = ("nl", "en")
ROLES = {
    # login: (pages at most, start page)
    "manager@zuidrand.example": (40, "/o/zuidrand/"),
    "viewer@zuidrand.example": (12, "/o/zuidrand/"),
    "supplier@noordlicht.example": (20, "/o/zuidrand/"),
}


def _check(page, base_url, paths, language, width, problems, who):
    page.set_viewport_size({"width": width, "height": 900})
    for path in paths:
        response = page.goto(base_url + path)
        where = f"{who} {language} {width}px {path}"
        if response is None or response.status >= 400:
            problems.append(f"{where}: status {response and response.status}")
            continue
        if page.locator("html").get_attribute("lang") != language:
            problems.append(f"{where}: page is not in {language}")
        extra = overflow(page)
        if extra > 0:
            problems.append(f"{where}: {extra}px horizontal scroll ({widest(page)})")
        if language == "nl":
            for text in untranslated(page):
                problems.append(f"{where}: English on a Dutch page: {text!r}")


def _use_language(context, base_url, language):
    context.add_cookies([{"name": "django_language", "value": language, "url": base_url}])


def test_every_role_walks_without_sideways_scroll_or_english_on_dutch_pages(
    chromium_browser, live_server, transactional_db
):
    call_command("seed_demo", stdout=io.StringIO())
    from complaints.models import Complaint

    with scopes_disabled():
        token = Complaint.objects.filter(organisation__slug="zuidrand").first().token
    problems, walked = [], 0
    for email, (limit, start) in ROLES.items():
        context = chromium_browser.new_context(viewport={"width": 1366, "height": 900})
        context.set_default_timeout(20_000)
        page = context.new_page()
        log_in(page, live_server, email)
        _use_language(context, live_server.url, "nl")
        paths = crawl(page, live_server.url, [start], prefix="/o/", limit=limit, per_pattern=1)
        assert len(paths) >= min(limit, 8), (email, paths)
        for language in LANGUAGES:
            _use_language(context, live_server.url, language)
            for width in WIDTHS:
                _check(page, live_server.url, paths, language, width, problems, email)
                walked += len(paths)
        context.close()
    # The citizen: the public complaint form, the register and the tracking page.
    public = [
        reverse("complaints_public:form", kwargs={"org_slug": "zuidrand"}),
        reverse("complaints_public:register", kwargs={"org_slug": "zuidrand"}),
        reverse("complaints_public:track", kwargs={"token": token}),
    ]
    context = chromium_browser.new_context()
    page = context.new_page()
    for language in LANGUAGES:
        _use_language(context, live_server.url, language)
        for width in WIDTHS:
            _check(page, live_server.url, public, language, width, problems, "citizen")
            walked += len(public)
    context.close()
    assert walked >= 250
    assert problems == [], "\n".join(problems)


def test_overview_tiles_never_break_a_word_and_are_links(
    chromium_browser, live_server, transactional_db
):
    """ "Klanttevredenheidsonderzoeken" must not read "Klanttevredenheidsond erzoeken"."""
    call_command("seed_demo", stdout=io.StringIO())
    context = chromium_browser.new_context()
    page = context.new_page()
    log_in(page, live_server, "manager@zuidrand.example")
    _use_language(context, live_server.url, "nl")
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(live_server.url + "/o/zuidrand/")
        headers = page.locator("[data-testid=tiles] article header")
        assert headers.count() == 7
        for index in range(headers.count()):
            header = headers.nth(index)
            style = header.evaluate(
                "h => { const s = getComputedStyle(h.querySelector('a'));"
                " return [s.overflowWrap, s.wordBreak,"
                " h.scrollWidth <= h.clientWidth, !!h.querySelector('a[href]')]; }"
            )
            assert style == ["normal", "normal", True, True], (width, header.inner_text())
    context.close()
