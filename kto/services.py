"""Writes of the KTO: building surveys from templates, planning, participants, invitations;
anonymous answering and its release in batches live in `kto.pool`."""

from __future__ import annotations

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from governance.platform import events
from governance.platform.dimensions import Dimension
from kto import bank

# Campaigns, participants, sampling and sending live in their own modules; they are part of this
# surface.
from kto.campaigns import (  # noqa: F401
    campaign_set,
    campaign_waves_prepare,
    kto_settings_update,
    wave_create,
)
from kto.models import (
    AnonymityMode,
    ItemRole,
    Question,
    QuestionKind,
    StakeholderGroup,
    Survey,
    SurveyGroup,
    SurveyItem,
    SurveyKind,
)
from kto.participants import participants_import  # noqa: F401
from kto.pool import (  # noqa: F401
    OPEN_TEXT_MAX,
    LinkProblem,
    pool_finalise,
    pool_release,
    pool_release_due,
    response_submit,
    survey_check_answerable,
)
from kto.sending import (  # noqa: F401
    dispatch_after_commit,
    invitations_send_batch,
    kto_dispatch,
    reminders_send_batch,
    survey_launch,
    survey_sample,
)
from kto.tokens import derive_token, new_salt, token_hash

# --- question bank and surveys ---------------------------------------------------------------


def question_bank_install(*, organisation) -> int:
    """Copy the built-in bank into the organisation's questions (idempotent); returns how many
    questions were added."""
    existing = set(
        Question.objects.filter(organisation=organisation).values_list("code", flat=True)
    )
    created = 0
    for entry in bank.BANK:
        if entry.code in existing:
            continue
        question = Question(
            organisation=organisation,
            code=entry.code,
            dimension=entry.dimension,
            kind=entry.kind,
            text_nl=entry.text_nl,
            text_en=entry.text_en,
            proxy_text_nl=entry.proxy_text_nl,
            proxy_text_en=entry.proxy_text_en,
        )
        question.full_clean()
        question.save()
        created += 1
    return created


def question_create(
    *,
    organisation,
    code: str,
    dimension: str,
    kind: str,
    text_nl: str,
    text_en: str,
    proxy_text_nl: str = "",
    proxy_text_en: str = "",
    service=None,
) -> Question:
    """Add a question (e.g. a service-specific one) to the organisation's bank."""
    question = Question(
        organisation=organisation,
        code=code,
        dimension=dimension,
        kind=kind,
        text_nl=text_nl,
        text_en=text_en,
        proxy_text_nl=proxy_text_nl,
        proxy_text_en=proxy_text_en,
        service=service,
    )
    question.full_clean()
    question.save()
    return question


@transaction.atomic
def survey_create(
    *,
    organisation,
    kind: str,
    title: str,
    contracts,
    period_start: date,
    period_end: date,
    opens_on: date,
    closes_on: date,
    groups,
    services=(),
    targets: dict | None = None,
    anonymity_mode: str = AnonymityMode.STANDARD,
    fatigue_days: int = 60,
) -> Survey:
    """Create a survey from the ready template of its kind: its items, its stakeholder groups
    with default plans, and the service-specific questions of the services in scope."""
    contracts = list(contracts)
    services = list(services)
    groups = list(dict.fromkeys(groups))
    errors = {}
    if not contracts:
        errors["contracts"] = _("Choose at least one contract.")
    elif any(c.organisation_id != organisation.pk for c in contracts):
        errors["contracts"] = _("A contract belongs to another organisation.")
    if any(s.contract_id not in {c.pk for c in contracts} for s in services):
        errors["services"] = _("A service must belong to one of the chosen contracts.")
    if not groups or any(g not in StakeholderGroup.values for g in groups):
        errors["groups"] = _("Choose at least one stakeholder group.")
    if errors:
        raise ValidationError(errors)
    survey = Survey(
        organisation=organisation,
        kind=kind,
        title=title,
        period_start=period_start,
        period_end=period_end,
        opens_on=opens_on,
        closes_on=closes_on,
        targets={k: float(v) for k, v in (targets or {}).items() if v is not None},
        anonymity_mode=anonymity_mode,
        fatigue_days=fatigue_days,
    )
    survey.full_clean()
    survey.save()
    survey.contracts.set(contracts)
    survey.services.set(services)
    for group in groups:
        plan = SurveyGroup(organisation=organisation, survey=survey, group=group)
        plan.full_clean()
        plan.save()
    question_bank_install(organisation=organisation)
    questions = {q.code: q for q in Question.objects.filter(organisation=organisation)}
    position = 0
    for entry in bank.TEMPLATES[SurveyKind(kind)]:
        position += 1
        SurveyItem.objects.create(
            organisation=organisation,
            survey=survey,
            question=questions[entry.code],
            role=entry.role,
            position=position,
            required=entry.required,
        )
    if kind != SurveyKind.VERDICT and services:
        for question in Question.objects.filter(
            organisation=organisation, service__in=services, active=True
        ).order_by("pk"):
            position += 1
            role = {
                QuestionKind.LIKERT: ItemRole.PERCEPTION,
                QuestionKind.SCALE: ItemRole.SCORE,
                QuestionKind.OPEN: ItemRole.OPEN,
                QuestionKind.TIME_LOST: ItemRole.TIME_LOST,
            }.get(question.kind)
            if role is None:
                continue
            SurveyItem.objects.create(
                organisation=organisation,
                survey=survey,
                question=question,
                role=role,
                position=position,
                required=question.kind in (QuestionKind.LIKERT, QuestionKind.SCALE),
            )
    return survey


def survey_update(*, survey: Survey, **fields) -> Survey:
    """Change title, dates, targets, fatigue cap or anonymity mode (the last is locked once
    the first answer has arrived)."""
    allowed = {
        "title",
        "period_start",
        "period_end",
        "opens_on",
        "closes_on",
        "targets",
        "anonymity_mode",
        "fatigue_days",
    }
    unknown = set(fields) - allowed
    if unknown:
        raise ValueError(f"cannot update {sorted(unknown)}")
    for name, value in fields.items():
        setattr(survey, name, value)
    survey.full_clean()
    survey.save()
    return survey


def survey_group_plan(
    *,
    plan: SurveyGroup,
    population: int | None,
    confidence,
    margin,
    margin_unit: str,
    sd,
    response_rate,
) -> SurveyGroup:
    """Set a group's sampling plan (population N, confidence, margin, response rate)."""
    plan.population = population
    plan.confidence = confidence
    plan.margin = margin
    plan.margin_unit = margin_unit
    plan.sd = sd
    plan.response_rate = response_rate
    plan.full_clean()
    plan.save()
    return plan


def survey_close(*, survey: Survey, today: date | None = None) -> Survey:
    """Close the survey early: links then answer with the "closed" page, and the answers still
    pending are released (the results become final). Announces SURVEY_CLOSED after commit so
    the gap analysis can pick up the final figures."""
    if survey.closed_on is None:
        survey.closed_on = today or timezone.localdate()
        survey.save(update_fields=["closed_on"])
        pool_finalise(survey=survey, today=survey.closed_on)
        events.publish(
            events.SURVEY_CLOSED,
            organisation_id=survey.organisation_id,
            period_start=survey.period_start,
            period_end=survey.period_end,
        )
    return survey


def survey_open_link_set(*, survey: Survey, enabled: bool) -> Survey:
    """Enable (a fresh link) or disable the open link for walk-in end users."""
    if enabled:
        survey.open_link_salt = new_salt()
        survey.open_link_hash = token_hash(derive_token("kto-open-link", survey.open_link_salt))
    else:
        survey.open_link_salt = survey.open_link_hash = ""
    survey.save(update_fields=["open_link_salt", "open_link_hash"])
    return survey


def dimension_choices() -> list[tuple[str, str]]:
    return list(Dimension.choices)


def default_period(today: date) -> tuple[date, date]:
    """The previous calendar quarter: what a periodic KTO usually covers."""
    first_of_quarter = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    end = first_of_quarter - timedelta(days=1)
    start = date(end.year, 3 * ((end.month - 1) // 3) + 1, 1)
    return start, end
