"""Survey campaigns that repeat, and the organisation's reminder settings."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django_scopes import scopes_disabled

from governance.platform.models import OutboxMessage, TaskRun
from governance.roof.schedule import BEAT_SCHEDULE
from kto import services
from kto.campaigns import add_months
from kto.models import (
    ItemRole,
    KtoSettings,
    Question,
    StakeholderGroup,
    Survey,
    SurveyCampaign,
    SurveyKind,
)
from kto.tasks import task_kto_prepare_waves, task_kto_prepare_waves_all
from tests.kto.helpers import english  # noqa: E402,F401 - the fixture

pytestmark = pytest.mark.usefixtures("english")


def _template(world, *, kind=SurveyKind.PERIODIC):
    """A quarterly-style survey: Q1 2026, open 6–27 April 2026."""
    with scopes_disabled():
        survey = services.survey_create(
            organisation=world.alpha,
            kind=kind,
            title="KTO Q1",
            contracts=[world.alpha_contract],
            period_start=date(2026, 1, 1),
            period_end=date(2026, 3, 31),
            opens_on=date(2026, 4, 6),
            closes_on=date(2026, 4, 27),
            groups=[StakeholderGroup.END_USERS, StakeholderGroup.IT],
            targets={"reliability": 3.5, "empathy": 3.8},
            fatigue_days=45,
        )
        plan = survey.groups.get(group=StakeholderGroup.END_USERS)
        services.survey_group_plan(
            plan=plan,
            population=800,
            confidence=Decimal("0.90"),
            margin=Decimal("0.30"),
            margin_unit=plan.margin_unit,
            sd=Decimal("1.10"),
            response_rate=Decimal("0.40"),
        )
    return survey


def _questions(survey):
    return list(survey.items.order_by("position").values_list("question__code", "role"))


def test_add_months_keeps_month_ends_and_clamps():
    assert add_months(date(2026, 3, 31), 3) == date(2026, 6, 30)
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2026, 4, 27), 9) == date(2027, 1, 27)
    assert add_months(date(2026, 2, 28), 12) == date(2027, 2, 28)
    assert add_months(date(2024, 2, 29), 12) == date(2025, 2, 28)


def test_next_wave_is_prepared_once_within_the_lead_time(world):
    template = _template(world)
    with scopes_disabled():
        left = Question.objects.get(organisation=world.alpha, code="tan-self-service")
        added = Question.objects.get(organisation=world.alpha, code="verdict-handled")
        services.campaign_set(
            survey=template, recurrence="quarterly", lead_days=14, left_out=[left], added=[added]
        )
        # Wave 1 opens 6 July 2026: 15 days ahead is too early, 14 days ahead is due.
        early = services.campaign_waves_prepare(organisation=world.alpha, today=date(2026, 6, 21))
        first = services.campaign_waves_prepare(organisation=world.alpha, today=date(2026, 6, 22))
        again = services.campaign_waves_prepare(organisation=world.alpha, today=date(2026, 6, 23))
        assert (len(early), len(first), again) == (0, 1, [])
        wave = first[0]
        assert (wave.campaign_id, wave.wave, wave.kind, wave.launched_on) == (
            template.campaign_id,
            1,
            SurveyKind.PERIODIC,
            None,
        )
        assert (wave.period_start, wave.period_end, wave.opens_on, wave.closes_on) == (
            date(2026, 4, 1),
            date(2026, 6, 30),
            date(2026, 7, 6),
            date(2026, 7, 27),
        )
        assert wave.title == "KTO Q1 · 2026-04-01 – 2026-06-30"
        assert (wave.targets, wave.fatigue_days, wave.anonymity_mode) == (
            {"reliability": 3.5, "empathy": 3.8},
            45,
            template.anonymity_mode,
        )
        assert list(wave.contracts.values_list("pk", flat=True)) == [world.alpha_contract.pk]
        plans = {
            p.group: (p.population, p.confidence, p.margin, p.sd, p.response_rate)
            for p in wave.groups.all()
        }
        assert plans == {
            "end_users": (800, Decimal("0.90"), Decimal("0.30"), Decimal("1.10"), Decimal("0.40")),
            "it": (None, Decimal("0.95"), Decimal("0.25"), Decimal("1.00"), Decimal("0.30")),
        }
        expected = [q for q in _questions(template) if q[0] != "tan-self-service"]
        assert _questions(wave) == [*expected, ("verdict-handled", ItemRole.PERCEPTION)]
        assert Survey.objects.filter(campaign=template.campaign).count() == 2


def test_the_task_run_twice_creates_the_wave_once(world, monkeypatch):
    template = _template(world)
    with scopes_disabled():
        services.campaign_set(survey=template, recurrence="half_yearly", lead_days=30)
    # Wave 1 opens 6 October 2026; the job runs on 10 September.
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: date(2026, 9, 10))
    fan_out = task_kto_prepare_waves_all.apply().get()
    kwargs = {"organisation_id": world.alpha.pk}
    first = task_kto_prepare_waves.apply(kwargs=kwargs).get()
    second = task_kto_prepare_waves.apply(kwargs=kwargs).get()
    with scopes_disabled():
        waves = list(Survey.objects.filter(campaign__template=template).order_by("wave"))
        runs = list(
            TaskRun.objects.filter(name=task_kto_prepare_waves.name).values_list(
                "status", "organisation_id"
            )
        )
    assert (fan_out, first, second) == (1, 1, 0)
    assert [(w.wave, w.opens_on) for w in waves] == [(0, date(2026, 4, 6)), (1, date(2026, 10, 6))]
    assert runs == [("succeeded", world.alpha.pk)] * 2
    assert BEAT_SCHEDULE["kto-prepare-waves"]["task"] == task_kto_prepare_waves_all.name


def test_a_wave_already_over_is_skipped(world):
    """A job that was down for months prepares the wave still to come, not the missed ones."""
    template = _template(world)
    with scopes_disabled():
        services.campaign_set(survey=template, recurrence="quarterly", lead_days=21)
        made = services.campaign_waves_prepare(organisation=world.alpha, today=date(2026, 12, 20))
    assert [(w.wave, w.opens_on, w.period_start) for w in made] == [
        (3, date(2027, 1, 6), date(2026, 10, 1))
    ]


def test_the_same_wave_number_cannot_exist_twice(world):
    template = _template(world)
    with scopes_disabled():
        campaign = services.campaign_set(survey=template, recurrence="yearly", lead_days=21)
        dates = {
            "period_start": date(2027, 1, 1),
            "period_end": date(2027, 3, 31),
            "opens_on": date(2027, 4, 6),
            "closes_on": date(2027, 4, 27),
        }
        first = services.wave_create(campaign=campaign, number=1, dates=dates)
        second = services.wave_create(campaign=campaign, number=1, dates=dates)
        count = Survey.objects.filter(campaign=campaign).count()
    assert first is not None and second is None
    assert count == 2


def test_baseline_campaign_adds_a_statement_twice_and_inactive_campaign_waits(world):
    template = _template(world, kind=SurveyKind.BASELINE)
    with scopes_disabled():
        extra = services.question_create(
            organisation=world.alpha,
            code="emp-hours",
            dimension="empathy",
            kind="likert",
            text_nl="De openingstijden passen bij mijn werk.",
            text_en="The opening hours suit my work.",
        )
        services.campaign_set(
            survey=template, recurrence="yearly", lead_days=21, added=[extra], active=False
        )
        idle = services.campaign_waves_prepare(organisation=world.alpha, today=date(2027, 3, 20))
        services.campaign_set(survey=template, recurrence="yearly", lead_days=21, added=[extra])
        made = services.campaign_waves_prepare(organisation=world.alpha, today=date(2027, 3, 20))
        asked = _questions(made[0])
    assert idle == []
    assert asked[-2:] == [
        ("emp-hours", ItemRole.EXPECTATION),
        ("emp-hours", ItemRole.PERCEPTION),
    ]


def test_campaign_rejects_foreign_choices(world):
    template = _template(world)
    with scopes_disabled():
        on_it = Question.objects.get(organisation=world.alpha, code="rel-promises")
        not_on_it = Question.objects.get(organisation=world.alpha, code="verdict-score")
        with pytest.raises(ValidationError) as left:
            services.campaign_set(
                survey=template, recurrence="quarterly", lead_days=7, left_out=[not_on_it]
            )
        with pytest.raises(ValidationError) as added:
            services.campaign_set(
                survey=template, recurrence="quarterly", lead_days=7, added=[on_it]
            )
        stored = SurveyCampaign.objects.count()
    assert left.value.message_dict == {
        "left_out": ["Only questions of the template can be left out."]
    }
    assert added.value.message_dict == {
        "added": ["Only questions of the bank that the template does not ask can be added."]
    }
    assert stored == 0


def test_repeat_page_saves_the_campaign(world, client_as):
    template = _template(world)
    client = client_as(world.alice)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    url = reverse("kto:survey_repeat", args=["alpha", template.pk])
    with scopes_disabled():
        left = Question.objects.get(organisation=world.alpha, code="open-improve")
    bad = client.post(url, {"recurrence": "weekly", "lead_days": "0"})
    assert bad.status_code == 400
    assert "Select a valid choice" in bad.content.decode()
    response = client.post(
        url, {"recurrence": "quarterly", "lead_days": "10", "active": "on", "left_out": [left.pk]}
    )
    assert response.status_code == 302
    with scopes_disabled():
        campaign = SurveyCampaign.objects.get(template=template)
        assert (campaign.recurrence, campaign.lead_days, campaign.active) == ("quarterly", 10, True)
        assert list(campaign.left_out.values_list("code", flat=True)) == ["open-improve"]
    page = client.get(url).content.decode()
    assert "6 Jul 2026 – 27 Jul 2026" in page
    assert "6 Oct 2026 – 27 Oct 2026" in page


def test_victor_cannot_repeat_or_change_settings(world, client_as):
    template = _template(world)
    client = client_as(world.victor)
    repeat = reverse("kto:survey_repeat", args=["alpha", template.pk])
    settings_url = reverse("kto:settings", args=["alpha"])
    assert client.post(repeat, {"recurrence": "quarterly", "lead_days": "10"}).status_code == 403
    answer = client.post(settings_url, {"reminder_after_days": "3", "max_reminders": "1"})
    assert answer.status_code == 403
    with scopes_disabled():
        assert (SurveyCampaign.objects.count(), KtoSettings.objects.count()) == (0, 0)


# --- reminder settings ------------------------------------------------------------------------

MONDAY = date(2026, 3, 2)


def _launched(world, emails):
    with scopes_disabled():
        survey = services.survey_create(
            organisation=world.alpha,
            kind=SurveyKind.PERIODIC,
            title="KTO voorjaar",
            contracts=[world.alpha_contract],
            period_start=date(2026, 1, 1),
            period_end=date(2026, 2, 28),
            opens_on=MONDAY,
            closes_on=date(2026, 5, 29),
            groups=[StakeholderGroup.END_USERS],
        )
        csv = "email,group\n" + "\n".join(f"{e},end_users" for e in emails)
        services.participants_import(survey=survey, content=csv.encode())
        services.survey_launch(survey=survey, today=MONDAY)
        services.invitations_send_batch(survey=survey, today=MONDAY)
    return survey


def _reminders(survey, day):
    with scopes_disabled():
        return services.kto_dispatch(organisation=survey.organisation, today=day)["reminders"]


def test_reminders_follow_the_defaults(world):
    survey = _launched(world, ["a@x.nl", "b@x.nl"])
    # Default: 7 days, at most 2 reminders.
    days = [date(2026, 3, 6), date(2026, 3, 9), date(2026, 3, 13), date(2026, 3, 16)]
    days += [date(2026, 3, 23), date(2026, 3, 30)]
    assert [_reminders(survey, d) for d in days] == [0, 2, 0, 2, 0, 0]


def test_reminders_follow_the_organisations_settings(world, client_as):
    survey = _launched(world, ["a@x.nl", "b@x.nl"])
    client = client_as(world.alice)
    url = reverse("kto:settings", args=["alpha"])
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    bad = client.post(url, {"reminder_after_days": "0", "max_reminders": "9"})
    assert bad.status_code == 400
    with scopes_disabled():
        assert KtoSettings.objects.count() == 0
    saved = client.post(url, {"reminder_after_days": "3", "max_reminders": "3"})
    assert saved.status_code == 302
    # Every 3 days (working days only), three times: Thu 5, Mon 9, Thu 12 March; then no more.
    days = [date(2026, 3, 4), date(2026, 3, 5), date(2026, 3, 6), date(2026, 3, 9)]
    days += [date(2026, 3, 11), date(2026, 3, 12), date(2026, 3, 16), date(2026, 3, 23)]
    assert [_reminders(survey, d) for d in days] == [0, 2, 0, 2, 0, 2, 0, 0]
    with scopes_disabled():
        sent = OutboxMessage.objects.filter(subject__startswith="Reminder").count()
        sent += OutboxMessage.objects.filter(subject__startswith="Herinnering").count()
    assert sent == 6


def test_no_reminders_when_the_cap_is_zero(world):
    survey = _launched(world, ["a@x.nl"])
    with scopes_disabled():
        services.kto_settings_update(
            organisation=world.alpha, reminder_after_days=7, max_reminders=0
        )
    assert [_reminders(survey, d) for d in (date(2026, 3, 9), date(2026, 3, 16))] == [0, 0]
