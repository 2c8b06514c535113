"""KTO journeys in a real browser: an end user answers in Dutch; the manager reads results."""

import io
import re
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled
from playwright.sync_api import expect

from governance.platform.models import Organisation
from kto import services
from kto.models import Response, Survey
from kto.tokens import invitation_token
from tests.browser_fixtures import dutch, log_in
from tests.kto.helpers import release_pool

pytestmark = pytest.mark.browser

MANAGER = "manager@zuidrand.example"


def _open_survey_with_one_invitation():
    today = timezone.localdate()
    with scopes_disabled():
        zuidrand = Organisation.objects.get(slug="zuidrand")
        contract = zuidrand.contracts.get(reference="ZR-2024-001")
        survey = services.survey_create(
            organisation=zuidrand,
            kind="periodic",
            title="KTO werkplek najaar",
            contracts=[contract],
            period_start=today - timedelta(days=60),
            period_end=today - timedelta(days=1),
            opens_on=today,
            closes_on=today + timedelta(days=14),
            groups=["end_users"],
        )
        services.participants_import(
            survey=survey, content=b"email,group,language\nanna@zuidrand.example,end_users,nl\n"
        )
        survey.launched_on = today
        survey.save()
        return survey, invitation_token(survey.invitations.get())


def test_end_user_answers_in_dutch_and_sees_thanks(
    chromium_executable, live_server, transactional_db, page, screenshot
):
    call_command("seed_demo", stdout=io.StringIO())
    survey, token = _open_survey_with_one_invitation()
    page.goto(live_server.url + reverse("kto_public:answer", kwargs={"token": token}))
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    expect(page.locator("h1")).to_have_text("KTO werkplek najaar")
    expect(
        page.get_by_text("Storingen en verzoeken worden in één keer goed opgelost.")
    ).to_be_visible()
    screenshot("survey-nl")

    # Sending without the ratings keeps the form and names what is missing.
    page.locator("form.survey-form button[type=submit]").click()
    expect(page.get_by_test_id("answer-errors")).to_be_visible()
    screenshot("missing-ratings")

    questions = page.locator("fieldset.question")
    for index in range(questions.count()):
        questions.nth(index).locator("input[type=radio]").nth(3).check()
    page.locator("textarea").fill("Graag langer bereikbaar in de avond.")
    with page.expect_navigation(url=re.compile(r"/survey/thanks/")):
        page.locator("form.survey-form button[type=submit]").click()
    expect(page.get_by_test_id("thanks")).to_contain_text(dutch("Thank you for your answers"))
    screenshot("thanks-nl")

    # The same link again: the clear "already answered" page, and still one answer.
    page.goto(live_server.url + reverse("kto_public:answer", kwargs={"token": token}))
    expect(page.get_by_test_id("link-problem")).to_have_attribute("data-reason", "used")
    screenshot("used-link")
    # One answer, waiting in the pool until its batch is released.
    assert release_pool(survey) == 1
    with scopes_disabled():
        assert Response.objects.filter(survey=survey).count() == 1


def test_manager_sees_results_with_intervals_and_triangle(
    chromium_executable, live_server, transactional_db, page, screenshot
):
    call_command("seed_demo", stdout=io.StringIO())
    with scopes_disabled():
        title = (
            Survey.objects.filter(
                organisation__slug="zuidrand",
                kind="periodic",
                title__contains="ZR-2024-001",
                final_release_on__isnull=False,  # not the open demo survey: final results
            )
            .order_by("-period_end")
            .first()
            .title
        )
    log_in(page, live_server, MANAGER)
    page.goto(live_server.url + reverse("kto:survey_list", kwargs={"org_slug": "zuidrand"}))
    screenshot("survey-list")
    with page.expect_navigation():
        page.get_by_role("link", name=title, exact=True).click()
    expect(page.get_by_test_id("plan")).to_be_visible()
    screenshot("survey-detail")
    with page.expect_navigation():
        page.locator("main").get_by_role("link", name=re.compile("^(Results|Resultaten)$")).click()
    table = page.get_by_test_id("results-table")
    expect(table).to_be_visible()
    expect(table.locator("small", has_text="[").first).to_be_visible()  # a 95 % interval
    expect(page.get_by_test_id("triangle-chart").locator("svg")).to_be_visible()
    expect(page.get_by_test_id("baseline-chart").locator("svg")).to_be_visible()
    screenshot("results")

    # CloudKern's hosting contract: its IT group has fewer than 5 answers and is hidden.
    page.goto(
        live_server.url + reverse("kto:survey_list", kwargs={"org_slug": "zuidrand"}) + "?q=ZR-2025"
    )
    with page.expect_navigation():
        page.locator("main table a").first.click()
    with page.expect_navigation():
        page.locator("main").get_by_role("link", name=re.compile("^(Results|Resultaten)$")).click()
    expect(page.locator("td.hidden-cell")).to_have_count(2)
    screenshot("results-suppressed")
