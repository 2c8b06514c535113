"""Lessons that carry across years: a lesson an earlier exercise of the same chain already
taught is linked to its first occurrence and counted, and last year's exercise actions show
whether they were done."""

import re
from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Q, QuerySet

from governance.platform.access import Access
from simulations.models import Action, Exercise, Lesson


def normalised(text: str) -> str:
    """The words of a lesson, lower case, without punctuation: "Nobody answers!" and
    "nobody  answers" are the same lesson."""
    return " ".join(re.findall(r"\w+", text.casefold()))


def earlier_lessons(exercise: Exercise) -> QuerySet[Lesson]:
    """The first occurrences of lessons taught by earlier exercises of the same chain: what a
    new lesson of `exercise` may repeat."""
    return (
        Lesson.objects.filter(
            exercise__chain=exercise.chain,
            exercise__scheduled_for__lt=exercise.scheduled_for,
            repeats__isnull=True,
        )
        .select_related("exercise")
        .order_by("-exercise__scheduled_for", "category", "pk")
    )


def first_occurrence(lesson: Lesson) -> Lesson | None:
    """The lesson `lesson` repeats: the one chosen (followed to its own first occurrence), or
    else an earlier lesson of the chain in the same category with the same words."""
    if lesson.repeats_id:
        return lesson.repeats.repeats or lesson.repeats
    words = normalised(lesson.text)
    candidates = earlier_lessons(lesson.exercise).filter(category=lesson.category)
    return next((c for c in candidates if normalised(c.text) == words), None)


@dataclass
class Recurrence:
    times: int  # how often the lesson was learned, the first time included
    first: Lesson


def recurrences(lessons: list[Lesson]) -> dict[int, Recurrence]:
    """For each of `lessons` that recurs (or was repeated later): how often it was learned in
    all and where first, in one query."""
    firsts = {lesson.repeats_id or lesson.pk for lesson in lessons}
    counted = (
        Lesson.objects.filter(pk__in=firsts)
        .annotate(later=Count("recurrences"))
        .select_related("exercise")
    )
    by_first = {first.pk: first for first in counted if first.later}
    found = {}
    for lesson in lessons:
        first = by_first.get(lesson.repeats_id or lesson.pk)
        if first is not None:
            found[lesson.pk] = Recurrence(times=first.later + 1, first=first)
    return found


@dataclass
class ExerciseFollowUp:
    exercise: Exercise
    done: int
    total: int
    open_actions: list[Action]


def last_year_actions(*, access: Access, today: date) -> list[ExerciseFollowUp]:
    """The exercises held last calendar year that the user may see, with how many of their
    actions are done and which are still open."""
    exercises = Exercise.objects.filter(
        organisation=access.organisation, scheduled_for__year=today.year - 1
    )
    if access.is_supplier:
        exercises = exercises.filter(chain__contract__supplier=access.supplier)
    exercises = (
        exercises.annotate(
            total=Count("actions"), done=Count("actions", filter=Q(actions__done=True))
        )
        .filter(total__gt=0)
        .select_related("chain")
        .order_by("scheduled_for", "pk")
    )
    exercises = list(exercises)
    open_actions: dict[int, list[Action]] = {}
    for action in Action.objects.filter(exercise__in=exercises, done=False).order_by("due", "pk"):
        open_actions.setdefault(action.exercise_id, []).append(action)
    return [ExerciseFollowUp(e, e.done, e.total, open_actions.get(e.pk, [])) for e in exercises]
