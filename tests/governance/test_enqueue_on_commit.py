"""Services name the task they queue after commit instead of importing its module."""

from unittest import mock

import pytest

from governance.platform import tasking
from governance.platform.tasking import enqueue_on_commit, registered_task
from tests.governance.test_settings_env import load_settings

RUN = "kto.gaps.tasks.task_run_gap_analysis"
DISPATCH = "kto.tasks.task_kto_dispatch"


@pytest.mark.parametrize("name", [RUN, DISPATCH])
def test_the_names_the_services_use_are_registered_tasks(name):
    assert registered_task(name).name == name


def test_the_task_is_sent_once_the_transaction_commits(db, django_capture_on_commit_callbacks):
    task = registered_task(RUN)
    with mock.patch.object(task, "apply_async") as apply_async:
        with django_capture_on_commit_callbacks() as callbacks:
            enqueue_on_commit(RUN, kwargs={"organisation_id": 1, "run_id": 2}, what="Run")
        assert (len(callbacks), apply_async.call_count) == (1, 0)
        callbacks[0]()
    apply_async.assert_called_once_with(kwargs={"organisation_id": 1, "run_id": 2}, retry=False)


def test_a_broker_that_is_down_is_logged_not_raised(db, django_capture_on_commit_callbacks):
    task = registered_task(DISPATCH)
    with (
        mock.patch.object(tasking.logger, "warning") as warning,
        mock.patch.object(task, "apply_async", side_effect=OSError("broker down")),
        django_capture_on_commit_callbacks(execute=True),
    ):
        enqueue_on_commit(DISPATCH, kwargs={"organisation_id": 1}, what="KTO dispatch")
    assert warning.call_args.args == ("%s not queued: the broker is unreachable.", "KTO dispatch")


def test_a_process_that_never_imported_the_task_module_finds_the_task():
    code = (
        "import sys, django; django.setup()\n"
        "from governance.platform.tasking import registered_task\n"
        "assert 'kto.gaps.tasks' not in sys.modules\n"
        f"print(registered_task({RUN!r}).name)"
    )
    result = load_settings(
        {"REGIE_DEBUG": "true", "DJANGO_SETTINGS_MODULE": "governance.settings"}, code=code
    )
    assert result.stdout.strip() == RUN, result.stderr
