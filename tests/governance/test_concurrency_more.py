"""The version check on the remaining edit pages: a chain, a step, a scenario and an exercise
of the simulations, a survey's settings and the complaint procedure's settings. A stale save is
refused and keeps the other person's value; the current version passes."""

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from complaints import selectors as complaint_selectors
from complaints.forms import SettingsForm
from governance.platform.access import system_access
from governance.platform.concurrency import version_of
from kto.views import SurveyEditView
from simulations.forms import ChainForm, ExerciseForm, ScenarioForm, StepForm
from tests.governance.test_concurrency import anna, as_posted, browser, fresh, shown_version
from tests.kto.helpers import make_survey
from tests.simulations.helpers import make_chain

__all__ = ["anna"]  # the fixture, used by name


def _save_as_other(record, **values):
    with scopes_disabled():
        obj = fresh(record)
        for name, value in values.items():
            setattr(obj, name, value)
        obj.save()


def _cases(world):
    chain_set = make_chain(world.alpha, world.alpha_contract, run=False)
    survey = make_survey(world.alpha, [world.alpha_contract], launched=False, title="Q1 survey")
    with scopes_disabled():
        procedure = complaint_selectors.settings_for(organisation=world.alpha)
        procedure.save()  # a first save has no version to check: the row must exist
        access = system_access(world.alpha)
        chain, step, exercise = chain_set.chain, chain_set.desk, chain_set.exercise
        scenario = chain_set.scenario
        return [
            ("simulations:chain_edit", chain, ChainForm(instance=chain, access=access), "name"),
            ("simulations:step_edit", step, StepForm(instance=step, chain=chain), "name"),
            (
                "simulations:scenario_edit",
                scenario,
                ScenarioForm(chain=chain, scenario=scenario),
                "name",
            ),
            (
                "simulations:exercise_edit",
                exercise,
                ExerciseForm(instance=exercise, chain=chain),
                "title",
            ),
            ("kto:survey_edit", survey, SurveyEditView().form(survey), "title"),
            ("complaints:settings", procedure, SettingsForm(instance=procedure), "resolve_days"),
        ]


@pytest.mark.parametrize("index", range(6))
def test_a_stale_save_is_refused_and_the_current_version_passes(world, index):
    url_name, record, form, field = _cases(world)[index]
    args = ["alpha"] if url_name == "complaints:settings" else ["alpha", record.pk]
    url = reverse(url_name, args=args)
    alice = browser(world.alice)
    seen = shown_version(alice.get(url))
    assert seen == version_of(record)
    with scopes_disabled():
        data = as_posted(form)
    theirs, yours = ("9", "12") if field == "resolve_days" else ("Anna's value", "Alice's value")
    _save_as_other(record, **{field: type(getattr(record, field))(theirs)})

    refused = alice.post(url, {**data, field: yours, "version": seen})
    assert refused.status_code in (200, 400)
    assert "Someone else saved this record after you opened it" in refused.content.decode()
    assert str(getattr(fresh(record), field)) == theirs

    passed = alice.post(url, {**data, field: yours, "version": shown_version(refused)})
    assert passed.status_code == 302
    assert str(getattr(fresh(record), field)) == yours
