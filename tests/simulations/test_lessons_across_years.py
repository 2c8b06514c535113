"""Lessons that carry across years: a lesson learned again is linked to its first time and
counted, and the lessons page says whether last year's actions were done."""

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from simulations import services
from simulations.models import Exercise, Lesson
from tests.simulations.helpers import make_chain

LAST_YEAR = timezone.localdate().year - 1


@pytest.fixture
def years(world):
    """The chain's exercise of last November (lesson "Nobody answers", action "Extend hours"
    open) and one of this November."""
    chain_set = make_chain(world.alpha, world.alpha_contract, run=False)
    with scopes_disabled():
        earlier = chain_set.exercise
        earlier.scheduled_for = date(LAST_YEAR, 11, 14)
        earlier.save()
        later = services.exercise_save(
            chain=chain_set.chain,
            title="Friday evening outage, again",
            kind=Exercise.Kind.TABLETOP,
            scenario="P1 at 20:00",
            scheduled_for=date(LAST_YEAR + 1, 11, 13),
        )
    return chain_set, earlier, later


def add_lesson(exercise, **fields):
    with scopes_disabled():
        return services.exercise_part_add(exercise=exercise, kind="lesson", **fields)


def test_the_same_words_in_the_same_category_link_to_the_first_time(world, years):
    _chain, earlier, later = years
    with scopes_disabled():
        first = earlier.lessons.get()
    again = add_lesson(later, category="capacity", text="  nobody ANSWERS! ")
    other_category = add_lesson(later, category="tooling", text="Nobody answers")
    assert again.repeats == first
    assert other_category.repeats is None


def test_a_chosen_lesson_links_to_its_first_time_and_counts_every_year(world, years):
    chain_set, earlier, later = years
    with scopes_disabled():
        first = earlier.lessons.get()
        second = add_lesson(later, category="capacity", text="The desk closes too early")
        assert second.repeats is None
        second.repeats = first
        second.save()
        third_exercise = services.exercise_save(
            chain=chain_set.chain,
            title="Third year",
            kind=Exercise.Kind.TABLETOP,
            scenario="P1 at 21:00",
            scheduled_for=date(LAST_YEAR + 2, 11, 12),
        )
    third = add_lesson(third_exercise, category="capacity", text="Still closed", repeats=second)
    assert third.repeats == first  # followed to the first time, not the lesson chosen
    from simulations.lessons import recurrences

    with scopes_disabled():
        found = recurrences([first, second, third])
    assert {pk: r.times for pk, r in found.items()} == {first.pk: 3, second.pk: 3, third.pk: 3}


def test_a_later_lesson_cannot_be_the_first_time(client_as, world, years):
    _chain, earlier, later = years
    future = add_lesson(later, category="capacity", text="Learned later")
    client = client_as(world.alice)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    url = reverse("simulations:exercise_part_add", args=["alpha", earlier.pk, "lesson"])
    response = client.post(
        url,
        {"lesson-category": "capacity", "lesson-text": "Looks back", "lesson-repeats": future.pk},
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    with scopes_disabled():
        assert not Lesson.objects.filter(text="Looks back").exists()


def test_the_lessons_page_counts_recurrences_and_last_years_actions(client_as, world, years):
    _chain, earlier, later = years
    again = add_lesson(later, category="capacity", text="Nobody answers.")
    client = client_as(world.victor)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    url = reverse("simulations:lesson_trend", args=["alpha"])
    body = client.get(url).content.decode()
    assert f"learned 2 times, first in {LAST_YEAR}" in body
    assert reverse("simulations:exercise_detail", args=["alpha", earlier.pk]) + "#lessons" in body
    response = client.get(url)
    follow_up = response.context["follow_ups"]
    assert [(f.exercise.pk, f.done, f.total) for f in follow_up] == [(earlier.pk, 0, 1)]
    assert [a.action for a in follow_up[0].open_actions] == ["Extend hours"]
    with scopes_disabled():
        services.action_set_done(action=earlier.actions.get(), done=True)
    body = client.get(url).content.decode()
    assert "1 / 1" in body and "all done" in body
    export = client.get(reverse("simulations:lesson_export", args=["alpha"]))
    lines = export.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "Year,Category,Lesson,Exercise,Times learned"
    title = '"Friday evening outage, again"'
    assert f"{LAST_YEAR + 1},Capacity and availability,Nobody answers.,{title},2" in lines
    assert again.repeats_id is not None


def test_the_lessons_page_does_not_ask_more_as_lessons_recur(
    client_as, world, years, django_assert_max_num_queries
):
    _chain, _earlier, later = years
    client = client_as(world.alice)
    url = reverse("simulations:lesson_trend", args=["alpha"])
    add_lesson(later, category="capacity", text="Nobody answers")
    with django_assert_max_num_queries(30) as first:
        client.get(url)
    for n in range(5):
        add_lesson(later, category="tooling", text=f"Tool {n}")
    with django_assert_max_num_queries(len(first.captured_queries)):
        client.get(url)
