"""Writes of the KTO: building surveys from templates, planning, participants, invitations,
anonymous submission with rollups in the same transaction."""

from __future__ import annotations

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from governance.platform import events
from governance.platform.dimensions import Dimension
from kto import bank
from kto.models import (
    IMPORTANCE_POINTS,
    LIKERT_MAX,
    LIKERT_MIN,
    SCALE_MAX,
    SCALE_MIN,
    TIME_LOST_MAX_HOURS,
    AnonymityMode,
    Answer,
    Invitation,
    ItemRole,
    Question,
    QuestionKind,
    Response,
    Rollup,
    ScoreRollup,
    StakeholderGroup,
    Survey,
    SurveyGroup,
    SurveyItem,
    SurveyKind,
)

# Participants, sampling and sending live in their own modules; they are part of this surface.
from kto.participants import participants_import  # noqa: F401
from kto.sending import (  # noqa: F401
    dispatch_after_commit,
    invitations_send_batch,
    kto_dispatch,
    reminders_send_batch,
    survey_launch,
    survey_sample,
)
from kto.tokens import derive_token, new_salt, token_hash

OPEN_TEXT_MAX = 2000


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
    """Close the survey early: links then answer with the "closed" page. Announces
    SURVEY_CLOSED after commit so the gap analysis can pick up the final figures."""
    if survey.closed_on is None:
        survey.closed_on = today or timezone.localdate()
        survey.save(update_fields=["closed_on"])
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


# --- answering -------------------------------------------------------------------------------


def _clean_answers(survey: Survey, items: list[SurveyItem], raw: dict) -> dict[int, object]:
    """Validate raw form values per item; returns {item id: int | float | str}. Errors name
    the item (as "item_<id>") and the reason."""
    errors = {}
    cleaned: dict[int, object] = {}
    points_total = 0
    has_points = False
    for item in items:
        key = f"item_{item.pk}"
        value = raw.get(key, raw.get(item.pk, ""))
        value = "" if value is None else str(value).strip()
        kind = item.question.kind
        if value == "":
            if item.required:
                errors[key] = _("Please answer this question.")
            continue
        if kind == QuestionKind.OPEN:
            if len(value) > OPEN_TEXT_MAX:
                errors[key] = _("Please keep the answer under %(max)s characters.") % {
                    "max": OPEN_TEXT_MAX
                }
            else:
                cleaned[item.pk] = value
            continue
        try:
            number = int(value)
        except ValueError:
            errors[key] = _("Please give a number.")
            continue
        bounds = {
            QuestionKind.LIKERT: (LIKERT_MIN, LIKERT_MAX),
            QuestionKind.SCALE: (SCALE_MIN, SCALE_MAX),
            QuestionKind.TIME_LOST: (0, TIME_LOST_MAX_HOURS),
            QuestionKind.POINTS: (0, IMPORTANCE_POINTS),
        }[kind]
        if not bounds[0] <= number <= bounds[1]:
            errors[key] = _("Choose a value from %(low)s to %(high)s.") % {
                "low": bounds[0],
                "high": bounds[1],
            }
            continue
        if kind == QuestionKind.POINTS:
            has_points = True
            points_total += int(number)
        cleaned[item.pk] = number
    if has_points and points_total != IMPORTANCE_POINTS and "points" not in errors:
        errors["points"] = _("The importance points must add up to %(total)s (now %(now)s).") % {
            "total": IMPORTANCE_POINTS,
            "now": points_total,
        }
    if errors:
        raise ValidationError(errors)
    return cleaned


def _respondent_scores(items, cleaned) -> dict[tuple[str, str], tuple[float, list[int]]]:
    """Respondent-level score per (role, dimension): the mean of the respondent's items there
    (items are not independent answers), with the item values for the distribution."""
    values: dict[tuple[str, str], list[float]] = {}
    for item in items:
        if item.pk not in cleaned or item.role not in (
            ItemRole.PERCEPTION,
            ItemRole.EXPECTATION,
            ItemRole.IMPORTANCE,
            ItemRole.TIME_LOST,
        ):
            continue
        values.setdefault((item.role, item.question.dimension), []).append(cleaned[item.pk])
    return {key: (sum(v) / len(v), v) for key, v in values.items()}


def _add_to_rollups(survey: Survey, contract, group: str, items, cleaned) -> None:
    for (role, dimension), (score, item_values) in _respondent_scores(items, cleaned).items():
        key = {
            "survey": survey,
            "contract": contract,
            "role": role,
            "dimension": dimension,
            "group": group,
        }
        Rollup.objects.get_or_create(
            **key,
            defaults={
                "organisation": survey.organisation,
                "period_start": survey.period_start,
                "period_end": survey.period_end,
            },
        )
        increments = {
            "n": F("n") + 1,
            "sum_x": F("sum_x") + score,
            "sum_x2": F("sum_x2") + score**2,
        }
        if role in (ItemRole.PERCEPTION, ItemRole.EXPECTATION):
            for value in item_values:
                name = f"c{int(value)}"
                increments[name] = increments.get(name, F(name)) + 1
        Rollup.objects.filter(**key).update(**increments)
    for item in items:
        if item.role != ItemRole.SCORE or item.pk not in cleaned:
            continue
        key = {"survey": survey, "contract": contract, "item": item, "group": group}
        ScoreRollup.objects.get_or_create(**key, defaults={"organisation": survey.organisation})
        name = f"c{int(cleaned[item.pk])}"
        ScoreRollup.objects.filter(**key).update(**{name: F(name) + 1})


class LinkProblem(Exception):
    """The link cannot be answered: `reason` is used, expired, closed or invalid."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def survey_check_answerable(survey: Survey, today: date) -> None:
    state = survey.state(today)
    if survey.closed_on:
        raise LinkProblem("closed")
    if state == "closed":
        raise LinkProblem("expired")
    if state != "open":
        raise LinkProblem("not_open")


@transaction.atomic
def response_submit(
    *,
    survey: Survey,
    contract,
    group: str,
    language: str,
    raw_answers: dict,
    invitation: Invitation | None = None,
    today: date | None = None,
) -> None:
    """Store one anonymous submission and add it to the rollups, in one transaction.

    With an invitation, the invitation is locked and marked used in the same transaction, so a
    token answers once. Nothing returned or stored ties the answer to the invitation: the
    response keeps survey, contract, group, language and the date only. Raises LinkProblem for
    a link that cannot be answered and ValidationError (per item) for bad answers."""
    today = today or timezone.localdate()
    if invitation is not None:
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.used:
            raise LinkProblem("used")
        contract = invitation.contract
        group = invitation.group
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    survey_check_answerable(survey, today)
    if not survey.contracts.filter(pk=contract.pk).exists():
        raise ValidationError({"contract": _("Choose one of the survey's contracts.")})
    if not survey.groups.filter(group=group).exists():
        raise ValidationError({"group": _("This group is not asked in this survey.")})
    items = list(survey.items.select_related("question"))
    cleaned = _clean_answers(survey, items, raw_answers)
    response = Response(
        organisation=survey.organisation,
        survey=survey,
        contract=contract,
        group=group,
        language="en" if language.startswith("en") else "nl",
        submitted_on=today,
    )
    response.full_clean()
    response.save()
    by_pk = {item.pk: item for item in items}
    Answer.objects.bulk_create(
        [
            Answer(
                organisation=survey.organisation,
                response=response,
                item=by_pk[pk],
                value=None if isinstance(value, str) else value,
                text=value if isinstance(value, str) else "",
            )
            for pk, value in cleaned.items()
        ]
    )
    _add_to_rollups(survey, contract, group, items, cleaned)
    if not survey.anonymity_locked:
        Survey.objects.filter(pk=survey.pk).update(anonymity_locked=True)
    if invitation is not None:
        # Only *that* it was used: no date, no reference to the response.
        Invitation.objects.filter(pk=invitation.pk).update(used=True)


def dimension_choices() -> list[tuple[str, str]]:
    return list(Dimension.choices)


def default_period(today: date) -> tuple[date, date]:
    """The previous calendar quarter: what a periodic KTO usually covers."""
    first_of_quarter = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    end = first_of_quarter - timedelta(days=1)
    start = date(end.year, 3 * ((end.month - 1) // 3) + 1, 1)
    return start, end
