from datetime import timedelta

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled

from governance.platform.models import TaskRun
from governance.roof.schedule import BEAT_SCHEDULE
from kto.selectors import organisations_with_open_surveys
from kto.tasks import task_kto_dispatch
from tests.kto.helpers import (
    english,  # noqa: F401 - the fixture
    make_survey,
)

pytestmark = pytest.mark.usefixtures("english")


def test_dispatch_task_records_a_run_and_sends_in_scope(world):
    survey = make_survey(world.alpha, [world.alpha_contract])
    result = task_kto_dispatch.apply(kwargs={"organisation_id": world.alpha.pk}).get()
    with scopes_disabled():
        run = TaskRun.objects.get(name="kto.tasks.task_kto_dispatch")
    assert set(result) == {"invitations", "reminders"}
    assert (run.status, run.organisation_id) == ("succeeded", world.alpha.pk)
    assert survey.pk


def test_only_organisations_with_open_launched_surveys_are_dispatched(world):
    make_survey(world.alpha, [world.alpha_contract])
    make_survey(world.beta, [world.beta_northwind_contract], launched=False)
    assert organisations_with_open_surveys() == [world.alpha.pk]
    later = timezone.localdate() + timedelta(days=60)
    assert organisations_with_open_surveys(later) == []


def test_dispatch_is_scheduled():
    assert BEAT_SCHEDULE["kto-dispatch"]["task"] == "kto.tasks.task_kto_dispatch_all"
