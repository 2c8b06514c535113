"""Every periodic job of Regie, in one place (the composition root)."""

from celery.schedules import crontab

BEAT_SCHEDULE = {
    "relay-outbox": {
        "task": "governance.tasks.task_relay_outbox",
        "schedule": 60.0,
    },
    "prune-task-runs": {
        "task": "governance.tasks.task_prune_task_runs",
        "schedule": crontab(hour=3, minute=17),
    },
}
