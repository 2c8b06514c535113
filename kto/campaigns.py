"""Survey campaigns that repeat, and the organisation's KTO settings.

A campaign turns a survey into the template of a series: every quarter, half year or year the
next wave is prepared — same contracts, services, groups with their sampling plans, targets,
anonymity and fatigue cap; the template's questions less the ones left out, plus the bank
questions added — with its dates shifted by whole intervals from the template's, `lead_days`
before it opens. It is a draft: the manager checks it, imports participants and launches it.

Wave n's dates are the template's plus n intervals (never the previous wave's plus one, so a
31st does not creep to the 28th). The unique (campaign, wave) makes a second run of the job,
or two at once, add nothing.
"""

from __future__ import annotations

import calendar
import logging
from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kto.models import (
    ItemRole,
    KtoSettings,
    Question,
    QuestionKind,
    Survey,
    SurveyCampaign,
    SurveyGroup,
    SurveyItem,
    SurveyKind,
)

logger = logging.getLogger(__name__)

PLAN_FIELDS = ("population", "confidence", "margin", "margin_unit", "sd", "response_rate")
# The role a bank question added to a campaign gets, by its kind (a baseline asks a statement
# twice: expectation and perception).
ROLES_OF_KIND = {
    QuestionKind.LIKERT: (ItemRole.PERCEPTION,),
    QuestionKind.SCALE: (ItemRole.SCORE,),
    QuestionKind.OPEN: (ItemRole.OPEN,),
    QuestionKind.TIME_LOST: (ItemRole.TIME_LOST,),
}


def add_months(day: date, months: int) -> date:
    """`day` moved by whole months; the last day of a month stays the last day, a 31st in a
    shorter month becomes its last day."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    last = calendar.monthrange(year, month)[1]
    at_end = day.day == calendar.monthrange(day.year, day.month)[1]
    return date(year, month, last if at_end else min(day.day, last))


def wave_dates(template: Survey, months: int) -> dict[str, date]:
    """The period and answering window of the wave `months` after the template."""
    return {
        name: add_months(getattr(template, name), months)
        for name in ("period_start", "period_end", "opens_on", "closes_on")
    }


def campaign_set(
    *,
    survey: Survey,
    recurrence: str,
    lead_days: int,
    left_out=(),
    added=(),
    active: bool = True,
) -> SurveyCampaign:
    """Make `survey` the template of a repeating campaign, or change its campaign. Left-out
    questions must be on the template, added ones from the organisation's bank and not on it."""
    if survey.kind == SurveyKind.VERDICT:
        raise ValidationError({"recurrence": _("A complaint-handling verdict does not repeat.")})
    if survey.campaign_id is not None and survey.wave:
        raise ValidationError(
            {
                "recurrence": _(
                    "This survey is a wave of a campaign; set the campaign on its template."
                )
            }
        )
    on_template = set(survey.items.values_list("question_id", flat=True))
    left_out, added = list(left_out), list(added)
    errors = {}
    if any(q.pk not in on_template for q in left_out):
        errors["left_out"] = _("Only questions of the template can be left out.")
    if any(q.organisation_id != survey.organisation_id or q.pk in on_template for q in added):
        errors["added"] = _(
            "Only questions of the bank that the template does not ask can be added."
        )
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        campaign = SurveyCampaign.objects.filter(template=survey).first() or SurveyCampaign(
            organisation=survey.organisation, template=survey
        )
        campaign.recurrence = recurrence
        campaign.lead_days = lead_days
        campaign.active = active
        campaign.full_clean()
        campaign.save()
        campaign.left_out.set(left_out)
        campaign.added.set(added)
        if survey.campaign_id != campaign.pk:
            survey.campaign = campaign
            survey.wave = 0
            survey.save(update_fields=["campaign", "wave"])
    return campaign


def _next_wave(campaign: SurveyCampaign, today: date) -> tuple[int, dict] | None:
    """The wave to prepare on `today`, if one is due: the first after the latest that has not
    closed yet (a job that was down does not prepare waves already over), and only once it
    opens within `lead_days`."""
    latest = max((w.wave or 0 for w in campaign.waves.all()), default=0)
    number = latest + 1
    while True:
        dates = wave_dates(campaign.template, number * campaign.months)
        if dates["closes_on"] >= today:
            break
        number += 1
    if (dates["opens_on"] - today).days > campaign.lead_days:
        return None
    return number, dates


def _copy_items(campaign: SurveyCampaign, wave: Survey) -> None:
    template = campaign.template
    left_out = set(campaign.left_out.values_list("pk", flat=True))
    rows = []
    position = 0
    for item in template.items.order_by("position", "pk"):
        if item.question_id in left_out:
            continue
        position += 1
        rows.append((item.question_id, item.role, item.required, position))
    for question in campaign.added.filter(active=True).order_by("dimension", "code"):
        roles = ROLES_OF_KIND.get(question.kind, ())
        if question.kind == QuestionKind.LIKERT and template.kind == SurveyKind.BASELINE:
            roles = (ItemRole.EXPECTATION, ItemRole.PERCEPTION)
        for role in roles:
            position += 1
            required = question.kind in (QuestionKind.LIKERT, QuestionKind.SCALE)
            rows.append((question.pk, role, required, position))
    for question_id, role, required, at in rows:
        SurveyItem.objects.create(
            organisation=template.organisation,
            survey=wave,
            question_id=question_id,
            role=role,
            position=at,
            required=required,
        )


def wave_create(*, campaign: SurveyCampaign, number: int, dates: dict) -> Survey | None:
    """Wave `number` of `campaign` as a draft survey; None when it exists already (another
    run prepared it first)."""
    template = campaign.template
    try:
        with transaction.atomic():
            wave = Survey(
                organisation=template.organisation,
                kind=template.kind,
                title=(
                    f"{template.title} · {dates['period_start'].isoformat()} – "
                    f"{dates['period_end'].isoformat()}"
                )[:200],
                targets=dict(template.targets or {}),
                anonymity_mode=template.anonymity_mode,
                fatigue_days=template.fatigue_days,
                campaign=campaign,
                wave=number,
                **dates,
            )
            wave.full_clean(exclude=["campaign", "wave"])
            wave.save()
            wave.contracts.set(template.contracts.all())
            wave.services.set(template.services.all())
            for plan in template.groups.all():
                copy = SurveyGroup(
                    organisation=template.organisation,
                    survey=wave,
                    group=plan.group,
                    **{name: getattr(plan, name) for name in PLAN_FIELDS},
                )
                copy.full_clean()
                copy.save()
            _copy_items(campaign, wave)
    except IntegrityError:
        if Survey.objects.filter(campaign=campaign, wave=number).exists():
            return None
        raise
    return wave


def campaign_waves_prepare(*, organisation, today: date | None = None) -> list[Survey]:
    """The beat job for one organisation: the next wave of each active campaign that is due
    (opens within its lead time), prepared once. Returns the waves created by this run."""
    today = today or timezone.localdate()
    created = []
    campaigns = (
        SurveyCampaign.objects.filter(organisation=organisation, active=True)
        .select_related("template")
        .prefetch_related("waves")
        .order_by("pk")
    )
    for campaign in campaigns:
        due = _next_wave(campaign, today)
        if due is None:
            continue
        number, dates = due
        if campaign.waves.filter(wave=number).exists():
            continue
        wave = wave_create(campaign=campaign, number=number, dates=dates)
        if wave is not None:
            logger.info("Prepared wave %s of campaign %s.", number, campaign.pk)
            created.append(wave)
    return created


def kto_settings_update(
    *, organisation, reminder_after_days: int, max_reminders: int
) -> KtoSettings:
    """Change the organisation's reminder cadence and cap (the defaults until it does)."""
    found = KtoSettings.for_organisation(organisation)
    if (
        not found._state.adding
        and found.reminder_after_days == reminder_after_days
        and found.max_reminders == max_reminders
    ):
        return found  # saved unchanged: nothing to store
    found.reminder_after_days = reminder_after_days
    found.max_reminders = max_reminders
    found.full_clean()
    found.save()
    return found


def campaign_questions(*, survey: Survey):
    """Two querysets: the template's questions (to leave out) and the bank's active questions
    it does not ask (to add)."""
    asked = survey.items.values("question_id")
    on_template = Question.objects.filter(pk__in=asked).order_by("dimension", "code")
    # Importance points are spread over all five dimensions at once: not one to add alone.
    bank = (
        Question.objects.filter(organisation=survey.organisation, active=True)
        .exclude(pk__in=asked)
        .exclude(kind=QuestionKind.POINTS)
        .order_by("dimension", "code")
    )
    return on_template, bank
