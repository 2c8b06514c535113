import ast

from django.conf import settings

from governance.celery import app
from governance.roof.schedule import BEAT_SCHEDULE


def test_celery_is_configured_for_safe_delivery():
    conf = app.conf
    assert (conf.task_serializer, conf.result_serializer, conf.accept_content) == (
        "json",
        "json",
        ["json"],
    )
    assert (conf.task_acks_late, conf.task_reject_on_worker_lost) == (True, True)
    assert conf.worker_prefetch_multiplier == 1
    assert 0 < conf.task_soft_time_limit < conf.task_time_limit


def test_visibility_timeout_is_at_least_twice_the_longest_time_limit(db):
    from tests.governance.test_settings_env import load_settings

    app.loader.import_default_modules()
    longest_task = max([app.conf.task_time_limit, *(t.time_limit or 0 for t in app.tasks.values())])
    assert longest_task <= settings.REGIE_LONGEST_TASK_TIME_LIMIT
    code = "import governance.settings as s; print(s.CELERY_BROKER_TRANSPORT_OPTIONS)"
    result = load_settings(
        {"REGIE_DEBUG": "true", "REDIS_URL": "redis://127.0.0.1:6379/0"}, code=code
    )
    options = ast.literal_eval(result.stdout)
    assert options["visibility_timeout"] >= 2 * settings.REGIE_LONGEST_TASK_TIME_LIMIT


def test_every_scheduled_task_exists(db):
    app.loader.import_default_modules()
    assert {entry["task"] for entry in BEAT_SCHEDULE.values()} <= set(app.tasks)
