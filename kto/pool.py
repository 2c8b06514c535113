"""Answering a survey so that nothing links the answer to the invitation that gave it.

The way in (`response_submit`) takes three steps, each in a transaction of its own:

1. the invitation is marked used (a conditional update: a token answers once);
2. the answer joins the survey's pending pool (`PendingResponse`: no invitation, no date, a
   random key), and the whole pool is rewritten in random order with fresh keys, so every row
   in it carries the same transaction id and row order is a new permutation each time;
3. a release (`pool_release`, run by the hourly task `task_kto_release_all` and when the
   survey closes; not after each submission, whose timing it would echo) moves answers into
   `Response`, `Answer` and the rollups in shuffled batches per (contract, stakeholder group).
   While the survey is open a cell is released only when at least 2k answers wait, and then
   all but k of them, chosen at random: every published figure grows in steps of at least k
   answers, and the k kept back make sure the final flush at closing (everything left) is a
   step of at least k too.

If step 2 fails, step 1 is undone, so a respondent whose answer was not stored may answer
again. The released response carries the release date only: submission dates inside a batch
would order the batch against the order in which invitations were used.

The steps must run outside any surrounding transaction: inside one they would share its
transaction id. Requests are not atomic in Regie (no ATOMIC_REQUESTS), and the public views
call this directly.
"""

from __future__ import annotations

import random
import uuid
from collections import defaultdict
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from kto.models import (
    GAP_ROLE,
    IMPORTANCE_POINTS,
    LIKERT_MAX,
    LIKERT_MIN,
    SCALE_MAX,
    SCALE_MIN,
    TIME_LOST_MAX_HOURS,
    Answer,
    Invitation,
    ItemRole,
    PendingResponse,
    QuestionKind,
    Response,
    Rollup,
    ScoreRollup,
    Survey,
    SurveyItem,
)

OPEN_TEXT_MAX = 2000
# Cryptographic shuffles: a seeded or predictable order could be replayed.
_random = random.SystemRandom()


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


def _paired_gaps(items, cleaned) -> dict[str, float]:
    """Per dimension the respondent rated for both: its perception score minus its expectation
    score (a baseline asks both of the same person, so the gap has a paired interval)."""
    scores = _respondent_scores(items, cleaned)
    return {
        dimension: score - scores[(ItemRole.EXPECTATION, dimension)][0]
        for (role, dimension), (score, _values) in scores.items()
        if role == ItemRole.PERCEPTION and (ItemRole.EXPECTATION, dimension) in scores
    }


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


def _rollup_increments(items, batch) -> tuple[dict, dict]:
    """The batch's additions per rollup key and per score-rollup key, summed in memory so each
    rollup row is updated once per release."""
    rollups: dict[tuple, dict] = defaultdict(lambda: defaultdict(float))
    scores: dict[tuple, dict] = defaultdict(lambda: defaultdict(int))
    for contract_id, group, cleaned in batch:
        for (role, dimension), (score, values) in _respondent_scores(items, cleaned).items():
            adds = rollups[(contract_id, role, dimension, group)]
            adds["n"] += 1
            adds["sum_x"] += score
            adds["sum_x2"] += score**2
            if role in (ItemRole.PERCEPTION, ItemRole.EXPECTATION):
                for value in values:
                    adds[f"c{int(value)}"] += 1
        for dimension, difference in _paired_gaps(items, cleaned).items():
            adds = rollups[(contract_id, GAP_ROLE, dimension, group)]
            adds["n"] += 1
            adds["sum_x"] += difference
            adds["sum_x2"] += difference**2
        for item in items:
            if item.role == ItemRole.SCORE and item.pk in cleaned:
                scores[(contract_id, item.pk, group)][f"c{int(cleaned[item.pk])}"] += 1
    return rollups, scores


def _add_to_rollups(survey: Survey, items, batch) -> None:
    rollups, scores = _rollup_increments(items, batch)
    for (contract_id, role, dimension, group), adds in rollups.items():
        key = {
            "survey": survey,
            "contract_id": contract_id,
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
            name: F(name) + (int(value) if name not in ("sum_x", "sum_x2") else value)
            for name, value in adds.items()
        }
        Rollup.objects.filter(**key).update(**increments)
    for (contract_id, item_id, group), adds in scores.items():
        key = {"survey": survey, "contract_id": contract_id, "item_id": item_id, "group": group}
        ScoreRollup.objects.get_or_create(**key, defaults={"organisation": survey.organisation})
        ScoreRollup.objects.filter(**key).update(
            **{name: F(name) + value for name, value in adds.items()}
        )


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
    """Accept one anonymous submission into the survey's pending pool.

    With an invitation, the invitation is marked used first, in a transaction of its own, so a
    token answers once; the answer then joins the pool in another transaction (see the module
    docstring). Nothing returned or stored ties the answer to the invitation. Raises
    LinkProblem for a link that cannot be answered and ValidationError (per item) for bad
    answers; either way nothing is stored and the invitation stays unused."""
    today = today or timezone.localdate()
    if invitation is not None:
        invitation = Invitation.objects.select_related("contract").get(pk=invitation.pk)
        if invitation.used:
            raise LinkProblem("used")
        contract = invitation.contract
        group = invitation.group
    survey = Survey.objects.get(pk=survey.pk)
    survey_check_answerable(survey, today)
    if not survey.contracts.filter(pk=contract.pk).exists():
        raise ValidationError({"contract": _("Choose one of the survey's contracts.")})
    if not survey.groups.filter(group=group).exists():
        raise ValidationError({"group": _("This group is not asked in this survey.")})
    items = list(survey.items.select_related("question"))
    cleaned = _clean_answers(survey, items, raw_answers)
    if invitation is not None:
        with transaction.atomic():
            # Only *that* it was used: no date, no reference to the answer.
            marked = Invitation.objects.filter(pk=invitation.pk, used=False).update(used=True)
        if not marked:
            raise LinkProblem("used")
    try:
        _pool_add(
            survey=survey,
            contract_id=contract.pk,
            group=group,
            language="en" if language.startswith("en") else "nl",
            cleaned=cleaned,
            today=today,
        )
    except BaseException:
        if invitation is not None:
            Invitation.objects.filter(pk=invitation.pk).update(used=False)
        raise


@transaction.atomic
def _pool_add(*, survey: Survey, contract_id: int, group: str, language: str, cleaned, today):
    """Add one answer to the pool and rewrite the pool in a random order with fresh keys."""
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    survey_check_answerable(survey, today)
    pool = PendingResponse.objects.filter(survey=survey)
    rows = list(pool.values("contract_id", "group", "language", "values"))
    rows.append(
        {
            "contract_id": contract_id,
            "group": group,
            "language": language,
            "values": {str(pk): value for pk, value in cleaned.items()},
        }
    )
    pool.delete()
    _random.shuffle(rows)
    PendingResponse.objects.bulk_create(
        [
            PendingResponse(
                id=uuid.uuid4(), organisation_id=survey.organisation_id, survey=survey, **row
            )
            for row in rows
        ]
    )
    if not survey.anonymity_locked:
        Survey.objects.filter(pk=survey.pk).update(anonymity_locked=True)


def _batch(rows: list, k: int, flush: bool) -> list:
    """The rows of one (contract, group) to release now, chosen at random: all of them when
    flushing, else all but k once at least 2k wait, else none."""
    rows = list(rows)
    _random.shuffle(rows)
    if flush:
        return rows
    if len(rows) >= 2 * k:
        return rows[: len(rows) - k]
    return []


@transaction.atomic
def pool_release(*, survey: Survey, flush: bool = False, today: date | None = None) -> int:
    """Release the survey's pending answers that form full batches (or all of them with
    `flush`) into responses, answers and rollups, in one transaction and in random order.
    Returns how many answers were released."""
    today = today or timezone.localdate()
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    cells: dict[tuple, list] = defaultdict(list)
    for row in PendingResponse.objects.filter(survey=survey):
        cells[(row.contract_id, row.group)].append(row)
    chosen = [row for rows in cells.values() for row in _batch(rows, survey.k, flush)]
    if not chosen:
        return 0
    _random.shuffle(chosen)
    items = list(survey.items.select_related("question"))
    by_pk = {item.pk: item for item in items}
    responses, answers, batch = [], [], []
    for row in chosen:
        cleaned = {int(pk): value for pk, value in row.values.items() if int(pk) in by_pk}
        response = Response(
            id=uuid.uuid4(),
            organisation_id=survey.organisation_id,
            survey=survey,
            contract_id=row.contract_id,
            group=row.group,
            language=row.language,
            submitted_on=today,
        )
        responses.append(response)
        answers.extend(
            Answer(
                id=uuid.uuid4(),
                organisation_id=survey.organisation_id,
                response=response,
                item=by_pk[pk],
                value=None if isinstance(value, str) else value,
                text=value if isinstance(value, str) else "",
            )
            for pk, value in cleaned.items()
        )
        batch.append((row.contract_id, row.group, cleaned))
    Response.objects.bulk_create(responses)
    Answer.objects.bulk_create(answers)
    _add_to_rollups(survey, items, batch)
    PendingResponse.objects.filter(pk__in=[row.pk for row in chosen]).delete()
    return len(chosen)


@transaction.atomic
def pool_finalise(*, survey: Survey, today: date | None = None) -> int:
    """For a closed survey: release everything still pending and mark the results final (only
    then are optional items such as time lost shown). Returns how many answers were released."""
    today = today or timezone.localdate()
    released = pool_release(survey=survey, flush=True, today=today)
    Survey.objects.filter(pk=survey.pk, final_release_on__isnull=True).update(
        final_release_on=today
    )
    survey.final_release_on = Survey.objects.values_list("final_release_on", flat=True).get(
        pk=survey.pk
    )
    return released


def pool_release_due(*, organisation, today: date | None = None) -> dict:
    """The organisation's surveys: full batches released from open ones; closed ones flushed
    and made final. Returns counts for the task's log."""
    today = today or timezone.localdate()
    released = finalised = 0
    surveys = Survey.objects.filter(organisation=organisation, final_release_on__isnull=True)
    for survey in surveys.order_by("pk"):
        if survey.state(today) == "closed":
            released += pool_finalise(survey=survey, today=today)
            finalised += 1
        elif survey.pending.exists():
            released += pool_release(survey=survey, today=today)
    return {"released": released, "finalised": finalised}
