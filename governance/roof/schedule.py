"""Every periodic job of Regie, in one place (the composition root)."""

from celery.schedules import crontab
from django.conf import settings

BEAT_SCHEDULE = {
    # Jobs whose worker died (no heartbeat for a lease) are sent again within minutes.
    "recover-lost-tasks": {
        "task": "governance.platform.tasks.task_recover_lost_tasks",
        "schedule": float(settings.REGIE_TASK_REAPER_SECONDS),
    },
    "relay-outbox": {
        "task": "governance.platform.tasks.task_relay_outbox",
        "schedule": 60.0,
    },
    "relay-webhooks": {
        "task": "governance.platform.tasks.task_relay_webhooks",
        "schedule": 60.0,
    },
    "exercise-reminders": {
        "task": "simulations.tasks.task_exercise_reminders_all",
        "schedule": crontab(hour=7, minute=5),
    },
    # Personal data past its retention period (complainants, survey participants) anonymised.
    "privacy-retention": {
        "task": "governance.platform.tasks.task_privacy_retention",
        "schedule": crontab(hour=3, minute=40),
    },
    "prune-task-runs": {
        "task": "governance.platform.tasks.task_prune_task_runs",
        "schedule": crontab(hour=3, minute=17),
    },
    # Survey invitations and reminders in batches; the service itself skips weekends and Dutch
    # public holidays, so this only keeps mail within office hours.
    "kto-dispatch": {
        "task": "kto.tasks.task_kto_dispatch_all",
        "schedule": crontab(minute=7, hour="8-16", day_of_week="mon-fri"),
    },
    # Survey answers leave their pending pool in batches of at least k; closed surveys flush.
    "kto-release": {
        "task": "kto.tasks.task_kto_release_all",
        "schedule": crontab(minute=37),
    },
    # The next wave of each repeating survey campaign, prepared once it opens within its lead.
    "kto-prepare-waves": {
        "task": "kto.tasks.task_kto_prepare_waves_all",
        "schedule": crontab(hour=6, minute=50),
    },
    # The gap analysis of last month for every organisation, then the digests due today.
    "gap-analysis-nightly": {
        "task": "kto.gaps.tasks.task_dispatch_gap_runs",
        "schedule": crontab(hour=2, minute=30),
    },
    "gap-digests": {
        "task": "kto.gaps.tasks.task_dispatch_gap_digests",
        "schedule": crontab(hour=7, minute=30),
    },
    "remind-overdue-complaints": {
        "task": "complaints.tasks.task_remind_overdue_complaints",
        "schedule": crontab(hour="8-17", minute=5, day_of_week="mon-fri"),
    },
    # The open register's PDF of the quarter that closed last (a no-op once it exists).
    "complaints-register-reports": {
        "task": "complaints.tasks.task_request_register_reports",
        "schedule": crontab(hour=4, minute=20),
    },
    # Owners of corrective actions due within three working days or overdue, once a day.
    "audits-action-reminders": {
        "task": "audits.tasks.task_send_action_reminders",
        "schedule": crontab(hour=7, minute=45, day_of_week="mon-fri"),
    },
    # Pre-reads still missing near their deadline: each side is reminded once per item.
    "meetings-preparation-reminders": {
        "task": "meetings.tasks.task_send_preparation_reminders",
        "schedule": crontab(hour=8, minute=15, day_of_week="mon-fri"),
    },
    # SLA report windows opening, reports late, late limits passed: each step mailed once.
    "contracts-report-reminders": {
        "task": "contracts.tasks.task_send_report_reminders",
        "schedule": crontab(hour=7, minute=50, day_of_week="mon-fri"),
    },
}
